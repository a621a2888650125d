"""Replay recorded exchanges (``exchanges:`` in fixture files, written by ``mockswarms proxy --record``).

The request still goes through the simulator first — authentication, rate limits, credit checks,
billing and the usage log are the simulator's — and only then is the answer's body swapped for the
recorded one, byte for byte (streams: the recorded frames with their recorded spacing). When the
simulator refuses the caller at a gate (401, 402, 403, 429) its own answer stands, so limits and
money stay consistent with ``/v1/account/credits`` and ``/v1/rate/limits``.
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockswarms.engine.recordings import Recording, RecordingSet, request_match
from mockswarms.http.responses import CONTROL_PREFIX

__all__ = ["GATE_STATUSES", "MAX_FRAME_DELAY", "ReplayMiddleware"]

GATE_STATUSES = frozenset({401, 402, 403, 429})
MAX_FRAME_DELAY = 30.0  # seconds: a recorded pause longer than this is shortened (bounded replay time)
_DROPPED_HEADERS = frozenset({b"content-type", b"content-length", b"transfer-encoding"})


class ReplayMiddleware:
    """Answers requests that match a recording with the recorded body (see the module docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def idle_for(self, scope: Scope) -> bool:
        """True when no recording can answer this request (none loaded, or not a public HTTP
        request): the app's layer skipper then does not enter this layer."""
        if scope["type"] != "http":
            return True
        recordings: RecordingSet | None = getattr(scope["app"].state, "recordings", None)
        if recordings is None:
            return True
        recordings.maybe_reload()  # files added while serving count too (looked at once a second)
        return not recordings or scope["path"].startswith(CONTROL_PREFIX)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.idle_for(scope):
            await self.app(scope, receive, send)
        else:
            await self.handle(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The layer's work, for a request it is not idle for (recordings are loaded)."""
        recordings: RecordingSet = scope["app"].state.recordings
        limit = scope["app"].state.simulator.settings.max_body_bytes
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replaying(chunks, message, receive), send)
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
            if size > limit:
                # Too big to be a recorded request: hand over what was read, the body limit answers 413.
                pending: Message = {"type": "http.request", "body": b"", "more_body": more}
                await self.app(scope, _replaying(chunks, pending, receive), send)
                return
        body = b"".join(chunks)
        match, _ = request_match(
            scope["method"], scope["path"], scope.get("query_string", b"").decode("latin-1"), body
        )
        recording = recordings.find(match)
        replay_receive = _replaying([body], None, receive)
        if recording is None:
            await self.app(scope, replay_receive, send)
            return
        await _replay(self.app, scope, replay_receive, send, recording)


def _replaying(bodies: list[bytes], pending: Message | None, receive: Receive) -> Receive:
    """A receive() that hands out the already-read body, then ``pending`` (if any), then the real one."""
    queue: list[Message] = [
        {"type": "http.request", "body": b"".join(bodies), "more_body": pending is not None}
    ]
    if pending is not None:
        queue.append(pending)

    async def replay_receive() -> Message:
        if queue:
            return queue.pop(0)
        return await receive()

    return replay_receive


async def _replay(app: ASGIApp, scope: Scope, receive: Receive, send: Send, recording: Recording) -> None:
    start: Message | None = None
    passthrough = False

    async def capture(message: Message) -> None:
        nonlocal start, passthrough
        if message["type"] == "http.response.start":
            start = message
            passthrough = message["status"] in GATE_STATUSES
            if passthrough:
                await send(message)
        elif passthrough:
            await send(message)
        # Otherwise the simulator's own body is drained (it has billed and logged by now).

    await app(scope, receive, capture)
    if passthrough or start is None:
        return
    headers = [(k, v) for k, v in start.get("headers", []) if k.lower() not in _DROPPED_HEADERS]
    headers.append((b"content-type", recording.content_type.encode("latin-1")))
    if recording.body is not None:
        payload = recording.body.encode("utf-8")
        headers.append((b"content-length", str(len(payload)).encode()))
        await send({"type": "http.response.start", "status": recording.status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})
        return
    await send({"type": "http.response.start", "status": recording.status, "headers": headers})
    loop = asyncio.get_running_loop()
    began = loop.time()
    for frame in recording.frames:
        delay = min(frame.at - (loop.time() - began), MAX_FRAME_DELAY)
        if delay > 0:
            await asyncio.sleep(delay)
        await send({"type": "http.response.body", "body": frame.text.encode("utf-8"), "more_body": True})
    await send({"type": "http.response.body", "body": b""})
