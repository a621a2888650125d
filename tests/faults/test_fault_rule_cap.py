"""At most ``MAX_FAULT_RULES`` fault rules: every request is checked against each one, and a client
adding rules in a loop (POST /__mockswarms/faults) grew the list, and every request's work, without end."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from mockswarms import create_app
from mockswarms.clock import Clock
from mockswarms.entropy import Entropy
from mockswarms.errors import ValidationFailed
from mockswarms.faults.engine import MAX_FAULT_RULES, FaultEngine
from mockswarms.state.memory import MemoryStore

REFUSED = [
    {
        "type": "too_long",
        "loc": ["body"],
        "msg": f"at most {MAX_FAULT_RULES} fault rules; DELETE /__mockswarms/faults clears them",
    }
]


def rule(i: int) -> dict[str, object]:
    return {"id": f"f{i}", "match": {"path": f"/p{i}"}, "action": {"type": "error", "status": 503}}


def test_the_engine_holds_at_most_max_fault_rules() -> None:
    engine = FaultEngine(Clock(0), Entropy(7), MemoryStore())
    for i in range(MAX_FAULT_RULES):
        engine.add_rule(rule(i))
    with pytest.raises(ValidationFailed) as info:
        engine.add_rule(rule(MAX_FAULT_RULES))
    assert (info.value.status, info.value.body) == (422, {"detail": REFUSED})
    assert len(engine.rules) == MAX_FAULT_RULES
    # Replacing a rule (same id) at the cap is not growing.
    assert engine.add_rule({**rule(3), "action": {"type": "error", "status": 502}})["action"]["status"] == 502
    assert len(engine.rules) == MAX_FAULT_RULES


def test_the_control_api_refuses_a_rule_beyond_the_cap() -> None:
    app = create_app(seed=1)
    with TestClient(app, base_url="http://test") as client:
        assert client.post("/__mockswarms/faults", json=rule(0)).status_code == 201
        for i in range(1, MAX_FAULT_RULES):  # the rest straight in: a thousand requests take a while
            app.state.simulator.faults.add_rule(rule(i))
        response = client.post("/__mockswarms/faults", json=rule(MAX_FAULT_RULES))
        assert (response.status_code, response.json()) == (422, {"detail": REFUSED})
        assert client.delete("/__mockswarms/faults").status_code == 200
        assert client.post("/__mockswarms/faults", json=rule(MAX_FAULT_RULES)).status_code == 201
