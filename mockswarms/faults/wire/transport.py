"""Reaching under the ASGI server: drop the current connection with a clean close or a TCP reset."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import sys
from typing import Any


def find_transport() -> Any:
    """The asyncio transport of the current connection, found on the server's request cycle object
    up the (coroutine) call stack. uvicorn exposes no other handle; None under other servers.

    Only the request's own task has that stack: a response that sends from a task of its own
    (sse-starlette's task group) must have it looked up first, in the middleware."""
    frame = sys._getframe(1)
    while frame is not None:
        owner = frame.f_locals.get("self")
        transport = getattr(owner, "transport", None)
        if transport is not None and hasattr(transport, "abort") and hasattr(transport, "get_extra_info"):
            return transport
        frame = frame.f_back  # type: ignore[assignment]
    return None


class _ConnectionDropped(Exception):
    """Raised when no transport is reachable: the server aborts the response (no clean reply)."""


async def drop_connection(reset: bool, transport: Any = None) -> None:
    """Close (or reset) ``transport``, by default the one up the call stack; the server sees the
    client gone and its app returns quietly. Without one, raises :class:`_ConnectionDropped`."""
    if transport is None:
        transport = find_transport()
    if transport is None:
        raise _ConnectionDropped("mockswarms fault: connection dropped")
    if reset:
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):  # linger 0 makes close() send RST instead of FIN
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
    else:
        transport.close()
    for _ in range(3):  # let connection_lost run so the server sees the disconnect and sends nothing
        await asyncio.sleep(0)
