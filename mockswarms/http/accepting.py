"""Accepting a burst of new connections at once, also under uvloop.

libuv (1.45 on, which uvloop bundles) accepts one connection per event-loop iteration (libuv pull
request 3696). Under load an iteration first serves every ready request — 64 agent completions are
~45 ms of work — so when a load test opened 64 connections at once, the last one waited for 63
iterations, ~1.6 s, before its first request was even read: wrk reported p99 over a second at 64
connections while no request spent more than 100 ms inside the server. asyncio's own event loop
accepts up to its backlog per wake-up and never showed it.

:class:`AcceptingServer` is uvicorn's server with a second reader on the listening socket (a
duplicate descriptor, so uvloop's own watcher stays as it is) that accepts every pending
connection, at most :data:`ACCEPT_BATCH` per wake-up, and hands each to the loop the way uvicorn's
server would. Only for one worker: several workers sharing a socket rely on the one-at-a-time
accept to spread connections between them.
"""

from __future__ import annotations

import asyncio
import errno
import functools
import logging
import socket
from collections.abc import Callable
from typing import Any

import uvicorn

__all__ = ["ACCEPT_BATCH", "ACCEPT_RETRY_DELAY", "AcceptingServer", "BurstAcceptor"]

ACCEPT_BATCH = 512  # connections accepted per wake-up at most (asyncio's loop takes its backlog)
ACCEPT_RETRY_DELAY = 1.0  # seconds without the extra accept after running out of descriptors

_OUT_OF_RESOURCES = {errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM}
logger = logging.getLogger("mockswarms")


class BurstAcceptor:
    """Accepts every connection pending on ``listener`` when it becomes readable and connects each
    to a protocol from ``protocol_factory`` on ``loop``."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        listener: socket.socket,
        protocol_factory: Callable[[], asyncio.Protocol],
    ) -> None:
        self._loop = loop
        self._factory = protocol_factory
        self._listener = listener.dup()  # its own descriptor: the server's watcher keeps the original
        self._listener.setblocking(False)
        self._retry: asyncio.TimerHandle | None = None
        self._closed = False
        self._connecting: set[asyncio.Task[None]] = set()
        loop.add_reader(self._listener.fileno(), self._accept_pending)

    def _accept_pending(self) -> None:
        for _ in range(ACCEPT_BATCH):
            try:
                conn, _address = self._listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except ConnectionAbortedError:
                continue  # the client gave up before it was accepted
            except OSError as exc:
                if exc.errno in _OUT_OF_RESOURCES:
                    # A level-triggered reader would spin; the server's own one-at-a-time accept
                    # goes on meanwhile (libuv keeps a spare descriptor for this case).
                    logger.warning("accepting connections paused for %g s: %s", ACCEPT_RETRY_DELAY, exc)
                    self._loop.remove_reader(self._listener.fileno())
                    self._retry = self._loop.call_later(ACCEPT_RETRY_DELAY, self._resume)
                    return
                raise
            conn.setblocking(False)
            task = self._loop.create_task(self._connect(conn))
            self._connecting.add(task)
            task.add_done_callback(self._connecting.discard)

    async def _connect(self, conn: socket.socket) -> None:
        try:
            await self._loop.connect_accepted_socket(self._factory, conn)
        except OSError:
            conn.close()  # reset by the client while being set up: nothing to serve

    def _resume(self) -> None:
        self._retry = None
        if not self._closed:
            self._loop.add_reader(self._listener.fileno(), self._accept_pending)

    def close(self) -> None:
        """Stop accepting (connections already accepted stay the server's to close)."""
        if self._closed:
            return
        self._closed = True
        if self._retry is not None:
            self._retry.cancel()
        else:
            self._loop.remove_reader(self._listener.fileno())
        self._listener.close()


class AcceptingServer(uvicorn.Server):
    """uvicorn's server that accepts bursts of connections at once on the sockets it is given (one
    worker, uvloop; asyncio's loop does it already)."""

    _acceptors: tuple[BurstAcceptor, ...] = ()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        loop = asyncio.get_running_loop()
        if not sockets or self.config.workers > 1 or type(loop).__module__.split(".")[0] != "uvloop":
            return
        config = self.config
        # What uvicorn's own startup hands to loop.create_server for each connection.
        protocol_class: Any = config.http_protocol_class  # uvicorn types it as a bare asyncio.Protocol
        factory = functools.partial(
            protocol_class,
            config=config,
            server_state=self.server_state,
            app_state=self.lifespan.state,
        )
        self._acceptors = tuple(BurstAcceptor(loop, sock, factory) for sock in sockets)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for acceptor in self._acceptors:
            acceptor.close()
        await super().shutdown(sockets=sockets)
