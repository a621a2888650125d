"""Domain assertions over the journal: agents that ran, 429s whose ``Retry-After`` was honoured.

``SimulatorControl.assert_agent_ran`` and ``assert_retry_after_honoured`` call these with the
journal's entries; they raise ``AssertionError`` with what was seen instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from mockswarms.clock import parse_instant

__all__ = ["agents_that_ran", "honoured_retries"]


def agents_that_ran(entries: list[dict[str, Any]], name: str, model: str | None) -> list[dict[str, Any]]:
    """The agent configs named ``name`` (with ``model`` if given) of successful requests."""
    found: list[dict[str, Any]] = []
    seen: list[str] = []
    for entry in entries:
        configs = list(_agent_configs(entry.get("body")))
        seen.extend(f"{c.get('agent_name')}/{c.get('model_name')} ({entry['status']})" for c in configs)
        if not 200 <= int(entry["status"]) < 300:
            continue
        found.extend(
            c
            for c in configs
            if c.get("agent_name") == name and (model is None or c.get("model_name") == model)
        )
    if not found:
        wanted = f"{name!r}" + (f" with model {model!r}" if model else "")
        raise AssertionError(f"no successful request ran agent {wanted}; agents seen: {seen or 'none'}")
    return found


def honoured_retries(
    entries: list[dict[str, Any]], fault_rules: Callable[[], list[dict[str, Any]]], min_retries: int
) -> int:
    """How many 429s with ``Retry-After`` were retried no sooner than asked (wall or simulated time);
    ``fault_rules`` is read only when an injected 429 needs its rule's ``retry_after``."""
    rules: dict[str, Any] | None = None
    checked = 0
    for i, entry in enumerate(entries):
        if entry["status"] != 429:
            continue
        wait = _retry_after(entry)
        if wait is None and entry.get("fault_rule"):
            # An injected 429: its Retry-After is the rule's ``retry_after``.
            if rules is None:
                rules = {str(r.get("id")): r for r in fault_rules()}
            action = rules.get(str(entry["fault_rule"]), {}).get("action", {})
            wait = float(action.get("retry_after", 1)) if action.get("status") == 429 else None
        if wait is None:
            continue
        retry = next(
            (
                e
                for e in entries[i + 1 :]
                if e["path"] == entry["path"] and e.get("api_key") == entry.get("api_key")
            ),
            None,
        )
        if retry is None:
            continue
        wall_gap = float(retry["received_at"]) - float(entry["received_at"])
        sim_gap = _simulated_gap(entry, retry)
        if wall_gap + 1e-3 < wait and (sim_gap is None or sim_gap + 1e-3 < wait):
            raise AssertionError(
                f"request #{retry['id']} to {retry['path']} came {wall_gap:.3f} s"
                + (f" ({sim_gap:.3f} simulated s)" if sim_gap is not None else "")
                + f" after a 429 with Retry-After: {wait:g}"
            )
        checked += 1
    if checked < min_retries:
        raise AssertionError(
            f"expected at least {min_retries} retried 429(s) with Retry-After, saw {checked}"
        )
    return checked


def _retry_after(entry: Mapping[str, Any]) -> float | None:
    value = entry.get("retry_after")
    if value is None:
        headers = entry.get("response_headers") or {}
        value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _simulated_gap(first: Mapping[str, Any], second: Mapping[str, Any]) -> float | None:
    a, b = first.get("simulated_at"), second.get("simulated_at")
    if not isinstance(a, str) or not isinstance(b, str):
        return None
    return (parse_instant(b) - parse_instant(a)).total_seconds()


def _agent_configs(body: Any) -> Iterator[dict[str, Any]]:
    """Every agent spec in a request body (any dict with an ``agent_name``), depth first."""
    if isinstance(body, Mapping):
        if "agent_name" in body:
            yield dict(body)
        for value in body.values():
            yield from _agent_configs(value)
    elif isinstance(body, list):
        for item in body:
            yield from _agent_configs(item)
