"""Issue #13 item 1: the documented caps on agents, loops, samples, tasks and edges are constraints in
the request shapes: a body over one is a 422 naming the field (through a real uvicorn server)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest

from mockswarms.config import AccountConfig
from mockswarms.limits import MAX_AGENTS
from mockswarms.testing.server import serve

NOW = "2026-07-15T21:00:00Z"
KEY = {"x-api-key": "sk-rich"}
RICH = AccountConfig(key="sk-rich", user_id="user-rich", tier="premium", credit=Decimal("1000"))


def agents(n: int) -> list[dict[str, Any]]:
    return [{"agent_name": f"Agent-{i}", "model_name": "gpt-4o-mini"} for i in range(n)]


@pytest.mark.parametrize(
    ("path", "body", "loc"),
    [
        (
            "/v1/swarm/completions",
            {"swarm_type": "SequentialWorkflow", "task": "x", "agents": agents(MAX_AGENTS + 1)},
            ["body", "agents"],
        ),
        (
            "/v1/swarm/completions",
            {"task": "x", "agents": agents(1), "max_loops": 101},
            ["body", "max_loops"],
        ),
        (
            "/v1/reasoning-agent/completions",
            {"swarm_type": "self-consistency", "task": "x", "num_samples": 101},
            ["body", "num_samples"],
        ),
        (
            "/v1/swarm/completions",
            {"task": "x", "agents": agents(1), "tasks": ["t"] * 101},
            ["body", "tasks"],
        ),
        (
            "/v1/graph-workflow/completions",
            {"agents": agents(2), "task": "x", "edges": [{"source": "Agent-0", "target": "Agent-1"}] * 1001},
            ["body", "edges"],
        ),
    ],
)
def test_caps_in_the_request_shapes_are_422s_naming_the_field(
    path: str, body: dict[str, Any], loc: list[str]
) -> None:
    with serve(now=NOW, accounts=[RICH]) as server, httpx.Client(base_url=server.base_url) as client:
        response = client.post(path, json=body, headers=KEY)
    assert response.status_code == 422
    assert [item["loc"][:2] for item in response.json()["detail"]] == [loc]
