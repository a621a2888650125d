"""A small response leaves in one write: the head waits for the first body bytes (or the end of the
event-loop step, or close)."""

from __future__ import annotations

import asyncio
from typing import Any

from mockswarms.http.transport import CoalescingTransport

HEAD = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n"


class _Recorder:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False
        self.aborted = False

    def write(self, data: Any) -> None:
        self.writes.append(bytes(data))

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def abort(self) -> None:
        self.aborted = True

    def get_extra_info(self, name: str) -> str:
        return f"info:{name}"


async def test_head_and_body_go_out_in_one_write() -> None:
    inner = _Recorder()
    transport = CoalescingTransport(inner, asyncio.get_running_loop())  # type: ignore[arg-type]
    transport.write(HEAD)
    assert inner.writes == []
    transport.write(b"ok")
    assert inner.writes == [HEAD + b"ok"]
    transport.write(b"more")  # later body bytes (a stream) pass straight through
    assert inner.writes == [HEAD + b"ok", b"more"]


async def test_a_head_without_body_in_the_same_step_goes_out_at_the_end_of_it() -> None:
    inner = _Recorder()
    transport = CoalescingTransport(inner, asyncio.get_running_loop())  # type: ignore[arg-type]
    transport.write(HEAD)
    await asyncio.sleep(0)
    assert inner.writes == [HEAD]
    transport.write(b"data: 1\n\n")
    assert inner.writes == [HEAD, b"data: 1\n\n"]


async def test_close_sends_the_held_head_first_and_the_rest_is_the_transports() -> None:
    inner = _Recorder()
    transport = CoalescingTransport(inner, asyncio.get_running_loop())  # type: ignore[arg-type]
    transport.write(HEAD)
    transport.close()
    assert inner.writes == [HEAD] and inner.closed
    assert transport.get_extra_info("peername") == "info:peername"
    transport.abort()
    assert inner.aborted


async def test_flow_control_and_closing_state_reach_the_transport() -> None:
    inner = _Recorder()
    calls: list[str] = []
    inner.is_closing = lambda: calls.append("is_closing") or True  # type: ignore[attr-defined]
    inner.pause_reading = lambda: calls.append("pause")  # type: ignore[attr-defined]
    inner.resume_reading = lambda: calls.append("resume")  # type: ignore[attr-defined]
    transport = CoalescingTransport(inner, asyncio.get_running_loop())  # type: ignore[arg-type]
    assert transport.is_closing() is True
    transport.pause_reading()
    transport.resume_reading()
    assert calls == ["is_closing", "pause", "resume"]


async def test_writes_to_a_closing_transport_are_dropped() -> None:
    """A failed send closes the transport at once, but the server learns of it only when the loop
    next turns: an unpaced stream's further writes made asyncio log a warning each."""
    inner = _Recorder()
    transport = CoalescingTransport(inner, asyncio.get_running_loop())  # type: ignore[arg-type]
    transport.write(HEAD)
    inner.closed = True  # the client went away
    transport.write(b"data: 1\n\n")
    transport.write(b"data: 2\n\n")
    await asyncio.sleep(0)
    assert inner.writes == []
