"""The three profiles: docs (default, covered by test_routes), prism (contract mock) and legacy (2025)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockswarms.http.app import create_app

DAY = "2026-03-01T20:00:00Z"  # 12:00 in Los Angeles
NIGHT = "2026-03-01T12:00:00Z"  # 04:00 in Los Angeles
WRITER = {"agent_name": "Writer", "model_name": "gpt-4o-mini"}
EDITOR = {"agent_name": "Editor", "model_name": "gpt-4o-mini"}
MILLION = Decimal(1_000_000)


def client(profile: str, now: str = DAY, **settings: Any) -> TestClient:
    return TestClient(create_app(profile=profile, now=now, seed=1, **settings))


def q(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


# -- prism -----------------------------------------------------------------------------------------
PRISM_POSTS: list[tuple[str, Any]] = [
    ("/v1/agent/completions", {}),
    ("/v1/agent/batch/completions", [{}]),
    ("/v1/agent/batch/completions", []),
    ("/v1/swarm/completions", {}),
    ("/v1/swarm/batch/completions", [{}]),
    ("/v1/swarm/batch/completions", []),
    ("/v1/reasoning-agent/completions", {}),
    ("/v1/auto-swarm-builder/completions", {}),
    # config and task are required-but-nullable keys in the contract (reference §b.20).
    ("/v1/advanced-research/completions", {"config": None, "task": None}),
    ("/v1/advanced-research/batch/completions", {"input_schemas": []}),
    ("/v1/advanced-research/batch/completions", {"input_schemas": [{"config": {}, "task": ""}]}),
    ("/v1/marketplace/agents", {}),
    ("/v1/batched-grid-workflow/completions", {}),
    ("/v1/graph-workflow/completions", {}),
    ("/v1/chat/completions", {"model": "", "messages": [{"role": "user", "content": ""}]}),
    # Zero / placeholder values everywhere, streaming flags included: still plain JSON.
    (
        "/v1/agent/completions",
        {
            "agent_config": {
                "agent_name": "",
                "model_name": "",
                "max_tokens": 0,
                "max_loops": 0,
                "temperature": 0,
                "streaming_on": True,
            },
            "task": "",
            "stream": True,
        },
    ),
    (
        "/v1/swarm/completions",
        {
            "name": "",
            "agents": [],
            "max_loops": 0,
            "swarm_type": "AgentRearrange",
            "rearrange_flow": "",
            "task": "",
            "stream": True,
        },
    ),
    ("/v1/batched-grid-workflow/completions", {"agent_completions": [], "tasks": [], "max_loops": 0}),
    (
        "/v1/graph-workflow/completions",
        {"agents": [{}], "edges": [{"source": "a", "target": "b"}], "max_loops": 0},
    ),
    ("/v1/reasoning-agent/completions", {"swarm_type": "reasoning_duo", "num_samples": 0, "max_loops": 0}),
    (
        "/v1/chat/completions",
        {"model": "x", "messages": [{"role": "user", "content": "hi"}], "stream": True, "max_tokens": 0},
    ),
]


@pytest.mark.parametrize("key", ["My API Key", "anything-at-all"])
@pytest.mark.parametrize(("path", "payload"), PRISM_POSTS)
def test_prism_answers_minimal_bodies_with_2xx_json(path: str, payload: Any, key: str) -> None:
    c = client("prism")
    r = c.post(path, json=payload, headers={"x-api-key": key})
    assert 200 <= r.status_code < 300, r.text
    assert r.headers["content-type"] == "application/json"
    assert not r.headers["content-type"].startswith("text/event-stream")
    assert isinstance(r.json(), (dict, list))
    assert not [h for h in r.headers if h.lower().startswith("x-ratelimit")]


def test_prism_chat_with_empty_messages_is_2xx() -> None:
    r = client("prism").post(
        "/v1/chat/completions", json={"model": "x", "messages": []}, headers={"x-api-key": "k"}
    )
    assert r.status_code == 200


def test_prism_has_no_billing_premium_or_limit_gates() -> None:
    c = client("prism", rate_limit_scale=0.001)
    free = {"x-api-key": "sk-mock-free"}
    broke = {"x-api-key": "sk-mock-broke"}
    # Premium-only endpoints and models for a free key, and a key with no money.
    assert c.post("/v1/agent/batch/completions", json=[{}], headers=free).status_code == 200
    assert (
        c.post(
            "/v1/agent/completions", json={"agent_config": {"model_name": "gpt-4.1"}}, headers=free
        ).status_code
        == 200
    )
    for _ in range(5):
        r = c.post("/v1/agent/completions", json={}, headers=broke)
        assert r.status_code == 200
    for path in (
        "/v1/swarm/logs",
        "/v1/rate/limits",
        "/v1/account/credits",
        "/v1/usage/costs",
        "/v1/agents/list",
        "/v1/metrics/summary",
        "/v1/tools/available",
        "/v1/reasoning-agent/types",
        "/v1/auto-swarm-builder/execution-types",
        "/v1/models",
        "/v1/models/available",
        "/v1/swarms/available",
        "/health",
        "/",
    ):
        r = c.get(path, headers={"x-api-key": "random"})
        assert r.status_code == 200, path


def test_prism_never_streams() -> None:
    c = client("prism")
    r = c.post(
        "/v1/agent/completions",
        headers={"x-api-key": "k"},
        json={"agent_config": {"agent_name": "A", "streaming_on": True}, "task": "t", "stream": True},
    )
    assert r.headers["content-type"] == "application/json" and r.json()["success"] is True


# -- legacy ----------------------------------------------------------------------------------------
LEGACY_KEY = {"x-api-key": "sk-mock-premium"}


def test_legacy_accepts_x_api_key_only() -> None:
    c = client("legacy")
    r = c.get("/v1/usage/costs", headers={"Authorization": "Bearer sk-mock-premium"})
    assert (r.status_code, r.json()) == (401, {"detail": "API key is required"})
    assert c.get("/v1/usage/costs", headers=LEGACY_KEY).status_code == 200


def test_legacy_flat_usage_costs() -> None:
    body = client("legacy").get("/v1/usage/costs", headers=LEGACY_KEY).json()
    assert body == {
        "swarm_completions_agent_cost": 0.01,
        "swarm_completions_input_cost_per_1m": 2.0,
        "swarm_completions_output_cost_per_1m": 4.5,
        "agent_completions_input_cost_per_1m": 2.0,
        "agent_completions_output_cost_per_1m": 4.5,
        "agent_completions_img_cost": 0.25,
        "agent_completions_mcp_cost": 0.1,
        "night_time_discount": 0.75,
        "frenzy_mode_active": False,
    }


def test_legacy_agent_batch_is_a_bare_list() -> None:
    r = client("legacy").post(
        "/v1/agent/batch/completions",
        headers=LEGACY_KEY,
        json=[{"agent_config": WRITER, "task": "a"}, {"agent_config": EDITOR, "task": "b"}],
    )
    assert r.status_code == 200
    body = r.json()
    assert isinstance(body, list) and [item["name"] for item in body] == ["Writer", "Editor"]
    for item in body:
        assert item["id"] == item["job_id"] and item["success"] is True


def test_legacy_swarm_layout_with_metadata_and_the_misspelled_type() -> None:
    c = client("legacy")
    r = c.post(
        "/v1/swarm/completions",
        headers=LEGACY_KEY,
        json={
            "name": "Legacy",
            "description": "old",
            "swarm_type": "HiearchicalSwarm",
            "agents": [WRITER, EDITOR],
            "task": "Write and edit",
        },
    )
    assert r.status_code == 200
    body = r.json()
    assert list(body) == ["status", "swarm_name", "description", "swarm_type", "task", "output", "metadata"]
    assert "job_id" not in body and body["task"] == "Write and edit"
    assert body["swarm_type"] == "HierarchicalSwarm"
    meta = body["metadata"]
    assert list(meta) == [
        "max_loops",
        "num_agents",
        "execution_time_seconds",
        "completion_time",
        "billing_info",
    ]
    info = meta["billing_info"]
    assert list(info) == ["cost_breakdown", "total_cost"]
    per_agent = info["cost_breakdown"]["token_counts"]["per_agent"]
    assert {"Writer", "Editor"} <= set(per_agent)
    # 2025-05 rule at day: tokens x agents at $2.00 / $4.50, plus $0.01 per agent.
    counts = info["cost_breakdown"]["token_counts"]
    agents = meta["num_agents"]
    expected = q(
        (Decimal(counts["total_input_tokens"]) * 2 + Decimal(counts["total_output_tokens"]) * Decimal("4.5"))
        / MILLION
        * agents
        + Decimal("0.01") * agents
    )
    assert Decimal(str(info["total_cost"])) == expected


def test_legacy_night_discount_is_75_percent_on_agent_completions_too() -> None:
    day = (
        client("legacy", DAY)
        .post("/v1/agent/completions", headers=LEGACY_KEY, json={"agent_config": WRITER, "task": "same task"})
        .json()
    )
    night = (
        client("legacy", NIGHT)
        .post("/v1/agent/completions", headers=LEGACY_KEY, json={"agent_config": WRITER, "task": "same task"})
        .json()
    )
    assert day["usage"]["input_tokens"] == night["usage"]["input_tokens"]
    assert day["usage"]["output_tokens"] == night["usage"]["output_tokens"]
    tokens = (
        Decimal(day["usage"]["input_tokens"]) * 2 + Decimal(day["usage"]["output_tokens"]) * Decimal("4.5")
    ) / MILLION
    assert Decimal(str(day["usage"]["total_cost"])) == q(tokens)
    assert Decimal(str(night["usage"]["total_cost"])) == q(tokens * Decimal("0.25"))


def test_legacy_logs_count_is_the_length() -> None:
    c = client("legacy")
    for task in ("a", "b", "c"):
        c.post("/v1/agent/completions", headers=LEGACY_KEY, json={"agent_config": WRITER, "task": task})
    body = c.get("/v1/swarm/logs", headers=LEGACY_KEY).json()
    assert body["count"] == 3 == len(body["logs"])


def test_legacy_premium_403_has_the_detail_shape() -> None:
    r = client("legacy").post(
        "/v1/agent/batch/completions",
        headers={"x-api-key": "sk-mock-free"},
        json=[{"agent_config": WRITER, "task": "a"}],
    )
    assert r.status_code == 403
    assert r.json() == {
        "detail": (
            "This endpoint is limited to premium subscribers. Your current account is on the free tier and "
            "does not include access to this feature. To unlock this endpoint and other premium features, "
            "please consider upgrading your account at https://swarms.world/platform/account. Premium "
            "subscriptions provide access to high-throughput batch processing, concurrent execution, and "
            "enterprise-scale workflow capabilities."
        )
    }


def test_legacy_serves_the_scheduler_and_auto_generate() -> None:
    c = client("legacy")
    assert c.get("/v1/swarm/schedule", headers=LEGACY_KEY).json() == {
        "status": "success",
        "scheduled_jobs": [],
    }
    assert "agent_config" in c.post("/v1/agents/auto-generate", headers=LEGACY_KEY, json={"task": "x"}).json()


def test_docs_profile_rejects_nothing_legacy_spelling_unless_switched() -> None:
    spec = {"name": "H", "swarm_type": "HiearchicalSwarm", "agents": [WRITER], "task": "t"}
    ok = client("docs").post("/v1/swarm/completions", headers=LEGACY_KEY, json=spec)
    assert ok.status_code == 200 and ok.json()["swarm_type"] == "HierarchicalSwarm"
    strict = client("docs", reject_misspelled_hierarchical=True).post(
        "/v1/swarm/completions", headers=LEGACY_KEY, json=spec
    )
    assert strict.status_code == 422
