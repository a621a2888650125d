"""The proxy: forward every request to the upstream, answer with the upstream's answer, check it.

Requests go out with the caller's own headers (key included) and come back unchanged, plus
``X-Mockswarms-Drift: <count>``. The key is used for that call only: it is never logged, never
written (recordings are redacted) and never sent to the in-process simulator, which answers the same
request with its own premium key (``SHADOW_KEY``) for the comparison. Streams are passed through
chunk by chunk as they arrive; for them the header counts what is known when the headers leave
(status, headers), and the event findings join ``GET /__mockswarms/drift`` when the stream ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

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
        "host",
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "content-length",
        "accept-encoding",
        "content-encoding",
    }
)
_KEY_HEADERS = ("x-api-key", "authorization")
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
    for name in _KEY_HEADERS:
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
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> Answer | None:
        shadow_headers = {k: v for k, v in headers.items() if k not in _KEY_HEADERS}
        if any(k in headers for k in _KEY_HEADERS):
            shadow_headers["x-api-key"] = SHADOW_KEY
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

    def _finish(
        self,
        method: str,
        path: str,
        query: str,
        body: bytes,
        upstream: Answer,
        sim: Answer | None,
        secrets: list[str],
    ) -> list[Finding]:
        findings = [
            # An upstream that echoes the key must not put it into the findings either.
            replace(
                f,
                expected=redact_json(f.expected, secrets),
                got=redact_json(f.got, secrets),
                message=redact(f.message, secrets),
            )
            for f in exchange_drift(method, path, upstream, sim, self.checker, self.config.settings)
        ]
        if self.recorder is not None:
            self.recorder.record(method, path, query, body, upstream, secrets)
        return findings

    async def forward(self, request: Request) -> Response:
        body = await _read_body(request, self.config.settings.max_body_bytes)
        if body is None:
            limit = self.config.settings.max_body_bytes
            return _error(413, f"Request body too large: the limit is {limit} bytes")
        method, path = request.method, request.url.path
        query = request.url.query
        target = path + (f"?{query}" if query else "")
        headers = {k.lower(): v for k, v in request.headers.items() if k.lower() not in _HOP}
        headers["accept-encoding"] = "identity"  # the proxy reads what it forwards
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
        # Every header line as the upstream sent it (repeated ones such as set-cookie included).
        out_headers = [
            (k.encode("latin-1"), v.encode("latin-1"))
            for k, v in response.headers.multi_items()
            if k.lower() not in _HOP
        ]
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
            findings = self._finish(method, path, query, body, answer, sim, secrets)
            self.log.add(findings)
            reply = Response(content, response.status_code)
            reply.raw_headers.extend([*out_headers, _drift_header(len(findings))])
            return reply
        sim = await shadow if shadow is not None else None
        upstream_headers = {k.lower(): v for k, v in response.headers.items()}
        early = Answer(response.status_code, upstream_headers, b"", [])
        early_findings = [
            f
            for f in exchange_drift(method, path, early, sim, self.checker, self.config.settings)
            if not f.path.startswith("$.events")
        ]
        relay = StreamingResponse(
            self._relay(response, method, path, query, body, upstream_headers, sim, secrets),
            status_code=response.status_code,
        )
        relay.raw_headers.extend([*out_headers, _drift_header(len(early_findings))])
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
        try:
            async for chunk in response.aiter_bytes():  # decoded, should the upstream compress anyway
                size += len(chunk)
                if size <= MAX_CHECKED_BYTES:
                    splitter.feed(chunk, time.monotonic() - began)
                yield chunk  # at once: the caller sees the upstream's pacing
        except httpx.HTTPError:
            # The upstream cut the stream or timed out: so is the caller's. The event check says what
            # is missing.
            pass
        finally:
            await response.aclose()
            splitter.close(time.monotonic() - began)
            answer = Answer(response.status_code, headers, b"", splitter.frames, tuple(splitter.raw_frames))
            # Too long to keep: neither checked nor recorded. A broken check must not break the stream.
            if size <= MAX_CHECKED_BYTES:
                with contextlib.suppress(Exception):
                    self.log.add(self._finish(method, path, query, body, answer, sim, secrets))


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


def _error(status: int, detail: str) -> Response:
    return Response(orjson.dumps({"detail": detail}), status, media_type="application/json")


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
        finally:
            await response.aclose()

    reply = StreamingResponse(body(), status_code=response.status_code)
    reply.raw_headers.extend(headers)
    return reply


def _drift_header(count: int) -> tuple[bytes, bytes]:
    return DRIFT_HEADER.lower().encode(), str(count).encode()


def create_proxy_app(config: ProxyConfig) -> Starlette:
    proxy = _Proxy(config)

    async def drift(request: Request) -> Response:
        if request.method == "DELETE":
            proxy.log.clear()
            return Response(status_code=204)
        return Response(orjson.dumps(proxy.log.to_json()), media_type="application/json")

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
