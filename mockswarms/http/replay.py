"""Replay recorded exchanges (``exchanges:`` in fixture files, written by ``mockswarms proxy --record``).

A recorded success (2xx) still goes through the simulator first — authentication, rate limits, credit
checks, billing and the usage log are the simulator's — and only then is the answer's body swapped for
the recorded one, byte for byte (streams: the recorded frames with their recorded spacing); the
journal entry shows the recorded status and body with the simulator's charge. When the simulator does
not answer 2xx — it refuses the caller at a gate (401, 402, 403, 429) or refuses the request (422) —
its own answer stands, uncharged: a client is charged if and only if it gets a complete success.

A recorded error (any other status) is not a run: only the simulator's gates see the request
(authentication, the premium endpoint and model gates, the credit pre-check, the limiter), then the
recorded answer goes out. Nothing is charged and no log row is written.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockswarms.engine import gates
from mockswarms.engine.recordings import Recording, RecordingSet, request_match
from mockswarms.engine.simulator import Simulator
from mockswarms.errors import APIError
from mockswarms.faults.wire import send_api_error
from mockswarms.http.refunds import refund_cut_reply
from mockswarms.http.responses import CONTROL_PREFIX

__all__ = ["MAX_FRAME_DELAY", "ReplayMiddleware"]

MAX_FRAME_DELAY = 30.0  # seconds: a recorded pause longer than this is shortened (bounded replay time)
_DROPPED_HEADERS = frozenset({b"content-type", b"content-length", b"transfer-encoding"})
# Where keyless callers are served (``public_discovery``), and the OpenAI-format paths (as routed).
_PUBLIC_PATHS = frozenset({"/v1/models/available", "/v1/swarms/available"})
_OPENAI_PATHS = ("/v1/chat/completions", "/v1/models")


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
        match, decoded = request_match(
            scope["method"], scope["path"], scope.get("query_string", b"").decode("latin-1"), body
        )
        recording = recordings.find(match)
        replay_receive = _replaying([body], None, receive)
        if recording is None:
            await self.app(scope, replay_receive, send)
        elif 200 <= recording.status < 300:
            await _replay(self.app, scope, replay_receive, send, recording)
        else:
            await _replay_error(scope, send, recording, decoded)


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


def _openai(path: str) -> bool:
    return path.startswith(_OPENAI_PATHS) and path != "/v1/models/available"


async def _replay_error(scope: Scope, send: Send, recording: Recording, payload: Any) -> None:
    """A recorded error: the simulator's gates (as its endpoints run them, before any work), then the
    recorded answer with the limiter's headers. No run, so no charge and no log row."""
    simulator: Simulator = scope["app"].state.simulator
    await simulator.ensure_started()
    path = scope["path"]
    openai = _openai(path)
    client = scope.get("client")
    required = path not in _PUBLIC_PATHS or not simulator.settings.public_discovery
    try:
        caller = await simulator.authenticate(
            Headers(scope=scope), client[0] if client else "unknown", required=required, openai=openai
        )
        # What the journal records as charged: nothing (the scope's state, as the routes set it).
        scope.setdefault("state", {})["caller"] = caller
        if scope["method"] == "POST":  # the work endpoints: premium gates, credit pre-check, limiter
            await simulator.admit(caller, endpoint=path, models=gates.named_models(payload), openai=openai)
        else:
            await simulator.check_rate(caller, openai=openai)
    except APIError as exc:
        await send_api_error(send, exc)
        return
    await _send_recording(send, recording, _encoded(caller.rate_headers))


def _encoded(headers: Mapping[str, str]) -> list[tuple[bytes, bytes]]:
    return [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]


async def _replay(app: ASGIApp, scope: Scope, receive: Receive, send: Send, recording: Recording) -> None:
    """A recorded success: the simulator runs (and bills), then its body is swapped for the recording's."""
    start: Message | None = None
    passthrough = False
    state = scope.setdefault("state", {})
    seal = state.get("journal_seal")
    if seal is not None:
        recorded = recording.body.encode("utf-8") if recording.body is not None else None

        def replayed_seal(status: int, body: bytes, cost: Any, headers: Mapping[str, str]) -> Any:
            # The entry written with the charge shows what the client gets: the recorded status and
            # body (a recorded stream's entry is written by the capture when it ends).
            if recorded is None:
                return None
            return seal(recording.status, recorded, cost, headers)

        state["journal_seal"] = replayed_seal

    async def capture(message: Message) -> None:
        nonlocal start, passthrough
        if message["type"] == "http.response.start":
            start = message
            # Not a success (a gate, a refused request): the simulator charged nothing; its answer stands.
            passthrough = not 200 <= message["status"] < 300
            if passthrough:
                await send(message)
        elif passthrough:
            await send(message)
        # Otherwise the simulator's own body is drained (it has billed and logged by now).

    try:
        await app(scope, receive, capture)
    finally:
        if seal is not None:
            state["journal_seal"] = seal
    if passthrough or start is None:
        return
    headers = [(k, v) for k, v in start.get("headers", []) if k.lower() not in _DROPPED_HEADERS]
    await _send_recording(send, recording, headers, scope, receive)


async def _send_recording(
    send: Send,
    recording: Recording,
    headers: list[tuple[bytes, bytes]],
    scope: Scope | None = None,
    receive: Receive | None = None,
) -> None:
    """The recorded answer. A recorded stream the client leaves (``receive`` says so) stops there and,
    for a charged replay (``scope``), the charge is given back: the client did not get it all."""
    headers = [*headers, (b"content-type", recording.content_type.encode("latin-1"))]
    if recording.body is not None:
        payload = recording.body.encode("utf-8")
        headers.append((b"content-length", str(len(payload)).encode()))
        await send({"type": "http.response.start", "status": recording.status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})
        return
    await send({"type": "http.response.start", "status": recording.status, "headers": headers})
    gone = asyncio.Event()
    listener = asyncio.create_task(_wait_for_disconnect(receive, gone)) if receive is not None else None
    try:
        loop = asyncio.get_running_loop()
        began = loop.time()
        for frame in recording.frames:
            delay = min(frame.at - (loop.time() - began), MAX_FRAME_DELAY)
            if delay > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(gone.wait(), delay)
            if gone.is_set():
                break
            await send({"type": "http.response.body", "body": frame.text.encode("utf-8"), "more_body": True})
        else:
            await send({"type": "http.response.body", "body": b""})
            return
    finally:
        if listener is not None:
            listener.cancel()
    if scope is not None:
        await refund_cut_reply(scope, "the client left a replayed stream")


async def _wait_for_disconnect(receive: Receive | None, gone: asyncio.Event) -> None:
    assert receive is not None
    while (await receive())["type"] != "http.disconnect":
        pass
    gone.set()
