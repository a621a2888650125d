"""The ASGI application: middleware, error rendering, and the route table.

``create_app(settings)`` builds one Starlette app around one :class:`~mockswarms.engine.simulator.Simulator`
(``app.state.simulator``). The same app serves uvicorn, ``mockswarms.serve()`` and in-process
``httpx.ASGITransport`` clients.
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import os
import time
from collections.abc import AsyncIterator, Mapping
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockswarms.config import Settings, load_settings
from mockswarms.engine.recordings import load_recordings
from mockswarms.engine.simulator import Simulator
from mockswarms.errors import APIError
from mockswarms.faults import FaultMiddleware
from mockswarms.http.connections import BodyGuardMiddleware, mask_access_log
from mockswarms.http.replay import ReplayMiddleware
from mockswarms.http.responses import CONTROL_PREFIX, json_response
from mockswarms.http.router import ExactPathRouter, PlainRouteDispatch
from mockswarms.journal import JournalRecord
from mockswarms.state.base import StoreUnavailable

__all__ = ["app_from_env", "create_app", "freeze_startup_heap"]

SETTINGS_ENV = "MOCKSWARMS_SETTINGS_JSON"
STORE_RETRY_AFTER = 1  # seconds; Retry-After of the 503 answered while the state store is down
_log = logging.getLogger("mockswarms")


def _error_response(exc: APIError) -> Response:
    return json_response(exc.body, exc.status, exc.headers)


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, APIError)
    return _error_response(exc)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = {404: "Not Found", 405: "Method Not Allowed"}.get(exc.status_code, exc.detail)
    if request.url.path.startswith(("/v1/chat/completions", "/v1/models")) and exc.status_code == 405:
        return json_response(
            {"error": {"message": detail, "type": "invalid_request_error", "code": None, "param": None}},
            405,
            exc.headers,
        )
    return json_response({"detail": detail}, exc.status_code, exc.headers)


def _store_unavailable_body(path: str) -> tuple[dict[str, Any], dict[str, str]]:
    message = "Service temporarily unavailable: the state store is not reachable. Retry shortly."
    headers = {"retry-after": str(STORE_RETRY_AFTER)}
    if path.startswith(("/v1/chat/completions", "/v1/models")):
        error = {"message": message, "type": "server_error", "code": "service_unavailable", "param": None}
        return {"error": error}, headers
    return {"detail": message}, headers


async def _store_down(request: Request, exc: Exception) -> Response:
    body, headers = _store_unavailable_body(request.url.path)
    return json_response(body, 503, headers)


class StoreFailureMiddleware:
    """Outermost: a state-store failure anywhere (middleware included) is a clean 503 with
    ``Retry-After`` — never a 500 or a traceback. Nothing was charged (see ``Simulator.charge``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        tokens = None
        simulator = scope["app"].state.simulator
        try:
            if not scope["path"].startswith(CONTROL_PREFIX):
                if simulator.shares_state:
                    # The request's first read: shared state (clock, settings, fixtures, fault
                    # rules) and its caller (account, balances, windows), in one round trip.
                    tokens = await simulator.begin_request(Headers(scope=scope))
                else:  # one process: nothing to sync, only a first start-up
                    await simulator.ensure_started()
            await self.app(scope, receive, tracking_send)
        except StoreUnavailable as exc:
            _log.warning("state store unavailable: %s", exc)
            if started:
                return  # mid-stream: the connection ends; the client sees an incomplete response
            body, headers = _store_unavailable_body(scope["path"])
            response = json_response(body, 503, headers)
            await response(scope, receive, send)
        finally:
            if tokens is not None:
                simulator.end_request(tokens)


async def _unexpected(request: Request, exc: Exception) -> Response:
    # A bug of ours: answer like the real API's catch-all, never with a traceback.
    return json_response({"detail": f"An unexpected error occurred: {type(exc).__name__}"}, 500)


class JournalMiddleware:
    """Records every public request (method, path, status, masked key, bodies, timing, fault rule)."""

    MAX_CAPTURE = 65_536

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        simulator: Simulator = scope["app"].state.simulator
        if simulator.settings.journal_size == 0:
            await self.app(scope, receive, send)
            return
        started = simulator.monotonic()
        received_at = time.time()
        request_chunks: list[bytes] = []
        response_chunks: list[bytes] = []
        captured = 0
        status = 0
        streamed = False
        retry_after: int | None = None
        recorded = False

        async def record() -> None:
            # Before the last byte goes out, so a client that reads the journal right after a
            # response always finds it.
            nonlocal recorded
            if recorded:
                return
            recorded = True
            try:
                await _write_entry()
            except StoreUnavailable as exc:
                # The response is already decided (and maybe charged): losing one journal entry
                # while the store is down must not cost the client its response.
                _log.warning("journal entry not stored: %s", exc)

        def _entry(
            status: int, body: bytes, streamed: bool, retry_after: int | None, cost: Any
        ) -> JournalRecord:
            return JournalRecord(
                method=scope["method"],
                path=scope["path"],
                query=scope.get("query_string", b"").decode("latin-1"),
                status=status or 500,
                api_key=_header(scope, b"x-api-key") or _bearer(scope),
                request_body=b"".join(request_chunks),
                response_body=body,
                streamed=streamed,
                received_at=received_at,
                simulated_at=simulator.timestamp(),
                duration_ms=(simulator.monotonic() - started) * 1000,
                fault_rule=scope.get("state", {}).get("fault_rule"),
                retry_after=retry_after,
                cost=None if cost is None else str(cost),
            )

        def seal(status: int, body: bytes, cost: Any, headers: Mapping[str, str]) -> JournalRecord | None:
            # The entry of a finished plain reply, for the endpoint to write with its charge in one
            # store step (routes._settle_and_render); none when a fault rule may alter the bytes.
            if scope.get("state", {}).get("fault_rule") is not None:
                return None
            after = {k.lower(): v for k, v in headers.items()}.get("retry-after", "")
            return _entry(status, body, False, int(after) if after.isdigit() else None, cost)

        scope.setdefault("state", {})["journal_seal"] = seal

        async def _write_entry() -> None:
            if scope["state"].get("journal_sealed"):
                return  # written with the request's charge
            await simulator.ensure_started()  # no store read: this request already synced
            caller = scope["state"].get("caller")  # set by the endpoint once it knows the key
            cost = caller.charged if caller is not None else None
            entry = _entry(status, b"".join(response_chunks), streamed, retry_after, cost)
            await simulator.store.journal_add(entry, simulator.settings.journal_size)

        async def recording_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                request_chunks.append(message.get("body", b""))
            return message

        held: list[Message] = []  # a plain response goes out whole, after its journal entry

        async def recording_send(message: Message) -> None:
            nonlocal status, streamed, captured, retry_after
            if message["type"] == "http.response.start":
                status = message["status"]
                for name, value in message.get("headers", []):
                    lowered = name.lower()
                    if lowered == b"content-type" and value.startswith(b"text/event-stream"):
                        streamed = True
                    elif lowered == b"retry-after" and value.isdigit():
                        retry_after = int(value)
                if not streamed:
                    held.append(message)
                    return
            elif message["type"] == "http.response.body":
                if captured < self.MAX_CAPTURE:  # SSE frames too: the journal keeps them as events
                    chunk = message.get("body", b"")
                    response_chunks.append(chunk)
                    captured += len(chunk)
                if not streamed and message.get("more_body", False):
                    held.append(message)
                    return
                if not message.get("more_body", False):
                    # Written before the response leaves (never between its headers and body),
                    # so a client reading the journal right after a response finds it.
                    await record()
                for earlier in held:
                    await send(earlier)
                held.clear()
            await send(message)

        try:
            await self.app(scope, recording_receive, recording_send)
        finally:
            await record()


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _bearer(scope: Scope) -> str | None:
    value = _header(scope, b"authorization")
    if value and value.lower().startswith("bearer "):
        return value[7:].strip() or None
    return None


class SimulatorApp(Starlette):
    """Starlette with plain-path routes served without the router's and the exception layer's
    wrappers (``http/router.py``); every other request takes Starlette's own stack."""

    def build_middleware_stack(self) -> ASGIApp:
        stack = super().build_middleware_stack()
        # Starlette's stack ends ExceptionMiddleware(router): swap that innermost layer for the
        # dispatch that serves plain paths itself and hands everything else to it.
        layer: Any = stack
        while getattr(layer, "app", None) is not None and not isinstance(layer.app, ExceptionMiddleware):
            layer = layer.app
        innermost = layer.app if layer is not None else None
        if isinstance(innermost, ExceptionMiddleware) and isinstance(self.router, ExactPathRouter):
            handlers = {k: v for k, v in self.exception_handlers.items() if k not in (500, Exception)}
            layer.app = PlainRouteDispatch(self.router, innermost, handlers)
        return stack


def create_app(settings: Settings | None = None, **overrides: Any) -> Starlette:
    """Build the simulator app. ``overrides`` are setting names (``profile="prism"``, ``seed=3`` …)."""
    from mockswarms.http.control import control_routes
    from mockswarms.http.dashboard import dashboard_routes
    from mockswarms.http.routes import public_routes

    if settings is None:
        settings = load_settings(overrides, environ={})
    elif overrides:
        settings = settings.model_copy(update=overrides)
    simulator = Simulator(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await app.state.simulator.ensure_started()
        yield
        await app.state.simulator.close()

    app = SimulatorApp(
        routes=[*public_routes(), *control_routes(), *dashboard_routes()],
        middleware=[
            Middleware(StoreFailureMiddleware),
            Middleware(JournalMiddleware),
            # Size cap and body deadline before anything below buffers a body (fault matching, replay).
            Middleware(BodyGuardMiddleware),
            Middleware(FaultMiddleware, engine_getter=lambda scope: scope["app"].state.simulator.faults),
            Middleware(ReplayMiddleware),
        ],
        exception_handlers={
            APIError: _api_error,
            HTTPException: _http_error,
            StoreUnavailable: _store_down,
            Exception: _unexpected,
        },
        lifespan=lifespan,
    )
    # Plain paths found by dict (http/router.py); same routes, same order for everything else.
    app.router = ExactPathRouter(app.router.routes, lifespan=lifespan)
    app.state.simulator = simulator
    app.state.base_settings = settings
    # Recorded exchanges in the fixture directories (raises FixtureError: exit 2 before serving).
    app.state.recordings = load_recordings(settings.fixtures) if settings.fixtures else None
    return app


def freeze_startup_heap() -> None:
    """Move everything alive after start-up (modules, models, the contract, fixtures) out of the
    garbage collector's reach (``gc.freeze``): a full collection then walks only what requests
    left behind. Without it each one paused the server 50-70 ms every ~4,000 completions
    (benchmarks/RESULTS.md). For server processes only: frozen objects are never collected."""
    gc.collect()
    gc.freeze()


def app_from_env() -> Starlette:
    """uvicorn factory for ``--workers N``: settings travel to worker processes as JSON in the env."""
    raw = os.environ.get(SETTINGS_ENV)
    settings = Settings.model_validate(json.loads(raw)) if raw else load_settings()
    mask_access_log()  # each worker process logs its own requests
    app = create_app(settings)
    freeze_startup_heap()
    return app
