"""Seed 003 (swarm completions doc, the newest) under the default ``docs`` profile.

The document's code tabs ("Shell (curl)", "Python (requests)") are empty in the seed, so its tables are
what a reader codes against: every ``swarm_type`` of the Swarm Architectures table is accepted (including
``GraphWorkflow`` and ``AdvancedResearch``), and ``output_type`` shapes ``output`` in JSON and in SSE.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from starlette.testclient import TestClient

from mockswarms.http.app import create_app
from mockswarms.shapes.requests import SWARM_OUTPUT_TYPES

HEADERS = {"x-api-key": "sk-mock-premium"}
DAY = "2026-03-01T20:00:00Z"
ARCHITECTURES_TABLE = [
    "AgentRearrange",
    "MixtureOfAgents",
    "SequentialWorkflow",
    "ConcurrentWorkflow",
    "MultiAgentRouter",
    "HierarchicalSwarm",
    "MajorityVoting",
    "BatchedGridWorkflow",
    "GraphWorkflow",
    "AdvancedResearch",
    "GroupChat",
    "AutoSwarmBuilder",
    "MALT",
    "CouncilAsAJudge",
    "InteractiveGroupChat",
    "HeavySwarm",
    "LLMCouncil",
    "DebateWithJudge",
    "RoundRobin",
    "auto",
]
AGENTS = [
    {"agent_name": "Researcher", "model_name": "gpt-4o-mini"},
    {"agent_name": "Writer", "model_name": "gpt-4o-mini"},
]


def client(profile: str = "docs") -> TestClient:
    return TestClient(create_app(profile=profile, seed=3, now=DAY))


def post(body: dict[str, Any], profile: str = "docs") -> Any:
    with client(profile) as c:
        return c.post("/v1/swarm/completions", headers=HEADERS, json=body)


@pytest.mark.parametrize("swarm_type", ARCHITECTURES_TABLE)
def test_every_type_of_the_architectures_table_runs(swarm_type: str) -> None:
    response = post({"swarm_type": swarm_type, "task": "Compare two plans", "agents": AGENTS})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["swarm_type"] == swarm_type and body["status"] == "success"
    assert body["output"] and body["usage"]["total_tokens"] > 0
    assert body["usage"]["billing_info"]["total_cost"] > 0


# Every row of 003's "Agent Configuration Parameters" table, with a documented or example value.
EVERY_AGENT_PARAMETER = {
    "agent_name": "Analyst",
    "description": "Analyses",
    "system_prompt": "You analyse.",
    "model_name": "gpt-4o",
    "auto_generate_prompt": False,
    "max_tokens": 8192,
    "temperature": 0.5,
    "role": "worker",
    "max_loops": 1,
    "tools_list_dictionary": [
        {
            "type": "function",
            "function": {
                "name": "search",
                "description": "Search the web",
                "parameters": {"type": "object", "properties": {"q": {"type": "string"}}},
            },
        }
    ],
    "mcp_url": "http://localhost:8000/mcp",
    "mcp_config": {
        "type": "mcp",
        "url": "http://localhost:8000/mcp",
        "tool_configurations": {},
        "authorization_token": "token",
        "transport": "streamable_http",
        "headers": {"X-Team": "research"},
        "timeout": 10,
    },
    "mcp_configs": {"connections": [{"url": "http://localhost:8001/mcp"}]},
    "streaming_on": False,
    "llm_args": {"top_p": 0.9},
    "dynamic_temperature_enabled": True,
    "tool_call_summary": True,
    "reasoning_effort": "low",
    "thinking_tokens": 1024,
    "reasoning_enabled": False,
    "publish_to_marketplace": False,
    "use_cases": [{"title": "Markets", "description": "Market analysis"}],
    "tags": ["finance", "analysis"],
    "capabilities": ["trend-analysis", "risk-assessment"],
    "category": "research",
    "is_free": True,
    "price_usd": 0,
    "handoffs": [{"agent_name": "Helper", "model_name": "gpt-4o-mini"}],
}


def test_every_parameter_of_the_tables_is_accepted() -> None:
    response = post(
        {
            "name": "Full Table Swarm",
            "description": "Every parameter of the tables",
            "swarm_type": "SequentialWorkflow",
            "max_loops": 1,
            "task": "Analyse the market",
            "agents": [EVERY_AGENT_PARAMETER, AGENTS[1]],
            "rules": "Be brief",
            "img": "https://example.com/chart.png",
            "stream": False,
            "heavy_swarm_loops_per_agent": 1,
            "heavy_swarm_question_agent_model_name": "gpt-4.1",
            "heavy_swarm_worker_model_name": "claude-sonnet-4-20250514",
        }
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["swarm_name"] == "Full Table Swarm" and body["description"] == "Every parameter of the tables"
    assert [m["role"] for m in body["output"]] == ["Analyst", "Writer"]
    assert body["number_of_agents"] == 2 and body["execution_time"] > 0


def test_graph_workflow_runs_the_edges_in_order() -> None:
    body = post(
        {
            "swarm_type": "GraphWorkflow",
            "task": "Plan a launch",
            "agents": [*AGENTS, {"agent_name": "Critic", "model_name": "gpt-4o-mini"}],
            "edges": [{"source": "Researcher", "target": "Writer"}, {"source": "Writer", "target": "Critic"}],
        }
    ).json()
    assert [m["role"] for m in body["output"]] == ["Researcher", "Writer", "Critic"]
    assert body["number_of_agents"] == 3


def test_graph_workflow_needs_agents_and_known_edges() -> None:
    empty = post({"swarm_type": "GraphWorkflow", "task": "t"})
    assert empty.status_code == 400
    assert empty.json() == {"detail": "GraphWorkflow requires at least one agent."}
    bad = post(
        {
            "swarm_type": "GraphWorkflow",
            "task": "t",
            "agents": AGENTS,
            "edges": [{"source": "X", "target": "Writer"}],
        }
    )
    assert bad.status_code == 400
    assert bad.json() == {"detail": "Edge references unknown agent 'X'. Known agents: Researcher, Writer"}


def test_advanced_research_runs_director_and_workers() -> None:
    body = post(
        {
            "swarm_type": "AdvancedResearch",
            "task": "Survey battery chemistry",
            "director_model_name": "gpt-4o",
        }
    ).json()
    assert body["swarm_type"] == "AdvancedResearch"
    roles = [m["role"] for m in body["output"]]
    assert roles[0] == roles[-1] == "Director-Agent"
    assert {"Research-Worker-1", "Research-Worker-2"} <= set(roles)


def _conversation(body: dict[str, Any]) -> list[dict[str, str]]:
    return [{"role": m["role"], "content": m["content"]} for m in body["output"]]


@pytest.mark.parametrize("output_type", SWARM_OUTPUT_TYPES)
def test_output_type_shapes_the_json_response(output_type: str) -> None:
    request = {"swarm_type": "ConcurrentWorkflow", "task": "Name two risks", "agents": AGENTS}
    messages = _conversation(post(request).json())  # same seed, same request: same texts
    (first, a), (second, b) = ((m["role"], m["content"]) for m in messages)
    output = post({**request, "output_type": output_type}).json()["output"]
    text = f"{first}: {a}\n\n{second}: {b}"
    expected: dict[str, Any] = {
        "list": messages,
        "dict": {first: a, second: b},
        "dictionary": {first: a, second: b},
        "str": text,
        "string": text,
        "all": text,
        ".txt": text,
        ".md": text,
        "final": b,
        "last": b,
        "xml": (
            f'<conversation><message role="{first}">{a}</message>'
            f'<message role="{second}">{b}</message></conversation>'
        ),
        "dict-all-except-first": messages[1:],
        "str-all-except-first": f"{second}: {b}",
        "dict-final": {second: b},
        "list-final": messages[1:],
    }
    if output_type in ("json", ".json"):
        assert json.loads(output) == messages
    elif output_type in ("yaml", ".yaml"):
        assert yaml.safe_load(output) == messages
    else:
        assert output == expected[output_type]


def test_unknown_output_type_is_a_422_listing_the_values() -> None:
    response = post({"swarm_type": "SequentialWorkflow", "task": "t", "agents": AGENTS, "output_type": "pdf"})
    assert response.status_code == 422
    item = response.json()["detail"][0]
    assert item["loc"] == ["body", "output_type"] and item["input"] == "pdf"


@pytest.mark.parametrize("profile", ["docs", "prism", "legacy", "docs-2025", "client-0.1.6"])
def test_output_type_applies_in_every_profile(profile: str) -> None:
    body = post(
        {"swarm_type": "SequentialWorkflow", "task": "t", "agents": AGENTS, "output_type": "final"}, profile
    ).json()
    assert isinstance(body["output"], str) and body["output"]


def _sse(response: Any) -> list[tuple[str, Any]]:
    events, name = [], "message"
    for line in response.text.splitlines():
        if line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: "):
            events.append((name, json.loads(line[6:])))
            name = "message"
    return events


@pytest.mark.parametrize(
    ("swarm_type", "carrier"), [("ConcurrentWorkflow", "chunk"), ("SequentialWorkflow", "end")]
)
def test_streams_carry_the_shaped_output(swarm_type: str, carrier: str) -> None:
    request = {"swarm_type": swarm_type, "task": "Name two risks", "agents": AGENTS, "output_type": "dict"}
    shaped = post(request).json()["output"]
    events = _sse(post({**request, "stream": True}))
    outputs = [data["output"] for name, data in events if name == carrier and "output" in data]
    assert outputs == [shaped] and set(shaped) == {"Researcher", "Writer"}


def test_per_token_stream_without_output_type_keeps_the_docs_end_event() -> None:
    events = _sse(post({"swarm_type": "SequentialWorkflow", "task": "t", "agents": AGENTS, "stream": True}))
    end = [data for name, data in events if name == "end"]
    assert len(end) == 1 and set(end[0]) == {"execution_time", "status"}
