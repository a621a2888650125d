"""Same seed + same clock + same request sequence → byte-identical responses; text depends on what the
agent sees, not on transport flags; ids differ per request."""

from __future__ import annotations

import json
from typing import Any

from starlette.testclient import TestClient

from mockswarms.http.app import create_app

NOW = "2026-03-01T20:00:00Z"
P = {"x-api-key": "sk-mock-premium"}
F = {"x-api-key": "sk-mock-free"}
R = {"agent_name": "Researcher", "system_prompt": "You research.", "model_name": "gpt-4o"}
W = {"agent_name": "Writer", "model_name": "gpt-4o-mini"}
E = {"agent_name": "Editor", "model_name": "claude-haiku-3.5"}

SEQUENCE: list[tuple[str, str, dict[str, str], Any]] = [
    ("GET", "/", {}, None),
    ("GET", "/health", {}, None),
    ("POST", "/v1/agent/completions", P, {"agent_config": R, "task": "Summarize fusion research"}),
    ("POST", "/v1/agent/completions", P, {"agent_config": R, "task": "Summarize fusion research"}),
    (
        "POST",
        "/v1/agent/completions",
        F,
        {"agent_config": W, "task": "Write a haiku", "history": [{"role": "user", "content": "be short"}]},
    ),
    (
        "POST",
        "/v1/agent/batch/completions",
        P,
        [{"agent_config": W, "task": "a"}, {"agent_config": E, "task": "b"}],
    ),
    (
        "POST",
        "/v1/swarm/completions",
        P,
        {"name": "Seq", "swarm_type": "SequentialWorkflow", "agents": [R, W, E], "task": "Draft a report"},
    ),
    (
        "POST",
        "/v1/swarm/completions",
        P,
        {"name": "Con", "swarm_type": "ConcurrentWorkflow", "agents": [R, W], "task": "Compare options"},
    ),
    (
        "POST",
        "/v1/swarm/completions",
        P,
        {
            "name": "Rearr",
            "swarm_type": "AgentRearrange",
            "agents": [R, W, E],
            "rearrange_flow": "Researcher, Writer -> Editor",
            "task": "Go",
        },
    ),
    (
        "POST",
        "/v1/swarm/completions",
        P,
        {"name": "MoA", "swarm_type": "MixtureOfAgents", "agents": [R, W], "task": "Decide"},
    ),
    (
        "POST",
        "/v1/swarm/completions",
        P,
        {"name": "GC", "swarm_type": "GroupChat", "agents": [R, W], "task": "Discuss", "max_loops": 2},
    ),
    (
        "POST",
        "/v1/swarm/completions",
        P,
        {"name": "Hier", "swarm_type": "HierarchicalSwarm", "agents": [R, W], "task": "Plan"},
    ),
    (
        "POST",
        "/v1/swarm/completions",
        P,
        {"name": "Vote", "swarm_type": "MajorityVoting", "agents": [R, W, E], "task": "Pick one"},
    ),
    ("POST", "/v1/swarm/batch/completions", P, [{"name": "B1", "agents": [W], "task": "x"}, {"name": "B2"}]),
    ("POST", "/v1/chat/completions", P, {"model": "gpt-4o", "messages": [{"role": "user", "content": "Hi"}]}),
    (
        "POST",
        "/v1/chat/completions",
        P,
        {"model": "gpt-4o", "n": 3, "messages": [{"role": "user", "content": "Hi"}]},
    ),
    (
        "POST",
        "/v1/reasoning-agent/completions",
        P,
        {"swarm_type": "reasoning-duo", "task": "Why is the sky blue?"},
    ),
    (
        "POST",
        "/v1/auto-swarm-builder/completions",
        P,
        {"task": "Launch plan", "execution_type": "return-agents"},
    ),
    ("POST", "/v1/advanced-research/completions", P, {"config": {"name": "R"}, "task": "AI chips"}),
    (
        "POST",
        "/v1/batched-grid-workflow/completions",
        P,
        {"agent_completions": [W, E], "tasks": ["p", "q"], "max_loops": 1},
    ),
    (
        "POST",
        "/v1/graph-workflow/completions",
        P,
        {"agents": [R, W], "edges": [{"source": "Researcher", "target": "Writer"}], "task": "t"},
    ),
    ("POST", "/v1/marketplace/agents", P, {"number_of_items": 3}),
    ("POST", "/v1/agent/batch/completions", F, [{"agent_config": W, "task": "a"}]),  # 403 premium
    (
        "POST",
        "/v1/agent/completions",
        {"x-api-key": "sk-mock-broke"},
        {"agent_config": W, "task": "a"},
    ),  # 402
    ("POST", "/v1/agent/completions", P, {"agent_config": {"agent_name": "x" * 200}}),  # 422
    ("POST", "/v1/swarm/completions", P, {"name": "no task", "agents": [W]}),  # 400
    ("GET", "/v1/nope", P, None),  # 404
    ("GET", "/v1/agents/list", P, None),
    ("GET", "/v1/swarm/logs", P, None),
    ("GET", "/v1/rate/limits", P, None),
    ("GET", "/v1/account/credits", P, None),
    ("GET", "/v1/metrics/summary", P, None),
    ("GET", "/v1/models/available", F, None),
    ("GET", "/v1/swarms/available", {}, None),
    ("GET", "/v1/usage/costs", P, None),
]


def run(seed: int) -> list[tuple[int, list[tuple[str, str]], bytes]]:
    c = TestClient(create_app(now=NOW, seed=seed))
    out = []
    for method, path, headers, payload in SEQUENCE:
        r = c.request(method, path, headers=headers, json=payload)
        out.append((r.status_code, sorted(r.headers.items()), r.content))
    return out


def test_same_seed_same_clock_same_sequence_is_byte_identical() -> None:
    assert len(SEQUENCE) >= 30
    first, second = run(7), run(7)
    statuses = [status for status, _, _ in first]
    assert {200, 400, 402, 403, 404, 422} <= set(statuses)
    for index, (a, b) in enumerate(zip(first, second, strict=True)):
        assert a == b, SEQUENCE[index][:2]


def _texts(results: list[tuple[int, list[tuple[str, str]], bytes]]) -> list[str]:
    agent = json.loads(results[2][2])
    swarm = json.loads(results[6][2])
    chat = json.loads(results[14][2])
    return [
        agent["outputs"][0]["content"],
        *[m["content"] for m in swarm["output"]],
        chat["choices"][0]["message"]["content"],
    ]


def test_a_different_seed_gives_different_text() -> None:
    seven, eight = _texts(run(7)), _texts(run(8))
    assert all(a != b for a, b in zip(seven, eight, strict=True))


def test_ids_differ_per_request_but_the_same_prompt_gives_the_same_text() -> None:
    results = run(7)
    one, two = json.loads(results[2][2]), json.loads(results[3][2])
    assert one["job_id"] != two["job_id"]
    assert one["outputs"][0]["message_id"] != two["outputs"][0]["message_id"]
    assert one["outputs"][0]["content"] == two["outputs"][0]["content"]
    assert one["usage"] == two["usage"]
    job_ids = [json.loads(body).get("job_id") for status, _, body in results[6:13] if status == 200]
    assert len(job_ids) == 7 == len(set(job_ids))


def _sse(text: str) -> list[tuple[str, Any]]:
    events = []
    for frame in text.replace("\r\n", "\n").split("\n\n"):
        name, data = "message", None
        for line in frame.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                raw = line[5:].strip()
                data = raw if raw == "[DONE]" else json.loads(raw)
        if data is not None:
            events.append((name, data))
    return events


def test_streaming_does_not_change_the_text() -> None:
    c = TestClient(create_app(now=NOW, seed=3))
    agent = {"agent_config": R, "task": "Explain tides in two sentences"}
    plain = c.post("/v1/agent/completions", headers=P, json=agent).json()
    for streamed_body in ({**agent, "stream": True}, {**agent, "agent_config": {**R, "streaming_on": True}}):
        r = c.post("/v1/agent/completions", headers=P, json=streamed_body)
        assert r.headers["content-type"].startswith("text/event-stream")
        events = _sse(r.text)
        text = "".join(data["content"] for name, data in events if name == "chunk")
        assert text == plain["outputs"][0]["content"]
        usage = next(data for name, data in events if name == "usage")
        assert usage == plain["usage"]

    spec = {"name": "Seq", "swarm_type": "SequentialWorkflow", "agents": [R, W], "task": "Draft"}
    plain_swarm = c.post("/v1/swarm/completions", headers=P, json=spec).json()
    events = _sse(c.post("/v1/swarm/completions", headers=P, json={**spec, "stream": True}).text)
    for message in plain_swarm["output"]:
        streamed = "".join(
            d["content"] for n, d in events if n == "chunk" and d.get("agent") == message["role"]
        )
        assert streamed == message["content"]

    chat = {"model": "gpt-4o", "messages": [{"role": "user", "content": "Say something"}]}
    plain_chat = c.post("/v1/chat/completions", headers=P, json=chat).json()
    events = _sse(c.post("/v1/chat/completions", headers=P, json={**chat, "stream": True}).text)
    assert events[-1][1] == "[DONE]"
    text = "".join(d["choices"][0]["delta"].get("content", "") for _, d in events[:-1])
    assert text == plain_chat["choices"][0]["message"]["content"]
