"""Control API: PUT /settings merges, DELETE /settings returns to the start-up settings; GET /fixtures
reports the last reload, and a failed hot reload logs one ``file:line: message`` line per error;
a new key of an existing user takes that user's tier."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from mockswarms import create_app

GOOD = "rules:\n  - id: hello\n    match: {task: hello}\n    respond: {text: Hi there.}\n"


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app(seed=1), base_url="http://test") as c:
        yield c


def test_put_settings_merges_with_earlier_overrides(client: TestClient) -> None:
    client.put("/__mockswarms/settings", json={"seed": 7})
    client.put("/__mockswarms/settings", json={"rate_limit_scale": 0.5})
    last = client.put("/__mockswarms/settings", json={"journal_size": 3}).json()
    assert (last["seed"], last["rate_limit_scale"], last["journal_size"]) == (7, 0.5, 3)
    assert client.get("/__mockswarms/settings").json()["seed"] == 7


def test_profile_change_keeps_explicit_overrides(client: TestClient) -> None:
    client.put("/__mockswarms/settings", json={"seed": 9})
    body = client.put("/__mockswarms/settings", json={"profile": "legacy"}).json()
    assert (body["profile"], body["seed"], body["bearer_enabled"]) == ("legacy", 9, False)


def test_delete_settings_returns_to_the_start_up_settings(client: TestClient) -> None:
    start = client.get("/__mockswarms/settings").json()
    client.put("/__mockswarms/settings", json={"seed": 7, "profile": "prism"})
    assert client.delete("/__mockswarms/settings").json() == start
    # and the next PUT starts from the base again
    assert client.put("/__mockswarms/settings", json={"journal_size": 5}).json()["seed"] == 1


def test_rejected_put_changes_nothing(client: TestClient) -> None:
    client.put("/__mockswarms/settings", json={"seed": 4})
    bad = client.put("/__mockswarms/settings", json={"rate_limit_scale": -1})
    assert bad.status_code == 422
    assert client.put("/__mockswarms/settings", json={"journal_size": 2}).json()["seed"] == 4
    assert client.get("/__mockswarms/settings").json()["rate_limit_scale"] == 1.0


def test_fixtures_report_and_failed_reload_log(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(GOOD)
    app = create_app(fixtures=[tmp_path], seed=1)
    app.state.simulator.fixtures.poll_interval = 0  # poll on every request
    with TestClient(app, base_url="http://test") as client:
        report = client.get("/__mockswarms/fixtures").json()
        assert report["last_reload"] == {"ok": True, "rules": 1, "files": 1, "errors": []}
        assert [r["id"] for r in report["rules"]] == ["hello"]

        rules.write_text(GOOD + "  - match: {nonsense: 1}\n    respond: {text: x}\n")
        stamp = rules.stat().st_mtime_ns + 1_000_000_000
        os.utime(rules, ns=(stamp, stamp))  # a distinct mtime even on coarse file systems
        with caplog.at_level(logging.ERROR, logger="mockswarms.fixtures"):
            report = client.get("/__mockswarms/fixtures").json()
        assert report["last_reload"]["ok"] is False
        assert report["last_reload"]["files"] == 1
        assert len(report["last_reload"]["errors"]) == 1
        error = report["last_reload"]["errors"][0]
        assert error.startswith(f"{rules}:5: ")
        assert [r["id"] for r in report["rules"]] == ["hello"]  # the previous rules stay active
        assert [r.getMessage() for r in caplog.records] == [
            f"fixtures not reloaded, the previous rules stay active: {error}"
        ]
        # the rule still answers
        reply = client.post(
            "/v1/agent/completions",
            json={"agent_config": {"agent_name": "A", "model_name": "gpt-4o"}, "task": "hello"},
            headers={"x-api-key": "sk-mock-premium"},
        )
        assert reply.json()["outputs"][0]["content"] == "Hi there."


def test_new_key_of_a_premium_user_is_premium(client: TestClient) -> None:
    body = client.put("/__mockswarms/accounts/sk-second", json={"user_id": "user-premium"}).json()
    assert (body["tier"], body["credit"]) == ("premium", 100.0)
    alone = client.put("/__mockswarms/accounts/sk-alone", json={}).json()
    assert alone["tier"] == "free"
