"""engine.swarm_runner through HTTP: the workflow swarm types' own fields, seed 001's 400, the echo switch."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from mockswarms.http.app import create_app

AGENT = {"agent_name": "A", "model_name": "gpt-4o-mini"}


def post(profile: str, body: Any, path: str = "/v1/swarm/completions") -> Any:
    key = "any-key" if profile == "prism" else "sk-mock-premium"
    with TestClient(create_app(profile=profile, seed=1, now="2026-03-01T20:00:00Z")) as c:
        return c.post(path, headers={"x-api-key": key}, json=body)


def test_graph_fields_of_the_wrong_type_are_a_422_in_docs() -> None:
    response = post("docs", {"swarm_type": "GraphWorkflow", "task": "t", "agents": [AGENT], "edges": 5})
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"type": "list_type", "loc": ["body", "edges"], "msg": "Input should be a valid list", "input": 5}
    ]


@pytest.mark.parametrize(
    "body",
    [
        {"swarm_type": "GraphWorkflow"},
        {"swarm_type": "GraphWorkflow", "edges": 5, "entry_points": [1]},
        {"swarm_type": "GraphWorkflow", "agents": [{}, {}], "edges": [{"source": 1}]},
        {"swarm_type": "AdvancedResearch"},
        {"swarm_type": "AdvancedResearch", "max_loops": 0, "agents": [{}]},
    ],
)
def test_prism_answers_workflow_swarm_types_with_2xx(body: dict[str, Any]) -> None:
    response = post("prism", body)
    assert response.status_code == 200, response.text
    assert response.json()["swarm_type"] == body["swarm_type"]


def test_advanced_research_max_loops_zero_runs_once_like_every_swarm() -> None:
    response = post("docs", {"swarm_type": "AdvancedResearch", "task": "t", "max_loops": 0})
    assert response.status_code == 200
    roles = [m["role"] for m in response.json()["output"]]
    assert roles.count("Director-Agent") == 2  # one plan, one report


@pytest.mark.parametrize(
    ("profile", "status"), [("docs", 422), ("legacy", 422), ("docs-2025", 400), ("client-0.1.6", 422)]
)
def test_unknown_swarm_type_status_per_profile(profile: str, status: int) -> None:
    response = post(profile, {"swarm_type": "Nope", "task": "t", "agents": [AGENT]})
    assert response.status_code == status
    if status == 400:
        assert response.json() == {"detail": "Failed to create swarm: Invalid swarm_type specified"}
    else:
        assert response.json()["detail"][0]["loc"] == ["body", "swarm_type"]


def test_batch_with_an_unknown_swarm_type_is_the_same_400_in_docs_2025() -> None:
    response = post(
        "docs-2025",
        [
            {"swarm_type": "SequentialWorkflow", "task": "t", "agents": [AGENT]},
            {"swarm_type": "Nope", "task": "t"},
        ],
        "/v1/swarm/batch/completions",
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "Failed to create swarm: Invalid swarm_type specified"}


@pytest.mark.parametrize(
    ("profile", "echo"),
    [("docs", "HierarchicalSwarm"), ("client-0.1.6", "HiearchicalSwarm"), ("docs-2025", "HiearchicalSwarm")],
)
def test_misspelt_hierarchical_echo(profile: str, echo: str) -> None:
    body = post(profile, {"swarm_type": "HiearchicalSwarm", "task": "t", "agents": [AGENT]}).json()
    assert body["swarm_type"] == echo


def test_swarm_batch_items_per_profile() -> None:
    request = [{"name": "S", "swarm_type": "SequentialWorkflow", "task": "t", "agents": [AGENT]}]
    docs = post("docs", request, "/v1/swarm/batch/completions").json()
    assert set(docs[0]) == {"status", "swarm_name", "result", "usage"}
    shaped = post("docs", [{**request[0], "output_type": "dict"}], "/v1/swarm/batch/completions").json()
    assert shaped[0]["result"] == {"A": docs[0]["result"][0]["content"]}
    full = post("client-0.1.6", request, "/v1/swarm/batch/completions").json()
    assert full[0]["job_id"].startswith("swarms-") and full[0]["output"] == {"A": full[0]["output"]["A"]}
    assert full[0]["number_of_agents"] == 1 and full[0]["service_tier"] == "standard"


def test_swarm_types_listing_per_profile() -> None:
    with TestClient(create_app(profile="docs", seed=1)) as c:
        assert "HiearchicalSwarm" not in c.get("/v1/swarms/available").json()["swarm_types"]
    with TestClient(create_app(profile="client-0.1.6", seed=1)) as c:
        types = c.get("/v1/swarms/available").json()["swarm_types"]
    assert "HiearchicalSwarm" in types and "HierarchicalSwarm" not in types and len(types) == 13


def test_log_rows_per_profile() -> None:
    with TestClient(create_app(profile="client-0.1.6", seed=1, now="2026-03-01T20:00:00Z")) as c:
        c.post(
            "/v1/swarm/completions",
            headers={"x-api-key": "sk-mock-premium"},
            json={"task": "t", "agents": [AGENT]},
        )
        logs = c.get("/v1/swarm/logs", headers={"x-api-key": "sk-mock-premium"}).json()
    assert logs["count"] == 1 and logs["logs"][0]["id"] == "1"
    with TestClient(create_app(profile="docs-2025", seed=1, now="2026-03-01T20:00:00Z")) as c:
        c.post(
            "/v1/swarm/completions",
            headers={"x-api-key": "sk-mock-premium"},
            json={"task": "t", "agents": [AGENT]},
        )
        logs = c.get("/v1/swarm/logs", headers={"x-api-key": "sk-mock-premium"}).json()
    assert logs["logs"][0]["id"] == 1
    assert logs["logs"][0]["data"]["execution_time"] == "2026-03-01T20:00:00.000000+00:00"
    assert logs["logs"][0]["data"]["metadata"]["execution_time_seconds"] > 0  # the response kept its seconds


TWO = [AGENT, {"agent_name": "B", "model_name": "gpt-4o-mini"}]


def test_return_history_false_is_the_final_text_and_output_type_shapes_that_message() -> None:
    request = {"swarm_type": "SequentialWorkflow", "task": "t", "agents": TWO}
    full = post("docs", request).json()["output"]
    last = full[-1]
    assert post("docs", {**request, "return_history": False}).json()["output"] == last["content"]
    assert post("docs", {**request, "return_history": False, "output_type": "list"}).json()["output"] == [
        last
    ]
    # client-0.1.6 parses output as an object: its default "dict" keeps it one.
    assert post("client-0.1.6", {**request, "return_history": False}).json()["output"] == {
        "B": last["content"]
    }


def test_return_history_false_with_several_tasks_gives_one_final_answer_per_task() -> None:
    request = {"swarm_type": "SequentialWorkflow", "tasks": ["t1", "t2"], "agents": TWO}
    full = post("docs", request).json()["output"]
    assert [item["task"] for item in full] == ["t1", "t2"]
    finals = [item["output"][-1]["content"] for item in full]
    assert post("docs", {**request, "return_history": False}).json()["output"] == finals
    shaped = post("docs", {**request, "output_type": "final"}).json()["output"]
    assert shaped == [{"task": "t1", "output": finals[0]}, {"task": "t2", "output": finals[1]}]


def test_graph_workflow_honours_return_history() -> None:
    request = {
        "swarm_type": "GraphWorkflow",
        "task": "t",
        "agents": TWO,
        "edges": [{"source": "A", "target": "B"}],
    }
    full = post("docs", request).json()["output"]
    assert [m["role"] for m in full] == ["A", "B"]
    assert post("docs", {**request, "return_history": False}).json()["output"] == full[-1]["content"]
