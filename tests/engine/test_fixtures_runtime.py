"""Runtime fixture rules are bounded: a batch is added with one re-sort (one per rule made 100,000 rules
in one request hold the event loop for more than ten minutes), and at most ``MAX_RUNTIME_RULES`` exist."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockswarms import create_app
from mockswarms.engine import fixtures
from mockswarms.engine.fixtures import MAX_RUNTIME_RULES, FixtureError, FixtureRegistry


def rules(count: int, prefix: str = "r") -> list[dict[str, Any]]:
    return [
        {"id": f"{prefix}{i}", "match": {"task": f"t{i}"}, "respond": {"text": "x"}} for i in range(count)
    ]


def test_a_batch_of_rules_is_sorted_once(monkeypatch: pytest.MonkeyPatch) -> None:
    sorts = 0
    real = fixtures.sorted_rules

    def counting(items: Any) -> Any:
        nonlocal sorts
        sorts += 1
        return real(items)

    monkeypatch.setattr(fixtures, "sorted_rules", counting)
    reg = FixtureRegistry([], watch=False)
    sorts = 0
    assert reg.add_rules(rules(500)) == [f"r{i}" for i in range(500)]
    assert sorts == 1
    assert len(reg.rules) == 500


def test_a_later_rule_with_the_same_id_replaces_the_earlier_one_in_a_batch() -> None:
    reg = FixtureRegistry([], watch=False)
    same = [{"id": "k", "respond": {"text": "one"}}, {"id": "k", "respond": {"text": "two"}}]
    assert reg.add_rules(same) == ["k", "k"]
    assert [rule.id for rule in reg.rules] == ["k"]
    assert reg.rules[0].raw["respond"] == {"text": "two"}


def test_at_most_max_runtime_rules() -> None:
    reg = FixtureRegistry([], watch=False)
    reg.add_rules(rules(MAX_RUNTIME_RULES))
    with pytest.raises(FixtureError) as info:
        reg.add_rule({"id": "one-more", "respond": {"text": "x"}})
    assert str(info.value) == (
        f"runtime:0: at most {MAX_RUNTIME_RULES} runtime rules (this would make {MAX_RUNTIME_RULES + 1}); "
        "DELETE /__mockswarms/fixtures clears them"
    )
    assert len(reg.rules) == MAX_RUNTIME_RULES  # nothing was added
    # Replacing a rule at the cap is not growing.
    reg.add_rule({"id": "r7", "respond": {"text": "new"}})
    assert reg.remove_rule("r7") and len(reg.rules) == MAX_RUNTIME_RULES - 1
    reg.clear_runtime()
    assert reg.rules == ()


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app(seed=1), base_url="http://test") as c:
        yield c


def test_the_control_api_refuses_more_than_the_cap_in_one_request(client: TestClient) -> None:
    response = client.post("/__mockswarms/fixtures", json={"rules": rules(MAX_RUNTIME_RULES + 1)})
    assert response.status_code == 422
    assert response.json() == {
        "detail": "Invalid fixture rules",
        "errors": [
            f"runtime:0: at most {MAX_RUNTIME_RULES} runtime rules (this would make "
            f"{MAX_RUNTIME_RULES + 1}); DELETE /__mockswarms/fixtures clears them"
        ],
    }
    assert client.get("/__mockswarms/fixtures").json()["rules"] == []
    added = client.post("/__mockswarms/fixtures", json={"rules": rules(MAX_RUNTIME_RULES)})
    assert (added.status_code, len(added.json()["added"])) == (201, MAX_RUNTIME_RULES)


def test_runtime_rule_numbers_start_again_after_a_reset() -> None:
    """Unnamed rules are ``runtime-1``, ``runtime-2``, …; the count ran on across resets, so the same
    test after a reset got other rule ids — and other tool-call ids, which derive from them."""
    rule = {"match": {"agent_name": "Weather Bot"}, "respond": {"tool_call": {"name": "w", "arguments": {}}}}
    body = {"agent_config": {"agent_name": "Weather Bot"}, "task": "t"}
    key = {"x-api-key": "sk-mock-premium"}
    with TestClient(create_app(now="2026-03-01T12:00:00Z", seed=5), client=("127.0.0.1", 5555)) as client:
        replies = []
        for _ in range(2):
            assert client.post("/__mockswarms/reset").status_code == 200
            assert client.post("/__mockswarms/fixtures", json={"rules": [rule]}).json()["added"] == [
                "runtime-1"
            ]
            replies.append(client.post("/v1/agent/completions", json=body, headers=key).content)
        assert replies[0] == replies[1]
        client.delete("/__mockswarms/fixtures")
        assert client.post("/__mockswarms/fixtures", json={"rules": [rule]}).json()["added"] == ["runtime-1"]
