"""Small agent completions and workflows run on the event loop; anything bigger goes to a worker thread."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockswarms.http.app import create_app
from mockswarms.http.endpoints import agents, swarms

KEY = {"x-api-key": "sk-mock-premium"}


@pytest.fixture
def threaded(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    handed: list[str] = []
    real = asyncio.to_thread

    async def counting(function: Any, /, *args: Any, **kwargs: Any) -> Any:
        handed.append(function.__name__)
        return await real(function, *args, **kwargs)

    monkeypatch.setattr(agents.asyncio, "to_thread", counting)
    yield handed


def _complete(body: dict[str, Any]) -> dict[str, Any]:
    app = create_app(seed=3, now="2026-01-01T12:00:00Z")  # frozen clock: byte-comparable answers
    with TestClient(app) as client:
        response = client.post("/v1/agent/completions", json=body, headers=KEY)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


@pytest.mark.parametrize(
    ("body", "in_thread"),
    [
        ({"agent_config": {"agent_name": "A", "model_name": "gpt-4o"}, "task": "Short."}, False),
        (
            {"agent_config": {"agent_name": "A", "max_loops": 1}, "task": "x" * agents.INLINE_TASK_CHARS},
            False,
        ),
        ({"agent_config": {"agent_name": "A", "max_loops": 2}, "task": "Two turns."}, True),
        ({"agent_config": {"agent_name": "A", "max_loops": "auto"}, "task": "Auto."}, True),
        ({"agent_config": {"agent_name": "A"}, "task": "x" * (agents.INLINE_TASK_CHARS + 1)}, True),
        (
            {"agent_config": {"agent_name": "A"}, "task": "t", "history": [{"role": "user", "content": "h"}]},
            True,
        ),
    ],
)
def test_which_runs_leave_the_loop(threaded: list[str], body: dict[str, Any], in_thread: bool) -> None:
    _complete(body)
    assert threaded == (["run_agent"] if in_thread else [])


def test_inline_and_threaded_runs_answer_the_same_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    body = {"agent_config": {"agent_name": "A", "model_name": "gpt-4o", "max_tokens": 50}, "task": "Same."}
    inline = _complete(body)
    monkeypatch.setattr(agents, "_runs_inline", lambda req: False)
    assert _complete(body) == inline


def _swarm(swarm_type: str, agents: int, **extra: Any) -> dict[str, Any]:
    names = [{"agent_name": f"A{i}", "model_name": "gpt-4o"} for i in range(agents)]
    return {"swarm_type": swarm_type, "task": "Brief.", "agents": names, **extra}


@pytest.mark.parametrize(
    ("body", "in_thread"),
    [
        (_swarm("SequentialWorkflow", 3), False),
        (_swarm("ConcurrentWorkflow", 4), False),
        (_swarm("SequentialWorkflow", 5), True),
        (_swarm("SequentialWorkflow", 3, max_loops=2), True),
        (_swarm("SequentialWorkflow", 2, tasks=["a", "b"]), True),
        (_swarm("MajorityVoting", 3), True),
    ],
)
def test_which_swarms_leave_the_loop(
    monkeypatch: pytest.MonkeyPatch, body: dict[str, Any], in_thread: bool
) -> None:
    handed: list[str] = []
    real = asyncio.to_thread

    async def counting(function: Any, /, *args: Any, **kwargs: Any) -> Any:
        handed.append(function.__name__)
        return await real(function, *args, **kwargs)

    monkeypatch.setattr(swarms.asyncio, "to_thread", counting)
    app = create_app(seed=3, now="2026-01-01T12:00:00Z")
    with TestClient(app) as client:
        response = client.post("/v1/swarm/completions", json=body, headers=KEY)
    assert response.status_code == 200, response.text
    assert handed == (["_run_swarm"] if in_thread else [])


def test_inline_and_threaded_swarms_answer_the_same_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    def answer() -> bytes:
        with TestClient(create_app(seed=3, now="2026-01-01T12:00:00Z")) as client:
            return client.post(
                "/v1/swarm/completions", json=_swarm("SequentialWorkflow", 3), headers=KEY
            ).content

    inline = answer()
    monkeypatch.setattr(swarms, "_runs_inline", lambda spec: False)
    assert answer() == inline
