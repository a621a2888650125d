"""The route table's lookup: a plain path is one dict lookup, not a regex per route.

Starlette's :class:`~starlette.routing.Router` tries each route's regex in turn (the agent
completion is the fourth of ~70, the dashboard's last). Every public path but one is plain text,
so :class:`ExactPathRouter` finds those by dict and hands the request to the route exactly as
``Router.app`` would (same ``scope`` keys); templated paths, a wrong method (405), redirects,
``root_path`` mounts and lifespan go through ``Router.app`` unchanged.

:class:`PlainRouteDispatch` goes one step further for those routes: it stands where Starlette's
``ExceptionMiddleware`` stands and does what it, the router and ``request_response`` do together —
one ``Request``, the endpoint, the app's exception handlers, the response — without the two
send-wrapping layers each request otherwise pays for (a third of ``/health``'s own cost).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["ExactPathRouter", "PlainRouteDispatch"]

Handler = Callable[[Request, Exception], Awaitable[Response]]


class ExactPathRouter(Router):
    def __init__(self, routes: Sequence[BaseRoute], **options: Any) -> None:
        super().__init__(list(routes), **options)
        # path -> method -> the first route that serves it (the order Router.app would pick).
        self._exact: dict[str, dict[str, Route]] = {}
        for route in self.routes:
            if isinstance(route, Route) and not route.param_convertors and route.methods:
                by_method = self._exact.setdefault(route.path, {})
                for method in route.methods:
                    by_method.setdefault(method, route)

    def plain_route(self, scope: Scope) -> Route | None:
        """The route serving this plain path and method, if any (http scopes only)."""
        if scope["type"] != "http" or scope.get("root_path"):
            return None
        by_method = self._exact.get(scope["path"])
        return by_method.get(scope["method"]) if by_method is not None else None

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope.get("root_path"):
            route = self.plain_route(scope)
            if route is not None:
                if "router" not in scope:
                    scope["router"] = self
                scope["route"] = route
                scope["endpoint"] = route.endpoint
                scope["path_params"] = dict(scope.get("path_params", {}))
                await route.app(scope, receive, send)
                return
        await super().app(scope, receive, send)


class PlainRouteDispatch:
    """``ExceptionMiddleware(router)`` for plain paths served by an ``async def endpoint(request)``;
    anything else goes to ``fallback`` (that very stack). ``handlers`` are the app's exception
    handlers by class (500/``Exception`` excluded: the outer layer, ``http/outer.py``, keeps those)."""

    def __init__(self, router: ExactPathRouter, fallback: ASGIApp, handlers: Mapping[Any, Handler]) -> None:
        self.router = router
        self.fallback = fallback
        self.handlers = dict(handlers)
        self.status_handlers = {k: v for k, v in self.handlers.items() if isinstance(k, int)}
        self.class_handlers = {k: v for k, v in self.handlers.items() if not isinstance(k, int)}
        self._direct = {
            id(route)
            for by_method in router._exact.values()
            for route in by_method.values()
            if inspect.isfunction(route.endpoint) and inspect.iscoroutinefunction(route.endpoint)
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = self.router.plain_route(scope)
        if route is None or id(route) not in self._direct:
            await self.fallback(scope, receive, send)
            return
        # What ExceptionMiddleware and Router.app put in the scope.
        scope["starlette.exception_handlers"] = (self.class_handlers, self.status_handlers)
        if "router" not in scope:
            scope["router"] = self.router
        scope["route"] = route
        scope["endpoint"] = route.endpoint
        scope["path_params"] = dict(scope.get("path_params", {}))
        request = Request(scope, receive, send)
        try:
            response = await route.endpoint(request)
        except Exception as exc:
            handler = self._handler_for(exc)
            if handler is None:
                raise
            response = await handler(request, exc)
            exc.__traceback__ = None  # reused exception instances would pile up tracebacks
        if type(response) is Response:  # whole bytes: nothing left to fail but the socket
            await response(scope, receive, send)
            return
        await self._send_streamed(request, response, send)

    async def _send_streamed(self, request: Request, response: Response, send: Send) -> None:
        """A streamed body may still raise: handled as Starlette does (an error reply if nothing
        went out yet)."""
        started = False

        async def sender(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        scope, receive = request.scope, request.receive
        try:
            await response(scope, receive, sender)
        except Exception as exc:
            handler = self._handler_for(exc)
            if handler is None:
                raise
            if started:
                raise RuntimeError("Caught handled exception, but response already started.") from exc
            await (await handler(request, exc))(scope, receive, sender)
            exc.__traceback__ = None

    def _handler_for(self, exc: Exception) -> Handler | None:
        # Starlette's own lookup (a status handler for an HTTPException, else the nearest class in the
        # exception's MRO), written out: its helper is private to Starlette.
        if isinstance(exc, HTTPException) and exc.status_code in self.status_handlers:
            return self.status_handlers[exc.status_code]
        for cls in type(exc).__mro__:
            if cls in self.class_handlers:
                return self.class_handlers[cls]
        return None
