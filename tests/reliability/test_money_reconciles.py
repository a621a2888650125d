"""Issue #13 item 9: every charge has a log row carrying its cost; one request may overdraw.

Through a real uvicorn server (memory store): for each billable endpoint, the drop in balance
caused by one request equals the ``cost`` of the log rows it added — chat completions included,
whose OpenAI response carries no amount. The negative-balance rule (README "Reliability"): the
credit pre-check runs before the work, the run is then charged in full, so one request can take
a balance below zero; the next one gets 402.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest

from mockswarms.config import AccountConfig
from mockswarms.testing.server import serve

NOW = "2026-03-01T12:00:00Z"
RICH = AccountConfig(key="sk-rich", user_id="user-rich", tier="premium", credit=Decimal("1000"))
THIN = AccountConfig(key="sk-thin", user_id="user-thin", tier="premium", credit=Decimal("1.01"))
WRITER = {"agent_name": "Writer", "model_name": "gpt-4o"}
RESEARCHER = {"agent_name": "Researcher", "model_name": "gpt-4o"}

REQUESTS: list[tuple[str, Any]] = [
    ("/v1/agent/completions", {"agent_config": WRITER, "task": "Count to three"}),
    (
        "/v1/agent/batch/completions",
        [{"agent_config": WRITER, "task": "a"}, {"agent_config": WRITER, "task": "b"}],
    ),
    (
        "/v1/swarm/completions",
        {"name": "S", "swarm_type": "SequentialWorkflow", "agents": [RESEARCHER, WRITER], "task": "Fusion"},
    ),
    (
        "/v1/swarm/batch/completions",
        [{"name": "B", "swarm_type": "ConcurrentWorkflow", "agents": [WRITER], "task": "x"}],
    ),
    (
        "/v1/chat/completions",
        {"model": "gpt-4o", "messages": [{"role": "user", "content": "What is a qubit?"}]},
    ),
    (
        "/v1/reasoning-agent/completions",
        {"agent_name": "T", "model_name": "gpt-4o", "task": "Is 1001 prime?"},
    ),
    (
        "/v1/batched-grid-workflow/completions",
        {"agent_completions": [RESEARCHER, WRITER], "tasks": ["phones", "laptops"], "max_loops": 1},
    ),
    (
        "/v1/graph-workflow/completions",
        {
            "name": "G",
            "agents": [RESEARCHER, WRITER],
            "edges": [{"source": "Researcher", "target": "Writer"}],
            "entry_points": ["Researcher"],
            "end_points": ["Writer"],
            "task": "Explain fusion",
        },
    ),
]


def _balance(client: httpx.Client, key: str) -> Decimal:
    return Decimal(str(client.get(f"/__mockswarms/accounts/{key}").json()["total_credits"]))


def _logs(client: httpx.Client, key: str) -> list[dict[str, Any]]:
    logs: list[dict[str, Any]] = client.get("/v1/swarm/logs", headers={"x-api-key": key}).json()["logs"]
    return logs


@pytest.fixture(scope="module")
def client() -> Any:
    with (
        serve(now=NOW, accounts=[RICH, THIN]) as server,
        httpx.Client(base_url=server.base_url, timeout=30) as c,
    ):
        yield c


@pytest.mark.parametrize(("path", "body"), REQUESTS, ids=[path for path, _ in REQUESTS])
def test_the_drop_in_balance_is_the_cost_on_the_new_log_rows(
    client: httpx.Client, path: str, body: Any
) -> None:
    before, seen = _balance(client, "sk-rich"), {row["id"] for row in _logs(client, "sk-rich")}
    response = client.post(path, json=body, headers={"Authorization": "Bearer sk-rich"})
    assert response.status_code == 200, response.text
    drop = before - _balance(client, "sk-rich")
    new_rows = [row for row in _logs(client, "sk-rich") if row["id"] not in seen]
    assert drop > 0 and new_rows
    assert sum(Decimal(str(row["cost"])) for row in new_rows) == drop
    assert all(row["category"] == "completion" for row in new_rows)


def test_chat_completion_log_row_carries_its_cost(client: httpx.Client) -> None:
    before = _balance(client, "sk-rich")
    response = client.post("/v1/chat/completions", json=REQUESTS[4][1], headers={"x-api-key": "sk-rich"})
    assert response.status_code == 200
    row = _logs(client, "sk-rich")[0]
    assert row["data"]["id"] == response.json()["id"]
    assert Decimal(str(row["cost"])) == before - _balance(client, "sk-rich") > 0


def test_one_request_may_overdraw_then_the_next_is_refused(client: httpx.Client) -> None:
    # $1.01 passes the $1.00 pre-check; 100 agents cost $1.00 in agent fees alone, plus tokens.
    agents = [{"agent_name": f"A{i}", "model_name": "gpt-4o-mini"} for i in range(100)]
    body = {"name": "Big", "swarm_type": "ConcurrentWorkflow", "agents": agents, "task": "Go"}
    response = client.post("/v1/swarm/completions", json=body, headers={"x-api-key": "sk-thin"})
    assert response.status_code == 200, response.text
    cost = Decimal(str(response.json()["usage"]["billing_info"]["total_cost"]))
    assert cost > Decimal("1.01")
    assert _balance(client, "sk-thin") == Decimal("1.01") - cost < 0
    assert Decimal(str(_logs(client, "sk-thin")[0]["cost"])) == cost
    again = client.post("/v1/swarm/completions", json=body, headers={"x-api-key": "sk-thin"})
    assert again.status_code == 402
    assert _balance(client, "sk-thin") == Decimal("1.01") - cost
