"""The ASGI application: middleware, error rendering, and the route table.

``create_app(settings)`` builds one Starlette app around one :class:`~mockswarms.engine.simulator.Simulator`
(``app.state.simulator``). The same app serves uvicorn, ``mockswarms.serve()`` and in-process
``httpx.ASGITransport`` clients.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import State
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

from mockswarms.config import Settings, load_settings
from mockswarms.engine.recordings import load_recordings
from mockswarms.engine.simulator import Simulator
from mockswarms.errors import APIError
from mockswarms.faults import FaultMiddleware
from mockswarms.http.body_guard import BodyGuardMiddleware
from mockswarms.http.connections import mask_access_log
from mockswarms.http.layers import skip_idle_layers
from mockswarms.http.outer import OuterMiddleware, store_unavailable_body
from mockswarms.http.refunds import refund_cut_reply
from mockswarms.http.replay import ReplayMiddleware
from mockswarms.http.responses import json_response
from mockswarms.http.router import ExactPathRouter, PlainRouteDispatch
from mockswarms.state.base import StoreUnavailable

__all__ = ["app_from_env", "create_app", "freeze_startup_heap"]

SETTINGS_ENV = "MOCKSWARMS_SETTINGS_JSON"


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


async def _store_down(request: Request, exc: Exception) -> Response:
    body, headers = store_unavailable_body(request.url.path)
    return json_response(body, 503, headers)


async def _unexpected(request: Request, exc: Exception) -> Response:
    # A bug of ours: answer like the real API's catch-all, never with a traceback.
    return json_response({"detail": f"An unexpected error occurred: {type(exc).__name__}"}, 500)


class AppState(State):
    """Starlette's ``app.state`` whose attributes are also plain instance attributes: the middleware
    and endpoints read ``app.state.simulator`` several times per request, and ``State`` finds every
    attribute through ``__getattr__`` after a failed lookup (~0.8 µs each, ~15 % of ``/health``)."""

    def __setattr__(self, key: Any, value: Any) -> None:
        super().__setattr__(key, value)
        object.__setattr__(self, key, value)

    def __delattr__(self, key: Any) -> None:
        super().__delattr__(key)
        object.__delattr__(self, key)

    def __setitem__(self, key: str, value: Any) -> None:
        self.__setattr__(key, value)

    def __delitem__(self, key: str) -> None:
        self.__delattr__(key)


class SimulatorApp(Starlette):
    """Starlette with plain-path routes served without the router's and the exception layer's
    wrappers (``http/router.py``), middleware layers with nothing to do for a request skipped
    (``http/layers.py``), and Starlette's error layer folded into the outer one (``http/outer.py``);
    every other request takes Starlette's own stack."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.state = AppState()

    def build_middleware_stack(self) -> ASGIApp:
        stack = super().build_middleware_stack()
        # Starlette's stack starts ServerErrorMiddleware(OuterMiddleware(...)): the outer layer
        # answers unexpected errors itself with the same handler, one frame fewer per request.
        outer = getattr(stack, "app", None)
        if (
            isinstance(stack, ServerErrorMiddleware)
            and not stack.debug
            and isinstance(outer, OuterMiddleware)
        ):
            outer.error_handler = stack.handler
            stack = outer
        # Starlette's stack ends ExceptionMiddleware(router): swap that innermost layer for the
        # dispatch that serves plain paths itself and hands everything else to it.
        layer: Any = stack
        while getattr(layer, "app", None) is not None and not isinstance(layer.app, ExceptionMiddleware):
            layer = layer.app
        innermost = getattr(layer, "app", None)
        if isinstance(innermost, ExceptionMiddleware) and isinstance(self.router, ExactPathRouter):
            handlers = {k: v for k, v in self.exception_handlers.items() if k not in (500, Exception)}
            layer.app = PlainRouteDispatch(self.router, innermost, handlers)
        # Body guard, faults and replay are entered only when they have something to do (http/layers.py).
        return skip_idle_layers(stack)


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
        # The dashboard's /accounts/{key}/usage before the control API's /accounts/{key:path}.
        routes=[*public_routes(), *dashboard_routes(), *control_routes()],
        middleware=[
            # Shared-state sync, store failure -> 503, 500 handler, journal (http/outer.py).
            Middleware(OuterMiddleware),
            # Size cap and body deadline before anything below buffers a body (fault matching, replay).
            Middleware(BodyGuardMiddleware),
            Middleware(
                FaultMiddleware,
                engine_getter=lambda scope: scope["app"].state.simulator.faults,
                on_broken=refund_cut_reply,
            ),
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
