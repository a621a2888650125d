"""Replay and money: a replayed error (non-2xx) charges nothing and writes no log row, a replayed
success is charged and journaled as the client got it, the simulator's refusals stand, and a
body too deep for any recording still gets the documented 422."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockswarms.http.app import create_app

KEY = {"x-api-key": "sk-mock-premium"}
AGENT = {"agent_name": "Writer", "model_name": "gpt-4o"}
FAIL = {"agent_config": AGENT, "task": "please fail"}
OK = {"agent_config": AGENT, "task": "please succeed"}
ERROR_BODY = '{"detail":"An unexpected error occurred: upstream failure"}'
OK_BODY = '{"job_id":"agent-recorded-1","success":true,"outputs":[]}'
RECORDINGS = f"""\
exchanges:
  - match: {{method: POST, path: /v1/agent/completions, task: please fail, stream: false}}
    response: {{status: 500, content_type: application/json, body: '{ERROR_BODY}'}}
  - match: {{method: POST, path: /v1/agent/completions, task: please succeed, stream: false}}
    response: {{status: 200, content_type: application/json, body: '{OK_BODY}'}}
"""
NOW = "2026-03-02T20:00:00Z"


def _client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sim")


@pytest.fixture
def recorded(tmp_path: Path) -> Path:
    (tmp_path / "rec.yaml").write_text(RECORDINGS)
    return tmp_path


async def _credit(client: httpx.AsyncClient, headers: dict[str, str] = KEY) -> Decimal:
    return Decimal(str((await client.get("/v1/account/credits", headers=headers)).json()["total_credits"]))


async def _entries(client: httpx.AsyncClient, path: str) -> list[dict[str, Any]]:
    entries = (await client.get("/__mockswarms/journal")).json()["entries"]
    return [e for e in entries if e["path"] == path]


async def test_a_replayed_error_charges_nothing_and_is_journaled_as_sent(recorded: Path) -> None:
    async with _client(create_app(seed=3, now=NOW, fixtures=[recorded])) as client:
        before = await _credit(client)
        response = await client.post("/v1/agent/completions", headers=KEY, json=FAIL)
        assert (response.status_code, response.text) == (500, ERROR_BODY)
        assert response.headers["content-type"] == "application/json"
        assert response.headers["x-ratelimit-tier"] == "premium"  # the simulator's limiter ran
        assert await _credit(client) == before == Decimal("100")
        logs = (await client.get("/v1/swarm/logs", headers=KEY)).json()["logs"]
        entries = await _entries(client, "/v1/agent/completions")
    assert logs == []
    assert [(e["status"], e["response"], e["cost"], e["streamed"]) for e in entries] == [
        (500, {"detail": "An unexpected error occurred: upstream failure"}, "0", False)
    ]


async def test_a_replayed_success_is_charged_and_journaled_as_sent(recorded: Path) -> None:
    async with _client(create_app(seed=3, now=NOW, fixtures=[recorded])) as client:
        before = await _credit(client)
        response = await client.post("/v1/agent/completions", headers=KEY, json=OK)
        assert (response.status_code, response.text) == (200, OK_BODY)
        after = await _credit(client)
        logs = (await client.get("/v1/swarm/logs", headers=KEY)).json()["logs"]
        entries = await _entries(client, "/v1/agent/completions")
    [row] = logs
    charged = Decimal(str(row["cost"]))
    assert row["category"] == "completion" and charged > 0
    assert before - after == charged
    assert [(e["status"], e["response"], Decimal(e["cost"])) for e in entries] == [
        (200, {"job_id": "agent-recorded-1", "success": True, "outputs": []}, charged)
    ]


@pytest.mark.parametrize(
    ("headers", "body", "status"),
    [
        ({}, FAIL, 401),
        ({"x-api-key": "sk-mock-nobody"}, FAIL, 403),
        ({"x-api-key": "sk-mock-broke"}, FAIL, 402),
        ({"x-api-key": "sk-mock-free"}, {**FAIL, "agent_config": {**AGENT, "model_name": "gpt-4.1"}}, 403),
    ],
)
async def test_the_simulators_gates_answer_before_a_recorded_error(
    recorded: Path, tmp_path_factory: pytest.TempPathFactory, headers: dict[str, str], body: Any, status: int
) -> None:
    # The same request to a simulator without recordings: the answer to expect, byte for byte.
    async with _client(create_app(seed=3, now=NOW)) as plain:
        expected = await plain.post("/v1/agent/completions", headers=headers, json=body)
    assert expected.status_code == status
    async with _client(create_app(seed=3, now=NOW, fixtures=[recorded])) as client:
        response = await client.post("/v1/agent/completions", headers=headers, json=body)
        entries = await _entries(client, "/v1/agent/completions")
    assert (response.status_code, response.content) == (status, expected.content)
    assert [(e["status"], e["response"]) for e in entries] == [(status, expected.json())]


async def test_a_recorded_success_does_not_replace_the_simulators_refusal(tmp_path: Path) -> None:
    # A loose recording (request_sha256 and the fields deleted) matches any agent completion.
    (tmp_path / "loose.yaml").write_text(
        "exchanges:\n  - match: {method: POST, path: /v1/agent/completions}\n"
        f"    response: {{status: 200, content_type: application/json, body: '{OK_BODY}'}}\n"
    )
    bad = {"agent_config": {**AGENT, "max_loops": "many"}, "task": "x"}
    async with _client(create_app(seed=3, now=NOW)) as plain:
        expected = await plain.post("/v1/agent/completions", headers=KEY, json=bad)
    assert expected.status_code == 422
    async with _client(create_app(seed=3, now=NOW, fixtures=[tmp_path])) as client:
        before = await _credit(client)
        response = await client.post("/v1/agent/completions", headers=KEY, json=bad)
        assert await _credit(client) == before
        logs = (await client.get("/v1/swarm/logs", headers=KEY)).json()["logs"]
    assert (response.status_code, response.content) == (422, expected.content)
    assert logs == []


@pytest.mark.parametrize("depth", [100, 600, 5_000])
async def test_a_deeply_nested_body_gets_the_same_422_with_recordings(recorded: Path, depth: int) -> None:
    body = '{"agent_config": {"agent_name": "A"}, "task": "t", "x": ' + "[" * depth + "]" * depth + "}"
    headers = {**KEY, "content-type": "application/json"}
    async with _client(create_app(seed=3, now=NOW)) as plain:
        expected = await plain.post("/v1/agent/completions", headers=headers, content=body)
    assert expected.status_code in (400, 422)
    async with _client(create_app(seed=3, now=NOW, fixtures=[recorded])) as client:
        response = await client.post("/v1/agent/completions", headers=headers, content=body)
    assert (response.status_code, response.content) == (expected.status_code, expected.content)
    if depth == 600:
        assert response.status_code == 422
        assert response.json()["detail"][0]["type"] == "json_invalid"


SLOW_STREAM = """\
exchanges:
  - match: {method: POST, path: /v1/agent/completions, task: slow, stream: true}
    response:
      status: 200
      content_type: text/event-stream; charset=utf-8
      frames:
        - {at: 0.0, text: "event: start\\ndata: {}\\n\\n"}
        - {at: 3.0, text: "event: done\\ndata: {}\\n\\n"}
"""


def test_a_client_that_leaves_a_replayed_stream_is_refunded(tmp_path: Path) -> None:
    """The simulator billed the run, then the client left during the recorded frames: it did not get
    the complete response, so the charge goes back (and the replay stops sending)."""
    import time as clock
    from decimal import Decimal

    from mockswarms.testing.control import SimulatorControl
    from mockswarms.testing.server import serve

    (tmp_path / "slow.yaml").write_text(SLOW_STREAM)
    body = {"agent_config": {"agent_name": "Writer", "model_name": "gpt-4.1"}, "task": "slow", "stream": True}
    with serve(seed=3, now="2026-03-01T12:00:00Z", fixtures=[str(tmp_path)]) as running:
        ctl = SimulatorControl(running.base_url)
        start = ctl.balance()
        began = clock.monotonic()
        with httpx.stream(
            "POST", running.base_url + "/v1/agent/completions", json=body, headers=KEY, timeout=10
        ) as reply:
            # Keep the iterator: a dropped httpx iterator closes the stream, i.e. the client leaves now.
            frames = reply.iter_raw()
            assert next(frames).startswith(b"event: start")
            assert ctl.balance() < start  # charged while streaming
        deadline = clock.monotonic() + 2
        while ctl.balance() != start and clock.monotonic() < deadline:
            clock.sleep(0.02)
        assert clock.monotonic() - began < 2.5  # noticed at once, not after the recorded 3 s pause
        assert ctl.balance() == start
        rows = httpx.get(running.base_url + "/v1/swarm/logs", headers=KEY).json()["logs"]
        refund = next(row for row in rows if row["category"] == "refund")
        assert refund["data"]["reason"] == "the client left a replayed stream"
        assert sum(Decimal(str(row["cost"])) for row in rows) == 0
        ctl.close()
