"""The exact-path lookup picks the route Starlette's sequential match would pick, and leaves the rest
(405, templated paths, unknown paths) to it."""

from __future__ import annotations

import httpx
import pytest
from starlette.routing import Match

from mockswarms.http.app import create_app
from mockswarms.http.router import ExactPathRouter


def _first_full_match(router: ExactPathRouter, path: str, method: str) -> object:
    scope = {"type": "http", "path": path, "method": method, "root_path": ""}
    for route in router.routes:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return route
    return None


def test_every_exact_path_resolves_to_the_route_the_sequential_match_picks() -> None:
    router = create_app().router
    assert isinstance(router, ExactPathRouter)
    checked = 0
    for path, by_method in router._exact.items():
        for method, route in by_method.items():
            assert _first_full_match(router, path, method) is route, (method, path)
            checked += 1
    assert checked > 60  # every public GET/POST (+HEAD) and the control API's plain paths


@pytest.fixture
def client() -> httpx.AsyncClient:
    app = create_app(settings=None, profile="docs")
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1")


async def test_wrong_method_on_an_exact_path_is_still_405(client: httpx.AsyncClient) -> None:
    async with client:
        response = await client.put("/v1/agent/completions", json={})
    assert response.status_code == 405
    assert response.json() == {"detail": "Method Not Allowed"}


async def test_unknown_and_templated_paths_fall_through(client: httpx.AsyncClient) -> None:
    async with client:
        missing = await client.get("/v1/nope", headers={"x-api-key": "sk-mock-premium"})
        health = await client.get("/health")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Not Found"}
    assert health.json() == {"status": "ok"}
