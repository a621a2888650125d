"""A body that arrived with its request head needs no body deadline: the server's protocol marks it
in the scope, and the body guard then arms no timer (one per request was 4 % of an agent completion).
A body that trails its head keeps the deadline (the 408 itself: tests/reliability/test_connections.py)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest
import uvicorn
from uvicorn.server import ServerState

from mockswarms.config import load_settings
from mockswarms.http import body_guard
from mockswarms.http.body_guard import BODY_ARRIVED, BodyGuardMiddleware
from mockswarms.http.connections import GuardedH11Protocol, GuardedHttpToolsProtocol

HEAD = b"POST /v1/agent/completions HTTP/1.1\r\nHost: localhost\r\nContent-Length: 11\r\n\r\n"


class _Transport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.closing = False

    def write(self, data: Any) -> None:
        pass

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 50000), "sockname": ("127.0.0.1", 8000)}.get(name, default)


async def _never_run(scope: Any, receive: Any, send: Any) -> None:
    await asyncio.sleep(3600)


def _protocol(kind: type[Any]) -> Any:
    config = uvicorn.Config(_never_run, lifespan="off", log_level="warning")
    config.load()
    protocol = kind(config=config, server_state=ServerState(), app_state={})
    protocol.connection_made(_Transport())
    return protocol


@pytest.mark.parametrize("kind", [GuardedHttpToolsProtocol, GuardedH11Protocol], ids=["httptools", "h11"])
async def test_the_protocol_marks_a_body_that_came_with_its_head(kind: type[Any]) -> None:
    whole = _protocol(kind)
    whole.data_received(HEAD + b'{"task": 1}')
    trailing = _protocol(kind)
    trailing.data_received(HEAD + b'{"task"')
    assert (whole.cycle.scope.get(BODY_ARRIVED), trailing.cycle.scope.get(BODY_ARRIVED)) == (True, None)
    for protocol in (whole, trailing):
        for task in protocol.tasks:
            task.cancel()
        protocol.connection_lost(None)


def _app_owner() -> SimpleNamespace:
    """What the body guard reads from ``scope["app"]``: ``state.simulator.settings``."""
    settings = load_settings({}, environ={})
    return SimpleNamespace(state=SimpleNamespace(simulator=SimpleNamespace(settings=settings)))


def _guarded_read(scope_extra: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> tuple[bytes, int]:
    """Run the body guard around an app that reads the body; (body read, deadline timers armed)."""
    armed = 0
    real_timeout_at = asyncio.timeout_at

    def counting_timeout_at(when: float | None) -> asyncio.Timeout:
        nonlocal armed
        armed += 1
        return real_timeout_at(when)

    monkeypatch.setattr(body_guard.asyncio, "timeout_at", counting_timeout_at)
    read = b""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        nonlocal read
        while True:
            message = await receive()
            read += message.get("body", b"")
            if not message.get("more_body", False):
                return

    chunks = [b'{"task"', b": 1}"]

    async def receive() -> dict[str, Any]:
        body = chunks.pop(0)
        return {"type": "http.request", "body": body, "more_body": bool(chunks)}

    async def send(message: Any) -> None:
        raise AssertionError("the app answers nothing")

    # Chunked: the guard reads it through its wrappers either way (its size is known once read).
    headers = [(b"transfer-encoding", b"chunked")]
    scope = {"type": "http", "headers": headers, "app": _app_owner(), **scope_extra}
    asyncio.run(BodyGuardMiddleware(app)(scope, receive, send))
    return read, armed


def test_an_arrived_body_is_read_without_a_deadline_timer(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _guarded_read({BODY_ARRIVED: True}, monkeypatch) == (b'{"task": 1}', 0)


def test_a_body_without_the_mark_is_read_under_the_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _guarded_read({}, monkeypatch) == (b'{"task": 1}', 2)


@pytest.mark.parametrize(
    ("headers", "extra", "wrapped"),
    [
        ([], {}, False),  # GET: no body at all
        ([(b"content-length", b"0")], {}, False),
        ([(b"content-length", b"11")], {BODY_ARRIVED: True}, False),  # here already, within the cap
        ([(b"content-length", b"11")], {}, True),  # still coming: deadline and cap apply
        ([(b"transfer-encoding", b"chunked")], {BODY_ARRIVED: True}, True),  # size known once read
        ([(b"transfer-encoding", b"chunked"), (b"content-length", b"11")], {BODY_ARRIVED: True}, True),
    ],
    ids=["no-body", "empty", "arrived", "trailing", "chunked", "chunked-and-length"],
)
def test_the_guard_steps_aside_only_when_nothing_can_be_refused(
    headers: list[tuple[bytes, bytes]], extra: dict[str, Any], wrapped: bool
) -> None:
    seen: list[bool] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        pass

    async def app(scope: Any, inner_receive: Any, inner_send: Any) -> None:
        seen.append(inner_receive is not receive or inner_send is not send)

    scope = {"type": "http", "headers": headers, "app": _app_owner(), **extra}
    asyncio.run(BodyGuardMiddleware(app)(scope, receive, send))
    assert seen == [wrapped]
