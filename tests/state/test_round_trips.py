"""Issue #15 (Redis): round trips to Redis per agent completion, counted on the wire.

Every command or pipeline the client sends is one ``send_packed_command`` on a connection; the test
counts them for one agent completion on a started simulator: 2 Lua scripts — the request's first
read (clock, runtime settings, fixtures and fault-rule versions, plus the caller's account, balances
and rate windows) and the charge, which also writes the journal entry of the finished reply (settle +
log row + metrics + agents + journal), before the response goes out.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
import redis.asyncio.connection as redis_connection

from mockswarms.http.app import create_app

pytestmark = pytest.mark.redis

BODY = {"agent_config": {"agent_name": "Counter", "model_name": "gpt-4o"}, "task": "Count to three"}
KEY = {"x-api-key": "sk-mock-premium"}


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bytes]]:
    packets: list[bytes] = []
    original = redis_connection.Connection.send_packed_command

    async def counting(self: Any, command: Any, check_health: bool = True) -> None:
        packets.append(command if isinstance(command, bytes) else b"".join(command))
        await original(self, command, check_health)

    monkeypatch.setattr(redis_connection.Connection, "send_packed_command", counting)
    yield packets


def _db_url(redis_url: str) -> str:
    return redis_url.rsplit("/", 1)[0] + f"/{os.getpid() % 8 + 8}"


@contextlib.asynccontextmanager
async def _reset_simulator(url: str) -> AsyncIterator[httpx.AsyncClient]:
    """A started, reset simulator on ``url`` and a client for it (closed after)."""
    app = create_app(store=url, now="2026-03-01T12:00:00Z")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as client:
        assert (await client.post("/__mockswarms/reset")).status_code == 200
        yield client
    await app.state.simulator.close()


async def test_agent_completion_costs_two_round_trips(redis_url: str, sent: list[bytes]) -> None:
    async with _reset_simulator(_db_url(redis_url)) as client:
        assert (await client.post("/v1/agent/completions", json=BODY, headers=KEY)).status_code == 200
        sent.clear()
        response = await client.post("/v1/agent/completions", json=BODY, headers=KEY)
        assert response.status_code == 200
        assert len(sent) == 2, [packet[:60] for packet in sent]
        assert all(packet.split(b"\r\n")[2] == b"EVALSHA" for packet in sent)
        journal = (await client.get("/__mockswarms/journal")).json()["entries"]
        assert [(e["id"], e["path"], e["status"]) for e in journal[-2:]] == [
            (1, "/v1/agent/completions", 200),
            (2, "/v1/agent/completions", 200),
        ]
        assert journal[-1]["response"] == response.json()
        assert journal[-1]["cost"] == str(Decimal(str(response.json()["usage"]["total_cost"])))
        logs = (await client.get("/v1/swarm/logs", headers=KEY)).json()["logs"]
        assert logs[0]["data"]["job_id"] == response.json()["job_id"]  # the charge's log row
        assert str(Decimal(str(logs[0]["cost"]))) == journal[-1]["cost"]
        sent.clear()
        assert (await client.get("/health")).status_code == 200
        assert len(sent) == 2  # the shared-state read and the journal entry


SWARM = {
    "swarm_type": "SequentialWorkflow",
    "task": "Count to three",
    "agents": [{"agent_name": "One", "model_name": "gpt-4o"}, {"agent_name": "Two", "model_name": "gpt-4o"}],
}
CHAT = {"model": "gpt-4o", "messages": [{"role": "user", "content": "Count to three"}]}


@pytest.mark.parametrize(("path", "body"), [("/v1/swarm/completions", SWARM), ("/v1/chat/completions", CHAT)])
async def test_swarm_and_chat_completions_cost_two_round_trips(
    redis_url: str, sent: list[bytes], path: str, body: dict[str, Any]
) -> None:
    async with _reset_simulator(_db_url(redis_url)) as client:
        assert (await client.post(path, json=body, headers=KEY)).status_code == 200
        sent.clear()
        response = await client.post(path, json=body, headers=KEY)
        assert response.status_code == 200, response.text
        assert len(sent) == 2, [packet[:60] for packet in sent]
        journal = (await client.get("/__mockswarms/journal")).json()["entries"]
        assert [(e["id"], e["path"]) for e in journal] == [(1, path), (2, path)]
        assert journal[-1]["response"] == response.json()


async def test_a_redis_that_forgot_the_scripts_gets_each_sent_once_in_full(
    redis_url: str, sent: list[bytes]
) -> None:
    """After SCRIPT FLUSH (a restarted Redis) each script goes as EVAL once, then EVALSHA again."""
    import redis.asyncio as aioredis

    async with _reset_simulator(_db_url(redis_url)) as client:
        assert (await client.post("/v1/agent/completions", json=BODY, headers=KEY)).status_code == 200
        admin = aioredis.from_url(_db_url(redis_url))
        await admin.script_flush()
        await admin.aclose()
        sent.clear()
        first = await client.post("/v1/agent/completions", json=BODY, headers=KEY)
        assert first.status_code == 200
        verbs = [packet.split(b"\r\n")[2] for packet in sent]
        assert verbs == [b"EVALSHA", b"EVAL", b"EVALSHA", b"EVAL"], verbs
        sent.clear()
        assert (await client.post("/v1/agent/completions", json=BODY, headers=KEY)).status_code == 200
        assert [packet.split(b"\r\n")[2] for packet in sent] == [b"EVALSHA", b"EVALSHA"]
