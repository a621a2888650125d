"""Who may use the control API (and the dashboard): the checks that make "loopback only" mean "the user
asked for it", not "any web page the user happens to have open".

A browser on the user's machine is a loopback client too. Without these checks a page on any site could
reset the simulator with a "simple" cross-origin ``POST`` (CSRF), or, after pointing its own host name
at 127.0.0.1 (DNS rebinding), read every key from ``GET /__mockswarms/accounts``. So, besides the
loopback-or-token rule:

- ``Host`` must name this server: ``localhost``, ``127.0.0.1``, ``::1``, the configured ``host``, or the
  address the request arrived on. Skipped when an admin token is set (the server may then be reached by
  any name, and a page cannot know the token).
- A foreign ``Origin`` (not the request's own scheme://host:port) is refused, whatever the method.
- A write (``POST``, ``PUT``, ``PATCH``, ``DELETE``) that carries a body must say ``Content-Type:
  application/json``: browsers cannot send that cross-origin without a CORS preflight, which this server
  never grants.

A ``Host`` or ``Origin`` that does not parse (``127.0.0.1:80@evil.com``, ``127.0.0.1:8000, evil.com``,
a port that is not a number) is a foreign one. Errors are the API's own ``{"detail": ...}``: 403 for
host and origin, 415 for the content type.
"""

from __future__ import annotations

import re
from urllib.parse import SplitResult, urlsplit

from starlette.requests import Request

from mockswarms.errors import APIError

__all__ = ["LOOPBACK_NAMES", "check_control_request", "check_host", "host_name"]

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_DEFAULT_PORTS = {"http": 80, "https": 443}
# RFC 9110 Host: a name or IPv4 address, or a bracketed IPv6 address; then an optional numeric port.
_HOST_HEADER = re.compile(r"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::[0-9]{1,5})?")


def host_name(value: str) -> str:
    """``"[::1]:8000"`` → ``"::1"``, ``"LocalHost:80"`` → ``"localhost"`` (no port, lower case)."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value[1:]
    if value.count(":") == 1:
        return value.split(":", 1)[0]
    return value  # a bare IPv6 address, or a name without port


def _allowed_hosts(request: Request) -> set[str]:
    allowed = set(LOOPBACK_NAMES)
    configured = getattr(request.app.state.simulator.settings, "host", None)
    if configured:
        allowed.add(host_name(str(configured)))
    server = request.scope.get("server")
    if server:
        # The address the connection arrived on (uvicorn: the bound socket; in-process transports:
        # the base URL's host, e.g. Starlette's "testserver").
        allowed.add(host_name(str(server[0])))
    return allowed


def check_host(request: Request) -> None:
    """403 unless ``Host`` names this server (DNS rebinding). No check when an admin token is set."""
    if request.app.state.simulator.settings.admin_token:
        return
    sent = request.headers.get("host", "")
    if not _HOST_HEADER.fullmatch(sent) or host_name(sent) not in _allowed_hosts(request):
        raise APIError(
            403,
            f"The control API only answers requests addressed to this server by a local name "
            f"(Host {sent!r} is not localhost, 127.0.0.1, ::1 or the configured host)",
        )


def _host_and_port(parts: SplitResult) -> tuple[str, int] | None:
    """``(host, port)`` of a parsed URL, the scheme's port when none is given; None when the port is
    not a number in 0-65535 (urllib raises ValueError for those)."""
    try:
        port = parts.port
    except ValueError:
        return None
    return parts.hostname or "", port or _DEFAULT_PORTS.get(parts.scheme, 80)


def _origin_matches(origin: str, request: Request) -> bool:
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False  # "null" (sandboxed pages, file://) and anything malformed
    theirs = _host_and_port(parts)
    ours = _host_and_port(urlsplit(f"{request.url.scheme}://{request.headers.get('host', '')}"))
    return theirs is not None and theirs == ours


def _is_json(content_type: str) -> bool:
    main = content_type.split(";", 1)[0].strip().lower()
    return main == "application/json" or (main.startswith("application/") and main.endswith("+json"))


def check_control_request(request: Request, *, body: bytes | None = None) -> None:
    """Host, Origin and (for writes with a body) content-type checks; raises the API's errors."""
    check_host(request)
    origin = request.headers.get("origin")
    if origin is not None and not _origin_matches(origin, request):
        raise APIError(403, f"Cross-origin requests to the control API are refused (Origin {origin!r})")
    if request.method in _WRITES:
        content_type = request.headers.get("content-type")
        has_body = bool(body) if body is not None else _declares_body(request)
        if (has_body or content_type is not None) and not _is_json(content_type or ""):
            raise APIError(
                415,
                "The control API takes JSON bodies only: send 'Content-Type: application/json' "
                f"(got {content_type!r})",
            )


def _declares_body(request: Request) -> bool:
    length = request.headers.get("content-length")
    return request.headers.get("transfer-encoding") is not None or (length not in (None, "0"))
