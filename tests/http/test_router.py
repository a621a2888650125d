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


def _dispatch(app: object) -> object:
    layer = app.build_middleware_stack()  # type: ignore[attr-defined]
    while type(layer).__name__ != "PlainRouteDispatch":
        layer = layer.app
    return layer


REQUESTS = [
    ("GET", "/health", None, {}),
    ("POST", "/v1/agent/completions", {"task": "hi", "agent_config": {"agent_name": "A"}}, {}),
    ("POST", "/v1/agent/completions", {"task": 3}, {}),  # 422 from parsing
    ("POST", "/v1/agent/completions", None, {}),  # missing body
    ("GET", "/v1/account/credits", None, {"x-api-key": ""}),  # 401
    ("GET", "/v1/usage/report", None, {}),  # switched off: 404 from the endpoint
    ("POST", "/v1/chat/completions", {"model": "gpt-4o"}, {}),  # OpenAI-format error
]


async def _answers(direct: bool) -> list[tuple[int, list[tuple[bytes, bytes]], bytes]]:
    app = create_app(now="2026-01-01T00:00:00Z")
    dispatch = _dispatch(app)
    app.middleware_stack = app.build_middleware_stack()
    if not direct:
        dispatch._direct = set()  # type: ignore[attr-defined]
    answers = []
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        for method, path, body, headers in REQUESTS:
            response = await client.request(
                method, path, json=body, headers={"x-api-key": "sk-mock-premium", **headers}
            )
            answers.append((response.status_code, sorted(response.headers.raw), response.content))
    return answers


async def test_plain_routes_answer_exactly_as_starlettes_own_stack() -> None:
    direct, through_starlette = await _answers(True), await _answers(False)
    assert [a[0] for a in direct] == [200, 200, 422, 422, 401, 404, 400]
    assert direct == through_starlette


async def test_an_unexpected_error_on_a_plain_route_is_the_api_format_500(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from mockswarms.http import routes

    async def broken(request: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(routes, "_health", broken)
    app = create_app()
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        response = await client.get("/health")
    assert response.status_code == 500
    assert response.json() == {"detail": "An unexpected error occurred: RuntimeError"}
