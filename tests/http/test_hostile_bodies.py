"""Issue #13 item 4: bodies that used to give a 500 (and a traceback) get the API's own 4xx, through
real uvicorn, in every request_validation mode."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from mockswarms.limits import MAX_JSON_DEPTH
from mockswarms.testing.server import RunningServer, serve

KEY = {"x-api-key": "sk-mock-premium", "Content-Type": "application/json"}
BIG_INT = b"1" * 5000
AGENT = b'{"agent_config": {"agent_name": "A", "model_name": "gpt-4o-mini"}, "task": "t"'


@pytest.fixture(scope="module", params=["report", "strict", "off"])
def server(request: pytest.FixtureRequest) -> Iterator[RunningServer]:
    with serve(now="2026-07-15T21:00:00Z", request_validation=request.param) as running:
        yield running


@pytest.fixture
def client(server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url) as c:
        yield c


def nested(depth: int) -> bytes:
    return b'{"junk": ' + b"[" * depth + b'"x"' + b"]" * depth + b"}"


def test_an_integer_beyond_4300_digits_is_a_4xx(client: httpx.Client, server: RunningServer) -> None:
    body = AGENT + b', "max_tokens": ' + BIG_INT + b"}"
    response = client.post("/v1/agent/completions", content=body, headers=KEY)
    assert 400 <= response.status_code < 500
    assert "detail" in response.json()
    if server.settings.request_validation == "off":
        assert response.json() == {"detail": "There was an error parsing the body"}


def test_an_integer_beyond_4300_digits_on_the_openai_route_is_an_openai_error(client: httpx.Client) -> None:
    body = b'{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}], "n": ' + BIG_INT + b"}"
    response = client.post("/v1/chat/completions", content=body, headers=KEY)
    assert response.status_code in (400, 422)
    assert set(response.json()) == {"error"} or "detail" in response.json()


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH, 300, 5000])
def test_deep_nesting_is_refused_at_parse_time(client: httpx.Client, depth: int) -> None:
    response = client.post(
        "/v1/agent/completions", content=AGENT + b', "junk": ' + nested(depth) + b"}", headers=KEY
    )
    assert response.status_code == 422
    assert "detail" in response.json()


def test_a_schema_breaking_value_300_levels_deep_is_no_500(client: httpx.Client) -> None:
    deep = b"[" * 300 + b"1" + b"]" * 300
    body = b'{"agent_config": {"agent_name": "A", "max_tokens": ' + deep + b'}, "task": "t"}'
    response = client.post("/v1/agent/completions", content=body, headers=KEY)
    assert response.status_code == 422


def test_nesting_within_the_bound_is_served(client: httpx.Client, server: RunningServer) -> None:
    body = AGENT + b', "junk": ' + nested(MAX_JSON_DEPTH - 3) + b"}"
    response = client.post("/v1/agent/completions", content=body, headers=KEY)
    assert response.status_code == 200
