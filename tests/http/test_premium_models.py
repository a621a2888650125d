"""Issue #13 item 6: the premium-model gate covers every model a request names — built-in agents'
models included — through real uvicorn; a free key gets the 403 before anything runs or is charged."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from mockswarms.testing.server import RunningServer, serve

FREE = {"x-api-key": "sk-mock-free"}
PREMIUM_MODEL = "gpt-4.1"
AGENTS = [{"agent_name": "A", "model_name": "gpt-4o-mini"}, {"agent_name": "B", "model_name": "gpt-4o-mini"}]


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    with serve(now="2026-07-15T21:00:00Z", legacy_endpoints=True) as running:
        yield running


def swarm(**extra: Any) -> dict[str, Any]:
    return {"task": "t", "agents": AGENTS, **extra}


CASES = [
    ("/v1/swarm/completions", swarm(swarm_type="HierarchicalSwarm", director_model_name=PREMIUM_MODEL)),
    (
        "/v1/swarm/completions",
        swarm(swarm_type="HeavySwarm", heavy_swarm_question_agent_model_name=PREMIUM_MODEL),
    ),
    ("/v1/swarm/completions", swarm(swarm_type="HeavySwarm", heavy_swarm_worker_model_name=PREMIUM_MODEL)),
    ("/v1/swarm/completions", swarm(swarm_type="CouncilAsAJudge", council_judge_model_name=PREMIUM_MODEL)),
    ("/v1/swarm/completions", swarm(swarm_type="LLMCouncil", chairman_model=PREMIUM_MODEL)),
    (
        "/v1/swarm/completions",
        swarm(
            agents=[
                {
                    "agent_name": "A",
                    "model_name": "gpt-4o-mini",
                    "handoffs": [{"agent_name": "H", "model_name": PREMIUM_MODEL}],
                }
            ]
        ),
    ),
    (
        "/v1/advanced-research/completions",
        {"task": "t", "config": {"worker_model_name": PREMIUM_MODEL, "director_model_name": "gpt-4o-mini"}},
    ),
    (
        "/v1/advanced-research/completions",
        {"task": "t", "config": {"worker_model_name": "gpt-4o-mini", "director_model_name": PREMIUM_MODEL}},
    ),
]


@pytest.mark.parametrize(("path", "body"), CASES)
def test_a_free_key_cannot_name_a_premium_model_anywhere(
    server: RunningServer, path: str, body: dict[str, Any]
) -> None:
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        before = client.get("/v1/account/credits", headers=FREE).json()
        response = client.post(path, json=body, headers=FREE)
        assert response.status_code == 403
        error = response.json()["error"]
        assert error["type"] == "premium_access_required"
        assert error["model"] == PREMIUM_MODEL
        assert "x-ratelimit-limit-minute" not in response.headers
        assert client.get("/v1/account/credits", headers=FREE).json() == before


def test_free_models_in_the_same_fields_are_served(server: RunningServer) -> None:
    body = swarm(swarm_type="HierarchicalSwarm", director_model_name="gpt-4o-mini")
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        assert client.post("/v1/swarm/completions", json=body, headers=FREE).status_code == 200
