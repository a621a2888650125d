"""Several uvicorn workers on one Redis store behave as one simulator (issue: scale-out).

A real ``mockswarms serve --workers 2 --store redis://…`` process tree is driven over HTTP: limits,
balances, logs, the clock and fault rules must be shared exactly as with one in-memory worker.
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.redis

BODY = {"agent_config": {"agent_name": "Scaler", "model_name": "gpt-4o"}, "task": "Count to three"}
FREE = {"x-api-key": "sk-mock-free"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def cluster(redis_url: str) -> Iterator[str]:
    port = _free_port()
    # A database of its own so the store contract suite's keys never mix with these.
    url = redis_url.rsplit("/", 1)[0] + "/3"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mockswarms",
            "serve",
            "--workers",
            "2",
            "--store",
            url,
            "--port",
            str(port),
            "--now",
            "2026-03-01T12:00:00Z",
            "--log-level",
            "warning",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=0.5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else "server exited"
            assert time.monotonic() < deadline, "workers did not start"
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=15)


@pytest.fixture
def base(cluster: str) -> str:
    assert httpx.post(f"{cluster}/__mockswarms/reset").status_code == 200
    return cluster


def _credits(base: str) -> Decimal:
    # The control API: the public one answers 429 while the minute window is full.
    return Decimal(str(httpx.get(f"{base}/__mockswarms/accounts/sk-mock-free").json()["total_credits"]))


def test_two_workers_admit_exactly_the_free_minute_limit_and_charge_exactly(base: str) -> None:
    before = _credits(base)

    async def burst() -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=300)
        async with httpx.AsyncClient(base_url=base, headers=FREE, limits=limits, timeout=60) as client:
            return await asyncio.gather(
                *(client.post("/v1/agent/completions", json=BODY) for _ in range(300))
            )

    responses = asyncio.run(burst())
    statuses = [r.status_code for r in responses]
    assert statuses.count(200) == 100 and statuses.count(429) == 200
    charged = sum(Decimal(str(r.json()["usage"]["total_cost"])) for r in responses if r.status_code == 200)
    assert before - _credits(base) == charged
    assert httpx.get(f"{base}/v1/swarm/logs", headers=FREE).status_code == 429  # the limiter runs on GETs too
    limits = httpx.get(f"{base}/v1/rate/limits", headers=FREE).json()["rate_limits"]["minute"]
    assert (limits["count"], limits["remaining"], limits["exceeded"]) == (100, 0, True)
    httpx.put(f"{base}/__mockswarms/clock", json={"advance_seconds": 61})
    logs = httpx.get(f"{base}/v1/swarm/logs", headers=FREE).json()["logs"]
    assert len(logs) == 100
    assert sum(Decimal(str(row["data"]["usage"]["total_cost"])) for row in logs) == charged


def test_clock_and_faults_are_shared_between_workers(base: str) -> None:
    moved = httpx.put(f"{base}/__mockswarms/clock", json={"advance_seconds": 3600}).json()["now"]
    assert moved == "2026-03-01T13:00:00.000000+00:00"
    for _ in range(6):  # several connections: both workers answer some of them
        with httpx.Client(base_url=base) as fresh:
            assert fresh.get("/__mockswarms/clock").json()["now"] == moved
    rule = {
        "id": "all-503",
        "match": {"path": "/v1/agent/completions"},
        "action": {"type": "error", "status": 503},
    }
    assert httpx.post(f"{base}/__mockswarms/faults", json=rule).status_code == 201
    for _ in range(6):
        with httpx.Client(base_url=base, headers=FREE) as fresh:
            assert fresh.post("/v1/agent/completions", json=BODY).status_code == 503


def _fresh_connections(base: str, count: int, method: str, path: str, **kwargs: Any) -> list[httpx.Response]:
    """One new connection per request, so both workers answer some of them."""
    responses = []
    for _ in range(count):
        with httpx.Client(base_url=base, timeout=30) as fresh:
            responses.append(fresh.request(method, path, **kwargs))
    return responses


def test_ids_are_unique_across_workers(base: str) -> None:
    async def burst() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=base, headers=FREE, timeout=60) as client:
            return await asyncio.gather(*(client.post("/v1/agent/completions", json=BODY) for _ in range(40)))

    responses = asyncio.run(burst())
    assert [r.status_code for r in responses] == [200] * 40, [r.text for r in responses][:2]
    assert len({r.json()["job_id"] for r in responses}) == 40


def test_runtime_settings_and_fixtures_reach_every_worker(base: str) -> None:
    try:
        put = httpx.put(f"{base}/__mockswarms/settings", json={"price_table": "2025-08"}, timeout=30)
        assert put.status_code == 200 and put.json()["price_table"] == "2025-08"
        seen = _fresh_connections(base, 10, "GET", "/__mockswarms/settings")
        assert {r.json()["price_table"] for r in seen} == {"2025-08"}
        costs = _fresh_connections(base, 10, "GET", "/v1/usage/costs", headers=FREE)
        assert {r.json()["usage_pricing"]["agent_completions_input_cost_per_1m"] for r in costs} == {2.0}

        rule = {"id": "everywhere", "match": {"agent_name": "Scaler"}, "respond": {"text": "Shared fixture."}}
        assert httpx.post(f"{base}/__mockswarms/fixtures", json={"rules": [rule]}).status_code == 201
        answers = _fresh_connections(base, 10, "POST", "/v1/agent/completions", json=BODY, headers=FREE)
        assert [r.status_code for r in answers] == [200] * 10
        assert [r.json()["outputs"][0]["content"] for r in answers] == ["Shared fixture."] * 10
        assert httpx.delete(f"{base}/__mockswarms/fixtures").status_code == 200
        answers = _fresh_connections(base, 6, "POST", "/v1/agent/completions", json=BODY, headers=FREE)
        assert all("Shared fixture." not in str(r.json()["outputs"]) for r in answers)
    finally:
        assert httpx.delete(f"{base}/__mockswarms/settings", timeout=30).status_code == 200
    seen = _fresh_connections(base, 6, "GET", "/__mockswarms/settings")
    assert {r.json()["price_table"] for r in seen} == {"2026"}


def test_violations_log_is_one_log_shared_by_every_worker(base: str) -> None:
    agent = {"agent_name": "Scaler", "model_name": "gpt-4o", "max_tokens": "lots"}
    malformed = {"agent_config": agent, "task": "Count to three"}
    sent = _fresh_connections(base, 12, "POST", "/v1/agent/completions", json=malformed, headers=FREE)
    assert len({r.status_code for r in sent}) == 1, [r.text for r in sent][:2]  # report mode: all alike
    seen = [r.json() for r in _fresh_connections(base, 8, "GET", "/__mockswarms/violations")]
    assert all(body == seen[0] for body in seen), [(b["total"], b["count"]) for b in seen]
    assert (seen[0]["total"], seen[0]["count"]) == (12, 12)
    assert [v["seq"] for v in seen[0]["violations"]] == list(range(1, 13))
    assert {tuple(v["location"]) for v in seen[0]["violations"]} == {("body", "agent_config", "max_tokens")}
    assert httpx.post(f"{base}/__mockswarms/reset").status_code == 200
    after = [r.json() for r in _fresh_connections(base, 6, "GET", "/__mockswarms/violations")]
    assert after == [{"total": 0, "count": 0, "violations": []}] * 6
    _fresh_connections(base, 2, "POST", "/v1/agent/completions", json=malformed, headers=FREE)
    assert httpx.delete(f"{base}/__mockswarms/violations").status_code == 200
    cleared = [r.json() for r in _fresh_connections(base, 6, "GET", "/__mockswarms/violations")]
    assert cleared == [{"total": 0, "count": 0, "violations": []}] * 6


def test_every_answered_completion_is_in_the_journal_with_its_charge(base: str) -> None:
    # The charge and the journal entry are one store step for a plain agent completion.
    async def burst() -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=150)
        async with httpx.AsyncClient(base_url=base, headers=FREE, limits=limits, timeout=60) as client:
            return await asyncio.gather(
                *(client.post("/v1/agent/completions", json=BODY) for _ in range(150))
            )

    responses = asyncio.run(burst())
    assert sorted(r.status_code for r in responses) == [200] * 100 + [429] * 50
    entries = httpx.get(f"{base}/__mockswarms/journal").json()["entries"]
    assert len(entries) == 150 and sorted(e["id"] for e in entries) == list(range(1, 151))
    by_job = {e["response"]["job_id"]: e for e in entries if e["status"] == 200}
    for r in responses:
        if r.status_code == 200:
            entry = by_job[r.json()["job_id"]]
            assert entry["response"] == r.json()
            assert Decimal(entry["cost"]) == Decimal(str(r.json()["usage"]["total_cost"]))
    assert all(e["cost"] == "0" for e in entries if e["status"] == 429)
