"""Issue #13 item 1: no request holds the event loop; the work one request may ask for is capped.

Through a real uvicorn server: ``/health`` keeps answering within 100 ms while the largest allowed
requests run; requests over the caps get the API's own errors and cost nothing.
"""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from mockswarms.config import AccountConfig
from mockswarms.limits import MAX_AGENTS, MAX_LOOPS, MAX_MODEL_CALLS, MAX_MODEL_CALLS_DETAIL
from mockswarms.testing.server import serve

NOW = "2026-07-15T21:00:00Z"
KEY = {"x-api-key": "sk-rich"}
RICH = AccountConfig(key="sk-rich", user_id="user-rich", tier="premium", credit=Decimal("100000000"))


def agents(n: int) -> list[dict[str, Any]]:
    return [{"agent_name": f"Agent-{i}", "model_name": "gpt-4o-mini"} for i in range(n)]


# The largest requests the caps allow, each making MAX_MODEL_CALLS model calls.
LARGEST: list[tuple[str, dict[str, Any]]] = [
    (
        "/v1/swarm/completions",
        {
            "swarm_type": "SequentialWorkflow",
            "task": "Draft",
            "agents": agents(MAX_AGENTS),
            "max_loops": MAX_MODEL_CALLS // MAX_AGENTS,
        },
    ),
    (
        "/v1/reasoning-agent/completions",
        {
            "swarm_type": "self-consistency",
            "task": "Think",
            "num_samples": MAX_LOOPS - 1,
            "max_loops": MAX_MODEL_CALLS // MAX_LOOPS,
        },
    ),
]


def credits(client: httpx.Client) -> str:
    return str(client.get("/v1/account/credits", headers=KEY).json()["total_credits"])


class LoopHold:
    """The longest CPU time one event-loop callback of the server thread runs (thread CPU time, so a
    loaded machine's scheduling delays do not count, only work done while holding the loop)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.longest = 0.0
        self.culprit = ""
        original = asyncio.events.Handle._run

        def timed(handle: asyncio.events.Handle) -> None:
            if not threading.current_thread().name.startswith("mockswarms:"):
                original(handle)
                return
            started = time.thread_time()
            try:
                original(handle)
            finally:
                spent = time.thread_time() - started
                if spent > self.longest:
                    self.longest, self.culprit = spent, repr(handle)[:300]

        monkeypatch.setattr(asyncio.events.Handle, "_run", timed)


@pytest.fixture
def frozen_heap() -> Iterator[None]:
    """The test session's own heap (pytest, hypothesis, ...) must not turn a garbage collection that
    happens to run on the loop into a false alarm: only objects made during the test count."""
    gc.collect()
    gc.freeze()
    yield
    gc.unfreeze()


@pytest.mark.usefixtures("frozen_heap")
def test_health_answers_within_100_ms_while_the_largest_requests_run(monkeypatch: pytest.MonkeyPatch) -> None:
    with serve(now=NOW, accounts=[RICH]) as server:
        statuses: list[int] = []
        with httpx.Client(base_url=server.base_url, timeout=10) as warm:
            warm.post(*LARGEST[0][:1], json={}, headers=KEY)  # compiles the contract validator once
        hold = LoopHold(monkeypatch)

        def heavy() -> None:
            with httpx.Client(base_url=server.base_url, timeout=120) as client:
                for path, body in LARGEST:
                    statuses.append(client.post(path, json=body, headers=KEY).status_code)

        worker = threading.Thread(target=heavy)
        latencies: list[float] = []
        with httpx.Client(base_url=server.base_url, timeout=10) as probe:
            probe.get("/health")
            worker.start()
            while worker.is_alive():
                started = time.perf_counter()
                response = probe.get("/health")
                latencies.append(time.perf_counter() - started)
                assert response.json() == {"status": "ok"}
                time.sleep(0.01)
        worker.join()
    assert statuses == [200, 200]
    assert len(latencies) >= 5, "the large requests finished too fast to probe"
    # Before: each run held the loop ~0.5 s of CPU and /health waited for it.
    assert hold.longest < 0.02, f"{hold.culprit} ran {hold.longest * 1000:.0f} ms"
    latencies.sort()
    assert latencies[len(latencies) // 2] < 0.1, (
        f"median /health {latencies[len(latencies) // 2] * 1000:.0f} ms"
    )


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (
            "/v1/swarm/completions",
            {"swarm_type": "SequentialWorkflow", "task": "x", "agents": agents(MAX_AGENTS), "max_loops": 11},
        ),
        (
            "/v1/reasoning-agent/completions",
            {"swarm_type": "self-consistency", "task": "x", "num_samples": 100, "max_loops": 100},
        ),
        (
            "/v1/batched-grid-workflow/completions",
            {"agent_completions": agents(40), "tasks": [f"t{i}" for i in range(30)], "max_loops": 1},
        ),
    ],
)
def test_a_request_over_the_model_call_budget_is_a_400_and_costs_nothing(
    path: str, body: dict[str, Any]
) -> None:
    with serve(now=NOW, accounts=[RICH]) as server, httpx.Client(base_url=server.base_url) as client:
        before = credits(client)
        started = time.perf_counter()
        response = client.post(path, json=body, headers=KEY)
        elapsed = time.perf_counter() - started
        assert response.status_code == 400
        assert response.json() == {"detail": MAX_MODEL_CALLS_DETAIL}
        assert credits(client) == before
        assert client.get("/v1/swarm/logs", headers=KEY).json()["logs"] == []
    assert elapsed < 5


def test_all_runs_of_one_batch_share_one_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    import mockswarms.limits as limits

    monkeypatch.setattr(limits, "MAX_REQUEST_MODEL_CALLS", 50)
    item = {"swarm_type": "SequentialWorkflow", "task": "x", "agents": agents(5), "max_loops": 4}  # 20 calls
    with serve(now=NOW, accounts=[RICH]) as server, httpx.Client(base_url=server.base_url) as client:
        start = Decimal(credits(client))
        assert client.post("/v1/swarm/batch/completions", json=[item, item], headers=KEY).status_code == 200
        two = start - Decimal(credits(client))
        response = client.post("/v1/swarm/batch/completions", json=[item, item, item], headers=KEY)
        # Batch items fail one by one inside a 200: the third would pass the request's budget.
        assert response.status_code == 200
        results = response.json()
        assert [r["status"] for r in results] == ["success", "success", "error"]
        assert results[2]["detail"] == "Failed to run swarm: " + limits.MAX_REQUEST_MODEL_CALLS_DETAIL
        assert start - two - Decimal(credits(client)) == two  # only the two that ran were charged
