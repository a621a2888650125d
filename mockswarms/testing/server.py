"""Run the simulator on a loopback port in a background thread: ``with serve(...) as server:``.

Used by the pytest plugin (one server per test session / xdist worker) and by anyone who wants a
real HTTP endpoint inside a script or another test framework. The socket is bound before uvicorn
starts, so the port is known at once (port 0 → a free port chosen by the OS).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import uvicorn

from mockswarms.config import Settings, load_settings

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from mockswarms.testing.control import SimulatorControl

__all__ = ["RunningServer", "ServerStartError", "serve"]

STARTUP_TIMEOUT = 10.0  # seconds; a healthy start takes a few tens of milliseconds
SHUTDOWN_TIMEOUT = 5.0


class ServerStartError(RuntimeError):
    """uvicorn did not come up (lifespan start-up failed, or it took too long)."""


@dataclass
class RunningServer:
    """A simulator listening on ``base_url`` (``http://127.0.0.1:<port>``)."""

    host: str
    port: int
    app: Starlette
    settings: Settings
    _controls: list[SimulatorControl] = field(default_factory=list, repr=False)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def control(self, api_key: str | None = None) -> SimulatorControl:
        """A :class:`~mockswarms.testing.control.SimulatorControl` for this server (closed when it stops)."""
        from mockswarms.testing.control import SimulatorControl

        kwargs: dict[str, Any] = {"admin_token": self.settings.admin_token}
        if api_key is not None:
            kwargs["api_key"] = api_key
        ctl = SimulatorControl(self.base_url, **kwargs)
        self._controls.append(ctl)
        return ctl


class _ThreadServer(uvicorn.Server):
    # uvicorn only installs signal handlers on the main thread already; this just records
    # start-up failure (uvicorn calls sys.exit() in the thread) instead of losing it.
    startup_error: BaseException | None = None

    def run(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            super().run(sockets=sockets)
        except BaseException as exc:  # SystemExit from a failed lifespan start-up included
            self.startup_error = exc


def _resolve_settings(settings: Settings | None, overrides: dict[str, Any]) -> Settings:
    if settings is None:
        # Explicit overrides only: a developer's MOCKSWARMS_* shell variables must not leak into
        # tests that call serve() (the CLI is the place for environment configuration).
        return load_settings(overrides, environ={})
    if not overrides:
        return settings
    return Settings.model_validate({**settings.model_dump(), **overrides})


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


@contextmanager
def serve(settings: Settings | None = None, **overrides: Any) -> Iterator[RunningServer]:
    """Start the simulator on ``127.0.0.1`` and a free port; stop it when the block exits.

    ``overrides`` are setting names (``profile="legacy"``, ``seed=1``, ``now="2026-01-01T00:00:00Z"``)
    applied on top of ``settings`` (or the built-in defaults). ``host``/``port`` choose where to
    listen; the default port 0 picks a free one, read back as ``server.port``.
    """
    from mockswarms.http.app import create_app  # lazy: importing the plugin must not import the whole app
    from mockswarms.http.connections import uvicorn_options

    host = str(overrides.pop("host", "127.0.0.1"))
    port = int(overrides.pop("port", 0))
    overrides.pop("log_level", None)  # the embedded server is always quiet
    resolved = _resolve_settings(settings, overrides)

    sock = _bind(host, port)
    bound_port = int(sock.getsockname()[1])
    resolved = resolved.model_copy(update={"host": host, "port": bound_port})
    app = create_app(resolved)
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="on",
        loop="asyncio",  # never uvloop: no event-loop policy changes leak into async tests
        ws="none",
        **uvicorn_options(resolved),  # h11 with request deadlines, connection cap, trusted proxies
        timeout_graceful_shutdown=1,
    )
    server = _ThreadServer(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"mockswarms:{bound_port}", daemon=True
    )
    thread.start()
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not server.started:
            if not thread.is_alive():
                raise ServerStartError(f"mockswarms server failed to start: {server.startup_error!r}")
            if time.monotonic() > deadline:
                raise ServerStartError(f"mockswarms server did not start within {STARTUP_TIMEOUT} s")
            time.sleep(0.002)
        running = RunningServer(host=host, port=bound_port, app=app, settings=resolved)
        try:
            yield running
        finally:
            for ctl in running._controls:
                ctl.close()
    finally:
        server.should_exit = True
        thread.join(SHUTDOWN_TIMEOUT)
        if thread.is_alive():  # a stuck stream: drop connections rather than hang the test session
            server.force_exit = True
            thread.join(SHUTDOWN_TIMEOUT)
        sock.close()
