"""The transport a served connection writes through: a whole small response in one ``send()``."""

from __future__ import annotations

import asyncio
from typing import Any

__all__ = ["CoalescingTransport"]


class CoalescingTransport:
    """A connection's transport that holds a response head back until the response's first body
    bytes, so a whole small response leaves in one ``send()``: uvicorn writes the head and the body
    separately, and the second syscall was a tenth of ``/health``'s CPU. A head whose body is not
    written in the same step of the event loop (a stream waiting for its first event) goes out at
    the end of that step; ``close()`` sends what is held first. Writes to a closing transport are
    dropped. Everything else is the transport's."""

    __slots__ = ("_flush_due", "_held", "_loop", "_transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._held: bytes | None = None
        self._flush_due = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self._transport.is_closing():
            # The client is gone (a failed send closes the transport at once, but the server learns
            # of it only when the loop next turns): asyncio would log a warning for every further
            # write of an unpaced stream to the dead socket.
            self._held = None
            return
        held = self._held
        if held is not None:
            self._held = None
            self._transport.write(held + bytes(data))
        elif data[:5] == b"HTTP/":  # a response's status line and headers
            self._held = bytes(data)
            if not self._flush_due:
                self._flush_due = True
                self._loop.call_soon(self._flush)
        else:
            self._transport.write(data)

    def writelines(self, lines: Any) -> None:
        self.write(b"".join(lines))

    def _flush(self) -> None:
        self._flush_due = False
        held = self._held
        if held is not None:
            self._held = None
            self._transport.write(held)

    def close(self) -> None:
        self._flush()
        self._transport.close()

    # Called for every request (uvicorn's response-complete and flow control): spelled out, since a
    # lookup that reaches __getattr__ first fails the normal way (~0.5 µs each).
    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def pause_reading(self) -> None:
        self._transport.pause_reading()

    def resume_reading(self) -> None:
        self._transport.resume_reading()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)
