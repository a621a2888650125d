from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockswarms import create_app
from mockswarms.accounts_config import default_user_id

PREMIUM = {"x-api-key": "sk-mock-premium"}
AGENT = {"agent_config": {"agent_name": "Researcher", "model_name": "gpt-4o"}, "task": "Summarize X"}


def _client(app: Any, host: str = "127.0.0.1", **headers: str) -> TestClient:
    return TestClient(app, base_url="http://test", client=(host, 5555), headers=headers)


@pytest.fixture
def client() -> Iterator[TestClient]:
    c = _client(create_app(now="2026-03-01T12:00:00Z", seed=1))
    yield c
    c.close()


def test_reset_restores_balances_logs_and_ids(client: TestClient) -> None:
    first = client.post("/v1/agent/completions", json=AGENT, headers=PREMIUM).json()
    assert client.get("/v1/account/credits", headers=PREMIUM).json()["credit"] < 100
    assert client.post("/__mockswarms/reset").json() == {"status": "reset"}
    assert client.get("/v1/account/credits", headers=PREMIUM).json() == {
        "credit": 100.0,
        "free_credit": 0.0,
        "referral_credits": 0.0,
        "total_credits": 100.0,
    }
    assert client.get("/v1/swarm/logs", headers=PREMIUM).json()["logs"] == []
    again = client.post("/v1/agent/completions", json=AGENT, headers=PREMIUM).json()
    assert again == first  # same id stream, same clock, same text


def test_clock_freeze_advance_and_set(client: TestClient) -> None:
    assert client.get("/__mockswarms/clock").json() == {
        "now": "2026-03-01T12:00:00.000000+00:00",
        "frozen": True,
    }
    moved = client.put("/__mockswarms/clock", json={"advance_seconds": 90}).json()
    assert moved["now"] == "2026-03-01T12:01:30.000000+00:00"
    assert (
        client.put("/__mockswarms/clock", json={"now": "2026-07-04T00:00:00Z"}).json()["now"]
        == "2026-07-04T00:00:00.000000+00:00"
    )
    assert client.get("/health").status_code == 200
    reply = client.post("/v1/agent/completions", json=AGENT, headers=PREMIUM).json()
    assert reply["timestamp"] == "2026-07-04T00:00:00.000000+00:00"
    assert client.put("/__mockswarms/clock", json={"advance_seconds": -5}).status_code == 422
    assert client.put("/__mockswarms/clock", json={"now": "never"}).status_code == 422


def test_accounts_get_put_and_create(client: TestClient) -> None:
    assert client.get("/__mockswarms/accounts/sk-mock-free").json() == {
        "key": "sk-mock-free",
        "user_id": "user-free",
        "tier": "free",
        "credit": 0.0,
        "free_credit": 20.0,
        "referral_credits": 0.0,
        "total_credits": 20.0,
        "limits": None,
    }
    created = client.put("/__mockswarms/accounts/sk-new", json={"tier": "premium", "credit": "2.50"}).json()
    assert created["user_id"] == default_user_id("sk-new") and created["total_credits"] == 2.5
    credits = client.get("/v1/account/credits", headers={"x-api-key": "sk-new"}).json()
    assert credits["credit"] == 2.5
    assert client.get("/__mockswarms/accounts/unknown").status_code == 404
    assert client.put("/__mockswarms/accounts/sk-new", json={"tier": "gold"}).status_code == 422
    assert client.put("/__mockswarms/accounts/sk-new", json={"credit": "lots"}).status_code == 422
    keys = [a["key"] for a in client.get("/__mockswarms/accounts").json()["accounts"]]
    assert "sk-new" in keys and "sk-mock-premium" in keys


def test_journal_records_requests_with_masked_keys(client: TestClient) -> None:
    client.post("/v1/agent/completions", json=AGENT, headers=PREMIUM)
    client.get("/v1/nowhere", headers=PREMIUM)
    entries = client.get("/__mockswarms/journal").json()["entries"]
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("POST", "/v1/agent/completions", 200),
        ("GET", "/v1/nowhere", 404),
    ]
    assert entries[0]["api_key"] == "…mium"
    assert entries[0]["body"] == AGENT
    assert entries[0]["response"]["name"] == "Researcher"
    assert "sk-mock-premium" not in str(entries)
    client.delete("/__mockswarms/journal")
    assert client.get("/__mockswarms/journal").json()["entries"] == []


def test_settings_override_and_restore(client: TestClient) -> None:
    legacy = client.put("/__mockswarms/settings", json={"profile": "legacy", "seed": 9}).json()
    assert legacy["profile"] == "legacy" and legacy["bearer_enabled"] is False and legacy["seed"] == 9
    bearer = {"Authorization": "Bearer sk-mock-premium"}
    assert client.get("/v1/account/credits", headers=bearer).status_code == 401
    assert client.put("/__mockswarms/settings", json={"profile": "nope"}).status_code == 422
    assert client.put("/__mockswarms/settings", json={"seed": "x"}).status_code == 422
    restored = client.delete("/__mockswarms/settings").json()
    assert restored["profile"] == "docs" and restored["seed"] == 1
    assert client.get("/v1/account/credits", headers=bearer).status_code == 200


def test_control_api_refuses_non_loopback_clients() -> None:
    remote = _client(create_app(), host="10.1.2.3")
    try:
        reply = remote.post("/__mockswarms/reset")
        assert reply.status_code == 403
        assert "loopback" in reply.json()["detail"]
    finally:
        remote.close()


def test_admin_token_is_required_from_everyone_when_set() -> None:
    app = create_app(admin_token="s3cret")
    local = _client(app)
    remote = _client(app, host="10.1.2.3", Authorization="Bearer s3cret")
    try:
        assert local.get("/__mockswarms/clock").status_code == 401
        assert remote.get("/__mockswarms/clock").status_code == 200
    finally:
        local.close()
        remote.close()


def test_bad_control_bodies_are_422(client: TestClient) -> None:
    json_type = {"Content-Type": "application/json"}
    assert client.post("/__mockswarms/reset", content=b"{nope", headers=json_type).status_code == 422
    assert client.post("/__mockswarms/reset", json=[1]).status_code == 422
    assert client.post("/__mockswarms/fixtures", json={"rules": "x"}).status_code == 422


def test_an_account_whose_key_holds_a_slash_is_addressable() -> None:
    """``sk-team/alpha-0001`` was listed by ``/accounts`` but 404 on GET/PUT and on the dashboard's
    usage feed, even percent-encoded as the dashboard sends it (``encodeURIComponent``)."""
    app = create_app(now="2026-03-01T12:00:00Z", accounts=[{"key": "sk-team/alpha-0001", "credit": "10"}])
    with _client(app) as c:
        key = "sk-team%2Falpha-0001"
        assert c.get(f"/__mockswarms/accounts/{key}").json()["key"] == "sk-team/alpha-0001"
        assert c.put(f"/__mockswarms/accounts/{key}", json={"credit": "5"}).json()["credit"] == 5.0
        usage = c.get(f"/__mockswarms/accounts/{key}/usage")
        assert usage.status_code == 200 and "windows" in usage.json()
        assert (
            c.get("/v1/account/credits", headers={"x-api-key": "sk-team/alpha-0001"}).json()["credit"] == 5.0
        )
        # Plain keys still reach their account and their usage.
        assert c.get("/__mockswarms/accounts/sk-mock-premium").json()["key"] == "sk-mock-premium"
        assert c.get("/__mockswarms/accounts/sk-mock-premium/usage").status_code == 200
