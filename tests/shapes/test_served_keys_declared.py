"""The contract describes what the server sends: every key of a served body is a declared property of
its shape (the shapes allow extra keys for the SDKs' sake, so validation alone would not notice one)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockswarms.contract import FULL_CONTRACT_PATH
from mockswarms.http.app import create_app

SCHEMAS: dict[str, Any] = json.loads(FULL_CONTRACT_PATH.read_text(encoding="utf-8"))["components"]["schemas"]
KEY = {"x-api-key": "sk-mock-premium"}
AGENT = {"agent_name": "Analyst", "model_name": "gpt-4o-mini", "max_loops": 1}


def undeclared(body: Any, schema: dict[str, Any], at: str = "$") -> list[str]:
    """Paths of the keys in ``body`` that ``schema`` does not declare (``anyOf``: the closest member)."""
    if "$ref" in schema:
        return undeclared(body, SCHEMAS[schema["$ref"].rsplit("/", 1)[-1]], at)
    if "anyOf" in schema:
        # Only the members of the body's JSON type count (a `null` member declares nothing).
        kind = "object" if isinstance(body, dict) else "array" if isinstance(body, list) else None
        members = [m for m in schema["anyOf"] if kind is not None and _json_type(m) == kind]
        return min((undeclared(body, m, at) for m in members), key=len, default=[])
    if isinstance(body, dict) and "properties" in schema:
        props = schema["properties"]
        missing = [f"{at}.{key}" for key in body if key not in props]
        for key, value in body.items():
            if key in props:
                missing += undeclared(value, props[key], f"{at}.{key}")
        return missing
    if isinstance(body, list) and "items" in schema:
        return [
            path for i, item in enumerate(body) for path in undeclared(item, schema["items"], f"{at}[{i}]")
        ]
    return []


def _json_type(schema: dict[str, Any]) -> str | None:
    if "$ref" in schema:
        return _json_type(SCHEMAS[schema["$ref"].rsplit("/", 1)[-1]])
    if "properties" in schema or schema.get("type") == "object":
        return "object"
    return "array" if "items" in schema or schema.get("type") == "array" else None


def _client(**settings: Any) -> TestClient:
    return TestClient(create_app(now="2026-03-01T20:00:00Z", seed=1, **settings), headers=KEY)


def test_the_walker_reports_an_undeclared_key() -> None:
    assert undeclared(
        {"job_id": "x", "surprise": 1}, {"$ref": "#/components/schemas/AgentCompletionOutput"}
    ) == ["$.surprise"]


@pytest.mark.parametrize(
    ("settings", "path", "payload", "shape"),
    [
        (
            {"agent_response_id_field": True},
            "/v1/agent/completions",
            {"agent_config": AGENT, "task": "Say hi"},
            "AgentCompletionOutput",
        ),
        (
            {},
            "/v1/swarm/completions",
            {"swarm_type": "SequentialWorkflow", "agents": [AGENT], "task": "Plan", "tasks": ["a", "b"]},
            "SwarmCompletionOutput",
        ),
        (
            {"swarm_response_layout": "legacy"},
            "/v1/swarm/completions",
            {"swarm_type": "SequentialWorkflow", "agents": [AGENT], "task": "Plan"},
            "LegacySwarmCompletionOutput",
        ),
        (
            {},
            "/v1/reasoning-agent/completions",
            {"task": "Think", "model_name": "gpt-4o-mini"},
            "ReasoningAgentOutput",
        ),
    ],
)
def test_every_key_of_a_served_body_is_declared(
    settings: dict[str, Any], path: str, payload: dict[str, Any], shape: str
) -> None:
    response = _client(**settings).post(path, json=payload)
    assert response.status_code == 200, response.text
    assert undeclared(response.json(), {"$ref": f"#/components/schemas/{shape}"}) == []


def test_every_key_of_a_log_row_is_declared() -> None:
    client = _client()
    assert (
        client.post("/v1/agent/completions", json={"agent_config": AGENT, "task": "Say hi"}).status_code
        == 200
    )
    logs = client.get("/v1/swarm/logs").json()
    assert logs["logs"] and "cost" in logs["logs"][0]
    assert undeclared(logs, {"$ref": "#/components/schemas/SwarmLogsResponse"}) == []
