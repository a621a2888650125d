"""Issue #15 (Redis): round trips to Redis per agent completion, counted on the wire.

Every command or pipeline the client sends is one ``send_packed_command`` on a connection; the test
counts them for one agent completion on a started simulator. Today: 4 — the request's one read of
shared state (clock, runtime settings, fixtures, fault rules: one MGET), the caller (account,
balances and rate windows: one Lua script), the charge (settle + log row + metrics + agents: one Lua
script) and the journal entry (one Lua script). The #15 target is 2 (the journal entry and the
shared-state read folded into the other two); see the report on #15.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
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


async def test_agent_completion_costs_four_round_trips(redis_url: str, sent: list[bytes]) -> None:
    url = redis_url.rsplit("/", 1)[0] + f"/{os.getpid() % 8 + 8}"
    app = create_app(store=url, now="2026-03-01T12:00:00Z")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as client:
        assert (await client.post("/__mockswarms/reset")).status_code == 200
        assert (await client.post("/v1/agent/completions", json=BODY, headers=KEY)).status_code == 200
        sent.clear()
        response = await client.post("/v1/agent/completions", json=BODY, headers=KEY)
        assert response.status_code == 200
        assert len(sent) == 4, [packet[:60] for packet in sent]
        assert sent[0].split(b"\r\n")[2] == b"MGET"
        assert all(packet.split(b"\r\n")[2] == b"EVALSHA" for packet in sent[1:])
        sent.clear()
        assert (await client.get("/health")).status_code == 200
        assert len(sent) == 2  # the shared-state read and the journal entry
    await app.state.simulator.close()
