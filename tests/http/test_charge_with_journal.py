"""A plain completion's charge is settled with its journal entry in one store step (issue #15).

The step runs after the reply is built and before it goes out; when the charge fails there (credits
or a window used up by a concurrent request meanwhile), the client gets the 402/429 the API answers,
nothing is charged, and the journal holds that answer — not the reply that never went out.
"""

from __future__ import annotations

from typing import Any

import httpx

from mockswarms.http.app import create_app
from mockswarms.state.base import Charge, CommitOutcome

BODY = {"agent_config": {"agent_name": "Counter", "model_name": "gpt-4o"}, "task": "Count to three"}
KEY = {"x-api-key": "sk-mock-premium"}


async def test_reply_and_charge_share_the_journal_entry() -> None:
    app = create_app(now="2026-03-01T12:00:00Z")
    store = app.state.simulator.store
    commits: list[Charge] = []
    original = store.commit

    async def recording(charge: Charge) -> CommitOutcome:
        commits.append(charge)
        return await original(charge)

    store.commit = recording
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sim") as client:
        response = await client.post("/v1/agent/completions", json=BODY, headers=KEY)
        assert response.status_code == 200
        [entry] = (await client.get("/__mockswarms/journal")).json()["entries"]
    assert len(commits) == 1 and commits[0].journal is not None  # one step: charge + entry
    assert (entry["id"], entry["status"], entry["response"]) == (1, 200, response.json())
    assert entry["cost"] == str(commits[0].cost)


async def test_a_charge_refused_at_settle_answers_402_and_journals_it() -> None:
    app = create_app(now="2026-03-01T12:00:00Z")
    store = app.state.simulator.store
    original = store.commit

    async def spent_meanwhile(charge: Charge) -> CommitOutcome:
        if charge.journal is not None:  # another request took the last credits since admit
            balances = await store.get_balances(charge.user_id)
            return CommitOutcome("insufficient_credits", balances, {})
        return await original(charge)

    store.commit = spent_meanwhile
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sim") as client:
        before = (await client.get("/v1/account/credits", headers=KEY)).json()
        assert before["credit"] > 0
        response = await client.post("/v1/agent/completions", json=BODY, headers=KEY)
        assert response.status_code == 402
        assert "detail" in response.json()
        entries: list[dict[str, Any]] = (await client.get("/__mockswarms/journal")).json()["entries"]
        assert (await client.get("/v1/account/credits", headers=KEY)).json() == before
        logs = (await client.get("/v1/swarm/logs", headers=KEY)).json()["logs"]
    completions = [e for e in entries if e["path"] == "/v1/agent/completions"]
    assert [(e["status"], e["response"], e["cost"]) for e in completions] == [(402, response.json(), "0")]
    assert logs == []
