"""The proxy: forward every request to the upstream, answer with the upstream's answer, check it.

Requests go out with the caller's own headers (key included) and come back unchanged, plus
``X-Mockswarms-Drift: <count>``. The key is used for that call only: it is never logged, never
written (recordings are redacted) and never sent to the in-process simulator, which answers the same
request with its own premium key (``SHADOW_KEY``) for the comparison. Streams are passed through
chunk by chunk as they arrive; for them the header counts what is known when the headers leave
(status, headers), and the event findings join ``GET /__mockswarms/drift`` when the stream ends.

Why ~430 lines: one request's whole way through the proxy (forward, relay, check, record, and how each
can fail without hurting the caller's answer) reads top to bottom here; the seam is the response
helpers below ``_Proxy`` (``_RelayResponse``, ``_unchecked``, ``_error``, ``_dated``), which would move
to a ``proxy/responses.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from decimal import Decimal
from email.utils import formatdate
from pathlib import Path
from typing import Any

import httpx
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route
from starlette.types import Send

from mockswarms.config import AccountConfig, Settings
from mockswarms.engine.recordings import redact, redact_json
from mockswarms.http.app import create_app
from mockswarms.http.responses import CONTROL_PREFIX
from mockswarms.http.routes import contract_document
from mockswarms.proxy.contract_check import ContractChecker
from mockswarms.proxy.drift import Answer, exchange_drift
from mockswarms.proxy.findings import DriftLog, Finding
from mockswarms.proxy.record import Recorder
from mockswarms.proxy.sse import SseSplitter, parse_sse

__all__ = ["DRIFT_HEADER", "SHADOW_KEY", "ProxyConfig", "create_proxy_app"]

DRIFT_HEADER = "X-Mockswarms-Drift"
SHADOW_KEY = "sk-mock-proxy-shadow"
# Hop-by-hop and framing headers: each leg of the proxy sets its own.
_HOP = frozenset(
    {
        b"host",
        b"connection",
        b"keep-alive",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
        b"content-length",
        b"accept-encoding",
        b"content-encoding",
    }
)
_KEY_HEADERS = (b"x-api-key", b"authorization")
_log = logging.getLogger("mockswarms.proxy")
# Answers (or streams) up to this size are checked and recorded; bigger ones pass through unchecked.
MAX_CHECKED_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class ProxyConfig:
    upstream: str  # e.g. https://api.swarms.world (no trailing slash)
    settings: Settings  # the profile the simulator compares in; max_body_bytes bounds requests
    record_dir: Path | None = None
    timeout: float = 300.0  # seconds for a whole upstream answer to start and for each read
    compare: bool = True  # also run the request on the in-process simulator


def _shadow_settings(settings: Settings) -> Settings:
    # Same profile; no pacing (the comparison should not wait), a premium account with ample credit
    # so a long session never turns into 402s, no journal, no fixtures (the text does not matter), its
    # own memory store (never a shared Redis), and nothing that would make it answer off-shape.
    accounts = [a for a in settings.accounts if a.key != SHADOW_KEY]
    accounts.append(AccountConfig(key=SHADOW_KEY, tier="premium", credit=Decimal("1000000")))
    return settings.model_copy(
        update={
            "pacing": {},
            "accounts": accounts,
            "journal_size": 0,
            "fixtures": [],
            "faults": [],
            "store": "memory",
            "workers": 1,
            "response_fuzz": False,
            "fault_header_enabled": False,
        }
    )


def _secrets(headers: httpx.Headers | Any) -> list[str]:
    found = []
    for name in ("x-api-key", "authorization"):
        value = headers.get(name)
        if value:
            found.append(value)
            if value.lower().startswith("bearer "):
                found.append(value[7:].strip())
    return sorted(found, key=len, reverse=True)


class _Proxy:
    def __init__(self, config: ProxyConfig) -> None:
        self.config = config
        self.log = DriftLog()
        self.checker = ContractChecker(contract_document())
        self.recorder = Recorder(config.record_dir, config.upstream) if config.record_dir else None
        timeout = httpx.Timeout(config.timeout, connect=min(config.timeout, 30.0))
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=20)
        self.client = httpx.AsyncClient(timeout=timeout, limits=limits, follow_redirects=False)
        shadow_app = create_app(_shadow_settings(config.settings))
        self.simulator = shadow_app.state.simulator
        self.shadow = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=shadow_app), base_url="http://simulator", timeout=60.0
        )

    async def close(self) -> None:
        await self.client.aclose()
        await self.shadow.aclose()
        await self.simulator.close()  # httpx.ASGITransport runs no lifespan: stop it here

    async def _simulate(
        self, method: str, target: str, headers: list[tuple[bytes, bytes]], body: bytes
    ) -> Answer | None:
        shadow_headers = [(k, v) for k, v in headers if k not in _KEY_HEADERS]
        if any(k in _KEY_HEADERS for k, _ in headers):
            shadow_headers.append((b"x-api-key", SHADOW_KEY.encode()))
        try:
            response = await self.shadow.request(method, target, headers=shadow_headers, content=body)
        except Exception:  # the comparison is best effort; the upstream's answer is what matters
            return None
        streamed = response.headers.get("content-type", "").startswith("text/event-stream")
        return Answer(
            response.status_code,
            {k.lower(): v for k, v in response.headers.items()},
            b"" if streamed else response.content,
            parse_sse(response.text) if streamed else None,
        )

    def _check(
        self, method: str, path: str, upstream: Answer, sim: Answer | None, secrets: list[str]
    ) -> list[Finding]:
        return [
            # An upstream that echoes the key must not put it into the findings either.
            replace(
                f,
                expected=redact_json(f.expected, secrets),
                got=redact_json(f.got, secrets),
                message=redact(f.message, secrets),
            )
            for f in exchange_drift(method, path, upstream, sim, self.checker, self.config.settings)
        ]

    def _guarded_check(
        self, method: str, path: str, upstream: Answer, sim: Answer | None, secrets: list[str]
    ) -> list[Finding] | None:
        """The findings, or None (one warning line) when the check itself broke: the answer goes on."""
        try:
            return self._check(method, path, upstream, sim, secrets)
        except Exception as exc:
            _log.warning("could not check %s %s: %s", method, path, _one_line(exc, secrets))
            return None

    def _record(
        self, method: str, path: str, query: str, body: bytes, upstream: Answer, secrets: list[str]
    ) -> None:
        """Write the recording; a failure (disk, redaction) is one warning line, never the caller's."""
        if self.recorder is None:
            return
        try:
            self.recorder.record(method, path, query, body, upstream, secrets)
        except Exception as exc:
            _log.warning("could not record %s %s: %s", method, path, _one_line(exc, secrets))

    async def forward(self, request: Request) -> Response:
        body = await _read_body(request, self.config.settings.max_body_bytes)
        if body is None:
            limit = self.config.settings.max_body_bytes
            return _error(413, f"Request body too large: the limit is {limit} bytes")
        scope = request.scope
        method, path = request.method, request.url.path
        query = request.url.query
        # The path and query exactly as the caller wrote them: %2F stays %2F, %25 stays %25.
        raw_path: bytes = scope.get("raw_path") or path.encode()
        raw_query: bytes = scope.get("query_string", b"")
        target = (raw_path + (b"?" + raw_query if raw_query else b"")).decode("latin-1")
        # Header lines as the caller sent them, as bytes (a UTF-8 value such as "Café" included).
        headers = [(k.lower(), v) for k, v in scope["headers"] if k.lower() not in _HOP]
        headers.append((b"accept-encoding", b"identity"))  # the proxy reads what it forwards
        secrets = _secrets(request.headers)
        shadow = (
            asyncio.ensure_future(self._simulate(method, target, headers, body))
            if self.config.compare
            else None
        )
        try:
            upstream_request = self.client.build_request(
                method, self.config.upstream + target, headers=headers, content=body
            )
            response = await self.client.send(upstream_request, stream=True)
        except httpx.HTTPError as exc:
            if shadow is not None:
                shadow.cancel()
            return _upstream_error(exc)
        # Every header line as the upstream sent it, byte for byte (repeated ones such as set-cookie
        # included; the Date too: the proxy's server adds none of its own).
        out_headers = [(k, v) for k, v in response.headers.raw if k.lower() not in _HOP]
        streamed = response.headers.get("content-type", "").startswith("text/event-stream")
        if not streamed:
            parts: list[bytes] = []
            size = 0
            chunks = response.aiter_bytes()
            try:
                async for chunk in chunks:
                    parts.append(chunk)
                    size += len(chunk)
                    if size > MAX_CHECKED_BYTES:
                        if shadow is not None:
                            shadow.cancel()
                        # Too big to hold for a check: pass the rest through unchecked (no drift header).
                        return _unchecked(response, b"".join(parts), chunks, out_headers)
            except httpx.HTTPError as exc:
                await response.aclose()
                if shadow is not None:
                    shadow.cancel()
                return _upstream_error(exc)
            await response.aclose()
            content = b"".join(parts)
            sim = await shadow if shadow is not None else None
            answer = Answer(
                response.status_code, {k.lower(): v for k, v in response.headers.items()}, content, None
            )
            findings = self._guarded_check(method, path, answer, sim, secrets)
            self._record(method, path, query, body, answer, secrets)
            reply = Response(content, response.status_code)
            reply.raw_headers.extend(out_headers)
            if findings is not None:
                self.log.add(findings)
                reply.raw_headers.append(_drift_header(len(findings)))
            return reply
        sim = await shadow if shadow is not None else None
        upstream_headers = {k.lower(): v for k, v in response.headers.items()}
        early = Answer(response.status_code, upstream_headers, b"", [])
        try:
            early_findings: list[Finding] | None = [
                f
                for f in exchange_drift(method, path, early, sim, self.checker, self.config.settings)
                if not f.path.startswith("$.events")
            ]
        except Exception as exc:
            _log.warning("could not check %s %s: %s", method, path, _one_line(exc, secrets))
            early_findings = None
        relay = _RelayResponse(
            self._relay(response, method, path, query, body, upstream_headers, sim, secrets),
            status_code=response.status_code,
        )
        relay.raw_headers.extend(out_headers)
        if early_findings is not None:
            relay.raw_headers.append(_drift_header(len(early_findings)))
        return relay

    async def _relay(
        self,
        response: httpx.Response,
        method: str,
        path: str,
        query: str,
        body: bytes,
        headers: dict[str, str],
        sim: Answer | None,
        secrets: list[str],
    ) -> AsyncIterator[bytes]:
        splitter = SseSplitter()
        began = time.monotonic()
        size = 0
        # How the stream ended: "complete", "cut" (by the upstream), or None: the caller left (or the
        # server is stopping) — the generator was closed or cancelled at a yield or a read.
        ending: str | None = None
        try:
            async for chunk in response.aiter_bytes():  # decoded, should the upstream compress anyway
                size += len(chunk)
                if size <= MAX_CHECKED_BYTES:
                    splitter.feed(chunk, time.monotonic() - began)
                yield chunk  # at once: the caller sees the upstream's pacing
            ending = "complete"
        except httpx.HTTPError as exc:
            # The upstream cut the stream or timed out: so is the caller's (below). The event check says
            # what is missing; a cut stream is no recording of the request.
            ending = "cut"
            _log.warning(
                "the upstream cut the stream of %s %s (%s): the caller's is cut too",
                method,
                path,
                type(exc).__name__,
            )
        finally:
            if ending is None:
                _log.debug("the caller left the stream of %s %s: not checked, not recorded", method, path)
            elif size <= MAX_CHECKED_BYTES:  # too long to keep: neither checked nor recorded
                splitter.close(time.monotonic() - began)
                answer = Answer(
                    response.status_code, headers, b"", splitter.frames, tuple(splitter.raw_frames)
                )
                findings = self._guarded_check(method, path, answer, sim, secrets)
                if findings is not None:
                    self.log.add(findings)
                if ending == "complete":
                    self._record(method, path, query, body, answer, secrets)
            await response.aclose()
        if ending == "cut":
            raise _UpstreamCut


class _UpstreamCut(Exception):
    """The upstream broke its answer off: the caller's answer must break off too."""


class _RelayResponse(StreamingResponse):
    """A relayed answer; when the upstream breaks it off, the caller's connection is dropped too.

    The response is left unfinished (no last chunk), so the server closes the connection and the
    caller sees an incomplete body — not a clean end it could take for the whole answer.
    """

    async def stream_response(self, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        try:
            async for chunk in self.body_iterator:
                data = chunk if isinstance(chunk, bytes | memoryview) else chunk.encode(self.charset)
                await send({"type": "http.response.body", "body": data, "more_body": True})
        except _UpstreamCut:
            return
        await send({"type": "http.response.body", "body": b"", "more_body": False})


def _one_line(exc: BaseException, secrets: list[str]) -> str:
    """``Type: message`` on one line, secrets redacted: what a log line may say about a failure."""
    text = " ".join(str(exc).split())
    return redact(f"{type(exc).__name__}: {text}" if text else type(exc).__name__, secrets)[:500]


async def _read_body(request: Request, limit: int) -> bytes | None:
    """The request body, or None as soon as it is longer than ``limit`` (nothing more is read)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    parts: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        parts.append(chunk)
    return b"".join(parts)


def _dated(response: Response) -> Response:
    """The proxy's own answers carry a Date (the server adds none: proxied answers keep the upstream's)."""
    response.raw_headers.append((b"date", formatdate(usegmt=True).encode()))
    return response


def _error(status: int, detail: str) -> Response:
    return _dated(Response(orjson.dumps({"detail": detail}), status, media_type="application/json"))


def _upstream_error(exc: httpx.HTTPError) -> Response:
    # Never echo the request (it holds the key): the kind of failure only.
    if isinstance(exc, httpx.TimeoutException):
        return _error(504, f"Upstream timed out: {type(exc).__name__}")
    return _error(502, f"Upstream unreachable: {type(exc).__name__}")


def _unchecked(
    response: httpx.Response, head: bytes, rest: AsyncIterator[bytes], headers: list[tuple[bytes, bytes]]
) -> Response:
    async def body() -> AsyncIterator[bytes]:
        try:
            yield head
            async for chunk in rest:
                yield chunk
        except httpx.HTTPError:
            cut = True
        else:
            cut = False
        finally:
            await response.aclose()
        if cut:
            raise _UpstreamCut

    reply = _RelayResponse(body(), status_code=response.status_code)
    reply.raw_headers.extend(headers)
    return reply


def _drift_header(count: int) -> tuple[bytes, bytes]:
    return DRIFT_HEADER.lower().encode(), str(count).encode()


def create_proxy_app(config: ProxyConfig) -> Starlette:
    proxy = _Proxy(config)

    async def drift(request: Request) -> Response:
        if request.method == "DELETE":
            proxy.log.clear()
            return _dated(Response(status_code=204))
        return _dated(Response(orjson.dumps(proxy.log.to_json()), media_type="application/json"))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await proxy.close()

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
    app = Starlette(
        routes=[
            Route(f"{CONTROL_PREFIX}/drift", drift, methods=["GET", "DELETE"]),
            Route("/{path:path}", proxy.forward, methods=methods),
        ],
        lifespan=lifespan,
    )
    app.state.proxy = proxy
    return app
