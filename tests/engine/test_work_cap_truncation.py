"""The work caps (``limits.MAX_MODEL_CALLS`` per run, ``MAX_REQUEST_MODEL_CALLS`` per request) refuse a
request with a 400 in the strict profiles, but in prism (every schema-valid body answers 2xx) the run
stops at the cap and returns what it produced, billed for what ran."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
from starlette.testclient import TestClient

import mockswarms.limits as limits
from mockswarms.http.app import create_app
from mockswarms.limits import MAX_AGENTS, MAX_MODEL_CALLS, MAX_MODEL_CALLS_DETAIL

KEY = {"x-api-key": "sk-rich"}
RICH = {"key": "sk-rich", "user_id": "user-rich", "tier": "premium", "credit": "100000000"}
AGENTS = [{"agent_name": f"Agent-{i}", "model_name": "gpt-4o-mini"} for i in range(MAX_AGENTS)]


def sequential(calls: int) -> dict[str, Any]:
    """A SequentialWorkflow making ``calls`` model calls (a multiple of MAX_AGENTS)."""
    return {
        "swarm_type": "SequentialWorkflow",
        "task": "Draft",
        "agents": AGENTS,
        "max_loops": calls // MAX_AGENTS,
    }


@contextmanager
def client(profile: str) -> Iterator[TestClient]:
    with TestClient(create_app(profile=profile, seed=7, accounts=[RICH])) as c:
        yield c


def credits(c: TestClient) -> Decimal:
    return Decimal(str(c.get("/v1/account/credits", headers=KEY).json()["total_credits"]))


@pytest.mark.parametrize("profile", ["docs", "client-0.1.6"])
def test_strict_profiles_refuse_a_run_over_the_cap_and_charge_nothing(profile: str) -> None:
    with client(profile) as c:
        before = credits(c)
        response = c.post("/v1/swarm/completions", json=sequential(MAX_MODEL_CALLS + MAX_AGENTS), headers=KEY)
        assert response.status_code == 400
        assert response.json() == {"detail": MAX_MODEL_CALLS_DETAIL}
        assert credits(c) == before


def test_prism_stops_the_run_at_the_cap_and_bills_what_ran() -> None:
    with client("prism") as c:
        before = credits(c)
        over = c.post("/v1/swarm/completions", json=sequential(MAX_MODEL_CALLS + MAX_AGENTS), headers=KEY)
        charged = before - credits(c)
        at_cap = c.post("/v1/swarm/completions", json=sequential(MAX_MODEL_CALLS), headers=KEY)
    assert over.status_code == 200
    body = over.json()
    assert body["status"] == "success"
    assert len(body["output"]) == MAX_MODEL_CALLS  # one history item per call that ran
    assert body["output"][-1]["role"] == AGENTS[-1]["agent_name"]
    cost = Decimal(str(body["usage"]["billing_info"]["total_cost"]))
    assert charged == cost > 0
    # What ran is exactly the run that asked for the cap: same calls, same amount.
    assert at_cap.status_code == 200
    assert at_cap.json()["usage"] == body["usage"]


def test_prism_batch_past_the_request_budget_is_truncated_not_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_REQUEST_MODEL_CALLS", 50)
    item = {"swarm_type": "SequentialWorkflow", "task": "x", "agents": AGENTS[:5], "max_loops": 4}  # 20 calls
    half = {**item, "max_loops": 2}  # the 10 calls the budget leaves the third item
    with client("prism") as c:
        before = credits(c)
        response = c.post("/v1/swarm/batch/completions", json=[item, item, item], headers=KEY)
        charged = before - credits(c)
        expected = c.post("/v1/swarm/batch/completions", json=[item, item, half], headers=KEY)
        charged_expected = before - charged - credits(c)
    assert response.status_code == 200
    results = response.json()
    assert [r["status"] for r in results] == ["success", "success", "success"]
    assert [len(r["result"]) for r in results] == [20, 20, 10]
    assert results == expected.json()
    assert charged == charged_expected > 0  # billed for the 50 calls that ran


def test_prism_graph_cut_mid_loop_answers_each_nodes_latest_output() -> None:
    # 100 agents x 11 loops: the cap falls at the end of loop 10, the 11th loop makes no call.
    graph = {"agents": AGENTS, "task": "Draft", "max_loops": 11}
    with client("prism") as c:
        response = c.post("/v1/graph-workflow/completions", json=graph, headers=KEY)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "success"
    assert sorted(body["outputs"]) == sorted(a["agent_name"] for a in AGENTS)
    assert all(isinstance(text, str) and text for text in body["outputs"].values())
