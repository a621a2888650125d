"""The journal holds a bounded part of each body (what it shows, no more), and shows no secret a
request carries in its query string or in URLs inside its body — in the journal nor in the events feed."""

from __future__ import annotations

import gc
import json
import tracemalloc
from typing import Any

import httpx

from mockswarms.http.app import create_app
from mockswarms.journal import MAX_BODY_CHARS, decode_body
from mockswarms.testing.server import serve

PREMIUM = {"x-api-key": "sk-mock-premium"}
KEY = "sk-LEAKCANARY-7f3a9c21e8d4"
SECRETS = ("URLTOKEN-1122", "URLKEY-AB-3344", "PASS-5566", "7f3a9c21e8d4")


def _chat(content: str) -> bytes:
    return json.dumps({"model": "gpt-4o", "messages": [{"role": "user", "content": content}]}).encode()


async def _journal(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = (await client.get("/__mockswarms/journal")).json()["entries"]
    return entries


async def test_large_bodies_hold_a_bounded_part_in_the_journal() -> None:
    app = create_app(now="2026-03-01T12:00:00Z")
    body = _chat("x" * 1_000_000)
    headers = {"content-type": "application/json"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sim") as client:
        await client.put("/__mockswarms/accounts/sk-broke-key-0001", json={"tier": "free", "credit": "0"})
        statuses = []

        async def twelve() -> int:
            for key in (None, "sk-broke-key-0001", "sk-mock-premium") * 4:  # 401, 402, 200
                auth = {} if key is None else {"x-api-key": key}
                answer = await client.post("/v1/chat/completions", content=body, headers=headers | auth)
                statuses.append(answer.status_code)
            del answer
            gc.collect()
            return tracemalloc.get_traced_memory()[0]

        tracemalloc.start()
        try:  # the first dozen leaves what the app keeps whatever the count (the last body parsed...)
            growth = -(await twelve()) + await twelve()
        finally:
            tracemalloc.stop()
        assert set(statuses) == {401, 402, 200}
        # 12 more requests of 1 MB each: the journal held 12 MB more; each entry now keeps < 2 x 16 KiB.
        assert growth < 12 * 4 * MAX_BODY_CHARS, growth
        entries = await _journal(client)
    # What the journal shows of a large body is what it always showed: its first 16 KiB, cut.
    assert [e["body"] for e in entries[-24:]] == [decode_body(body)] * 24
    assert entries[-1]["body"] == body[:MAX_BODY_CHARS].decode() + "…"


async def test_a_large_response_is_kept_only_as_far_as_the_journal_shows_it() -> None:
    app = create_app(now="2026-03-01T12:00:00Z")
    agent = {"agent_name": "Big", "model_name": "gpt-4o-mini", "system_prompt": "p" * 40_000}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sim") as client:
        run = await client.post(
            "/v1/agent/completions", json={"agent_config": agent, "task": "hi"}, headers=PREMIUM
        )
        assert run.status_code == 200
        listed = await client.get("/v1/agents/list", headers=PREMIUM)
        assert len(listed.content) > MAX_BODY_CHARS and "p" * 40_000 in listed.text  # the API's bytes
        store = app.state.simulator.store
        kept = [item._entry for item in store._journal]  # the entries as stored, before any read
        assert all(len(e.request_body) <= MAX_BODY_CHARS + 1 for e in kept)
        assert all(len(e.response_body or b"") <= MAX_BODY_CHARS + 1 for e in kept)
        entries = await _journal(client)
    assert entries[-1]["response"] == decode_body(listed.content)
    assert entries[-1]["response"].endswith("…") and len(entries[-1]["response"]) == MAX_BODY_CHARS + 1


AGENT = {
    "agent_name": "Leaky",
    "model_name": "gpt-4o-mini",
    "mcp_url": "https://mcp.example/sse?token=URLTOKEN-1122",
    "mcp_config": {"url": "https://u:PASS-5566@mcp.example/x?v=1&api_key=URLKEY-AB-3344#top"},
}


async def test_query_string_keys_are_masked_in_the_journal() -> None:
    app = create_app(now="2026-03-01T12:00:00Z")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sim") as client:
        await client.get(f"/v1/account/credits?api_key={KEY}&limit=5", headers=PREMIUM)
        await client.get("/v1/models?Token=sk%2Dsecret%2Dvalue%2D123&api%5Fkey=abcdefghijkl9876")
        entries = await _journal(client)
    assert entries[0]["query"] == "api_key=…e8d4&limit=5"
    assert entries[1]["query"] == "Token=…-123&api%5Fkey=…9876"


async def test_tokens_in_mcp_urls_are_masked_in_the_journal_but_not_in_the_api() -> None:
    app = create_app(now="2026-03-01T12:00:00Z")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sim") as client:
        run = await client.post(
            "/v1/agent/completions", json={"agent_config": AGENT, "task": "hi"}, headers=PREMIUM
        )
        assert run.status_code == 200
        listed = await client.get("/v1/agents/list", headers=PREMIUM)
        big = {"agent_config": AGENT, "task": "t" * (MAX_BODY_CHARS + 5)}  # shown as cut text
        await client.post("/v1/agent/completions", json=big, headers=PREMIUM)
        entries = await _journal(client)
    config = entries[0]["body"]["agent_config"]
    assert config["mcp_url"] == "https://mcp.example/sse?token=…1122"
    assert config["mcp_config"]["url"] == "https://u:***@mcp.example/x?v=1&api_key=…3344#top"
    # /v1/agents/list echoes the user's own configs, as the API does; its journal copy is masked.
    assert all(secret in listed.text for secret in SECRETS[:3])
    assert not any(secret in json.dumps(entries) for secret in SECRETS)
    assert '"mcp_url":"https://mcp.example/sse?token=…1122"' in entries[2]["body"]


def test_the_events_feed_shows_no_url_or_query_secret() -> None:
    with serve(port=18200, now="2026-03-01T12:00:00Z") as server:
        httpx.post(
            server.url("/v1/agent/completions"),
            json={"agent_config": AGENT, "task": "hi", "stream": True},
            headers={"x-api-key": "sk-mock-premium"},
            timeout=10,
        )
        httpx.get(server.url(f"/v1/account/credits?api_key={KEY}"), headers=PREMIUM, timeout=10)
        data = []
        with httpx.stream("GET", server.url("/__mockswarms/events"), timeout=5) as response:
            for line in response.iter_lines():
                if line.startswith("data: "):
                    data.append(json.loads(line[6:]))
                    if len(data) == 2:
                        break
    assert data[0]["body"]["agent_config"]["mcp_url"] == "https://mcp.example/sse?token=…1122"
    assert data[1]["query"] == "api_key=…e8d4"
    assert not any(secret in json.dumps(data) for secret in SECRETS)
