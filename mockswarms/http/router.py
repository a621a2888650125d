"""The route table's lookup: a plain path is one dict lookup, not a regex per route.

Starlette's :class:`~starlette.routing.Router` tries each route's regex in turn (the agent
completion is the fourth of ~70, the dashboard's last). Every public path but one is plain text,
so :class:`ExactPathRouter` finds those by dict and hands the request to the route exactly as
``Router.app`` would (same ``scope`` keys); templated paths, a wrong method (405), redirects,
``root_path`` mounts and lifespan go through ``Router.app`` unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.routing import BaseRoute, Route, Router
from starlette.types import Receive, Scope, Send

__all__ = ["ExactPathRouter"]


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

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope.get("root_path"):
            by_method = self._exact.get(scope["path"])
            route = by_method.get(scope["method"]) if by_method is not None else None
            if route is not None:
                if "router" not in scope:
                    scope["router"] = self
                scope["route"] = route
                scope["endpoint"] = route.endpoint
                scope["path_params"] = dict(scope.get("path_params", {}))
                await route.app(scope, receive, send)
                return
        await super().app(scope, receive, send)
