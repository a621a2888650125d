"""Connection hygiene for the real server (README "Reliability"): how long a client may take, how many
may connect, what is trusted from them, and how much of a body is read.

uvicorn closes an idle keep-alive connection after ``timeout_keep_alive`` but has no deadline for a
request head: a connection that never sends one, or sends it a byte at a time (slowloris), was held
forever. ``GuardedHttpToolsProtocol`` (and ``GuardedH11Protocol``, for h11) adds that deadline and a
cap on the head's size; ``http.body_guard`` does the same for the body.

- ``HEAD_TIMEOUT``: seconds from connecting, or from the first byte of a later request, to a complete
  request head; then the connection is closed.
- ``KEEP_ALIVE_TIMEOUT``: seconds an idle keep-alive connection stays open between requests (uvicorn's
  own timer). Longer than client pools keep an idle connection (httpx, and so the OpenAI SDK and
  swarms-client: 5 s; aiohttp: 15 s), so the client ends it: when both sides give up at the same
  moment, a request the client sends on it meets the server's close (``httpx.ReadError``).
- ``MAX_HEAD_BYTES``: the most bytes a request head may take (request line, header lines, blank
  line): a larger one gets 431 in the API's format and the connection closes. httptools has no cap of
  its own (a 65 MB header was read into memory); an unparsable head gets the API's format too (400,
  plain text in uvicorn). With h11 (not what the server runs) only an unfinished head is capped.
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
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, cast

import h11
import orjson
from starlette.types import Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol  # uvicorn[standard] brings it

from mockswarms.config import Settings
from mockswarms.http.body_guard import BODY_ARRIVED, send_error
from mockswarms.http.transport import CoalescingTransport
from mockswarms.journal import mask_key

__all__ = [
    "HEAD_TIMEOUT",
    "KEEP_ALIVE_TIMEOUT",
    "MAX_CONCURRENCY",
    "MAX_HEAD_BYTES",
    "GuardedH11Protocol",
    "GuardedHttpToolsProtocol",
    "mask_access_log",
    "raise_open_file_limit",
    "uvicorn_options",
]

HEAD_TIMEOUT = 10.0
KEEP_ALIVE_TIMEOUT = 30.0
MAX_CONCURRENCY = 1000
MAX_HEAD_BYTES = 64 * 1024
_MOST_ONE_READ_BRINGS = 256 * 1024  # asyncio's and uvloop's read size


if TYPE_CHECKING:  # mypy reads the mixin as the protocol it is mixed into
    _Protocol = H11Protocol
else:
    _Protocol = object


class _Guarded(_Protocol):
    """The guards, for either uvicorn protocol: a deadline for each request head (see the module
    docstring) and the connection cap answered in the API's format. Mixed in before the protocol."""

    head_timeout = HEAD_TIMEOUT
    max_head_bytes = MAX_HEAD_BYTES
    _head_deadline: asyncio.TimerHandle | None = None
    _head_bytes = 0  # bytes of an unfinished request head received so far
    _reading = 0  # the size of the read being parsed

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
                await send_error(send, 503, detail, retry_after=True)
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
        # Bytes after the last request's body and before a head completes belong to a head.
        in_head = before is None or not before.more_body
        self._reading = len(data)
        super().data_received(data)
        cycle = self.cycle
        if cycle is not before:  # a request head arrived: the app has it now
            self._head_arrived()
            if cycle is not None and not getattr(cycle, "more_body", True):
                # The whole body came with the head (the usual case): the app, which runs after
                # this, has nothing to wait for, so the body guard arms no deadline timer for it.
                cast(dict[str, Any], cycle.scope)[BODY_ARRIVED] = True
            return
        if (
            self._waiting_since is None
            and (cycle is None or cycle.response_complete)
            and not self.transport.is_closing()
        ):
            # The first bytes of a later request's head. Between requests only the keep-alive
            # timeout applies: a deadline counted from the previous response would close a pooled
            # connection before the client expires it, racing the client's next request.
            self._arm_head_deadline()
        if in_head:
            self._head_bytes += len(data)
            if self._head_bytes > self.max_head_bytes and not self.transport.is_closing():
                self._refuse_large_head()

    def _refuse_large_head(self) -> None:
        if self.cycle is not None and not self.cycle.response_complete:
            self.transport.close()  # a pipelined head during a response: no room for an answer
        else:
            self._refuse(431, _head_too_large_detail(self.max_head_bytes))

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to an unparsable head (plain text there), in the API's format."""
        self._refuse(*(self._refusal or (400, msg)))

    _refusal: tuple[int, str] | None = None  # why the parser was stopped, if this protocol stopped it

    def _refuse(self, status: int, detail: str) -> None:
        """Answer what never became a request, then close: there is no app cycle to answer it."""
        body = orjson.dumps({"detail": detail})
        head = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n".encode()]
        head += [name + b": " + value + b"\r\n" for name, value in self.server_state.default_headers]
        head.append(b"content-type: application/json\r\ncontent-length: %d\r\n" % len(body))
        self.transport.write(b"".join(head) + b"connection: close\r\n\r\n" + body)
        self.transport.close()

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
        self._head_bytes = 0
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

    def on_headers_complete(self) -> None:
        # A head that completes in the read that brought most of it was never counted unfinished:
        # measure it when it may be too large (not for the usual small read).
        if self._head_bytes + self._reading > self.max_head_bytes:
            self._measure_head()
        HttpToolsProtocol.on_headers_complete(self)  # not super(): this runs for every request

    def _measure_head(self) -> None:
        # The head as sent ("METHOD target HTTP/1.1", "name: value" lines, the blank line).
        size = len(self.parser.get_method()) + len(self.url) + 14
        size += sum(len(name) + len(value) + 4 for name, value in self.headers)
        if size > self.max_head_bytes:
            self._refusal = (431, _head_too_large_detail(self.max_head_bytes))
            raise _HeadTooLarge  # stops the parser; uvicorn answers through send_400_response


class _HeadTooLarge(Exception):
    pass


def _head_too_large_detail(limit: int) -> str:
    return f"Request header fields too large: the limit is {limit} bytes"


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """The uvicorn.Config options every server of this package runs with."""
    allowed = getattr(settings, "forwarded_allow_ips", None)
    return {
        "http": GuardedHttpToolsProtocol,
        "timeout_keep_alive": KEEP_ALIVE_TIMEOUT,
        "limit_concurrency": MAX_CONCURRENCY,
        # Above MAX_HEAD_BYTES and one read: the guard's 431 answers first, not h11's plain 400.
        "h11_max_incomplete_event_size": MAX_HEAD_BYTES + _MOST_ONE_READ_BRINGS,
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
