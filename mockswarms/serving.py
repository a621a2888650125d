"""What ``mockswarms serve`` does between reading its settings and serving: the start-up checks, the
listening socket and the uvicorn run.

Everything that can fail is checked before the banner, so a failure is one line and exit 2 (never a
traceback, never a banner first): an unreachable Redis store, a bad ``faults:`` entry, a port in use.
The socket is bound (and listening) before the banner prints, so the banner shows the port actually
bound — also for ``--port 0`` — and a client that reads it can connect at once.
"""

from __future__ import annotations

import errno
import inspect
import socket
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from mockswarms.config import ConfigError, Settings

__all__ = ["StartupError", "bind_socket", "check_faults", "check_redis", "mask_url", "run_uvicorn"]

REDIS_CHECK_TIMEOUT = 3.0  # seconds to connect and answer PING
LISTEN_BACKLOG = 2048  # uvicorn's default


class StartupError(Exception):
    """The server cannot start; the message is the one line the user sees."""


def mask_url(url: str) -> str:
    """``url`` with its password (if any) replaced by ``***`` — safe to print and log."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{user}:***@{host}" + (f":{parts.port}" if parts.port is not None else "")
    return urlunsplit(parts._replace(netloc=netloc))


def _redis_reason(exc: BaseException) -> str:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ConnectionRefusedError):
            return "connection refused"
        if isinstance(seen, socket.gaierror):
            return "unknown host"
        if isinstance(seen, TimeoutError | socket.timeout):
            return f"no answer within {REDIS_CHECK_TIMEOUT:g} s"
        if isinstance(seen, FileNotFoundError):
            return "no such socket file"
        seen = seen.__cause__ or seen.__context__
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def check_redis(url: str, *, timeout: float = REDIS_CHECK_TIMEOUT) -> None:
    """PING the store once; raise :class:`StartupError` with one readable line if it does not answer."""
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    except ValueError as exc:
        raise StartupError(f"bad Redis URL {mask_url(url)}: {exc}") from exc
    try:
        client.ping()
    except redis.exceptions.AuthenticationError as exc:
        raise StartupError(f"cannot reach Redis at {mask_url(url)}: authentication failed") from exc
    except (redis.exceptions.RedisError, OSError) as exc:
        raise StartupError(f"cannot reach Redis at {mask_url(url)}: {_redis_reason(exc)}") from exc
    finally:
        client.close()


def check_faults(app: Any, settings: Settings, source: str) -> None:
    """Load the configured fault rules once; a bad entry is a :class:`ConfigError` naming its key."""
    from mockswarms.errors import ValidationFailed

    try:
        app.state.simulator.faults.load(list(settings.faults))
    except ValidationFailed as exc:
        item = exc.body["detail"][0]
        loc = [str(p) for p in item["loc"]]  # ["faults", index, field, ...]
        key = f"faults[{loc[1]}]" + "".join(f".{p}" for p in loc[2:]) if len(loc) > 1 else "faults"
        raise ConfigError(source, key, str(item["msg"])) from exc


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (0 = a free port), shared with uvicorn's workers."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(LISTEN_BACKLOG)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            reason = "address already in use (another server is running there; try --port 0)"
        elif isinstance(exc, socket.gaierror):
            reason = "unknown host"
        else:
            reason = (exc.strerror or str(exc)).lower()
        raise StartupError(f"cannot listen on {host}:{port}: {reason}") from exc
    sock.set_inheritable(True)
    return sock


def base_url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def run_uvicorn(app: Any, options: Mapping[str, Any], *, sock: socket.socket, workers: int) -> int:
    """Serve on the already-bound ``sock`` until stopped; the exit code (3: the app failed to start)."""
    import uvicorn

    from mockswarms.http.accepting import AcceptingServer

    config = uvicorn.Config(app, workers=workers, **options)
    server = AcceptingServer(config)
    if workers > 1:
        from uvicorn.supervisors import Multiprocess

        # Older uvicorn versions take the worker entry point explicitly; newer ones build it themselves.
        extra: dict[str, Any] = {}
        if "target" in inspect.signature(Multiprocess).parameters:
            extra["target"] = server.run
        Multiprocess(config, sockets=[sock], **extra).run()
        return 0
    server.run(sockets=[sock])
    return 0 if server.started else 3
