"""Upstream = a second simulator in the docs profile: every endpoint, streams included, shows no drift."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from mockswarms.config import load_settings
from mockswarms.proxy.server import ProxyConfig, create_proxy_app
from mockswarms.testing.server import serve
from tests.proxy.conftest import run_app

KEY = {"x-api-key": "sk-mock-premium"}
W = {"agent_name": "Writer", "model_name": "gpt-4.1", "system_prompt": "Write."}
E = {"agent_name": "Editor", "model_name": "gpt-4.1"}

# Every public endpoint of the docs profile's contract (scheduling, auto-generate and the usage
# report are switched off there and not in the contract).
# Requests to a path with a parameter, as the contract names the path.
TEMPLATES = {"/v1/models/gpt-4o": "/v1/models/{model}"}
EXCHANGES: list[tuple[str, str, dict[str, str], Any]] = [
    ("GET", "/", {}, None),
    ("GET", "/health", {}, None),
    ("GET", "/openapi.json", {}, None),
    ("POST", "/v1/agent/completions", KEY, {"agent_config": W, "task": "Write a haiku"}),
    (
        "POST",
        "/v1/agent/completions",
        KEY,
        {"agent_config": {**W, "streaming_on": True}, "task": "Stream it"},
    ),
    (
        "POST",
        "/v1/agent/batch/completions",
        KEY,
        [{"agent_config": W, "task": "a"}, {"agent_config": E, "task": "b"}],
    ),
    ("GET", "/v1/agents/list", KEY, None),
    (
        "POST",
        "/v1/swarm/completions",
        KEY,
        {"swarm_type": "SequentialWorkflow", "agents": [W, E], "task": "Draft"},
    ),
    (
        "POST",
        "/v1/swarm/completions",
        KEY,
        {"swarm_type": "SequentialWorkflow", "agents": [W, E], "task": "Draft live", "stream": True},
    ),
    (
        "POST",
        "/v1/swarm/completions",
        KEY,
        {"swarm_type": "ConcurrentWorkflow", "agents": [W, E], "task": "Compare", "stream": True},
    ),
    ("POST", "/v1/swarm/batch/completions", KEY, [{"name": "B1", "agents": [W], "task": "x"}]),
    ("GET", "/v1/swarm/logs", KEY, None),
    ("GET", "/v1/swarms/available", {}, None),
    ("GET", "/v1/models/available", {}, None),
    ("GET", "/v1/models", KEY, None),
    ("GET", "/v1/models/gpt-4o", KEY, None),
    (
        "POST",
        "/v1/chat/completions",
        KEY,
        {"model": "gpt-4.1", "messages": [{"role": "user", "content": "Hi"}]},
    ),
    (
        "POST",
        "/v1/chat/completions",
        KEY,
        {"model": "gpt-4.1", "messages": [{"role": "user", "content": "Hi"}], "stream": True},
    ),
    (
        "POST",
        "/v1/reasoning-agent/completions",
        KEY,
        {"swarm_type": "reasoning-duo", "task": "Why is the sky blue?"},
    ),
    ("GET", "/v1/reasoning-agent/types", KEY, None),
    ("GET", "/v1/rate/limits", KEY, None),
    (
        "POST",
        "/v1/auto-swarm-builder/completions",
        KEY,
        {"task": "Launch plan", "execution_type": "return-agents"},
    ),
    ("GET", "/v1/auto-swarm-builder/execution-types", KEY, None),
    ("POST", "/v1/advanced-research/completions", KEY, {"config": {"name": "R"}, "task": "AI chips"}),
    (
        "POST",
        "/v1/advanced-research/batch/completions",
        KEY,
        {"input_schemas": [{"config": {"name": "R"}, "task": "AI chips"}]},
    ),
    ("GET", "/v1/tools/available", KEY, None),
    ("POST", "/v1/marketplace/agents", KEY, {"number_of_items": 3}),
    (
        "POST",
        "/v1/batched-grid-workflow/completions",
        KEY,
        {"agent_completions": [W, E], "tasks": ["p", "q"]},
    ),
    (
        "POST",
        "/v1/graph-workflow/completions",
        KEY,
        {"agents": [W, E], "edges": [{"source": "Writer", "target": "Editor"}], "task": "t"},
    ),
    ("GET", "/v1/usage/costs", KEY, None),
    ("GET", "/v1/account/credits", KEY, None),
    ("GET", "/v1/metrics/summary", KEY, None),
    # Errors are exchanges too: no key, a bad body, an unknown path.
    ("POST", "/v1/agent/completions", {}, {"agent_config": W, "task": "no key"}),
    ("POST", "/v1/swarm/completions", KEY, {"name": "no task", "agents": [W]}),
    ("GET", "/v1/nope", KEY, None),
]


@pytest.fixture
def servers() -> Iterator[tuple[str, str]]:
    """(upstream URL, proxy URL)."""
    with serve(seed=1, now="2026-03-02T12:00:00Z") as upstream:
        config = ProxyConfig(upstream=upstream.base_url, settings=load_settings({}, environ={}))
        with run_app(create_proxy_app(config)) as url:
            yield upstream.base_url, url


def test_every_endpoint_of_a_docs_profile_upstream_shows_zero_drift(servers: tuple[str, str]) -> None:
    _assert_zero_drift(*servers)


def test_a_legacy_profile_upstream_compared_in_the_legacy_profile_shows_zero_drift() -> None:
    # Other price table (2025-05), layouts and SSE format: still no drift, /openapi.json examples included.
    with serve(seed=1, profile="legacy") as upstream:
        settings = load_settings({"profile": "legacy"}, environ={})
        with run_app(create_proxy_app(ProxyConfig(upstream=upstream.base_url, settings=settings))) as url:
            _assert_zero_drift(upstream.base_url, url)


def _assert_zero_drift(upstream: str, proxy: str) -> None:
    paths_seen = set()
    with httpx.Client(base_url=proxy, timeout=30) as client:
        for method, path, headers, body in EXCHANGES:
            response = client.request(method, path, headers=headers, json=body)
            assert response.headers["x-mockswarms-drift"] == "0", (method, path, response.text[:300])
            paths_seen.add(TEMPLATES.get(path, path))
        report = client.get("/__mockswarms/drift").json()
    assert report == {"exchanges": len(EXCHANGES), "drift": 0, "findings": []}
    contract_paths = set(httpx.get(upstream + "/openapi.json").json()["paths"])
    assert contract_paths <= paths_seen  # every documented endpoint went through the proxy


def test_the_upstream_answer_comes_back_unchanged(servers: tuple[str, str]) -> None:
    upstream, proxy = servers
    body = {"agent_config": W, "task": "Same bytes"}
    # The upstream's clock is frozen and its text seeded: the same request twice gives the same bytes.
    direct = httpx.post(upstream + "/v1/agent/completions", headers=KEY, json=body)
    via_proxy = httpx.post(proxy + "/v1/agent/completions", headers=KEY, json=body)
    assert via_proxy.status_code == direct.status_code == 200
    assert via_proxy.headers["content-type"] == direct.headers["content-type"]
    assert via_proxy.headers["x-ratelimit-tier"] == "premium"
    assert via_proxy.json()["outputs"][0]["content"] == direct.json()["outputs"][0]["content"]
    assert via_proxy.json()["usage"] == direct.json()["usage"]


def test_streams_pass_through_as_they_arrive() -> None:
    """Pacing preserved: with 20 tokens/s upstream, the first chunk arrives long before the last."""
    pacing = {"*": {"time_to_first_token": 0.0, "tokens_per_second": 20}}
    with serve(seed=1, pacing=pacing) as upstream:
        config = ProxyConfig(upstream=upstream.base_url, settings=load_settings({}, environ={}))
        with run_app(create_proxy_app(config)) as url:
            body = {"agent_config": {**W, "streaming_on": True, "max_tokens": 20}, "task": "Slowly"}
            arrivals = []
            with httpx.stream("POST", url + "/v1/agent/completions", headers=KEY, json=body, timeout=30) as r:
                assert r.headers["content-type"].startswith("text/event-stream")
                for line in r.iter_lines():
                    if line.startswith("event: "):
                        arrivals.append((line[7:], time.monotonic()))
    names = [name for name, _ in arrivals]
    assert names[0] == "start" and names[-1] == "done"
    first_chunk = next(t for name, t in arrivals if name == "chunk")
    assert arrivals[-1][1] - first_chunk > 0.5  # 20 tokens at 20/s: spread over ~1 s, not one burst


def test_real_clients_work_unchanged_through_the_proxy(servers: tuple[str, str]) -> None:
    import openai
    from swarms_client import SwarmsClient

    proxy = servers[1]
    chat = openai.OpenAI(base_url=proxy + "/v1", api_key="sk-mock-premium", max_retries=0)
    whole = chat.chat.completions.create(model="gpt-4.1", messages=[{"role": "user", "content": "hi"}])
    pieces = chat.chat.completions.create(
        model="gpt-4.1", messages=[{"role": "user", "content": "hi"}], stream=True
    )
    streamed = "".join(piece.choices[0].delta.content or "" for piece in pieces if piece.choices)
    assert streamed == whole.choices[0].message.content != ""
    swarms = SwarmsClient(api_key="sk-mock-premium", base_url=proxy, max_retries=0)
    result = swarms.agent.run(agent_config={"agent_name": "Writer", "model_name": "gpt-4.1"}, task="hello")
    assert result["success"] is True and result["outputs"][0]["role"] == "Writer"
    assert httpx.get(proxy + "/__mockswarms/drift").json()["drift"] == 0
