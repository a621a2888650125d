"""Every swarm type bills and reports the agents the request declares: a built-in consensus, director,
aggregator, router, chairman, planner or judge still speaks (its tokens are billed) but is not an agent
of the request, so ``agent_cost = num_agents x 0.01`` counts the declared agents only (reference §e).
A self-staffed type sent no agents counts the agents it staffed; MALT reports 14 (reference b.7)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockswarms.http.app import create_app

PREMIUM = {"x-api-key": "sk-mock-premium"}
DAY = "2026-03-02T20:00:00Z"  # noon in Los Angeles: no night discount
IN_PRICE, OUT_PRICE, MILLION = Decimal("6.50"), Decimal("18.50"), Decimal(1_000_000)
AGENTS = [{"agent_name": name, "model_name": "gpt-4o"} for name in ("Analyst", "Critic", "Editor")]


def _credits(client: TestClient) -> Decimal:
    return Decimal(str(client.get("/v1/account/credits", headers=PREMIUM).json()["total_credits"]))


def _q(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


def _run(swarm_type: str, agents: list[dict[str, str]]) -> tuple[dict[str, Any], Decimal]:
    """The response body of one swarm run and what it took from the balance."""
    with TestClient(create_app(now=DAY, seed=3)) as client:
        before = _credits(client)
        body: dict[str, Any] = {"swarm_type": swarm_type, "task": "Pick the best launch plan"}
        if agents:
            body["agents"] = agents
        response = client.post("/v1/swarm/completions", headers=PREMIUM, json=body)
        assert response.status_code == 200, response.text
        return response.json(), before - _credits(client)


def _speakers(output: Any) -> set[str]:
    items = output if isinstance(output, list) else []
    return {str(item.get("role", item.get("agent_name"))) for item in items if isinstance(item, dict)}


def _assert_billed_for(body: dict[str, Any], charged: Decimal, agents: int) -> None:
    assert body["number_of_agents"] == agents
    usage = body["usage"]
    breakdown = usage["billing_info"]["cost_breakdown"]
    agent_cost = Decimal(agents) * Decimal("0.01")
    assert (breakdown["num_agents"], Decimal(str(breakdown["agent_cost"]))) == (agents, agent_cost)
    # The total is the exact sum rounded once (engine/billing.py, reference §e).
    tokens = (
        Decimal(usage["input_tokens"]) * IN_PRICE + Decimal(usage["output_tokens"]) * OUT_PRICE
    ) / MILLION
    total = Decimal(str(usage["billing_info"]["total_cost"]))
    assert total == _q(agent_cost + tokens)
    assert charged == total


# swarm type, declared agents, a built-in agent that speaks in the run
BUILT_IN_HELPERS = [
    ("MajorityVoting", AGENTS, "Consensus-Agent"),
    ("HierarchicalSwarm", AGENTS, "Director"),
    ("MixtureOfAgents", AGENTS[:1], "Aggregator-Agent"),
    ("MultiAgentRouter", AGENTS[:1], "MultiAgentRouter"),
    ("LLMCouncil", AGENTS, "Chairman"),
    ("PlannerWorkerSwarm", AGENTS, "Planner"),
    ("DeepResearchSwarm", AGENTS, "Research-Synthesizer"),
    ("CouncilAsAJudge", AGENTS[:2], "aggregator_agent"),
    ("DebateWithJudge", AGENTS[:1], "Judge-Agent"),
    ("HeavySwarm", AGENTS[:2], "Synthesis-Agent"),
]


@pytest.mark.parametrize(
    ("swarm_type", "agents", "helper"), BUILT_IN_HELPERS, ids=[t[0] for t in BUILT_IN_HELPERS]
)
def test_built_in_helpers_are_not_billed_as_agents(
    swarm_type: str, agents: list[dict[str, str]], helper: str
) -> None:
    body, charged = _run(swarm_type, agents)
    assert helper in _speakers(body["output"])  # it did take part (its tokens are in usage)
    _assert_billed_for(body, charged, len(agents))


@pytest.mark.parametrize(("swarm_type", "staffed"), [("HeavySwarm", 6), ("AutoSwarmBuilder", None)])
def test_a_self_staffed_type_sent_no_agents_counts_the_agents_it_staffed(
    swarm_type: str, staffed: int | None
) -> None:
    body, charged = _run(swarm_type, [])
    speakers = _speakers(body["output"])
    assert staffed is None or len(speakers) == staffed
    _assert_billed_for(body, charged, len(speakers))


def test_malt_reports_the_fourteen_agents_of_the_reference() -> None:
    body, charged = _run("MALT", AGENTS[:1])
    _assert_billed_for(body, charged, 14)
