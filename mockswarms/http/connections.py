"""Connection hygiene for the real server (README "Reliability"): how long a client may take, how many
may connect, what is trusted from them, and how much of a body is read.

uvicorn closes an idle keep-alive connection after ``timeout_keep_alive`` but has no deadline for a
request head: a connection that never sends one, or sends it a byte at a time (slowloris), was held
forever. ``GuardedHttpToolsProtocol`` (and ``GuardedH11Protocol``, for h11) adds that deadline;
``BodyGuardMiddleware`` adds one for the body and applies the size cap before any middleware (fault
matching, replay) buffers it.

- ``HEAD_TIMEOUT``: seconds from connecting, or from the first byte of a later request, to a complete
  request head; then the connection is closed.
- ``KEEP_ALIVE_TIMEOUT``: seconds an idle keep-alive connection stays open between requests (uvicorn's
  own timer). Longer than client pools keep an idle connection (httpx, and so the OpenAI SDK and
  swarms-client: 5 s; aiohttp: 15 s), so the client ends it: when both sides give up at the same
  moment, a request the client sends on it meets the server's close (``httpx.ReadError``).
- ``BODY_TIMEOUT``: seconds for the whole request body once the app starts reading it; then 408.
- ``MAX_CONCURRENCY``: connections + in-flight requests; a request beyond it first closes the
  keep-alive connections idle longest between requests, and gets a 503 (the API's format) only
  if too few are idle.
- Forwarded headers (``X-Forwarded-For``/``-Proto``) are trusted only from the addresses in the
  ``forwarded_allow_ips`` setting (``--forwarded-allow-ips``); by default from nobody, so a client
  cannot pick the address the keyless per-IP limit counts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import resource
from typing import TYPE_CHECKING, Any, cast

import h11
import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol  # uvicorn[standard] brings it

from mockswarms.config import Settings
from mockswarms.errors import APIError
from mockswarms.http.transport import CoalescingTransport
from mockswarms.journal import mask_key

__all__ = [
    "BODY_ARRIVED",
    "BODY_TIMEOUT",
    "HEAD_TIMEOUT",
    "KEEP_ALIVE_TIMEOUT",
    "MAX_CONCURRENCY",
    "BodyGuardMiddleware",
    "GuardedH11Protocol",
    "GuardedHttpToolsProtocol",
    "mask_access_log",
    "raise_open_file_limit",
    "uvicorn_options",
]

HEAD_TIMEOUT = 10.0
KEEP_ALIVE_TIMEOUT = 30.0
BODY_TIMEOUT = 30.0
MAX_CONCURRENCY = 1000
BODY_ARRIVED = "mockswarms.body_arrived"  # scope key: the request's whole body arrived with its head


if TYPE_CHECKING:  # mypy reads the mixin as the protocol it is mixed into
    _Protocol = H11Protocol
else:
    _Protocol = object


class _Guarded(_Protocol):
    """The guards, for either uvicorn protocol: a deadline for each request head (see the module
    docstring) and the connection cap answered in the API's format. Mixed in before the protocol."""

    head_timeout = HEAD_TIMEOUT
    _head_deadline: asyncio.TimerHandle | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # uvicorn's own over-the-cap answer is plain text; this one is the API's {"detail": ...}.
        self._cap, self.limit_concurrency = self.limit_concurrency, None
        if self._cap is not None:
            self.app = self._capped(self.app)

    def _capped(self, app: Any) -> Any:
        async def capped(scope: Scope, receive: Receive, send: Send) -> None:
            cap = self._cap or 0
            # This request's own connection and task are counted, hence ">".
            if (len(self.connections) > cap and not self._reclaim_idle(cap)) or len(self.tasks) > cap:
                detail = "Service temporarily unavailable: too many connections. Retry shortly."
                await _send_error(send, 503, detail, retry_after=True)
                return
            await app(scope, receive, send)

        return capped

    def _reclaim_idle(self, cap: int) -> bool:
        """Over the cap, close the keep-alive connections idle longest between requests (as nginx
        does) rather than refuse a request that is here: pooled clients reconnect, and idle
        connections cannot crowd out working ones. False if too few are idle to get under it."""
        live = [c for c in self.connections if not c.transport.is_closing()]
        excess = len(live) - cap
        if excess <= 0:
            return True  # the rest are closing already
        # uvicorn's keep-alive timer is set exactly while a connection idles between requests;
        # the earliest to expire has idled longest.
        idle = sorted(
            (c for c in live if isinstance(c, _Guarded) and c.timeout_keep_alive_task is not None),
            key=lambda c: c.timeout_keep_alive_task.when(),  # type: ignore[union-attr]
        )
        for connection in idle[:excess]:
            connection._unset_keepalive_if_required()
            connection._close_idle()
        return len(idle) >= excess

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(CoalescingTransport(transport, self.loop))  # type: ignore[arg-type]
        self._arm_head_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._drop_head_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        before = self.cycle
        super().data_received(data)
        cycle = self.cycle
        if cycle is not before:  # a request head arrived: the app has it now
            self._head_arrived()
            if cycle is not None and not getattr(cycle, "more_body", True):
                # The whole body came with the head (the usual case): the app, which runs after
                # this, has nothing to wait for, so the body guard arms no deadline timer for it.
                cast(dict[str, Any], cycle.scope)[BODY_ARRIVED] = True
        elif (
            self._waiting_since is None
            and (cycle is None or cycle.response_complete)
            and not self.transport.is_closing()
        ):
            # The first bytes of a later request's head. Between requests only the keep-alive
            # timeout applies: a deadline counted from the previous response would close a pooled
            # connection before the client expires it, racing the client's next request.
            self._arm_head_deadline()

    # One timer per connection, not one per request: arming and cancelling a timer for every
    # request cost 3 % of /health's CPU. The timer checks, when it fires, whether the connection
    # has been waiting for a head since more than ``head_timeout``, and re-arms itself if not.
    _waiting_since: float | None = None  # when the connection began waiting for a request head

    def _arm_head_deadline(self) -> None:
        self._waiting_since = self.loop.time()
        if self._head_deadline is None:
            self._head_deadline = self.loop.call_at(
                self._waiting_since + self.head_timeout, self._head_deadline_check
            )

    def _head_arrived(self) -> None:
        self._waiting_since = None  # the timer, if it fires meanwhile, finds nothing to do

    def _drop_head_timer(self) -> None:
        self._waiting_since = None
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _head_deadline_check(self) -> None:
        self._head_deadline = None
        since = self._waiting_since
        if since is None:
            return  # serving a request, or idle between requests: re-armed by a head's first bytes
        due = since + self.head_timeout
        if self.loop.time() < due:
            self._head_deadline = self.loop.call_at(due, self._head_deadline_check)
            return
        self._head_timed_out()

    def _head_timed_out(self) -> None:
        self._waiting_since = None
        if self.cycle is not None and not self.cycle.response_complete:
            return  # a request is being served: its body has its own deadline
        if not self.transport.is_closing():
            self._close_idle()

    def _close_idle(self) -> None:
        self.transport.close()


class GuardedH11Protocol(_Guarded, H11Protocol):
    """uvicorn's pure-Python h11 protocol with the guards (``http="h11"``; the server runs httptools)."""

    def _close_idle(self) -> None:
        with contextlib.suppress(h11.LocalProtocolError):
            self.conn.send(h11.ConnectionClosed())
        self.transport.close()


# mypy reads _Guarded as an H11Protocol (see above), hence the clash it reports with HttpToolsProtocol.
class GuardedHttpToolsProtocol(_Guarded, HttpToolsProtocol):  # type: ignore[misc]
    """uvicorn's httptools protocol (a C parser: 1.5-3x the requests/s of h11 on ``/health``,
    benchmarks/RESULTS.md) with the same guards: the one the server runs."""


class _BodyRefused(APIError):
    """408 or 413 for a body not read to its end: the connection closes after the answer, as
    RFC 9110 asks of a 408 (the unread rest of the body cannot start the next request)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(status, detail, headers={"connection": "close"})


class BodyGuardMiddleware:
    """413 for bodies over ``max_body_bytes`` (by Content-Length, and while reading) and 408 for a body
    not complete within ``BODY_TIMEOUT``; placed outside every middleware that buffers bodies."""

    body_timeout = BODY_TIMEOUT

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def idle_for(self, scope: Scope) -> bool:
        """True when nothing can be refused: no body, or all of it here already and within the cap
        (the app's layer skipper then does not enter this layer)."""
        if scope["type"] != "http":
            return True
        limit = scope["app"].state.simulator.settings.max_body_bytes
        declared, chunked = _declared_body(scope["headers"])
        if chunked or declared is None or declared > limit:
            return False
        return declared == 0 or scope.get(BODY_ARRIVED, False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.idle_for(scope):
            await self.app(scope, receive, send)
        else:
            await self.handle(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The layer's work, for a request it is not idle for: the cap and the deadline."""
        limit = scope["app"].state.simulator.settings.max_body_bytes
        declared, _ = _declared_body(scope["headers"])
        if declared is not None and declared > limit:
            await _send_error(send, 413, _too_large(limit))
            return
        received = 0
        deadline: float | None = None
        body_done = False
        started = False
        # A body already in memory cannot be late: a timer armed and cancelled for it was 4 % of an
        # agent completion's instructions.
        arrived = scope.get(BODY_ARRIVED, False)

        async def guarded_receive() -> Message:
            nonlocal received, deadline, body_done
            if body_done:
                return await receive()  # after the body: only a disconnect can come, no deadline
            if arrived:
                message = await receive()
            else:
                if deadline is None:
                    deadline = asyncio.get_running_loop().time() + self.body_timeout
                try:
                    # timeout_at, not wait_for: no extra task per receive.
                    async with asyncio.timeout_at(deadline):
                        message = await receive()
                except TimeoutError:
                    raise _BodyRefused(
                        408, f"Request body not received within {self.body_timeout:g} seconds"
                    ) from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyRefused(413, _too_large(limit))
                body_done = not message.get("more_body", False)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, guarded_receive, tracking_send)
        except _BodyRefused as exc:
            # Raised while a middleware (fault matching, replay) read the body, outside the app's
            # error handlers; inside a route the app answers it itself.
            if started:
                raise
            await _send_error(send, exc.status, exc.body["detail"])


def _declared_body(headers: Any) -> tuple[int | None, bool]:
    """(Content-Length — 0 without one, None if unreadable —, chunked?) of a request's raw headers."""
    declared: int | None = 0
    chunked = False
    for name, value in headers:
        if name == b"content-length":
            try:
                declared = int(value)
            except ValueError:
                declared = None
        elif name == b"transfer-encoding":
            chunked = True  # the size is known only once read
    return declared, chunked


def _too_large(limit: int) -> str:
    return f"Request body too large: the limit is {limit} bytes"


async def _send_error(send: Send, status: int, detail: str, *, retry_after: bool = False) -> None:
    body = orjson.dumps({"detail": detail})
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers.append((b"connection", b"close"))  # the rest of the body is not read
    if retry_after:
        headers.append((b"retry-after", b"1"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """The uvicorn.Config options every server of this package runs with."""
    allowed = getattr(settings, "forwarded_allow_ips", None)
    return {
        "http": GuardedHttpToolsProtocol,
        "timeout_keep_alive": KEEP_ALIVE_TIMEOUT,
        "limit_concurrency": MAX_CONCURRENCY,
        "proxy_headers": bool(allowed),
        "forwarded_allow_ips": allowed or "",
    }


def raise_open_file_limit(wanted: int = MAX_CONCURRENCY + 256) -> None:
    """Let the process hold ``MAX_CONCURRENCY`` connections (the soft fd limit is often 1024)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


_KEY_IN_PATH = re.compile(r"(/accounts/)([^/?\s]+)")


class _MaskKeysInPaths(logging.Filter):
    """uvicorn's access log prints the request path; control-API paths carry API keys
    (``PUT /__mockswarms/accounts/<key>``): they are logged masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if (
            isinstance(args, tuple)
            and len(args) >= 3
            and isinstance(args[2], str)
            and "/accounts/" in args[2]
        ):
            path = _KEY_IN_PATH.sub(lambda m: m.group(1) + (mask_key(m.group(2)) or ""), args[2])
            record.args = (*args[:2], path, *args[3:])
        return True


def mask_access_log() -> None:
    """Install the key-masking filter on uvicorn's access logger (once per process)."""
    logger = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, _MaskKeysInPaths) for f in logger.filters):
        logger.addFilter(_MaskKeysInPaths())
