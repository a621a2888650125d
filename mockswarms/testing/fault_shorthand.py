"""``SimulatorControl.inject_fault``'s keyword shorthand, turned into a fault rule dict."""

from __future__ import annotations

from typing import Any

__all__ = ["fault_rule"]


def fault_rule(
    path: str | None,
    method: str | None,
    status: int | None,
    detail: str | None,
    retry_after: int | None,
    delay: float | None,
    action: str | None,
    times: int | None,
    after: int | None,
    every_nth: int | None,
    probability: float | None,
    rule_id: str | None,
    fields: dict[str, Any],
) -> dict[str, Any]:
    match_fields = ("key", "user", "endpoint", "model", "agent_name", "swarm_type")
    match = {
        "path": path,
        "method": method and method.upper(),
        **{k: fields.pop(k) for k in match_fields if k in fields},
    }
    if action is not None:
        act: dict[str, Any] = {"type": action, **fields}
    elif status is not None:
        act = {"type": "error", "status": status, "detail": detail, "retry_after": retry_after, **fields}
    elif delay is not None:
        act = {"type": "latency", "seconds": delay, **fields}
    else:
        raise TypeError("inject_fault needs a rule dict, or status=, delay= or action=")
    selector = {"first_n": times, "after_n": after, "every_nth": every_nth, "probability": probability}
    built: dict[str, Any] = {
        "match": {k: v for k, v in match.items() if v is not None},
        "selector": {k: v for k, v in selector.items() if v is not None},
        "action": {k: v for k, v in act.items() if v is not None},
    }
    if rule_id is not None:
        built["id"] = rule_id
    return built
