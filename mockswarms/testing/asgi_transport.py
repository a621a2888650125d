"""A synchronous httpx transport into an ASGI app: sync clients of an in-process simulator (no port)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import httpx

__all__ = ["SyncASGITransport"]


class SyncASGITransport(httpx.BaseTransport):
    """A synchronous httpx transport into an ASGI app, for sync clients in-process (no port).

    ``httpx.ASGITransport`` is async-only, so requests run on a private event loop in a daemon
    thread; that also makes sync calls safe from inside an async test's running loop. The client
    address is loopback because the control API answers loopback callers only.
    """

    def __init__(self, app: Any) -> None:
        self._inner = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=("127.0.0.1", 123))
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="mockswarms-asgi", daemon=True)
        self._thread.start()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        inner_request = httpx.Request(
            request.method, request.url, headers=request.headers, content=request.read()
        )

        async def call() -> tuple[int, list[tuple[bytes, bytes]], bytes]:
            response = await self._inner.handle_async_request(inner_request)
            body = await response.aread()
            return response.status_code, response.headers.raw, body

        status, headers, body = asyncio.run_coroutine_threadsafe(call(), self._loop).result()
        return httpx.Response(status, headers=headers, content=body, request=request)

    def shutdown(self) -> None:
        """Stop the private loop (``close()`` is a no-op so closing one client leaves the others working)."""
        if self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)
        if not self._loop.is_running():
            self._loop.close()
