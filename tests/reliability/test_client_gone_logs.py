"""A client going away, or a fault rule cutting a response as asked, is no server error: real uvicorn
logs no "Exception in ASGI application" traceback (at most a DEBUG line), and the server goes on
answering. Each case drives a raw socket, as a client that misbehaves would."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest

from mockswarms.testing.control import PREMIUM_KEY, SimulatorControl
from mockswarms.testing.server import RunningServer, serve

NOW = "2026-03-01T20:00:00Z"
AGENT = {"agent_config": {"agent_name": "W", "model_name": "gpt-4o-mini"}, "task": "Write a haiku."}


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record not in self.records:  # seen again by a parent logger it propagated to
            self.records.append(record)


@pytest.fixture
def server() -> Iterator[tuple[RunningServer, SimulatorControl, _Records]]:
    with serve(now=NOW, seed=3) as running:
        # After start-up: uvicorn's logging config replaces the handlers of its loggers.
        records = _Records()
        watched = [logging.getLogger(name) for name in ("uvicorn.error", "uvicorn", "mockswarms", "")]
        for logger in watched:
            logger.addHandler(records)
        try:
            yield running, running.control(), records
        finally:
            for logger in watched:
                logger.removeHandler(records)


def _head(path: str, extra: str) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: {PREMIUM_KEY}\r\n"
        f"content-type: application/json\r\n{extra}\r\n"
    ).encode()


def _read_to_close(sock: socket.socket) -> bytes:
    sock.settimeout(5)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except ConnectionResetError:
        pass
    return data


def _settled(running: RunningServer, ctl: SimulatorControl, path: str) -> None:
    """Wait until the server has finished with the request (its journal entry is written last
    but one, before the server logs what the app raised), then a moment for that log line."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not any(e["path"] == path for e in ctl.journal.entries):
        time.sleep(0.02)
    time.sleep(0.2)


def _assert_quiet_and_healthy(running: RunningServer, records: _Records, *expected: str) -> None:
    """No ERROR, no traceback, no WARNING but ``expected`` ones; and ``/health`` still answers."""
    loud = [
        f"{r.name} {r.levelname} {r.getMessage()}" for r in records.records if r.levelno >= logging.WARNING
    ]
    tracebacks = [r.getMessage() for r in records.records if r.exc_info]
    assert loud == list(expected)
    assert tracebacks == []
    assert httpx.get(running.url("/health"), timeout=5).status_code == 200


@pytest.mark.parametrize("path", ["/v1/agent/completions", "/v1/chat/completions", "/v1/swarm/completions"])
def test_a_client_gone_while_uploading_its_body_logs_no_traceback(server: Any, path: str) -> None:
    running, ctl, records = server
    before = ctl.balance()
    with socket.create_connection((running.host, running.port), timeout=5) as sock:
        sock.sendall(_head(path, "content-length: 1000\r\n") + b'{"task":')
        time.sleep(0.1)
    _settled(running, ctl, path)
    _assert_quiet_and_healthy(running, records)
    # Nothing was charged: the request never got past its body.
    assert ctl.balance() == before
    assert [e["status"] for e in ctl.journal.entries if e["path"] == path] == [499]


def test_a_malformed_chunked_body_gets_400_and_no_traceback(server: Any) -> None:
    running, ctl, records = server
    path = "/v1/agent/completions"
    with socket.create_connection((running.host, running.port), timeout=5) as sock:
        sock.sendall(_head(path, "transfer-encoding: chunked\r\n") + b"zz\r\nabc\r\n0\r\n\r\n")
        reply = _read_to_close(sock)
    assert reply.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert reply.endswith(b'\r\n\r\n{"detail":"Invalid HTTP request received."}')
    _settled(running, ctl, path)
    # uvicorn's own one line for any request it cannot parse (no traceback).
    _assert_quiet_and_healthy(running, records, "uvicorn.error WARNING Invalid HTTP request received.")


def _streamed(running: RunningServer) -> bytes:
    body = orjson.dumps({**AGENT, "stream": True})
    with socket.create_connection((running.host, running.port), timeout=5) as sock:
        sock.sendall(_head("/v1/agent/completions", f"content-length: {len(body)}\r\n") + body)
        return _read_to_close(sock)


def test_a_stream_cut_by_a_truncate_rule_logs_no_traceback(server: Any) -> None:
    running, ctl, records = server
    ctl.inject_fault(path="/v1/agent/completions", action="truncate", fraction=0.5)
    reply = _streamed(running)
    # The fault did its work: a 200 whose body stops half-way, then the connection closes.
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"content-type: text/event-stream" in head
    declared = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
    assert body.startswith(b'data: {"job_id": "agent-') and 0 < len(body) == int(declared * 0.5)
    _settled(running, ctl, "/v1/agent/completions")
    _assert_quiet_and_healthy(running, records)


def test_a_stream_cut_by_an_sse_disconnect_rule_logs_no_traceback(server: Any) -> None:
    running, ctl, records = server
    ctl.inject_fault(path="/v1/agent/completions", action="sse_disconnect", after_events=2)
    reply = _streamed(running)
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert body.count(b"data:") == 2  # exactly the events the rule let through, unterminated
    assert not body.endswith(b"0\r\n\r\n")
    _settled(running, ctl, "/v1/agent/completions")
    _assert_quiet_and_healthy(running, records)


def test_a_client_gone_mid_stream_logs_nothing(server: Any) -> None:
    """Frames sent back to back: without a turn of the event loop between them the server never
    saw the close, and asyncio logged "socket.send() raised exception." for every later frame."""
    running, ctl, records = server
    body = orjson.dumps(
        {
            "agent_config": {"agent_name": "W", "model_name": "gpt-4o-mini", "max_tokens": 2000},
            "task": "Essay.",
            "stream": True,
        }
    )
    for _ in range(3):
        with socket.create_connection((running.host, running.port), timeout=5) as sock:
            sock.sendall(_head("/v1/agent/completions", f"content-length: {len(body)}\r\n") + body)
            assert sock.recv(300).startswith(b"HTTP/1.1 200 OK\r\n")  # then gone, the rest unread
        _settled(running, ctl, "/v1/agent/completions")
    _assert_quiet_and_healthy(running, records)


def test_a_client_gone_while_a_fault_rule_reads_its_body_is_no_request(server: Any) -> None:
    """A rule matching on the body (``model``) buffers it first: the half that came is not taken for
    the whole body (it was answered 400, to nobody): the request ends as the client's close."""
    running, ctl, records = server
    path = "/v1/agent/completions"
    ctl.inject_fault(path=path, model="gpt-4o-mini", status=503)
    with socket.create_connection((running.host, running.port), timeout=5) as sock:
        sock.sendall(_head(path, "content-length: 1000\r\n") + b'{"task": "t"}')
        time.sleep(0.1)
    _settled(running, ctl, path)
    _assert_quiet_and_healthy(running, records)
    assert [e["status"] for e in ctl.journal.entries if e["path"] == path] == [499]
