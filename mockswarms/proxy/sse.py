"""Server-Sent Events split into frames as they arrive (for drift checks and recording)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["SseEvent", "SseSplitter", "parse_sse"]

_BOUNDARY = re.compile(r"\r\n\r\n|\n\n|\r\r")


@dataclass(frozen=True)
class SseEvent:
    at: float  # seconds after the response started, when the frame was complete
    text: str  # the frame exactly as received, blank line included
    event: str  # "message" when the frame has no ``event:`` line
    data: str

    def json(self) -> Any:
        """The decoded ``data`` (raises ValueError when it is not JSON)."""
        return json.loads(self.data)


def _fields(frame: str) -> tuple[str, str] | None:
    event, data = "message", []
    for line in frame.splitlines():
        if not line or line.startswith(":"):
            continue  # comments (pings) carry no event
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "event":
            event = value
        elif name == "data":
            data.append(value)
    if not data:
        return None
    return event, "\n".join(data)


class SseSplitter:
    """Feed bytes as they arrive; get back the frames completed by them, with their arrival time."""

    def __init__(self) -> None:
        self._buffer = ""
        self._decoder_tail = b""
        self.frames: list[SseEvent] = []  # every frame with data
        self.raw_frames: list[tuple[float, str]] = []  # every frame, pings included

    def feed(self, chunk: bytes, at: float) -> None:
        data = self._decoder_tail + chunk
        try:
            text = data.decode("utf-8")
            self._decoder_tail = b""
        except UnicodeDecodeError as exc:  # a multi-byte character split across chunks
            text = data[: exc.start].decode("utf-8", "replace")
            self._decoder_tail = data[exc.start :]
        self._buffer += text
        while True:
            found = _BOUNDARY.search(self._buffer)
            if found is None:
                return
            frame, self._buffer = self._buffer[: found.end()], self._buffer[found.end() :]
            self._add(frame, at)

    def close(self, at: float) -> None:
        if self._buffer.strip():
            self._add(self._buffer, at)
        self._buffer = ""

    def _add(self, frame: str, at: float) -> None:
        self.raw_frames.append((at, frame))
        fields = _fields(frame)
        if fields is not None:
            self.frames.append(SseEvent(at, frame, *fields))


def parse_sse(text: str) -> list[SseEvent]:
    splitter = SseSplitter()
    splitter.feed(text.encode("utf-8"), 0.0)
    splitter.close(0.0)
    return splitter.frames
