"""MajorityVoting and HierarchicalSwarm bill and report the agents the request declares: their consensus /
director agent still speaks (its tokens are billed) but is not an agent of the request, so
``agent_cost = num_agents x 0.01`` counts the declared agents only (reference §e)."""

from __future__ import annotations

from decimal import Decimal

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
    return value.quantize(Decimal("0.000001"))


@pytest.mark.parametrize(
    ("swarm_type", "extra_role"), [("MajorityVoting", "Consensus-Agent"), ("HierarchicalSwarm", "Director")]
)
def test_consensus_and_director_agents_are_not_billed_as_agents(swarm_type: str, extra_role: str) -> None:
    with TestClient(create_app(now=DAY, seed=3)) as client:
        before = _credits(client)
        response = client.post(
            "/v1/swarm/completions",
            headers=PREMIUM,
            json={"swarm_type": swarm_type, "task": "Pick the best launch plan", "agents": AGENTS},
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert extra_role in {message["role"] for message in body["output"]}  # it did take part
        assert body["number_of_agents"] == 3
        usage = body["usage"]
        breakdown = usage["billing_info"]["cost_breakdown"]
        assert (breakdown["num_agents"], breakdown["agent_cost"]) == (3, 0.03)
        tokens = _q(Decimal(usage["input_tokens"]) * IN_PRICE / MILLION) + _q(
            Decimal(usage["output_tokens"]) * OUT_PRICE / MILLION
        )
        total = Decimal(str(usage["billing_info"]["total_cost"]))
        assert total == _q(Decimal("0.03") + tokens)
        assert before - _credits(client) == total
