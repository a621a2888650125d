"""The live dashboard at ``/__mockswarms/ui/``: static pages (in ``static/``, no build step, no CDN) that
read and steer the simulator only through the control API, plus the few read-only control endpoints the
pages need (the live journal feed, per-account usage, fault hit counts)."""

from __future__ import annotations

from starlette.routing import BaseRoute

from mockswarms.http.dashboard.feeds import feed_routes
from mockswarms.http.dashboard.pages import UI_PREFIX, page_routes

__all__ = ["UI_PREFIX", "dashboard_routes"]


def dashboard_routes() -> list[BaseRoute]:
    return [*feed_routes(), *page_routes()]
