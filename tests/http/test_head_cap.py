"""The server's protocols cap a request head (``MAX_HEAD_BYTES``) and answer what never became a request
in the API's format: fed byte strings directly, so how the kernel splits a send does not matter here
(the same through a real server: tests/reliability/test_connections.py)."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest
import uvicorn
from uvicorn.server import ServerState

from mockswarms.config import load_settings
from mockswarms.http.connections import (
    MAX_HEAD_BYTES,
    GuardedH11Protocol,
    GuardedHttpToolsProtocol,
    uvicorn_options,
)

PROTOCOLS = pytest.mark.parametrize(
    "kind", [GuardedHttpToolsProtocol, GuardedH11Protocol], ids=["httptools", "h11"]
)
TOO_LARGE = orjson.dumps({"detail": f"Request header fields too large: the limit is {MAX_HEAD_BYTES} bytes"})


class _Transport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.written = b""
        self.closing = False

    def write(self, data: Any) -> None:
        self.written += bytes(data)

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 50000), "sockname": ("127.0.0.1", 8000)}.get(name, default)


started: list[Any] = []


async def _app(scope: Any, receive: Any, send: Any) -> None:
    started.append(scope["path"])
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})


SERVED = b"HTTP/1.1 204 No Content\r\n\r\n"


def _protocol(kind: type[Any]) -> tuple[Any, _Transport]:
    # The served options' h11 buffer size: over the cap, so the guard's 431 answers, not h11's 400.
    h11_buffer = uvicorn_options(load_settings({}, environ={}))["h11_max_incomplete_event_size"]
    config = uvicorn.Config(
        _app,
        lifespan="off",
        log_level="critical",
        date_header=False,
        h11_max_incomplete_event_size=h11_buffer,
    )
    config.load()
    protocol = kind(config=config, server_state=ServerState(), app_state={})
    transport = _Transport()
    protocol.connection_made(transport)
    return protocol, transport


def _refused(transport: _Transport, status_line: bytes, body: bytes) -> bool:
    head, _, rest = transport.written.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    return (
        transport.closing
        and lines[0] == status_line
        and b"content-type: application/json" in lines
        and b"connection: close" in lines
        and b"content-length: %d" % len(body) in lines
        and rest == body
    )


def _head(size: int) -> bytes:
    """A GET whose head (request line, headers, blank line) is ``size`` bytes."""
    start = b"GET /health HTTP/1.1\r\nHost: localhost\r\nX-Big: "
    return start + b"a" * (size - len(start) - 4) + b"\r\n\r\n"


def _feed(protocol: Any, transport: _Transport, data: bytes, pieces: int) -> int:
    """Feed ``data`` in ``pieces`` reads until the server closes; how many bytes it took."""
    step = -(-len(data) // pieces)
    for start in range(0, len(data), step):
        if transport.closing:
            return start
        protocol.data_received(data[start : start + step])
    return len(data)


@PROTOCOLS
async def test_a_head_over_the_cap_sent_in_pieces_gets_a_431_in_the_api_format(kind: type[Any]) -> None:
    protocol, transport = _protocol(kind)
    head = _head(4 * MAX_HEAD_BYTES)
    taken = _feed(protocol, transport, head, pieces=len(head) // 4096)
    assert _refused(transport, b"HTTP/1.1 431 Request Header Fields Too Large", TOO_LARGE)
    # Refused before all of it was read: what the server holds stays near the cap.
    assert taken <= MAX_HEAD_BYTES + 2 * 4096


@pytest.mark.parametrize("pieces", [1, 2, 64])
async def test_a_head_one_byte_over_the_cap_gets_the_431(pieces: int) -> None:
    """The server's protocol (httptools) measures a head when it completes, too: one read (up to
    256 KiB) can bring a whole head before anyone counts it unfinished. The app never sees it."""
    started.clear()
    protocol, transport = _protocol(GuardedHttpToolsProtocol)
    _feed(protocol, transport, _head(MAX_HEAD_BYTES + 1), pieces)
    await asyncio.sleep(0)
    assert _refused(transport, b"HTTP/1.1 431 Request Header Fields Too Large", TOO_LARGE)
    assert started == []


@PROTOCOLS
@pytest.mark.parametrize("pieces", [1, 2, 64])
async def test_a_head_of_exactly_the_cap_is_served(kind: type[Any], pieces: int) -> None:
    started.clear()
    protocol, transport = _protocol(kind)
    _feed(protocol, transport, _head(MAX_HEAD_BYTES), pieces)
    await asyncio.sleep(0)
    assert (transport.written, transport.closing, started) == (SERVED, False, ["/health"])


@PROTOCOLS
async def test_an_unparsable_head_gets_a_400_in_the_api_format(kind: type[Any]) -> None:
    protocol, transport = _protocol(kind)
    protocol.data_received(b"NOT HTTP AT ALL\r\n\r\n")
    body = orjson.dumps({"detail": "Invalid HTTP request received."})
    assert _refused(transport, b"HTTP/1.1 400 Bad Request", body)


@PROTOCOLS
async def test_body_bytes_do_not_count_toward_the_head_cap(kind: type[Any]) -> None:
    """A large body in many reads, then the next request on the same connection: neither is refused."""
    started.clear()
    protocol, transport = _protocol(kind)
    body = b"x" * (4 * MAX_HEAD_BYTES)
    protocol.data_received(b"POST /a HTTP/1.1\r\nHost: localhost\r\nContent-Length: %d\r\n\r\n" % len(body))
    for start in range(0, len(body), 8192):
        protocol.data_received(body[start : start + 8192])
    await asyncio.sleep(0)
    protocol.data_received(b"GET /b HTTP/1.1\r\nHost: localhost\r\n\r\n")
    await asyncio.sleep(0)
    assert (transport.written, transport.closing, started) == (SERVED * 2, False, ["/a", "/b"])
