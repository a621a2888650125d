"""Bounded work and bounded 422 bodies for huge invalid request bodies (contract check and parsing)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockswarms.contract import CONTRACT_PATH
from mockswarms.http.app import create_app
from mockswarms.http.validation import RequestValidator, Violation, log_entry
from mockswarms.limits import MAX_LIST_ITEMS

CONTRACT: dict[str, Any] = json.loads(CONTRACT_PATH.read_text(encoding="utf-8"))
KEY = {"x-api-key": "sk-mock-premium"}
ONES = [1] * 100_000
HUGE_SWARM = {"swarm_type": "SequentialWorkflow", "task": "t", "agents": ONES}
AGENTS_MAX_ITEMS = "/components/schemas/SwarmRunRequest/properties/agents/anyOf/0/maxItems"
# What the violations log and the strict 422 quote of the 100,000-item list: its first 999 characters.
QUOTED_ONES = "[" + "1," * 499 + "…"


def _values(instance: Any) -> int:
    """How many values sit below the root of a JSON value."""
    if isinstance(instance, dict):
        return sum(1 + _values(v) for v in instance.values())
    if isinstance(instance, list):
        return sum(1 + _values(v) for v in instance)
    return 0


class _CountingValidator:
    """Stands in for one operation's jsonschema-rs validator, recording what its error walk is given."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.walked: list[int] = []

    def is_valid(self, instance: Any) -> bool:
        return bool(self.inner.is_valid(instance))

    def iter_errors(self, instance: Any) -> Any:
        self.walked.append(_values(instance))
        return self.inner.iter_errors(instance)


def _counting(path: str) -> tuple[RequestValidator, _CountingValidator]:
    validator = RequestValidator(CONTRACT)
    operation = validator._static[path]["POST"]
    counting = _CountingValidator(operation.validator)
    operation.validator = counting  # type: ignore[assignment]
    return validator, counting


def _validate(validator: RequestValidator, path: str, body: Any) -> list[Violation]:
    raw = json.dumps(body).encode()
    return validator.validate("POST", path, {"content-type": "application/json"}, raw, body)


def test_a_100k_item_list_is_walked_for_errors_on_at_most_2000_values() -> None:
    validator, counting = _counting("/v1/swarm/completions")
    violations = _validate(validator, "/v1/swarm/completions", HUGE_SWARM)
    assert counting.walked and max(counting.walked) <= 2000  # was one walk of 100,003 values
    assert len(violations) == 50  # was 100,001
    first = violations[0]
    assert (first.location, first.schema_path, first.blocking) == (["body", "agents"], AGENTS_MAX_ITEMS, True)
    assert first.message.endswith("] has more than 100 items")
    assert log_entry(first, None)["message"] == QUOTED_ONES  # the log's entry is what it was
    assert [(v.location, v.message) for v in violations[1:]] == [
        (["body", "agents", i], '1 is not of type "object"') for i in range(49)
    ]


def test_a_cut_never_invents_a_violation() -> None:
    # 3,000 valid edges pass 2,000 values: the copy loses edges' keys, yet no "required" is reported
    # for them; the true violations (the list's length, the wrong task) are.
    validator, counting = _counting("/v1/graph-workflow/completions")
    body = {"agents": [{"agent_name": "A"}], "edges": [{"source": "A", "target": "A"}] * 1500, "task": 5}
    violations = _validate(validator, "/v1/graph-workflow/completions", body)
    assert max(counting.walked) <= 2000
    assert sorted((v.location[1], v.schema_path.rsplit("/", 2)[-2:][1]) for v in violations) == [
        ("edges", "maxItems"),
        ("task", "type"),
    ]


def test_ordinary_bodies_report_every_violation_as_before() -> None:
    validator, counting = _counting("/v1/swarm/completions")
    body = {
        "swarm_type": "SequentialWorkflow",
        "task": "t",
        "agents": [{"agent_name": "A", "max_tokens": "x"}] * 3,
    }
    violations = _validate(validator, "/v1/swarm/completions", body)
    assert counting.walked == [_values(body)]  # the whole body, uncut
    assert [v.location for v in violations] == [["body", "agents", i, "max_tokens"] for i in range(3)]


def test_strict_422_for_a_huge_list_is_bounded_and_names_the_overlong_field() -> None:
    app = create_app(request_validation="strict", seed=1, now="2026-03-01T12:00:00Z")
    with TestClient(app) as client:
        response = client.post("/v1/swarm/completions", json=HUGE_SWARM, headers=KEY)
        assert response.status_code == 422
        detail = response.json()["detail"]
        assert len(detail) == 50
        assert detail[0] == {
            "type": "contract_violation",
            "loc": ["body", "agents"],
            "msg": f"{QUOTED_ONES} (schema path {AGENTS_MAX_ITEMS} of runSwarm)",
            "schema_path": AGENTS_MAX_ITEMS,
        }
        assert len(response.content) < 20_000  # was 20 MB
        journal = client.get("/__mockswarms/violations").json()
        assert (journal["total"], journal["count"]) == (50, 50)


def test_report_mode_answers_a_huge_list_with_the_apps_own_422_quickly() -> None:
    app = create_app(request_validation="report", seed=1, now="2026-03-01T12:00:00Z")
    with TestClient(app) as client:
        started = time.monotonic()
        response = client.post("/v1/swarm/completions", json=HUGE_SWARM, headers=KEY)
        elapsed = time.monotonic() - started
        assert response.status_code == 422
        (item,) = response.json()["detail"]
        assert (item["type"], item["loc"], item["ctx"]) == (
            "too_long",
            ["body", "agents"],
            {"field_type": "List", "max_length": 100, "actual_length": 100_000},
        )
        journal = client.get("/__mockswarms/violations").json()
        assert journal["total"] == 50  # was 100,001 entries pushed through the store
        assert elapsed < 2.0  # was 8 s; about 0.1 s now


@pytest.mark.parametrize("count", [80, MAX_LIST_ITEMS])  # beyond the list cap: one too_long item
def test_the_apps_422_lists_the_first_50_errors(count: int) -> None:
    body = {"agent_config": {"agent_name": "A", "max_tokens": "x"}, "task": "t", "tools_enabled": [1] * count}
    app = create_app(request_validation="off", seed=1, now="2026-03-01T12:00:00Z")
    with TestClient(app) as client:
        response = client.post("/v1/agent/completions", json=body, headers=KEY)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert len(detail) == 50
    assert detail[0] == {
        "type": "int_type",
        "loc": ["body", "agent_config", "max_tokens"],
        "msg": "Input should be a valid integer",
        "input": "x",
    }
    assert detail[1:] == [
        {
            "type": "string_type",
            "loc": ["body", "tools_enabled", i],
            "msg": "Input should be a valid string",
            "input": 1,
        }
        for i in range(49)
    ]
    assert len(response.content) < 6_000  # 100,000 wrong items were answered with 10 MB


def test_the_openai_route_names_only_the_first_error() -> None:
    app = create_app(request_validation="report", seed=1, now="2026-03-01T12:00:00Z")
    with TestClient(app) as client:
        response = client.post(
            "/v1/chat/completions", json={"model": "gpt-4o", "messages": ONES[:MAX_LIST_ITEMS]}, headers=KEY
        )
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "message": "Invalid value for 'messages.0': Input should be a valid dictionary or instance of "
            "ChatMessage",
            "type": "invalid_request_error",
            "code": "invalid_request",
            "param": "messages.0",
        }
    }
