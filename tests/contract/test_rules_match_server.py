"""Schema-valid means accepted, schema-invalid means refused (docs profile): for bodies on each side of
every server rule the contract writes as JSON Schema, the served contract and the server agree.
(Hypothesis and Schemathesis search at random; this table pins every edge of every rule.)"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import jsonschema_rs
import pytest
from starlette.testclient import TestClient

from mockswarms.contract import CONTRACT_PATH, FULL_CONTRACT_PATH
from mockswarms.http.app import create_app
from mockswarms.shapes.requests import SELF_STAFFED_SWARM_TYPES, SWARM_TYPES

CONTRACT: dict[str, Any] = json.loads(CONTRACT_PATH.read_text(encoding="utf-8"))
FULL_CONTRACT: dict[str, Any] = json.loads(FULL_CONTRACT_PATH.read_text(encoding="utf-8"))
PREMIUM = {"x-api-key": "sk-mock-premium"}
NAMED = [{"agent_name": "A"}, {"agent_name": "B"}]


def _validator(path: str, contract: dict[str, Any] = CONTRACT) -> jsonschema_rs.Validator:
    schema = contract["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
    return jsonschema_rs.validator_for({**schema, "components": contract["components"]})


SWARM = "/v1/swarm/completions"
CASES: list[tuple[str, Any]] = [
    # agent: a named agent (or a marketplace one) in agent_config
    ("/v1/agent/completions", {"task": "t"}),
    ("/v1/agent/completions", {"agent_config": None, "task": "t"}),
    ("/v1/agent/completions", {"agent_config": {}, "task": "t"}),
    ("/v1/agent/completions", {"agent_config": {"agent_name": ""}, "task": "t"}),
    ("/v1/agent/completions", {"agent_config": {"agent_name": "A"}}),
    ("/v1/agent/completions", {"agent_config": {"marketplace_prompt_id": "p-1"}, "task": "t"}),
    # agent batch: at most 10 items; items fail alone
    ("/v1/agent/batch/completions", [{"agent_config": {"agent_name": "A"}, "task": "t"}] * 10),
    ("/v1/agent/batch/completions", [{"agent_config": {"agent_name": "A"}, "task": "t"}] * 11),
    ("/v1/agent/batch/completions", [{}]),
    # swarm: a task
    (SWARM, {"agents": NAMED}),
    (SWARM, {"agents": NAMED, "task": ""}),
    (SWARM, {"agents": NAMED, "tasks": []}),
    (SWARM, {"agents": NAMED, "tasks": ["t"]}),
    (SWARM, {"agents": NAMED, "messages": []}),
    (SWARM, {"agents": NAMED, "messages": {}}),
    (SWARM, {"agents": NAMED, "messages": [{"role": "user", "content": "hi"}]}),
    # swarm: named agents
    (SWARM, {"agents": [{"agent_name": "A"}, {"model_name": "gpt-4o"}], "task": "t"}),
    (SWARM, {"agents": [], "task": "t"}),
    # swarm: agents unless the type brings its own, for every type (and none)
    (SWARM, {"task": "t"}),
    *[(SWARM, {"swarm_type": kind, "task": "t"}) for kind in SWARM_TYPES],
    # swarm: the HeavySwarm variant
    *[
        (SWARM, {"swarm_type": "HeavySwarm", "task": "t", "heavy_swarm_variant": variant})
        for variant in ("heavy", "", "huge", None)
    ],
    (
        SWARM,
        {"swarm_type": "SequentialWorkflow", "agents": NAMED, "task": "t", "heavy_swarm_variant": "huge"},
    ),
    # swarm batch: items fail alone
    ("/v1/swarm/batch/completions", [{}, {"agents": NAMED, "task": "t"}]),
    # grid: max_loops >= 1, agents, tasks
    ("/v1/batched-grid-workflow/completions", {"agent_completions": NAMED, "tasks": ["t"]}),
    ("/v1/batched-grid-workflow/completions", {"agent_completions": NAMED, "tasks": ["t"], "max_loops": 0}),
    ("/v1/batched-grid-workflow/completions", {"agent_completions": NAMED, "tasks": ["t"], "max_loops": 1}),
    ("/v1/batched-grid-workflow/completions", {"agent_completions": [], "tasks": ["t"], "max_loops": 1}),
    ("/v1/batched-grid-workflow/completions", {"agent_completions": NAMED, "tasks": [], "max_loops": 1}),
    ("/v1/batched-grid-workflow/completions", {"agent_completions": [{}], "tasks": ["t"], "max_loops": 1}),
    # graph: agents
    ("/v1/graph-workflow/completions", {"task": "t"}),
    ("/v1/graph-workflow/completions", {"agents": [], "task": "t"}),
    ("/v1/graph-workflow/completions", {"agents": NAMED, "task": "t"}),
    # chat: a user message, n <= 1
    ("/v1/chat/completions", {"model": "gpt-4o", "messages": [{"role": "system", "content": "x"}]}),
    ("/v1/chat/completions", {"model": "gpt-4o", "messages": [{"role": "user", "content": "x"}], "n": 2}),
    ("/v1/chat/completions", {"model": "gpt-4o", "messages": [{"role": "user", "content": "x"}], "n": 1}),
    # reasoning: one of the types, or null
    *[
        ("/v1/reasoning-agent/completions", {"task": "t", "swarm_type": kind})
        for kind in ("ire", None, "", "auto", "reasoning_duo")
    ],
    # advanced research: model names non-empty when sent, max_loops >= 1
    *[
        ("/v1/advanced-research/completions", {"config": config, "task": "t"})
        for config in (
            None,
            {"director_model_name": ""},
            {"director_model_name": None},
            {"worker_model_name": ""},
            {"director_model_name": "gpt-4o", "max_loops": 0},
            {"max_loops": None},
        )
    ],
]


@pytest.fixture(scope="module")
def docs() -> Iterator[TestClient]:
    with TestClient(create_app(seed=1, now="2026-03-02T20:00:00Z")) as client:
        yield client


@pytest.mark.parametrize(("path", "body"), CASES, ids=[f"{p} {json.dumps(b)[:70]}" for p, b in CASES])
def test_schema_valid_iff_the_docs_server_accepts(docs: TestClient, path: str, body: Any) -> None:
    valid = _validator(path).is_valid(body)
    response = docs.post(path, json=body, headers=PREMIUM)
    accepted = 200 <= response.status_code < 300
    assert accepted == valid, (
        f"contract says valid={valid}; server answered {response.status_code}: {response.text[:300]}"
    )
    if not accepted:
        assert response.status_code in (400, 422), response.text


def test_the_table_covers_both_sides_of_the_self_staffed_rule() -> None:
    swarm = _validator(SWARM)
    without_agents = {kind: swarm.is_valid({"swarm_type": kind, "task": "t"}) for kind in SWARM_TYPES}
    assert {kind for kind, ok in without_agents.items() if ok} == set(SELF_STAFFED_SWARM_TYPES)


@pytest.mark.parametrize(
    "body",
    [{}, {"schedule": None}, {"schedule": {"scheduled_time": "2026-03-02T21:00:00Z"}, "task": "t"}],
)
def test_the_full_contract_says_a_schedule_is_required(body: Any) -> None:
    valid = _validator("/v1/swarm/schedule", FULL_CONTRACT).is_valid(body)
    with TestClient(create_app(seed=1, now="2026-03-02T20:00:00Z", enable_scheduling=True)) as client:
        response = client.post("/v1/swarm/schedule", json=body, headers=PREMIUM)
    assert (200 <= response.status_code < 300) == valid, response.text
