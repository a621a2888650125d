"""The request body's guard (README "Reliability"): ``BodyGuardMiddleware`` applies the size cap
(``max_body_bytes``) and a deadline before any middleware (fault matching, replay) buffers a body.

- ``BODY_TIMEOUT``: seconds for the whole request body once the app starts reading it; then 408.
- ``BODY_ARRIVED``: the scope key the server's protocol (``http.connections``) sets when the whole
  body came with the request head: nothing can be late, so no deadline timer is armed.
"""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockswarms.errors import APIError

__all__ = ["BODY_ARRIVED", "BODY_TIMEOUT", "BodyGuardMiddleware", "send_error"]

BODY_TIMEOUT = 30.0
BODY_ARRIVED = "mockswarms.body_arrived"  # scope key: the request's whole body arrived with its head


class _BodyRefused(APIError):
    """408 or 413 for a body not read to its end: the connection closes after the answer, as
    RFC 9110 asks of a 408 (the unread rest of the body cannot start the next request)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(status, detail, headers={"connection": "close"})


class BodyGuardMiddleware:
    """413 for bodies over ``max_body_bytes`` (by Content-Length, and while reading) and 408 for a body
    not complete within ``BODY_TIMEOUT``; placed outside every middleware that buffers bodies."""

    body_timeout = BODY_TIMEOUT

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def idle_for(self, scope: Scope) -> bool:
        """True when nothing can be refused: no body, or all of it here already and within the cap
        (the app's layer skipper then does not enter this layer)."""
        if scope["type"] != "http":
            return True
        limit = scope["app"].state.simulator.settings.max_body_bytes
        declared, chunked = _declared_body(scope["headers"])
        if chunked or declared is None or declared > limit:
            return False
        return declared == 0 or scope.get(BODY_ARRIVED, False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.idle_for(scope):
            await self.app(scope, receive, send)
        else:
            await self.handle(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The layer's work, for a request it is not idle for: the cap and the deadline."""
        limit = scope["app"].state.simulator.settings.max_body_bytes
        declared, _ = _declared_body(scope["headers"])
        if declared is not None and declared > limit:
            await send_error(send, 413, _too_large(limit))
            return
        received = 0
        deadline: float | None = None
        body_done = False
        started = False
        # A body already in memory cannot be late: a timer armed and cancelled for it was 4 % of an
        # agent completion's instructions.
        arrived = scope.get(BODY_ARRIVED, False)

        async def guarded_receive() -> Message:
            nonlocal received, deadline, body_done
            if body_done:
                return await receive()  # after the body: only a disconnect can come, no deadline
            if arrived:
                message = await receive()
            else:
                if deadline is None:
                    deadline = asyncio.get_running_loop().time() + self.body_timeout
                try:
                    # timeout_at, not wait_for: no extra task per receive.
                    async with asyncio.timeout_at(deadline):
                        message = await receive()
                except TimeoutError:
                    raise _BodyRefused(
                        408, f"Request body not received within {self.body_timeout:g} seconds"
                    ) from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyRefused(413, _too_large(limit))
                body_done = not message.get("more_body", False)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, guarded_receive, tracking_send)
        except _BodyRefused as exc:
            # Raised while a middleware (fault matching, replay) read the body, outside the app's
            # error handlers; inside a route the app answers it itself.
            if started:
                raise
            await send_error(send, exc.status, exc.body["detail"])


def _declared_body(headers: Any) -> tuple[int | None, bool]:
    """(Content-Length — 0 without one, None if unreadable —, chunked?) of a request's raw headers."""
    declared: int | None = 0
    chunked = False
    for name, value in headers:
        if name == b"content-length":
            try:
                declared = int(value)
            except ValueError:
                declared = None
        elif name == b"transfer-encoding":
            chunked = True  # the size is known only once read
    return declared, chunked


def _too_large(limit: int) -> str:
    return f"Request body too large: the limit is {limit} bytes"


async def send_error(send: Send, status: int, detail: str, *, retry_after: bool = False) -> None:
    """An answer in the API's format from below the app (no route to raise into); the connection
    closes after it (the rest of a body is not read)."""
    body = orjson.dumps({"detail": detail})
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers.append((b"connection", b"close"))  # the rest of the body is not read
    if retry_after:
        headers.append((b"retry-after", b"1"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
