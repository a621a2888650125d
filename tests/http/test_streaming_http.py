"""Streaming against the real app over HTTP: same text, usage, money and logs as the JSON call."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import openai
import pytest
import requests
from sse_helpers import docs_loop

from mockswarms.testing.control import PREMIUM_KEY, SimulatorControl
from mockswarms.testing.server import RunningServer, serve

NOW = "2026-01-01T12:00:00Z"
SEED = 7
HEADERS = {"x-api-key": PREMIUM_KEY, "Connection": "keep-alive", "X-Accel-Buffering": "no"}
AGENT: dict[str, Any] = {
    "agent_config": {"agent_name": "Writer", "model_name": "gpt-4o", "max_loops": 2},
    "task": "Write",
}


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[RunningServer, SimulatorControl]]:
    with serve(seed=SEED, now=NOW) as running:
        yield running, running.control()


def run_pair(
    server: tuple[RunningServer, SimulatorControl],
    path: str,
    body: dict[str, Any],
    stream_body: dict[str, Any],
) -> tuple[dict[str, Any], list[tuple[str, Any]], dict[str, Any]]:
    """The same request on a fresh simulator twice: JSON, then streamed. Returns both plus side effects."""
    running, ctl = server
    effects: dict[str, Any] = {}
    results: list[Any] = []
    for label, payload in (("json", body), ("stream", stream_body)):
        ctl.reset(seed=SEED, now=NOW)
        before = ctl.balance()
        with requests.post(running.url(path), json=payload, headers=HEADERS, stream=True, timeout=30) as resp:
            assert resp.status_code == 200
            media = resp.headers["content-type"]
            results.append(resp.json() if label == "json" else docs_loop(resp))
            rate = {k: v for k, v in resp.headers.items() if k.lower().startswith("x-ratelimit")}
        logs = requests.get(running.url("/v1/swarm/logs"), headers=HEADERS, timeout=30).json()["logs"]
        effects[label] = {"charged": before - ctl.balance(), "logs": logs, "media": media, "rate": rate}
    assert effects["json"]["media"] == "application/json"
    assert effects["stream"]["media"] == "text/event-stream; charset=utf-8"
    assert effects["stream"]["charged"] == effects["json"]["charged"] > Decimal(0)
    assert effects["stream"]["logs"] == effects["json"]["logs"]
    assert [row["category"] for row in effects["stream"]["logs"]] == ["completion"]
    assert effects["stream"]["rate"] == effects["json"]["rate"] != {}
    return results[0], results[1], effects


@pytest.mark.parametrize("trigger", ["stream", "streaming_on"])
def test_agent_stream_equals_json_call(server: tuple[RunningServer, SimulatorControl], trigger: str) -> None:
    if trigger == "stream":
        streamed = {**AGENT, "stream": True}
    else:
        streamed = {**AGENT, "agent_config": {**AGENT["agent_config"], "streaming_on": True}}
    body, events, _ = run_pair(server, "/v1/agent/completions", AGENT, streamed)
    names = [name for name, _ in events]
    assert names[:2] == ["message", "start"] and names[-3:] == ["usage", "end", "done"]
    assert set(names[2:-3]) == {"chunk"} and len(names) > 10
    meta = events[0][1]
    assert meta == {
        "job_id": body["job_id"],
        "success": True,
        "name": body["name"],
        "description": body["description"],
        "temperature": body["temperature"],
        "timestamp": body["timestamp"],
        "stream": True,
        "type": "metadata",
    }
    text = "".join(data["content"] for name, data in events if name == "chunk")
    assert text == "".join(o["content"] for o in body["outputs"])  # every loop streamed
    assert events[-3][1] == body["usage"]
    assert events[-2][1] == {
        "job_id": body["job_id"],
        "usage": body["usage"],
        "timestamp": body["timestamp"],
        "complete": True,
    }


def test_agent_stream_legacy_format(server: tuple[RunningServer, SimulatorControl]) -> None:
    running, ctl = server
    ctl.configure(agent_sse_format="legacy")
    try:
        ctl.reset(seed=SEED, now=NOW)
        body = requests.post(
            running.url("/v1/agent/completions"), json=AGENT, headers=HEADERS, timeout=30
        ).json()
        ctl.reset(seed=SEED, now=NOW)
        with requests.post(
            running.url("/v1/agent/completions"),
            json={**AGENT, "stream": True},
            headers=HEADERS,
            stream=True,
            timeout=30,
        ) as resp:
            events = docs_loop(resp)
    finally:
        ctl.restore_settings()
    assert events[0] == ("metadata", {"job_id": body["job_id"], "name": "Writer", "temperature": None})
    assert events[-2:] == [
        ("usage", {"tokens_used": body["usage"]["total_tokens"], "cost": body["usage"]["total_cost"]}),
        ("done", {"status": "finished"}),
    ]
    assert "".join(d["content"] for n, d in events if n == "chunk") == "".join(
        o["content"] for o in body["outputs"]
    )


def swarm_body(swarm_type: str, **extra: Any) -> dict[str, Any]:
    agents = [{"agent_name": n, "model_name": "gpt-4o", "max_tokens": 30} for n in ("A", "B", "C")]
    return {
        "name": "Team",
        "description": "Three agents",
        "swarm_type": swarm_type,
        "task": "Write",
        "agents": agents,
        **extra,
    }


def per_agent_text(events: list[tuple[str, Any]]) -> dict[str, str]:
    texts: dict[str, str] = {}
    for name, data in events:
        if name == "chunk":
            texts[data["agent"]] = texts.get(data["agent"], "") + data["content"]
    return texts


def test_sequential_swarm_per_token_stream(server: tuple[RunningServer, SimulatorControl]) -> None:
    request = swarm_body("SequentialWorkflow")
    body, events, _ = run_pair(server, "/v1/swarm/completions", request, {**request, "stream": True})
    names = [n for n, _ in events]
    assert names[:2] == ["metadata", "start"] and names[-3:] == ["usage", "end", "done"]
    assert events[0][1] == {
        "job_id": body["job_id"], "swarm_name": "Team", "description": "Three agents",
        "swarm_type": "SequentialWorkflow", "number_of_agents": 3, "service_tier": "standard",
        "status": "running",
    }  # fmt: skip
    # Agents one after the other, never interleaved.
    lifecycle = [(n, d["agent"]) for n, d in events if n in ("agent_start", "agent_end")]
    assert lifecycle == [(k, a) for a in "ABC" for k in ("agent_start", "agent_end")]
    chunk_agents = [d["agent"] for n, d in events if n == "chunk"]
    assert chunk_agents == sorted(chunk_agents)
    assert per_agent_text(events) == {o["role"]: o["content"] for o in body["output"]}
    assert events[-3][1] == body["usage"] and "billing_info" in events[-3][1]
    assert events[-2][1] == {"execution_time": body["execution_time"], "status": "success"}


def test_agent_rearrange_parallel_phase_interleaves(server: tuple[RunningServer, SimulatorControl]) -> None:
    request = swarm_body("AgentRearrange", rearrange_flow="A, B -> C")
    body, events, _ = run_pair(server, "/v1/swarm/completions", request, {**request, "stream": True})
    chunk_agents = [d["agent"] for n, d in events if n == "chunk"]
    first_phase = [a for a in chunk_agents if a in ("A", "B")]
    assert sum(1 for x, y in itertools.pairwise(first_phase) if x != y) >= 3
    assert chunk_agents.index("C") > max(i for i, a in enumerate(chunk_agents) if a in ("A", "B"))
    assert per_agent_text(events) == {o["role"]: o["content"] for o in body["output"]}


def test_other_swarm_types_use_the_coarse_stream(server: tuple[RunningServer, SimulatorControl]) -> None:
    request = swarm_body("ConcurrentWorkflow")
    body, events, _ = run_pair(server, "/v1/swarm/completions", request, {**request, "stream": True})
    assert [n for n, _ in events] == ["metadata", "start", "status", "chunk", "usage", "end", "done"]
    assert events[3][1] == {"output": body["output"]}
    assert events[4][1] == body["usage"]


def test_chat_stream_with_openai_sdk(server: tuple[RunningServer, SimulatorControl]) -> None:
    running, ctl = server
    client = openai.OpenAI(base_url=running.url("/v1"), api_key=PREMIUM_KEY, max_retries=0)
    messages: Any = [{"role": "user", "content": "Explain qubits"}]
    ctl.reset(seed=SEED, now=NOW)
    before = ctl.balance()
    full = client.chat.completions.create(model="gpt-4o", messages=messages)
    charged = before - ctl.balance()
    ctl.reset(seed=SEED, now=NOW)
    chunks = list(client.chat.completions.create(model="gpt-4o", messages=messages, stream=True))
    assert before - ctl.balance() == charged
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == full.choices[0].message.content
    assert {(c.id, c.created, c.model, c.object) for c in chunks} == {
        (full.id, full.created, full.model, "chat.completion.chunk")
    }


def test_errors_before_streaming_are_json(server: tuple[RunningServer, SimulatorControl]) -> None:
    running, ctl = server
    ctl.reset(seed=SEED, now=NOW)
    resp = requests.post(
        running.url("/v1/agent/completions"),
        json={**AGENT, "stream": True},
        headers={**HEADERS, "x-api-key": "sk-mock-broke"},
        timeout=30,
    )
    assert resp.status_code == 402
    assert resp.headers["content-type"] == "application/json"
    assert "Insufficient credits" in resp.json()["detail"]


@pytest.mark.parametrize("policy", [None, "none", "full", "produced"])
def test_disconnect_billing_policy(
    server: tuple[RunningServer, SimulatorControl], policy: str | None
) -> None:
    """A client gone mid-stream: by default (None: the setting left alone) and with ``none`` it
    pays nothing, with ``produced`` what it was sent, with ``full`` the whole run."""
    running, ctl = server
    chosen = {} if policy is None else {"stream_disconnect_billing": policy}
    ctl.configure(**chosen, pacing={"*": {"time_to_first_token": 0.0, "tokens_per_second": 100.0}})
    try:
        ctl.reset(seed=SEED, now=NOW)
        before = ctl.balance()
        full_cost = Decimal(
            str(
                requests.post(
                    running.url("/v1/agent/completions"), json=AGENT, headers=HEADERS, timeout=30
                ).json()["usage"]["total_cost"]
            )
        )
        assert before - ctl.balance() == full_cost
        ctl.reset(seed=SEED, now=NOW)
        resp = requests.post(
            running.url("/v1/agent/completions"),
            json={**AGENT, "stream": True},
            headers=HEADERS,
            stream=True,
            timeout=30,
        )
        seen = 0
        for line in resp.iter_lines():
            seen += line.startswith(b"data: ")
            if seen == 3:  # metadata, start, first chunk
                break
        resp.close()
        deadline = time.monotonic() + 5
        logs: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            logs = requests.get(running.url("/v1/swarm/logs"), headers=HEADERS, timeout=30).json()["logs"]
            if policy == "full" or any(row["category"] == "refund" for row in logs):
                break
            time.sleep(0.05)
        charged = before - ctl.balance()
    finally:
        ctl.restore_settings()
    if policy == "full":
        assert charged == full_cost
        assert [row["category"] for row in logs] == ["completion"]
    elif policy in (None, "none"):
        assert charged == 0
        refund = next(row for row in logs if row["category"] == "refund")
        assert Decimal(str(refund["data"]["refunded"])) == full_cost
        assert refund["data"]["reason"] == f"the stream was cut after {refund['data']['events_sent']} events"
    else:
        assert Decimal(0) < charged < full_cost
        refund = next(row for row in logs if row["category"] == "refund")
        assert refund["data"]["events_sent"] >= 3
        assert Decimal(str(refund["data"]["refunded"])) == full_cost - charged
