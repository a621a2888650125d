"""The dashboard's feeds with two workers on one Redis store: one page sees every worker's requests,
fault counts and rate windows (the journal, counters and windows live in the store)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

pytestmark = pytest.mark.redis

PREMIUM = {"x-api-key": "sk-mock-premium"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def workers(redis_url: str) -> Iterator[str]:
    port = _free_port()
    url = redis_url.rsplit("/", 1)[0] + "/5"  # a database of its own
    command = [sys.executable, "-m", "mockswarms", "serve", "--workers", "2", "--store", url]
    proc = subprocess.Popen(
        [*command, "--port", str(port), "--log-level", "warning"],
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
        assert httpx.post(f"{base}/__mockswarms/reset", json={}, timeout=10).status_code == 200
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def test_one_feed_sees_every_workers_requests_and_counts(workers: str) -> None:
    rule = {
        "id": "every-2nd",
        "match": {"path": "/v1/models"},
        "selector": {"every_nth": 2},
        "action": {"type": "error", "status": 503},
    }
    added = httpx.post(f"{workers}/__mockswarms/faults", json=rule, timeout=10)
    assert added.status_code == 201
    statuses = []
    for _ in range(6):  # a new connection each time: the kernel spreads them over both workers
        statuses.append(httpx.get(f"{workers}/v1/models", headers=PREMIUM, timeout=10).status_code)
    assert statuses == [200, 503] * 3

    seen: list[str] = []
    with httpx.stream("GET", f"{workers}/__mockswarms/events", timeout=10) as feed:
        assert feed.status_code == 200
        for line in feed.iter_lines():
            if line.startswith("id: "):
                seen.append(line[4:])
            if len(seen) == 6:
                break
    assert seen == ["1", "2", "3", "4", "5", "6"]

    stats = httpx.get(f"{workers}/__mockswarms/faults/stats", timeout=10).json()["faults"]
    assert [(r["id"], r["matched"], r["fired"]) for r in stats] == [("every-2nd", 6, 3)]
    usage = httpx.get(f"{workers}/__mockswarms/accounts/sk-mock-premium/usage", timeout=10).json()
    assert usage["key"] == "…mium" and [w["name"] for w in usage["windows"]] == ["minute", "hour", "day"]
