"""Every live endpoint of reference §a in the docs profile: status, exact shape, headers, money.

Money is recomputed here from the tokens in each response with the reference §e unit prices (never
with mockswarms.engine.billing) and checked against the drop in ``/v1/account/credits`` and the log row.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockswarms.http.app import create_app

DAY = "2026-03-01T20:00:00Z"  # 12:00 in Los Angeles: no night discount
NIGHT = "2026-03-01T12:00:00Z"  # 04:00 in Los Angeles: night discount on swarms
PREMIUM = {"x-api-key": "sk-mock-premium"}
FREE = {"x-api-key": "sk-mock-free"}
IN_PRICE, OUT_PRICE = Decimal("6.50"), Decimal("18.50")
AGENT_FEE, IMG = Decimal("0.01"), Decimal("0.25")
MILLION = Decimal(1_000_000)
RATE_HEADERS = [
    "x-ratelimit-limit-minute",
    "x-ratelimit-remaining-minute",
    "x-ratelimit-limit-day",
    "x-ratelimit-remaining-day",
    "x-ratelimit-reset",
    "x-ratelimit-tier",
]
TS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$")
DOCS_SWARM_TYPES = [
    "AgentRearrange",
    "MixtureOfAgents",
    "SequentialWorkflow",
    "ConcurrentWorkflow",
    "GroupChat",
    "MultiAgentRouter",
    "AutoSwarmBuilder",
    "HierarchicalSwarm",
    "auto",
    "MajorityVoting",
    "CouncilAsAJudge",
    "HeavySwarm",
    "BatchedGridWorkflow",
    "LLMCouncil",
    "DebateWithJudge",
    "RoundRobin",
    "PlannerWorkerSwarm",
]
REASONING_TYPES = [
    "reasoning-duo",
    "self-consistency",
    "ire",
    "reasoning-agent",
    "consistency-agent",
    "ire-agent",
    "ReflexionAgent",
    "GKPAgent",
    "AgentJudge",
]
RESEARCHER = {
    "agent_name": "Researcher",
    "description": "Finds facts",
    "system_prompt": "You research carefully.",
    "model_name": "gpt-4o",
    "max_tokens": 400,
    "temperature": 0.5,
}
WRITER = {
    "agent_name": "Writer",
    "description": "Writes prose",
    "system_prompt": "You write clearly.",
    "model_name": "gpt-4o-mini",
}


def client(now: str = DAY, **settings: Any) -> TestClient:
    return TestClient(create_app(now=now, seed=1, **settings))


def q(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


def agent_cost(usage: dict[str, Any], images: int = 0) -> Decimal:
    return q(
        Decimal(usage["input_tokens"]) * IN_PRICE / MILLION
        + Decimal(usage["output_tokens"]) * OUT_PRICE / MILLION
        + IMG * images
    )


def swarm_cost(usage: dict[str, Any], agents: int, night: bool = False) -> Decimal:
    factor = Decimal("0.5") if night else Decimal(1)
    tokens = (
        Decimal(usage["input_tokens"]) * IN_PRICE + Decimal(usage["output_tokens"]) * OUT_PRICE
    ) / MILLION
    return q(tokens * factor + AGENT_FEE * agents)


def total_credits(c: TestClient, headers: dict[str, str] = PREMIUM) -> Decimal:
    body = c.get("/v1/account/credits", headers=headers).json()
    return Decimal(str(body["total_credits"]))


def d(value: float) -> Decimal:
    return Decimal(str(value))


def assert_rate_headers(response: Any, tier: str = "premium") -> None:
    for name in RATE_HEADERS:
        assert name in response.headers, name
    assert response.headers["x-ratelimit-tier"] == tier
    assert "retry-after" not in response.headers


def latest_log(c: TestClient, headers: dict[str, str] = PREMIUM) -> dict[str, Any]:
    logs = c.get("/v1/swarm/logs", headers=headers).json()["logs"]
    return logs[0]


# -- public discovery ------------------------------------------------------------------------------
def test_root_and_health_exact_bodies_without_a_key() -> None:
    c = client()
    r = c.get("/")
    assert (r.status_code, r.json()) == (
        200,
        {"status": "Welcome to the Swarm API. Check out the docs at https://docs.swarms.world"},
    )
    assert r.headers["content-type"] == "application/json"
    r = c.get("/health")
    assert (r.status_code, r.content) == (200, b'{"status":"ok"}')


def test_swarms_available_is_the_sdk_and_docs_superset() -> None:
    c = client()
    for headers in ({}, PREMIUM):
        r = c.get("/v1/swarms/available", headers=headers)
        assert r.status_code == 200
        body = r.json()
        assert list(body) == ["success", "status", "swarm_types", "timestamp"]
        assert body["success"] is True and body["status"] is True
        assert body["swarm_types"] == DOCS_SWARM_TYPES
        assert body["timestamp"] == "2026-03-01T20:00:00.000000+00:00"


def test_models_available_is_tier_filtered_and_counted() -> None:
    c = client()
    anonymous = c.get("/v1/models/available").json()
    free = c.get("/v1/models/available", headers=FREE).json()
    premium = c.get("/v1/models/available", headers=PREMIUM).json()
    for body in (anonymous, free, premium):
        assert list(body) == ["success", "count", "models"]
        assert body["success"] is True
        assert body["count"] == len(body["models"]) == len(set(body["models"]))
    assert anonymous == free
    assert "gpt-4.1" in premium["models"] and "gpt-4.1" not in free["models"]
    assert not [m for m in free["models"] if m.startswith("groq/")]
    assert set(free["models"]) < set(premium["models"])


def test_openai_models_list_format_with_bearer() -> None:
    c = client()
    r = c.get("/v1/models", headers={"Authorization": "Bearer sk-mock-premium"})
    assert r.status_code == 200
    assert_rate_headers(r)
    body = r.json()
    assert list(body) == ["object", "data"] and body["object"] == "list"
    assert [m["id"] for m in body["data"]] == c.get("/v1/models/available", headers=PREMIUM).json()["models"]
    for model in body["data"]:
        assert list(model) == ["id", "object", "created", "owned_by"]
        assert model["object"] == "model" and model["created"] == 0 and isinstance(model["owned_by"], str)
    assert {m["id"]: m["owned_by"] for m in body["data"]}["claude-sonnet-4-20250514"] == "anthropic"


def test_static_lists_reasoning_types_tools_execution_types() -> None:
    c = client()
    r = c.get("/v1/reasoning-agent/types", headers=PREMIUM)
    assert (r.status_code, r.json()) == (200, {"status": "success", "agent_types": REASONING_TYPES})
    assert_rate_headers(r)
    r = c.get("/v1/tools/available", headers=PREMIUM)
    assert (r.status_code, r.json()) == (200, {"status": "success", "tools": ["auto_search", "web_scraper"]})
    r = c.get("/v1/auto-swarm-builder/execution-types", headers=PREMIUM)
    assert (r.status_code, r.json()) == (
        200,
        ["return-agents", "return-swarm-router-config", "return-agents-objects"],
    )


def test_usage_costs_exact_body() -> None:
    r = client().get("/v1/usage/costs", headers=PREMIUM)
    assert r.status_code == 200
    assert_rate_headers(r)
    assert r.json() == {
        "usage_pricing": {
            "swarm_completions_agent_cost": 0.01,
            "swarm_completions_input_cost_per_1m": 6.5,
            "swarm_completions_output_cost_per_1m": 18.5,
            "agent_completions_input_cost_per_1m": 6.5,
            "agent_completions_output_cost_per_1m": 18.5,
            "agent_completions_img_cost": 0.25,
            "agent_completions_mcp_cost": 0.1,
            "search_cost": 0.04,
            "scrape_cost": 0.15,
            "night_time_discount": 0.5,
        },
        "timestamp": "2026-03-01T20:00:00.000000+00:00",
    }


def test_account_credits_arithmetic_for_configured_balances() -> None:
    c = client(
        accounts=[
            {
                "key": "sk-rich",
                "tier": "premium",
                "credit": "50.00",
                "free_credit": "20.00",
                "referral_credits": "5.00",
            }
        ]
    )
    r = c.get("/v1/account/credits", headers={"x-api-key": "sk-rich"})
    assert r.status_code == 200
    assert r.json() == {"credit": 50.0, "free_credit": 20.0, "referral_credits": 5.0, "total_credits": 75.0}
    assert client().get("/v1/account/credits", headers=FREE).json() == {
        "credit": 0.0,
        "free_credit": 20.0,
        "referral_credits": 0.0,
        "total_credits": 20.0,
    }


# -- agent completions -----------------------------------------------------------------------------
def test_agent_completion_shape_billing_credits_and_log_agree() -> None:
    c = client()
    before = total_credits(c)
    r = c.post(
        "/v1/agent/completions",
        headers=PREMIUM,
        json={
            "agent_config": RESEARCHER,
            "task": "Summarize the state of solar power in 2025.",
            "img": "https://example.com/chart.png",
        },
    )
    assert r.status_code == 200
    assert_rate_headers(r)
    body = r.json()
    assert list(body) == [
        "job_id",
        "success",
        "name",
        "description",
        "temperature",
        "outputs",
        "usage",
        "timestamp",
    ]
    assert re.fullmatch(r"agent-[0-9a-f]{32}", body["job_id"])
    assert body["success"] is True and body["name"] == "Researcher" and body["description"] == "Finds facts"
    assert body["temperature"] == 0.5
    assert TS.match(body["timestamp"])
    assert isinstance(body["outputs"], list) and body["outputs"]
    for message in body["outputs"]:
        assert list(message) == ["role", "content", "timestamp", "message_id"]
        assert message["role"] == "Researcher" and message["content"]
        assert re.fullmatch(
            r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", message["message_id"]
        )
    usage = body["usage"]
    assert list(usage) == ["input_tokens", "output_tokens", "total_tokens", "img_cost", "total_cost"]
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    assert usage["input_tokens"] > 0 and 0 < usage["output_tokens"] <= 400
    assert usage["img_cost"] == 0.25
    cost = agent_cost(usage, images=1)
    assert d(usage["total_cost"]) == cost
    assert before - total_credits(c) == cost
    row = latest_log(c)
    assert row["category"] == "completion" and row["data"] == body
    assert d(row["data"]["usage"]["total_cost"]) == cost


def test_free_credit_is_spent_before_credit() -> None:
    c = client(accounts=[{"key": "sk-mixed", "tier": "premium", "credit": "10", "free_credit": "0.000100"}])
    h = {"x-api-key": "sk-mixed"}
    usage = c.post(
        "/v1/agent/completions", headers=h, json={"agent_config": RESEARCHER, "task": "Explain tides."}
    ).json()["usage"]
    cost = agent_cost(usage)
    assert cost > Decimal("0.0001")
    after = c.get("/v1/account/credits", headers=h).json()
    assert after["free_credit"] == 0.0
    assert d(after["credit"]) == Decimal("10") - (cost - Decimal("0.0001"))


def test_agent_batch_envelope_in_order_and_billed_per_item() -> None:
    c = client()
    before = total_credits(c)
    items = [{"agent_config": RESEARCHER, "task": "Task one"}, {"agent_config": WRITER, "task": "Task two"}]
    r = c.post("/v1/agent/batch/completions", headers=PREMIUM, json=items)
    assert r.status_code == 200
    assert_rate_headers(r)
    body = r.json()
    assert list(body) == ["batch_id", "total_requests", "execution_time", "timestamp", "results"]
    assert body["batch_id"].startswith("agent-batch-")
    assert body["total_requests"] == 2 and isinstance(body["execution_time"], float)
    assert [res["name"] for res in body["results"]] == ["Researcher", "Writer"]
    assert len({res["job_id"] for res in body["results"]}) == 2
    total = sum((agent_cost(res["usage"]) for res in body["results"]), Decimal(0))
    for res in body["results"]:
        assert d(res["usage"]["total_cost"]) == agent_cost(res["usage"])
    assert before - total_credits(c) == total


def test_agent_batch_cap_is_ten_with_the_exact_text() -> None:
    c = client()
    ten = [{"agent_config": WRITER, "task": f"t{i}"} for i in range(10)]
    assert c.post("/v1/agent/batch/completions", headers=PREMIUM, json=ten).status_code == 200
    before = total_credits(c)
    r = c.post("/v1/agent/batch/completions", headers=PREMIUM, json=[*ten, ten[0]])
    assert r.status_code == 400
    assert r.json() == {
        "detail": "ERROR: BATCH SIZE EXCEEDED - You can only run up to 10 batch agents at a time."
    }
    assert total_credits(c) == before


def test_agents_list_returns_unique_configs_of_the_user() -> None:
    c = client()
    empty = c.get("/v1/agents/list", headers=PREMIUM).json()
    assert empty["success"] is True and empty["count"] == 0 and empty["agents"] == []
    for _ in range(2):
        c.post("/v1/agent/completions", headers=PREMIUM, json={"agent_config": RESEARCHER, "task": "x"})
    c.post("/v1/agent/completions", headers=PREMIUM, json={"agent_config": WRITER, "task": "y"})
    r = c.get("/v1/agents/list", headers=PREMIUM)
    assert r.status_code == 200
    body = r.json()
    assert list(body) == ["success", "count", "agents", "timestamp"]
    assert body["count"] == 2 == len(body["agents"])
    assert sorted(a["agent_name"] for a in body["agents"]) == ["Researcher", "Writer"]
    assert all("task" not in a for a in body["agents"])


# -- swarms ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "swarm_type",
    [
        "SequentialWorkflow",
        "ConcurrentWorkflow",
        "AgentRearrange",
        "MixtureOfAgents",
        "GroupChat",
        "MajorityVoting",
    ],
)
def test_swarm_completion_shape_and_day_billing(swarm_type: str) -> None:
    c = client()
    before = total_credits(c)
    spec: dict[str, Any] = {
        "name": "Energy desk",
        "description": "Two analysts",
        "swarm_type": swarm_type,
        "agents": [RESEARCHER, WRITER],
        "task": "Assess battery storage economics.",
    }
    if swarm_type == "AgentRearrange":
        spec["rearrange_flow"] = "Researcher -> Writer"
    r = c.post("/v1/swarm/completions", headers=PREMIUM, json=spec)
    assert r.status_code == 200, r.text
    assert_rate_headers(r)
    body = r.json()
    assert list(body) == [
        "job_id",
        "status",
        "swarm_name",
        "description",
        "swarm_type",
        "output",
        "number_of_agents",
        "service_tier",
        "execution_time",
        "usage",
    ]
    assert re.fullmatch(r"swarms-[A-Za-z0-9]{28}", body["job_id"])
    assert (body["status"], body["swarm_name"], body["swarm_type"]) == ("success", "Energy desk", swarm_type)
    # Some types add their own agents (MajorityVoting's consensus agent): bill what the response reports.
    agents = body["number_of_agents"]
    assert agents >= 2 and body["service_tier"] == "standard"
    assert isinstance(body["execution_time"], float) and body["output"]
    usage = body["usage"]
    assert list(usage) == ["input_tokens", "output_tokens", "total_tokens", "billing_info"]
    info = usage["billing_info"]
    assert list(info) == [
        "cost_breakdown",
        "total_cost",
        "discount_active",
        "discount_type",
        "discount_percentage",
    ]
    breakdown = info["cost_breakdown"]
    assert list(breakdown) == [
        "agent_cost",
        "input_token_cost",
        "output_token_cost",
        "token_counts",
        "num_agents",
        "night_time_discount_applied",
    ]
    assert breakdown["token_counts"] == {
        "total_input_tokens": usage["input_tokens"],
        "total_output_tokens": usage["output_tokens"],
        "total_tokens": usage["total_tokens"],
    }
    assert d(breakdown["agent_cost"]) == AGENT_FEE * agents and breakdown["num_agents"] == agents
    assert d(breakdown["input_token_cost"]) == q(Decimal(usage["input_tokens"]) * IN_PRICE / MILLION)
    assert d(breakdown["output_token_cost"]) == q(Decimal(usage["output_tokens"]) * OUT_PRICE / MILLION)
    assert (info["discount_active"], info["discount_type"], info["discount_percentage"]) == (False, "none", 0)
    assert breakdown["night_time_discount_applied"] is False
    cost = swarm_cost(usage, agents)
    assert d(info["total_cost"]) == cost
    assert before - total_credits(c) == cost
    row = latest_log(c)
    assert row["data"]["job_id"] == body["job_id"]
    assert d(row["data"]["usage"]["billing_info"]["total_cost"]) == cost


def test_swarm_night_discount_halves_token_costs_only() -> None:
    c = client(now=NIGHT)
    before = total_credits(c)
    body = c.post(
        "/v1/swarm/completions",
        headers=PREMIUM,
        json={
            "name": "Night",
            "swarm_type": "SequentialWorkflow",
            "agents": [RESEARCHER, WRITER, {**WRITER, "agent_name": "Editor"}],
            "task": "Draft a memo.",
            "tasks": None,
        },
    ).json()
    info = body["usage"]["billing_info"]
    assert (info["discount_active"], info["discount_type"], info["discount_percentage"]) == (
        True,
        "night_time",
        50,
    )
    assert info["cost_breakdown"]["night_time_discount_applied"] is True
    assert info["cost_breakdown"]["agent_cost"] == 0.03
    cost = swarm_cost(body["usage"], 3, night=True)
    assert d(info["total_cost"]) == cost
    assert before - total_credits(c) == cost
    # The agent endpoint is never discounted at night.
    usage = c.post(
        "/v1/agent/completions", headers=PREMIUM, json={"agent_config": WRITER, "task": "x"}
    ).json()["usage"]
    assert d(usage["total_cost"]) == agent_cost(usage)


def test_swarm_echoes_tasks_and_messages() -> None:
    body = (
        client()
        .post(
            "/v1/swarm/completions",
            headers=PREMIUM,
            json={
                "name": "T",
                "swarm_type": "ConcurrentWorkflow",
                "agents": [WRITER],
                "tasks": ["a", "b"],
                "messages": [{"role": "user", "content": "hello"}],
            },
        )
        .json()
    )
    assert body["tasks"] == ["a", "b"]
    assert body["messages"] == [{"role": "user", "content": "hello"}]


def test_swarm_batch_array_in_request_order_with_per_item_errors() -> None:
    c = client()
    before = total_credits(c)
    specs = [
        {"name": "First", "swarm_type": "SequentialWorkflow", "agents": [RESEARCHER], "task": "one"},
        {"name": "Broken", "swarm_type": "ConcurrentWorkflow", "agents": [WRITER]},
        {
            "name": "Third",
            "swarm_type": "ConcurrentWorkflow",
            "agents": [RESEARCHER, WRITER],
            "task": "three",
        },
    ]
    r = c.post("/v1/swarm/batch/completions", headers=PREMIUM, json=specs)
    assert r.status_code == 200
    assert_rate_headers(r)
    body = r.json()
    assert isinstance(body, list) and [item["swarm_name"] for item in body] == ["First", "Broken", "Third"]
    assert body[1] == {
        "status": "error",
        "swarm_name": "Broken",
        "detail": "Failed to run swarm: There is no task or tasks or messages provided. "
        "Please provide a valid task description to proceed.",
    }
    total = Decimal(0)
    for item, agents in ((body[0], 1), (body[2], 2)):
        assert list(item) == ["status", "swarm_name", "result", "usage"] and item["status"] == "success"
        cost = swarm_cost(item["usage"], agents)
        assert d(item["usage"]["billing_info"]["total_cost"]) == cost
        total += cost
    assert before - total_credits(c) == total


# -- logs ------------------------------------------------------------------------------------------
def test_logs_newest_first_masked_and_shared_by_all_keys_of_a_user() -> None:
    c = client(
        accounts=[
            {"key": "sk-team-alpha-0001", "user_id": "team", "tier": "premium", "credit": "30"},
            {"key": "sk-team-beta-0002", "user_id": "team", "tier": "premium", "credit": "30"},
            {"key": "sk-other-0003", "tier": "premium", "credit": "30"},
        ]
    )
    alpha, beta = {"x-api-key": "sk-team-alpha-0001"}, {"x-api-key": "sk-team-beta-0002"}
    first = c.post("/v1/agent/completions", headers=alpha, json={"agent_config": WRITER, "task": "a"}).json()
    second = c.post(
        "/v1/swarm/completions",
        headers=beta,
        json={"name": "S", "swarm_type": "SequentialWorkflow", "agents": [WRITER], "task": "b"},
    ).json()
    c.post(
        "/v1/agent/completions",
        headers={"x-api-key": "sk-other-0003"},
        json={"agent_config": WRITER, "task": "c"},
    )
    for headers in (alpha, beta):
        r = c.get("/v1/swarm/logs", headers=headers)
        assert r.status_code == 200
        assert_rate_headers(r)
        body = r.json()
        assert list(body) == ["status", "count", "logs", "timestamp"]
        assert body["status"] == "success" and body["count"] is None
        logs = body["logs"]
        assert [row["data"]["job_id"] for row in logs] == [second["job_id"], first["job_id"]]
        assert [row["api_key"] for row in logs] == ["…0002", "…0001"]
        for row in logs:
            # The API's five keys, plus the amount charged (sum of rows == drop in balance).
            assert list(row) == ["id", "created_at", "api_key", "category", "data", "cost"]
            assert row["category"] == "completion" and TS.match(row["created_at"])
        assert logs[0]["id"] > logs[1]["id"]
    # Balances are per user too: both keys see the same credits.
    assert total_credits(c, alpha) == total_credits(c, beta)


def test_a_second_key_without_balances_does_not_zero_the_shared_user() -> None:
    c = client(
        accounts=[
            {"key": "sk-team-a", "user_id": "team", "tier": "premium", "credit": "30"},
            {"key": "sk-team-b", "user_id": "team", "tier": "premium"},
        ]
    )
    assert total_credits(c, {"x-api-key": "sk-team-b"}) == Decimal("30")


# -- chat completions ------------------------------------------------------------------------------
def test_chat_completion_openai_format_and_billing() -> None:
    c = client()
    before = total_credits(c)
    r = c.post(
        "/v1/chat/completions",
        headers={"Authorization": "Bearer sk-mock-premium"},
        json={
            "model": "gpt-4o",
            "messages": [
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": "What is a qubit?"},
            ],
        },
    )
    assert r.status_code == 200
    assert_rate_headers(r)
    body = r.json()
    assert list(body) == ["id", "object", "created", "model", "choices", "usage"]
    assert re.fullmatch(r"chatcmpl-[0-9a-f]{27}", body["id"])
    assert body["object"] == "chat.completion" and body["model"] == "gpt-4o"
    assert body["created"] == 1772395200  # 2026-03-01T20:00:00Z
    assert len(body["choices"]) == 1
    choice = body["choices"][0]
    assert choice["index"] == 0 and choice["finish_reason"] == "stop"
    assert choice["message"]["role"] == "assistant" and choice["message"]["content"]
    usage = body["usage"]
    assert list(usage) == ["prompt_tokens", "completion_tokens", "total_tokens"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    cost = agent_cost({"input_tokens": usage["prompt_tokens"], "output_tokens": usage["completion_tokens"]})
    assert before - total_credits(c) == cost


@pytest.mark.parametrize(
    ("payload", "message", "param"),
    [
        (
            {"model": "gpt-4o", "n": 2, "messages": [{"role": "user", "content": "hi"}]},
            "Only n=1 is supported; n > 1 is not available.",
            "n",
        ),
        (
            {"model": "gpt-4o", "messages": [{"role": "system", "content": "only system"}]},
            "At least one message with role 'user' is required.",
            "messages",
        ),
        (
            {"model": "gpt-4o", "messages": []},
            "At least one message with role 'user' is required.",
            "messages",
        ),
    ],
)
def test_chat_completion_openai_errors(payload: dict[str, Any], message: str, param: str) -> None:
    c = client()
    before = total_credits(c)
    r = c.post("/v1/chat/completions", headers=PREMIUM, json=payload)
    assert r.status_code == 400
    assert r.json() == {
        "error": {
            "message": message,
            "type": "invalid_request_error",
            "code": "invalid_request",
            "param": param,
        }
    }
    assert total_credits(c) == before


# -- reasoning, ASB, research, marketplace, workflows ----------------------------------------------
def test_reasoning_agent_completion() -> None:
    c = client()
    before = total_credits(c)
    r = c.post(
        "/v1/reasoning-agent/completions",
        headers=PREMIUM,
        json={
            "agent_name": "Thinker",
            "model_name": "gpt-4o",
            "swarm_type": "self-consistency",
            "num_samples": 3,
            "task": "Is 1001 prime?",
        },
    )
    assert r.status_code == 200
    assert_rate_headers(r)
    body = r.json()
    assert list(body)[:8] == [
        "job_id",
        "status",
        "outputs",
        "timestamp",
        "agent_name",
        "agent_type",
        "agent_id",
        "usage",
    ]
    assert body["status"] == "success" and body["agent_name"] == "Thinker"
    assert body["agent_type"] == "self-consistency" and body["outputs"]
    usage = body["usage"]
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    assert before - total_credits(c) == agent_cost(usage)


@pytest.mark.parametrize(
    ("execution_type", "key"),
    [
        ("return-agents", "agents"),
        ("return-swarm-router-config", "router_config"),
        ("return-agents-objects", "agent_objects"),
    ],
)
def test_auto_swarm_builder(execution_type: str, key: str) -> None:
    r = client().post(
        "/v1/auto-swarm-builder/completions",
        headers=PREMIUM,
        json={
            "name": "Builder",
            "task": "Plan a product launch",
            "model_name": "gpt-4o",
            "execution_type": execution_type,
        },
    )
    assert r.status_code == 200
    body = r.json()
    assert body["success"] is True and body["type"] == execution_type
    assert body["job_id"] and TS.match(body["timestamp"]) and isinstance(body["outputs"], dict)
    assert key in body["outputs"]
    if execution_type == "return-swarm-router-config":
        assert body["outputs"]["swarm_type"] == "MultiAgentRouter"


def test_advanced_research_single_and_batch() -> None:
    c = client()
    before = total_credits(c)
    r = c.post(
        "/v1/advanced-research/completions",
        headers=PREMIUM,
        json={
            "config": {"name": "Market Research", "description": "AI market", "exa_search_num_results": 3},
            "task": "Size the AI chip market",
        },
    )
    assert r.status_code == 200
    body = r.json()
    assert list(body) == [
        "id",
        "name",
        "description",
        "outputs",
        "timestamp",
        "sources",
        "characters_per_source",
        "usage",
    ]
    assert (body["name"], body["description"], body["sources"], body["characters_per_source"]) == (
        "Market Research",
        "AI market",
        3,
        100,
    )
    usage = body["usage"]
    cost = q((Decimal(usage["input_tokens"]) * 20 + Decimal(usage["output_tokens"]) * 60) / MILLION)
    assert d(usage["total_cost_usd"]) == cost
    assert before - total_credits(c) == cost
    r = c.post(
        "/v1/advanced-research/batch/completions",
        headers=PREMIUM,
        json={"input_schemas": [{"config": None, "task": "one"}, {"config": {"name": "B"}, "task": "two"}]},
    )
    assert r.status_code == 200
    items = r.json()
    assert isinstance(items, list) and [i["name"] for i in items] == ["Advanced Research", "B"]
    assert all("outputs" in i for i in items)


def test_marketplace_agents() -> None:
    c = client()
    r = c.post("/v1/marketplace/agents", headers=PREMIUM, json={"number_of_items": 3})
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "success" and body["total_count"] == 3 == len(body["prompts"])
    for prompt in body["prompts"]:
        assert {"id", "created_at", "user_id"} <= set(prompt)
    assert len(c.post("/v1/marketplace/agents", headers=PREMIUM, json={}).json()["prompts"]) == 10
    assert c.get("/v1/marketplace/agents", headers=PREMIUM).status_code == 405


def test_batched_grid_workflow() -> None:
    c = client()
    before = total_credits(c)
    r = c.post(
        "/v1/batched-grid-workflow/completions",
        headers=PREMIUM,
        json={
            "name": "Grid",
            "description": "Agents x tasks",
            "agent_completions": [RESEARCHER, WRITER],
            "tasks": ["phones", "laptops", "tablets"],
            "max_loops": 1,
        },
    )
    assert r.status_code == 200
    assert_rate_headers(r)
    body = r.json()
    assert list(body) == ["job_id", "name", "description", "status", "outputs", "usage", "timestamp"]
    assert body["job_id"].startswith("batched-grid-workflow-") and body["status"] == "success"
    assert len(body["outputs"]) == 3
    assert all(sorted(cell) == ["Researcher", "Writer"] for cell in body["outputs"])
    usage = body["usage"]
    assert list(usage) == ["input_tokens", "output_tokens", "total_tokens", "token_cost", "cost_per_agent"]
    tokens = q(
        (Decimal(usage["input_tokens"]) * IN_PRICE + Decimal(usage["output_tokens"]) * OUT_PRICE) / MILLION
    )
    assert d(usage["token_cost"]) == tokens and usage["cost_per_agent"] == 0.02
    assert before - total_credits(c) == tokens + Decimal("0.02")


def test_graph_workflow() -> None:
    c = client()
    before = total_credits(c)
    r = c.post(
        "/v1/graph-workflow/completions",
        headers=PREMIUM,
        json={
            "name": "Research-Analysis",
            "description": "Two steps",
            "agents": [RESEARCHER, WRITER],
            "edges": [{"source": "Researcher", "target": "Writer"}],
            "entry_points": ["Researcher"],
            "end_points": ["Writer"],
            "task": "Explain fusion",
        },
    )
    assert r.status_code == 200
    body = r.json()
    assert list(body) == ["job_id", "name", "description", "status", "outputs", "usage", "timestamp"]
    assert body["job_id"].startswith("graph-workflow-") and sorted(body["outputs"]) == [
        "Researcher",
        "Writer",
    ]
    usage = body["usage"]
    assert usage["cost_per_agent"] == 0.02
    tokens = q(
        (Decimal(usage["input_tokens"]) * IN_PRICE + Decimal(usage["output_tokens"]) * OUT_PRICE) / MILLION
    )
    assert d(usage["token_cost"]) == tokens
    assert before - total_credits(c) == tokens + Decimal("0.02")


# -- limits and metrics ----------------------------------------------------------------------------
def test_rate_limits_body_matches_headers_and_counts_completions() -> None:
    c = client()
    c.post("/v1/agent/completions", headers=FREE, json={"agent_config": WRITER, "task": "x"})
    c.get("/v1/tools/available", headers=FREE)  # GETs do not count
    r = c.get("/v1/rate/limits", headers=FREE)
    assert r.status_code == 200
    assert_rate_headers(r, "free")
    body = r.json()
    assert list(body) == ["success", "rate_limits", "limits", "tier", "timestamp"]
    assert body["limits"] == {
        "maximum_requests_per_minute": 100,
        "maximum_requests_per_hour": 350,
        "maximum_requests_per_day": 1200,
        "tokens_per_agent": 200000,
    }
    assert body["tier"] == "free" and body["success"] is True
    for name, limit in (("minute", 100), ("hour", 350), ("day", 1200)):
        window = body["rate_limits"][name]
        assert list(window) == ["count", "limit", "exceeded", "remaining", "reset_time"]
        assert (window["count"], window["limit"], window["exceeded"], window["remaining"]) == (
            1,
            limit,
            False,
            limit - 1,
        )
    assert r.headers["x-ratelimit-remaining-minute"] == "99"
    assert r.headers["x-ratelimit-remaining-day"] == "1199"
    assert r.headers["x-ratelimit-reset"] == str(1772395200 + 60)
    premium = c.get("/v1/rate/limits", headers=PREMIUM).json()["limits"]
    assert premium == {
        "maximum_requests_per_minute": 2000,
        "maximum_requests_per_hour": 10000,
        "maximum_requests_per_day": 100000,
        "tokens_per_agent": 2000000,
    }


def test_metrics_summary_counts_completions() -> None:
    c = client()
    for agent in (RESEARCHER, WRITER, WRITER):
        c.post("/v1/agent/completions", headers=PREMIUM, json={"agent_config": agent, "task": "x"})
    r = c.get("/v1/metrics/summary", headers=PREMIUM)
    assert r.status_code == 200
    assert_rate_headers(r)
    assert r.json() == {
        "success": True,
        "unique_agents": 2,
        "total_completion_calls": 3,
        "successful_completions": 3,
        "completions_last_24h": 3,
        "completions_last_7d": 3,
        "timestamp": "2026-03-01T20:00:00.000000+00:00",
    }


def test_openapi_json_is_the_checked_in_contract() -> None:
    r = client().get("/openapi.json")
    assert r.status_code == 200
    with open("contracts/swarms-api.openapi.json", "rb") as handle:
        assert r.content == handle.read()
    assert r.json()["openapi"].startswith("3.")


# -- switched-off endpoints ------------------------------------------------------------------------
OFF = [
    ("GET", "/v1/usage/report", None),
    ("POST", "/v1/swarm/schedule", {}),
    ("GET", "/v1/swarm/schedule", None),
    ("DELETE", "/v1/swarm/schedule/job-1", None),
    ("POST", "/v1/agents/auto-generate", {"task": "x"}),
    ("POST", "/v1/agents/completions", {}),
    ("POST", "/v1/swarm/cost-prediction", {}),
]


@pytest.mark.parametrize(("method", "path", "payload"), OFF)
def test_not_live_endpoints_are_404_by_default(method: str, path: str, payload: Any) -> None:
    c = client()
    for headers in (PREMIUM, {}):
        r = c.request(method, path, headers=headers, json=payload)
        assert (r.status_code, r.json()) == (404, {"detail": "Not Found"})


def test_usage_report_when_switched_on() -> None:
    c = client(enable_usage_report=True)
    usage = c.post(
        "/v1/agent/completions", headers=PREMIUM, json={"agent_config": WRITER, "task": "x"}
    ).json()["usage"]
    r = c.get("/v1/usage/report", headers=PREMIUM, params={"period": "day"})
    assert r.status_code == 200
    body = r.json()
    assert (body["period"], body["start_date"], body["end_date"]) == ("day", "2026-03-01", "2026-03-01")
    assert body["results"] == [
        {
            "day": "2026-03-01",
            "total_cost": usage["total_cost"],
            "input_tokens": usage["input_tokens"],
            "output_tokens": usage["output_tokens"],
            "request_count": 1,
        }
    ]
    bad = c.get(
        "/v1/usage/report", headers=PREMIUM, params={"start_date": "2026-03-02", "end_date": "2026-03-01"}
    )
    assert bad.status_code == 400


def test_auto_generate_when_switched_on() -> None:
    r = client(enable_auto_generate=True).post(
        "/v1/agents/auto-generate", headers=PREMIUM, json={"task": "Analyse AI company financials"}
    )
    assert r.status_code == 200
    config = r.json()["agent_config"]
    assert list(r.json()) == ["agent_config"]
    assert {
        "agent_name",
        "description",
        "system_prompt",
        "model_name",
        "max_loops",
        "max_tokens",
        "temperature",
    } <= set(config)


def test_scheduler_runs_a_due_job_when_the_clock_advances() -> None:
    c = client(enable_scheduling=True)
    before = total_credits(c)
    spec = {
        "name": "Nightly report",
        "swarm_type": "SequentialWorkflow",
        "agents": [WRITER],
        "task": "Report",
        "schedule": {"scheduled_time": "2026-03-01T21:00:00Z", "timezone": "UTC"},
    }
    r = c.post("/v1/swarm/schedule", headers=PREMIUM, json=spec)
    assert r.status_code == 200
    created = r.json()
    assert created == {
        "status": "success",
        "message": "Swarm scheduled successfully",
        "job_id": f"swarm_nightly_report_{1772395200}",
        "scheduled_time": "2026-03-01T21:00:00Z",
        "timezone": "UTC",
    }
    listed = c.get("/v1/swarm/schedule", headers=PREMIUM).json()
    assert listed == {
        "status": "success",
        "scheduled_jobs": [
            {
                "job_id": created["job_id"],
                "swarm_name": "Nightly report",
                "scheduled_time": "2026-03-01T21:00:00Z",
                "timezone": "UTC",
            }
        ],
    }
    assert c.get("/v1/swarm/logs", headers=PREMIUM).json()["logs"] == []
    assert c.put("/__mockswarms/clock", json={"advance_seconds": 3600}).status_code == 200
    assert c.get("/v1/swarm/schedule", headers=PREMIUM).json() == {"status": "success", "scheduled_jobs": []}
    logs = c.get("/v1/swarm/logs", headers=PREMIUM).json()["logs"]
    assert len(logs) == 1 and logs[0]["data"]["swarm_name"] == "Nightly report"
    cost = d(logs[0]["data"]["usage"]["billing_info"]["total_cost"])
    assert cost == swarm_cost(logs[0]["data"]["usage"], 1)
    assert before - total_credits(c) == cost
    missing = c.delete("/v1/swarm/schedule/nope", headers=PREMIUM)
    assert (missing.status_code, missing.json()) == (404, {"detail": "Scheduled job not found"})
    no_schedule = c.post("/v1/swarm/schedule", headers=PREMIUM, json={**spec, "schedule": None})
    assert (no_schedule.status_code, no_schedule.json()) == (
        400,
        {"detail": "Schedule information is required"},
    )


def test_scheduled_job_can_be_cancelled() -> None:
    c = client(enable_scheduling=True)
    spec = {
        "name": "Later",
        "agents": [WRITER],
        "task": "x",
        "schedule": {"scheduled_time": "2026-03-02T00:00:00Z"},
    }
    job_id = c.post("/v1/swarm/schedule", headers=PREMIUM, json=spec).json()["job_id"]
    r = c.delete(f"/v1/swarm/schedule/{job_id}", headers=PREMIUM)
    assert r.json() == {
        "status": "success",
        "message": "Scheduled job cancelled successfully",
        "job_id": job_id,
    }
    c.put("/__mockswarms/clock", json={"advance_seconds": 86400})
    assert c.get("/v1/swarm/schedule", headers=PREMIUM).json()["scheduled_jobs"] == []
    assert c.get("/v1/swarm/logs", headers=PREMIUM).json()["logs"] == []


def test_two_jobs_of_one_name_in_one_second_have_their_own_ids() -> None:
    """The 2025 id (name + second) repeated: cancelling team A's job cancelled team B's too."""
    c = client(enable_scheduling=True)

    def schedule(task: str, at: str) -> str:
        spec = {
            "name": "Nightly report",
            "agents": [WRITER],
            "task": task,
            "schedule": {"scheduled_time": at},
        }
        reply = c.post("/v1/swarm/schedule", headers=PREMIUM, json=spec)
        assert reply.status_code == 200
        return str(reply.json()["job_id"])

    first = schedule("team A", "2026-03-02T00:00:00Z")
    second = schedule("team B", "2026-03-02T01:00:00Z")
    third = schedule("team C", "2026-03-02T02:00:00Z")
    assert (first, second, third) == (
        "swarm_nightly_report_1772395200",
        "swarm_nightly_report_1772395200_2",
        "swarm_nightly_report_1772395200_3",
    )
    assert c.delete(f"/v1/swarm/schedule/{first}", headers=PREMIUM).status_code == 200
    listed = c.get("/v1/swarm/schedule", headers=PREMIUM).json()["scheduled_jobs"]
    assert [job["job_id"] for job in listed] == [second, third]


def test_pending_scheduled_jobs_per_user_are_capped() -> None:
    from mockswarms.engine.scheduler import MAX_SCHEDULED_JOBS

    c = client(enable_scheduling=True)
    spec = {
        "name": "J",
        "agents": [WRITER],
        "task": "x",
        "schedule": {"scheduled_time": "2026-03-02T00:00:00Z"},
    }
    for _ in range(MAX_SCHEDULED_JOBS):
        assert c.post("/v1/swarm/schedule", headers=PREMIUM, json=spec).status_code == 200
    refused = c.post("/v1/swarm/schedule", headers=PREMIUM, json=spec)
    assert (refused.status_code, refused.json()) == (
        400,
        {"detail": "Too many scheduled jobs: at most 100 per user; cancel one first"},
    )
    assert len(c.get("/v1/swarm/schedule", headers=PREMIUM).json()["scheduled_jobs"]) == MAX_SCHEDULED_JOBS


@pytest.mark.parametrize(
    ("swarm_type", "combine"), [("SequentialWorkflow", sum), ("ConcurrentWorkflow", max)]
)
def test_execution_time_is_simulated_from_tokens(swarm_type: str, combine: Any) -> None:
    """0.5 s to the first token + 50 tokens/s per agent (NOMINAL_PACING); sequential agents add up,
    concurrent ones overlap. Never wall time: the same request always reports the same duration."""
    from mockswarms.tokenizer import count_tokens

    client = TestClient(create_app(now="2026-03-01T12:00:00Z"), headers={"x-api-key": "sk-mock-premium"})
    agents = [{"agent_name": n, "model_name": "gpt-4o"} for n in ("A", "B", "C")]
    body = client.post(
        "/v1/swarm/completions", json={"swarm_type": swarm_type, "task": "t", "agents": agents}
    ).json()
    per_agent = [0.5 + count_tokens(item["content"]) / 50 for item in body["output"]]
    assert body["execution_time"] == pytest.approx(combine(per_agent), abs=1e-6)
