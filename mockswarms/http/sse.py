"""One SSE response for any stream of :class:`~mockswarms.http.sse_events.SSEEvent` (reference §f), paced by
the events' simulated delays; the builders live in ``http/sse_events.py`` and are re-exported here.

Keep-alive pings: sse-starlette's wall-clock ping task is disabled (its pings embed the wall time and
could land between any two frames). Instead, a simulated pause (an event ``delay``) longer than
``ping_interval`` is slept in ``ping_interval`` slices with a ``: ping\\n\\n`` comment after every full
slice that still leaves time to wait. Streams without long pauses therefore stay byte-exact.

Disconnects: when the client goes away, sse-starlette's disconnect listener cancels the sender; the
frame generator stops at once (mid-pause or at its ``yield``), the source iterable is closed, and
``on_close(events_sent, completed)`` is awaited exactly once, shielded, after the response ends
(also after a normal end, with ``completed=True``). ``events_sent`` counts events (not pings) handed to
the server. Billing choice (setting ``stream_disconnect_billing``): the run is settled *before* the
stream starts (ARCHITECTURE "request pipeline"); the caller (``http/stream_responses.py``) refunds
an early disconnect in full (the default ``"none"``), the unsent part (``"produced"``, computed from
``events_sent``) or nothing (``"full"``). This module only reports the counts; the simulator decides
what they cost.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass

import anyio
from sse_starlette import EventSourceResponse
from starlette.types import Receive, Scope, Send

from mockswarms.http.sse_events import (
    FRAME_SEP,
    PER_TOKEN_SWARM_TYPES,
    PING_FRAME,
    SSEEvent,
    SwarmTurn,
    agent_stream_events,
    chat_stream_events,
    encode_event,
    render_events,
    swarm_stream_events,
)

__all__ = [
    "PER_TOKEN_SWARM_TYPES",
    "PING_FRAME",
    "SSEEvent",
    "SwarmTurn",
    "agent_stream_events",
    "chat_stream_events",
    "encode_event",
    "render_events",
    "sse_response",
    "swarm_stream_events",
]


# -- the response --------------------------------------------------------------------------------------
@dataclass
class _Progress:
    sent: int = 0
    completed: bool = False


async def _iterate(events: Iterable[SSEEvent] | AsyncIterable[SSEEvent]) -> AsyncIterator[SSEEvent]:
    if isinstance(events, AsyncIterable):
        async for event in events:
            yield event
    else:
        for event in events:
            yield event


async def _close_source(events: object) -> None:
    aclose = getattr(events, "aclose", None)
    if aclose is not None:
        # Shielded: we may be here because the task was cancelled; bounded so a bad source can't hang.
        with anyio.move_on_after(1.0, shield=True):
            await aclose()
        return
    close = getattr(events, "close", None)
    if close is not None:
        close()


async def _frames(
    events: Iterable[SSEEvent] | AsyncIterable[SSEEvent],
    ping_interval: float,
    sleep: Callable[[float], Awaitable[None]],
    progress: _Progress,
) -> AsyncIterator[bytes]:
    try:
        async for event in _iterate(events):
            remaining = event.delay
            while remaining > ping_interval:
                await sleep(ping_interval)
                remaining -= ping_interval
                yield PING_FRAME
            if remaining > 0:
                await sleep(remaining)
            yield encode_event(event)
            # Resumed only after the server accepted the frame; a close at the yield skips this.
            progress.sent += 1
        progress.completed = True
    finally:
        await _close_source(events)


class _SimulatedEventSourceResponse(EventSourceResponse):
    def __init__(
        self,
        frames: AsyncIterator[bytes],
        progress: _Progress,
        on_close: Callable[[int, bool], Awaitable[None]] | None,
        headers: Mapping[str, str],
    ) -> None:
        super().__init__(frames, headers=headers, ping=0, sep=FRAME_SEP)
        self._progress = progress
        self._on_close = on_close
        self._closed = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            if self._on_close is not None and not self._closed:
                self._closed = True
                with anyio.CancelScope(shield=True):
                    await self._on_close(self._progress.sent, self._progress.completed)


def sse_response(
    events: Iterable[SSEEvent] | AsyncIterable[SSEEvent],
    *,
    ping_interval: float,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    on_close: Callable[[int, bool], Awaitable[None]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> EventSourceResponse:
    """A ``text/event-stream`` response sending ``events`` one flushed frame each, paced by their delays.

    ``ping_interval`` > 0: the longest simulated pause without a ``: ping`` comment. ``sleep`` is
    injectable so tests need not wait. ``on_close(events_sent, completed)`` is awaited exactly once.
    """
    if ping_interval <= 0:
        raise ValueError("ping_interval must be > 0")
    all_headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    if headers:
        all_headers.update(headers)
    progress = _Progress()
    frames = _frames(events, ping_interval, sleep, progress)
    return _SimulatedEventSourceResponse(frames, progress, on_close, all_headers)
