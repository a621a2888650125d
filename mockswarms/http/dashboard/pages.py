"""Serves the dashboard's three static files. They hold no data (every number comes from the control
API, which checks its callers), so with an admin token set the pages load for anyone who passes the
Host check and then ask for the token; without a token only loopback clients get them, like the
control API itself."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from mockswarms.errors import APIError
from mockswarms.http.dashboard.access import check_page_access
from mockswarms.http.responses import CONTROL_PREFIX

__all__ = ["SECURITY_HEADERS", "UI_PREFIX", "page_routes"]

UI_PREFIX = f"{CONTROL_PREFIX}/ui"
STATIC_DIR = Path(__file__).parent / "static"

# name in the URL -> media type; nothing else under static/ is ever served.
_ASSETS = {
    "index.html": "text/html; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
}

# Scripts and styles only from our own files, no framing (clickjacking), no referrer leaks.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@cache
def _asset(name: str) -> bytes:
    return (STATIC_DIR / name).read_bytes()


async def _serve(request: Request, name: str) -> Response:
    check_page_access(request)
    if name not in _ASSETS:
        raise APIError(404, "Not Found")
    return Response(_asset(name), media_type=_ASSETS[name], headers=SECURITY_HEADERS)


async def index(request: Request) -> Response:
    return await _serve(request, "index.html")


async def asset(request: Request) -> Response:
    return await _serve(request, request.path_params["name"])


async def bare(request: Request) -> Response:
    # Relative asset URLs in index.html need the trailing slash.
    check_page_access(request)
    return RedirectResponse(f"{UI_PREFIX}/", status_code=308)


def page_routes() -> list[BaseRoute]:
    return [
        Route(UI_PREFIX, bare, methods=["GET", "HEAD"]),
        Route(f"{UI_PREFIX}/", index, methods=["GET", "HEAD"]),
        Route(f"{UI_PREFIX}/{{name}}", asset, methods=["GET", "HEAD"]),
    ]
