"""Accepting bursts of connections under uvloop (``mockswarms.http.accepting``).

libuv accepts one connection per loop iteration; these tests count loop iterations, not seconds:
a burst of connections must be connected within a few iterations, whatever else the loop does."""

from __future__ import annotations

import asyncio
import errno
import socket
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import pytest
import uvicorn
import uvloop

from mockswarms.http import accepting
from mockswarms.http.accepting import AcceptingServer, BurstAcceptor

BURST = 40


class _Recorder(asyncio.Protocol):
    made: list[_Recorder]

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.made.append(self)


def _listener() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(2048)
    return sock


@contextmanager
def _clients(port: int, count: int) -> Iterator[list[socket.socket]]:
    """``count`` connections, each complete on the client side (the kernel answers the handshake)."""
    with ExitStack() as stack:
        yield [stack.enter_context(socket.create_connection(("127.0.0.1", port))) for _ in range(count)]


async def _iterations(count: int) -> None:
    for _ in range(count):
        await asyncio.sleep(0)  # one pass of the ready queue, one poll for I/O


def _made_after_iterations(*, with_acceptor: bool, iterations: int) -> int:
    made: list[_Recorder] = []
    factory = type("Recorder", (_Recorder,), {"made": made})

    async def main() -> int:
        loop = asyncio.get_running_loop()
        with _listener() as sock:
            server = await loop.create_server(factory, sock=sock)  # what uvicorn does with `sockets`
            acceptor = BurstAcceptor(loop, sock, factory) if with_acceptor else None
            with _clients(sock.getsockname()[1], BURST):
                await _iterations(iterations)
                count = len(made)
                if acceptor is not None:
                    acceptor.close()
                server.close()
                for protocol in made:
                    protocol.transport.close()
                await _iterations(3)
        return count

    return uvloop.run(main())


def test_a_burst_is_connected_within_a_few_loop_iterations() -> None:
    assert _made_after_iterations(with_acceptor=True, iterations=6) == BURST


def test_without_the_acceptor_uvloop_takes_one_connection_per_iteration() -> None:
    # Why the acceptor exists; if a uvloop release accepts greedily again, this says so.
    assert _made_after_iterations(with_acceptor=False, iterations=6) <= 6


class _FlakyListener:
    """The acceptor's listening socket with ``accept`` failing ``errors`` times (EMFILE) first."""

    def __init__(self, real: socket.socket, errors: int) -> None:
        self.real, self.errors, self.calls = real, errors, 0

    def accept(self) -> tuple[socket.socket, Any]:
        self.calls += 1
        if self.errors:
            self.errors -= 1
            raise OSError(errno.EMFILE, "Too many open files")
        return self.real.accept()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def test_running_out_of_descriptors_pauses_the_extra_accept_instead_of_spinning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(accepting, "ACCEPT_RETRY_DELAY", 0.05)
    made: list[_Recorder] = []
    factory = type("Recorder", (_Recorder,), {"made": made})

    async def main() -> tuple[int, int, int]:
        loop = asyncio.get_running_loop()
        with _listener() as sock:
            acceptor = BurstAcceptor(loop, sock, factory)
            flaky = _FlakyListener(acceptor._listener, errors=1)
            acceptor._listener = flaky  # type: ignore[assignment]
            with _clients(sock.getsockname()[1], 5):
                await _iterations(20)
                calls_while_paused = flaky.calls  # a level-triggered reader would have been called 20 times
                made_while_paused = len(made)
                await asyncio.sleep(0.2)
                await _iterations(5)
                acceptor.close()
                for protocol in made:
                    protocol.transport.close()
                await _iterations(3)
        return calls_while_paused, made_while_paused, len(made)

    with caplog.at_level("WARNING", logger="mockswarms"):
        calls_while_paused, made_while_paused, made_in_all = uvloop.run(main())
    assert (calls_while_paused, made_while_paused, made_in_all) == (1, 0, 5)
    assert [r.getMessage() for r in caplog.records] == [
        "accepting connections paused for 0.05 s: [Errno 24] Too many open files"
    ]


def test_close_stops_accepting_and_is_idempotent() -> None:
    made: list[_Recorder] = []
    factory = type("Recorder", (_Recorder,), {"made": made})

    async def main() -> int:
        loop = asyncio.get_running_loop()
        with _listener() as sock:
            acceptor = BurstAcceptor(loop, sock, factory)
            acceptor.close()
            acceptor.close()
            with _clients(sock.getsockname()[1], 3):
                await _iterations(5)
        return len(made)

    assert uvloop.run(main()) == 0


async def _app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})


@pytest.mark.parametrize(
    ("run", "workers", "installed"),
    [(uvloop.run, 1, 1), (asyncio.run, 1, 0), (uvloop.run, 2, 0)],
    ids=["uvloop-one-worker", "asyncio-accepts-bursts-itself", "workers-share-the-socket"],
)
def test_the_acceptor_is_installed_only_for_one_uvloop_worker(run: Any, workers: int, installed: int) -> None:
    async def main() -> int:
        with _listener() as sock:
            config = uvicorn.Config(_app, lifespan="off", log_level="warning", workers=workers)
            config.load()
            server = AcceptingServer(config)
            server.lifespan = config.lifespan_class(config)  # what uvicorn's serve() sets up first
            await server.startup(sockets=[sock])
            count = len(server._acceptors)
            await server.shutdown()
        return count

    assert run(main()) == installed
