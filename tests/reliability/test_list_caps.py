"""Every list in a request body is capped (``MAX_LIST_ITEMS``): pydantic builds one error per bad item,
and 100,000 of them (a 200 KB body) held the event loop for seconds — chat ``messages`` took 2.4 s,
``tools_enabled`` 1.2 s. With the cap the parse stops at the first item past it."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from mockswarms import create_app
from mockswarms.limits import MAX_LIST_ITEMS

KEY = {"x-api-key": "sk-mock-premium"}
AGENT = {"agent_config": {"agent_name": "W", "model_name": "gpt-4o-mini"}, "task": "t"}
TOO_MANY = 100_000


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app(seed=1, now="2026-03-01T12:00:00Z")) as c:
        yield c


def too_long(count: int) -> str:
    return f"List should have at most {MAX_LIST_ITEMS} items after validation, not {count}"


def test_a_huge_list_of_bad_items_is_one_quick_422_naming_the_field(client: TestClient) -> None:
    started = time.monotonic()
    body = {**AGENT, "tools_enabled": [1] * TOO_MANY}
    response = client.post("/v1/agent/completions", json=body, headers=KEY)
    elapsed = time.monotonic() - started
    assert response.status_code == 422
    (item,) = response.json()["detail"]
    assert (item["type"], item["loc"], item["msg"]) == (
        "too_long",
        ["body", "tools_enabled"],
        too_long(TOO_MANY),
    )
    assert elapsed < 2  # 1.2 s of the event loop before, on an idle machine


def test_chat_messages_past_the_cap_are_an_openai_400(client: TestClient) -> None:
    messages = [{"role": "user", "content": 1}] * TOO_MANY
    response = client.post(
        "/v1/chat/completions", json={"model": "gpt-4o", "messages": messages}, headers=KEY
    )
    assert (response.status_code, response.json()) == (
        400,
        {
            "error": {
                "message": f"Invalid value for 'messages': {too_long(TOO_MANY)}",
                "type": "invalid_request_error",
                "code": "invalid_request",
                "param": "messages",
            }
        },
    )


def test_a_batch_past_the_cap_is_refused_before_its_items_are_parsed(client: TestClient) -> None:
    items = [{"task": "t", "agents": [{"agent_name": "a"}]}] * (MAX_LIST_ITEMS + 1)
    response = client.post("/v1/swarm/batch/completions", json=items, headers=KEY)
    assert response.status_code == 422
    (item,) = response.json()["detail"]
    assert (item["type"], item["loc"], item["msg"]) == ("too_long", ["body"], too_long(MAX_LIST_ITEMS + 1))


def test_a_list_at_the_cap_is_accepted(client: TestClient) -> None:
    body = {**AGENT, "tools_enabled": ["auto_search"] * MAX_LIST_ITEMS}
    assert client.post("/v1/agent/completions", json=body, headers=KEY).status_code == 200
