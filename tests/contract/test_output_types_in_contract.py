"""``output_type`` shapes a swarm's ``output`` (string, object or list) in every profile, so the served
contract must accept every shape in every response that carries it: the single response, each batch
item (the docs' ``{status, swarm_name, result, usage}`` and the full responses of ``client-0.1.6``)
and the coarse stream's ``chunk`` event. Checked the way the proxy checks live traffic."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockswarms.http.app import create_app
from mockswarms.proxy.contract_check import ContractChecker
from mockswarms.proxy.sse import parse_sse
from mockswarms.shapes.requests import SWARM_OUTPUT_TYPES

KEY = {"x-api-key": "sk-shapes"}
ACCOUNT = {"key": "sk-shapes", "tier": "premium", "credit": "1000"}
AGENTS = [
    {"agent_name": "Writer", "model_name": "gpt-4o-mini"},
    {"agent_name": "Editor", "model_name": "gpt-4o-mini"},
]
OUTPUT_TYPES = [*SWARM_OUTPUT_TYPES, None]  # None: the profile's default_output_type


@pytest.fixture(scope="module", params=["docs", "client-0.1.6"])
def served(request: pytest.FixtureRequest) -> Iterator[tuple[TestClient, ContractChecker]]:
    with TestClient(create_app(profile=request.param, seed=1, accounts=[ACCOUNT])) as client:
        yield client, ContractChecker(client.get("/openapi.json").json())


def _spec(output_type: str | None) -> dict[str, Any]:
    spec: dict[str, Any] = {"swarm_type": "SequentialWorkflow", "task": "Draft a note", "agents": AGENTS}
    if output_type is not None:
        spec["output_type"] = output_type
    return spec


def _problems(checker: ContractChecker, path: str, status: int, content_type: str, body: Any) -> list[str]:
    return [
        f"{f.path}: {f.message[:200]}" for f in checker.check("POST", path, status, content_type, body, None)
    ]


@pytest.mark.parametrize("output_type", OUTPUT_TYPES, ids=str)
def test_single_and_batch_responses_of_every_output_type_are_in_the_contract(
    served: tuple[TestClient, ContractChecker], output_type: str | None
) -> None:
    client, checker = served
    single = client.post("/v1/swarm/completions", json=_spec(output_type), headers=KEY)
    batch = client.post("/v1/swarm/batch/completions", json=[_spec(output_type)] * 2, headers=KEY)
    assert (single.status_code, batch.status_code) == (200, 200)
    body = batch.json()
    assert len(body) == 2 and all(item["status"] == "success" for item in body)
    # The batch item carries the very output the single call gave (same seed, same request).
    assert body[0].get("output", body[0].get("result")) == single.json()["output"]
    assert (
        _problems(checker, "/v1/swarm/completions", 200, single.headers["content-type"], single.json()) == []
    )
    assert _problems(checker, "/v1/swarm/batch/completions", 200, batch.headers["content-type"], body) == []


@pytest.mark.parametrize("output_type", OUTPUT_TYPES, ids=str)
def test_streamed_events_of_every_output_type_are_in_the_contract(
    served: tuple[TestClient, ContractChecker], output_type: str | None
) -> None:
    client, checker = served
    response = client.post("/v1/swarm/completions", json={**_spec(output_type), "stream": True}, headers=KEY)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = parse_sse(response.text)
    assert events and events[-1].event == "done"
    findings = checker.check(
        "POST", "/v1/swarm/completions", 200, response.headers["content-type"], None, events
    )
    assert [f"{f.path}: {f.message[:200]}" for f in findings] == []


def test_the_shapes_really_differ() -> None:
    """The test above covers a string, an object and a list (not one shape many times)."""
    with TestClient(create_app(seed=1, accounts=[ACCOUNT])) as client:
        kinds = {
            type(client.post("/v1/swarm/completions", json=_spec(t), headers=KEY).json()["output"]).__name__
            for t in OUTPUT_TYPES
        }
    assert kinds == {"str", "dict", "list"}
