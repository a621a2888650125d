"""Seed 001 (Swarms API reference, 2025) under the ``docs-2025`` profile.

Each endpoint section of the document has a curl, a Python (requests) and a TypeScript (fetch) example
(tests/seeds/examples/s001_*). All run unchanged and print what the document shows; the TypeScript ones
need node and the typescript package (slow: installed once into pytest's cache).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from seed_harness import PREMIUM_KEY, curl_request, json_of, lines, run_node, run_python, server, transpile_ts

from mockswarms.testing.server import RunningServer

HEADERS = {"x-api-key": PREMIUM_KEY}
SECONDS = r"\d+(\.\d+)?"


@pytest.fixture(scope="module")
def sim() -> Iterator[RunningServer]:
    yield from server("docs-2025")


def newest_log(sim: RunningServer) -> dict[str, Any]:
    logs = httpx.get(sim.url("/v1/swarm/logs"), headers=HEADERS).json()["logs"]
    return logs[0]["data"]


# -- Health Check ----------------------------------------------------------------------------------------
def test_health_curl(sim: RunningServer) -> None:
    assert json_of(curl_request("s001_health.sh", sim)) == {"status": "ok"}


def test_health_python(sim: RunningServer, tmp_path: Path) -> None:
    assert lines(run_python("s001_health.py", sim, cwd=tmp_path)) == ["API is healthy: {'status': 'ok'}"]


# -- Run Swarm -------------------------------------------------------------------------------------------
def test_run_swarm_curl_shapes_output_as_dict_and_reports_metadata(sim: RunningServer) -> None:
    body = json_of(curl_request("s001_swarm.sh", sim))
    assert body["status"] == "success"
    assert body["swarm_name"] == "Financial Analysis Swarm"
    assert body["swarm_type"] == "ConcurrentWorkflow"
    assert body["task"] == "What are the best etfs and index funds for ai and tech?"
    # "output_type": "dict" in the request: an object keyed by agent name.
    assert list(body["output"]) == ["Market Analyst", "Economic Forecaster"]
    assert all(isinstance(text, str) and text for text in body["output"].values())
    meta = body["metadata"]
    assert meta["max_loops"] == 1 and meta["num_agents"] == 2
    assert meta["billing_info"]["cost_breakdown"]["agent_cost"] == 0.02
    assert meta["billing_info"]["total_cost"] > 0.02


def test_run_swarm_python_prints_cost_and_time(sim: RunningServer, tmp_path: Path) -> None:
    out = lines(run_python("s001_swarm.py", sim, cwd=tmp_path))
    logged = newest_log(sim)
    assert out == [
        "Swarm completed successfully!",
        f"Cost: ${logged['metadata']['billing_info']['total_cost']}",
        f"Execution time: {logged['metadata']['execution_time_seconds']} seconds",
    ]
    assert re.fullmatch(r"Cost: \$0\.\d+", out[1]) and re.fullmatch(
        f"Execution time: {SECONDS} seconds", out[2]
    )


def test_unknown_swarm_type_is_the_documented_400(sim: RunningServer) -> None:
    response = httpx.post(
        sim.url("/v1/swarm/completions"),
        headers=HEADERS,
        json={"swarm_type": "NotASwarm", "task": "t", "agents": [{"agent_name": "A"}]},
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "Failed to create swarm: Invalid swarm_type specified"}


def test_flex_tier_takes_75_percent_off_token_costs(sim: RunningServer) -> None:
    """001's Service Tiers table: flex is a 75 % discount on token costs (the agent fee stays)."""
    request = {
        "swarm_type": "SequentialWorkflow",
        "task": "Flex?",
        "agents": [{"agent_name": "A", "model_name": "gpt-4o"}],
    }
    breakdowns = []
    for tier in ("standard", "flex"):
        response = httpx.post(
            sim.url("/v1/swarm/completions"),
            headers=HEADERS,
            json={**request, "service_tier": tier},
            timeout=30,
        )
        breakdowns.append(json_of(response)["metadata"]["billing_info"]["cost_breakdown"])
    standard, flex = breakdowns
    assert (
        flex["token_counts"] == standard["token_counts"]
        and flex["agent_cost"] == standard["agent_cost"] == 0.01
    )
    tokens = standard["token_counts"]
    # docs-2025 prices are legacy's 2025-05 table: $2.00 in / $4.50 out per 1M, times the agents (1 here).
    places = Decimal("0.000001")
    expected_in = (
        Decimal(tokens["total_input_tokens"]) * Decimal("2.00") / 1_000_000 * Decimal("0.25")
    ).quantize(places)
    expected_out = (
        Decimal(tokens["total_output_tokens"]) * Decimal("4.50") / 1_000_000 * Decimal("0.25")
    ).quantize(places)
    assert Decimal(str(flex["input_token_cost"])) == expected_in
    assert Decimal(str(flex["output_token_cost"])) == expected_out


# -- Run Batch Completions ------------------------------------------------------------------------------
def test_swarm_batch_curl_items_are_whole_responses(sim: RunningServer) -> None:
    body = json_of(curl_request("s001_swarm_batch.sh", sim))
    assert [(item["swarm_name"], item["status"]) for item in body] == [
        ("Batch Swarm 1", "success"),
        ("Batch Swarm 2", "success"),
    ]
    for item in body:
        assert set(item) >= {"output", "metadata", "task", "swarm_type"}
        # No output_type in the request: the profile's default "str".
        assert isinstance(item["output"], str) and item["output"].count("\n\n") == 1


def test_swarm_batch_python_prints_each_swarm(sim: RunningServer, tmp_path: Path) -> None:
    assert lines(run_python("s001_swarm_batch.py", sim, cwd=tmp_path)) == [
        "Batch completed with 2 swarms",
        "Swarm 1: Batch Swarm 1 - success",
        "Swarm 2: Batch Swarm 2 - success",
    ]


# -- Run Single Agent -----------------------------------------------------------------------------------
def test_agent_curl(sim: RunningServer) -> None:
    body = json_of(curl_request("s001_agent.sh", sim))
    assert body["id"].startswith("agent-") and body["success"] is True
    assert body["name"] == "Research Assistant" and body["description"] == "Helps with research tasks"
    assert body["usage"]["total_tokens"] == body["usage"]["input_tokens"] + body["usage"]["output_tokens"]


def test_agent_python_prints_name_usage_and_output(sim: RunningServer, tmp_path: Path) -> None:
    out = lines(run_python("s001_agent.py", sim, cwd=tmp_path))
    logged = newest_log(sim)
    assert out[0] == "Agent Research Assistant completed successfully!"
    assert out[1] == f"Usage: {logged['usage']['total_tokens']} tokens"
    assert out[2].startswith("Output: [{'role': 'Research Assistant', 'content': '")
    assert len(out) == 3


def test_agent_completion_request_body_of_the_model_section(sim: RunningServer) -> None:
    """The "AgentCompletion Model" section's request body (tools, mcp_url, dict history) as it stands."""
    body = {
        "agent_config": {
            "agent_name": "Research Assistant",
            "description": "Specialized in research and analysis",
            "system_prompt": "You are an expert research assistant.",
            "model_name": "gpt-4o",
            "auto_generate_prompt": False,
            "max_tokens": 8192,
            "temperature": 0.5,
            "role": "worker",
            "max_loops": 1,
            "tools_list_dictionary": [
                {
                    "name": "search",
                    "description": "Search the web for information",
                    "parameters": {"query": "string"},
                }
            ],
            "mcp_url": "https://example-mcp.com",
        },
        "task": "Research the latest developments in quantum computing and summarize key findings",
        "history": {
            "previous_research": "Earlier findings on quantum computing basics...",
            "user_preferences": "Focus on practical applications...",
        },
    }
    result = httpx.post(sim.url("/v1/agent/completions"), headers=HEADERS, json=body, timeout=30)
    assert result.status_code == 200, result.text
    answer = result.json()
    assert answer["id"].startswith("agent-") and answer["success"] is True
    assert answer["name"] == "Research Assistant"
    assert answer["description"] == "Specialized in research and analysis" and answer["temperature"] == 0.5


# -- Run Batch Agents ---------------------------------------------------------------------------------------
def test_agent_batch_curl_is_the_envelope(sim: RunningServer) -> None:
    body = json_of(curl_request("s001_agent_batch.sh", sim))
    assert body["batch_id"].startswith("agent-batch-") and body["total_requests"] == 2
    assert [r["name"] for r in body["results"]] == ["Market Analyst", "Technical Writer"]


def test_agent_batch_python_prints_total_time_and_results(sim: RunningServer, tmp_path: Path) -> None:
    out = lines(run_python("s001_agent_batch.py", sim, cwd=tmp_path))
    assert out[0] == "Batch completed with 2 agents"
    assert re.fullmatch(f"Execution time: {SECONDS} seconds", out[1]), out[1]
    assert out[2:] == ["", "Results:", " Agent 1: Market Analyst - True", " Agent 2: Technical Writer - True"]


def test_the_docs_profile_does_not_fit_this_document(tmp_path: Path) -> None:
    """Why 001 is not under ``docs``: "Run Swarm" reads ``metadata`` the current layout no longer has."""
    for docs in server("docs"):
        done = run_python("s001_swarm.py", docs, cwd=tmp_path)
    assert done.returncode == 1 and "KeyError: 'metadata'" in done.stderr


# -- TypeScript (fetch) ----------------------------------------------------------------------------------
@pytest.mark.slow
def test_typescript_examples_print_what_the_document_shows(
    sim: RunningServer, typescript_dir: Path, tmp_path: Path
) -> None:
    def ts(name: str) -> list[str]:
        done = run_node(transpile_ts(name, typescript_dir), sim, cwd=tmp_path)
        assert done.stderr == "", done.stderr
        return lines(done)

    assert ts("s001_health.ts") == ["API is healthy: { status: 'ok' }"]

    swarm = ts("s001_swarm.ts")
    logged = newest_log(sim)
    assert swarm == [
        "Swarm completed successfully!",
        f"Cost: ${logged['metadata']['billing_info']['total_cost']}",
        f"Execution time: {logged['metadata']['execution_time_seconds']} seconds",
    ]

    assert ts("s001_swarm_batch.ts") == [
        "Batch completed with 2 swarms",
        "Swarm 1: Batch Swarm 1 - success",
        "Swarm 2: Batch Swarm 2 - success",
    ]

    agent = ts("s001_agent.ts")
    logged = newest_log(sim)
    assert agent[:2] == [
        "Agent Research Assistant completed successfully!",
        f"Usage: {logged['usage']['total_tokens']} tokens",
    ]
    assert agent[2].startswith("Output: [") and "role: 'Research Assistant'" in "\n".join(agent[2:])

    batch = ts("s001_agent_batch.ts")
    assert batch[0] == "Batch completed with 2 agents"
    assert re.fullmatch(f"Execution time: {SECONDS} seconds", batch[1])
    assert batch[2:] == [
        "",
        "Results:",
        " Agent 1: Market Analyst - true",
        " Agent 2: Technical Writer - true",
    ]
