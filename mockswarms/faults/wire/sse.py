"""SSE frame surgery: cut, corrupt, duplicate, stall or drop the terminal event of a stream."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.types import Message, Send

from mockswarms.faults.rules import (
    SseDisconnectAction,
    SseDuplicateAction,
    SseMalformedAction,
    SseStallAction,
)
from mockswarms.faults.wire.transport import drop_connection


def _split_events(buffer: bytes) -> tuple[list[bytes], bytes]:
    """Complete SSE frames (each with its blank-line terminator) and the incomplete rest."""
    frames: list[bytes] = []
    normalised = buffer.replace(b"\r\n", b"\n")
    while True:
        end = normalised.find(b"\n\n")
        if end < 0:
            return frames, normalised
        frames.append(normalised[: end + 2])
        normalised = normalised[end + 2 :]


def _is_event(frame: bytes) -> bool:
    """Frames carrying data count as events; comment-only frames (pings) do not."""
    return any(line.startswith(b"data:") for line in frame.split(b"\n"))


def _corrupt(frame: bytes) -> bytes:
    lines = []
    for line in frame.split(b"\n"):
        if line.startswith(b"data:"):
            payload = line[5:].strip()
            line = b"data: " + payload[: max(len(payload) // 2, 1)] + b"\x00"
        lines.append(line)
    return b"\n".join(lines)


class SseRewriter:
    """Re-frames an SSE body into events and breaks it as the action says. Non-SSE bodies pass."""

    def __init__(self, send: Send, action: Any, transport: Any = None) -> None:
        self.send, self.action, self.transport = send, action, transport  # transport: as BodyRewriter's
        self.sse = False
        self.buffer = b""
        self.events = 0
        self.held: bytes | None = None  # sse_drop_terminal: one event kept back until the next arrives
        self.cut = False
        self.ended = False
        # The client got a cut or broken stream (billing refunds it); a duplicate or a stall
        # still delivers every event.
        self.broke = False

    async def __call__(self, message: Message) -> None:
        if self.cut:
            return
        if message["type"] == "http.response.start":
            self.sse = any(
                k.lower() == b"content-type" and v.startswith(b"text/event-stream")
                for k, v in message.get("headers", [])
            )
            await self.send(message)
            return
        if message["type"] != "http.response.body" or not self.sse:
            await self.send(message)
            return
        frames, self.buffer = _split_events(self.buffer + message.get("body", b""))
        for frame in frames:
            await self._frame(frame)
            if self.cut:
                return
        if not message.get("more_body", False):
            await self._end()

    async def _emit(self, data: bytes) -> None:
        await self.send({"type": "http.response.body", "body": data, "more_body": True})

    async def _frame(self, frame: bytes) -> None:
        action = self.action
        if not _is_event(frame):
            await self._emit(frame)
            return
        self.events += 1
        n = self.events
        if isinstance(action, SseDisconnectAction):
            if n > action.after_events:
                self.cut = self.broke = True
                await drop_connection(reset=False, transport=self.transport)
                return
            await self._emit(frame)
        elif isinstance(action, SseMalformedAction):
            if n == action.event:
                self.broke = True
                frame = _corrupt(frame)
            await self._emit(frame)
        elif isinstance(action, SseDuplicateAction):
            await self._emit(frame + frame if n == action.event else frame)
        elif isinstance(action, SseStallAction):
            if n == action.event:
                await asyncio.sleep(action.seconds)
            await self._emit(frame)
        else:  # drop terminal
            if self.held is not None:
                await self._emit(self.held)
            self.held = frame

    async def _end(self) -> None:
        if self.ended:
            return
        self.ended = True
        if isinstance(self.action, SseDisconnectAction) and self.events <= self.action.after_events:
            # The stream had no more events than allowed: cut it at its natural end instead.
            self.cut = self.broke = True
            await drop_connection(reset=False, transport=self.transport)
            return
        if self.held is not None:  # sse_drop_terminal: the last event is never sent
            self.broke = True
        tail = self.buffer
        self.buffer = b""
        await self.send({"type": "http.response.body", "body": tail, "more_body": False})

    async def finish(self) -> None:
        """After the app returned: close a stream the app left open (e.g. when cut)."""
        if self.sse and not self.cut and not self.ended:
            await self._end()
