"""The ASGI middleware that asks the engine about each request and applies the decision on the wire."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import orjson
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockswarms.errors import APIError, ValidationFailed
from mockswarms.faults.engine import FaultDecision, FaultEngine, RequestInfo
from mockswarms.faults.error_replies import error_response
from mockswarms.faults.header import FAULT_HEADER
from mockswarms.faults.rules import (
    BODY_ACTIONS,
    SSE_ACTIONS,
    EmptyAction,
    ErrorAction,
    LatencyAction,
    ResetAction,
)
from mockswarms.faults.wire.body import BodyRewriter, ChunkDelay
from mockswarms.faults.wire.sse import SseRewriter
from mockswarms.faults.wire.transport import drop_connection, find_transport
from mockswarms.journal import presented_key
from mockswarms.paths import CONTROL_PREFIX


async def send_api_error(send: Send, error: APIError) -> None:
    """An :class:`APIError` as a JSON answer, sent straight to ASGI from below the app's handlers."""
    body = orjson.dumps(error.body)
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(k.lower().encode(), v.encode()) for k, v in error.headers.items()]
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


_FAULT_HEADER_BYTES = FAULT_HEADER.encode()


class FaultMiddleware:
    """Pure ASGI middleware: asks the engine about each request and applies the chosen fault.

    ``engine_getter(scope)`` returns the :class:`FaultEngine` (or None to pass everything through).
    ``on_broken(scope, reason)`` is awaited after a rule cut or corrupted a reply the client was
    sending (truncate, malformed_json, sse_disconnect, sse_malformed, sse_drop_terminal): the
    client did not get a complete response, so the app gives its charge back.
    Control API paths (``/__mockswarms/…``) are never faulted.
    """

    def __init__(
        self,
        app: ASGIApp,
        engine_getter: Callable[[Scope], FaultEngine | None],
        on_broken: Callable[[Scope, str], Awaitable[None]] | None = None,
    ) -> None:
        self.app = app
        self.engine_getter = engine_getter
        self.on_broken = on_broken

    def idle_for(self, scope: Scope) -> bool:
        """True when this layer would hand the request on untouched (no rule, no fault header): the
        app's layer skipper then does not enter it. Rules shared through a store need a sync first,
        so with those it is never idle."""
        if scope["type"] != "http" or scope["path"].startswith(CONTROL_PREFIX):
            return True
        engine = self.engine_getter(scope)
        if engine is None:
            return True
        if engine.shared or engine.rules:
            return False
        return not engine.header_enabled or _header(scope, _FAULT_HEADER_BYTES) is None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.idle_for(scope):
            await self.app(scope, receive, send)
        else:
            await self.handle(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The layer's work, for a request it is not idle for."""
        engine = self.engine_getter(scope)
        assert engine is not None  # without an engine idle_for answers True
        if engine.shared:  # rules another worker published (the memory store has no others)
            await engine.sync()
        header = _header(scope, _FAULT_HEADER_BYTES) if engine.header_enabled else None
        if header is None and not engine.rules:
            await self.app(scope, receive, send)
            return

        body: Any = None
        if engine.needs_body and header is None:
            raw, receive = await _buffer_body(receive)
            try:
                body = orjson.loads(raw) if raw else None
            except orjson.JSONDecodeError:
                body = None
        request = RequestInfo(scope["method"], scope["path"], presented_key(scope.get("headers", [])), body)
        try:
            decision = await engine.decide(request, header)
        except ValidationFailed as exc:  # a bad X-Mockswarms-Fault header
            await send_api_error(send, exc)
            return
        if decision is None:
            await self.app(scope, receive, send)
            return
        scope.setdefault("state", {})["fault_rule"] = decision.rule_id
        await self._apply(decision, engine, scope, receive, send)

    async def _apply(
        self, decision: FaultDecision, engine: FaultEngine, scope: Scope, receive: Receive, send: Send
    ) -> None:
        action = decision.action
        if isinstance(action, ErrorAction):
            await send_api_error(send, error_response(action, scope["path"], engine.clock.timestamp()))
        elif isinstance(action, ResetAction):
            await drop_connection(reset=True)
        elif isinstance(action, EmptyAction):
            # Read the request first: closing with unread bytes in the socket makes the kernel send
            # RST, and the client would see a reset instead of a clean, empty close.
            await _buffer_body(receive)
            await drop_connection(reset=False)
        elif isinstance(action, LatencyAction):
            rng = decision.rng()
            if action.apply_to == "ttfb":
                await asyncio.sleep(action.draw(rng))
                await self.app(scope, receive, send)
            else:
                await self.app(scope, receive, ChunkDelay(send, action, rng))
        elif isinstance(action, BODY_ACTIONS):
            # The connection to cut is looked up here: a stream sends from a task of its own, whose
            # call stack does not reach the server's.
            rewriter = BodyRewriter(send, action, find_transport())
            await self.app(scope, receive, rewriter)
            await self._broken(scope, rewriter.broke, decision)
        elif isinstance(action, SSE_ACTIONS):
            writer = SseRewriter(send, action, find_transport())
            await self.app(scope, receive, writer)
            await writer.finish()
            await self._broken(scope, writer.broke, decision)

    async def _broken(self, scope: Scope, broke: bool, decision: FaultDecision) -> None:
        if broke and self.on_broken is not None:
            # Shielded: the connection is gone, and the refund must not be cut short with it.
            with anyio.CancelScope(shield=True):
                await self.on_broken(scope, f"fault rule {decision.rule_id}: {decision.action.type}")


async def _buffer_body(receive: Receive) -> tuple[bytes, Receive]:
    """Read the whole request body, and a receive that replays it (then delegates)."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            # Gone before its body was in: not a request to match or answer (the outer layer,
            # http/outer.py, ends it quietly), as when the app reads the body itself.
            raise ClientDisconnect()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    raw = b"".join(chunks)
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": raw, "more_body": False}
        return await receive()

    return raw, replay
