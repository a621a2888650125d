"""Drift: how one upstream answer differs from the contract and from the simulator's own answer.

The simulator's answer to the same request (same profile) is the reference for shape: keys, value
types, nesting, enum-like values (``EXACT_VALUE_KEYS``), header names, SSE event names and order.
Values that legitimately differ (ids, text, timestamps, token counts) are compared by type only; money
by formula (:mod:`mockswarms.proxy.money`); the contract by JSON Schema
(:mod:`mockswarms.proxy.contract_check`).
"""

from __future__ import annotations

import contextlib
import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mockswarms.config import Settings
from mockswarms.proxy.contract_check import ContractChecker
from mockswarms.proxy.findings import Finding
from mockswarms.proxy.money import check_money
from mockswarms.proxy.sse import SseEvent

__all__ = [
    "ACCOUNT_STATUSES",
    "EXACT_VALUE_KEYS",
    "IGNORED_HEADERS",
    "Answer",
    "compare_shape",
    "exchange_drift",
]

# Values that name a kind of thing rather than carry content: they must be equal, not just same-typed.
# (Not discount_type: it follows the clock; the money check covers it.)
EXACT_VALUE_KEYS = frozenset(
    {
        "object",
        "success",
        "status",
        "swarm_type",
        "type",
        "finish_reason",
        "stream",
        "complete",
    }
)
# Bounded work per answer: items of a list compared, and simulator items tried for the closest shape.
MAX_LIST_ITEMS = 50
MAX_LIST_CANDIDATES = 20
# Answers about the caller's account (key, credit, rate): the simulator's account is another one.
ACCOUNT_STATUSES = frozenset({401, 402, 403, 429})
# Transport headers every server sets its own way.
IGNORED_HEADERS = frozenset(
    {"content-length", "date", "server", "connection", "keep-alive", "transfer-encoding", "vary", "via"}
)


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Mapping[str, str]  # lower-case names
    body: bytes  # the whole body (empty for streams)
    events: list[SseEvent] | None  # SSE frames when streamed
    raw_frames: tuple[tuple[float, str], ...] = ()  # (seconds, exact text) of every frame, pings included

    @property
    def media_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    def json(self) -> tuple[bool, Any]:
        try:
            return True, json.loads(self.body)
        except (ValueError, RecursionError):
            return False, None


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def compare_shape(expected: Any, got: Any, path: str, op: str, *, key: str | None = None) -> list[Finding]:
    """Differences in keys, types, nesting and enum-like values (``expected``: the simulator's)."""
    want, have = _kind(expected), _kind(got)
    if want == "null" or have == "null":
        return []  # optional fields: present on one side, null on the other
    if want != have:
        return [
            Finding(
                op,
                path,
                want,
                have if have in ("object", "array") else got,
                "simulator",
                f"expected a {want}, got a {have}",
            )
        ]
    if want == "object":
        findings: list[Finding] = []
        for name in expected:
            if name not in got:
                findings.append(
                    Finding(op, f"{path}.{name}", name, None, "simulator", "key missing upstream")
                )
        for name in got:
            if name not in expected:
                findings.append(
                    Finding(
                        op, f"{path}.{name}", None, name, "simulator", "key not in the simulator's answer"
                    )
                )
            else:
                findings.extend(compare_shape(expected[name], got[name], f"{path}.{name}", op, key=name))
        return findings
    if want == "array":
        if not expected:
            return []
        findings = []
        for index, item in enumerate(got[:MAX_LIST_ITEMS]):
            findings.extend(_closest(expected, index, item, f"{path}[{index}]", op))
        return findings
    if key in EXACT_VALUE_KEYS and expected != got:
        return [Finding(op, path, expected, got, "simulator", f"'{key}' differs")]
    return []


def _closest(expected: list[Any], index: int, item: Any, path: str, op: str) -> list[Finding]:
    """Findings against the simulator's item of the most similar shape (lists such as logs mix kinds)."""
    if len(expected) == 1:
        return compare_shape(expected[0], item, path, op)
    same = expected[index] if index < len(expected) else None
    best = compare_shape(same, item, path, op) if same is not None else None
    if best == []:
        return best
    for candidate in expected[:MAX_LIST_CANDIDATES]:
        found = compare_shape(candidate, item, path, op)
        if best is None or len(found) < len(best):
            best = found
            if not best:
                break
    return best or []


def _header_findings(sim: Answer, upstream: Answer, op: str) -> list[Finding]:
    findings = []
    for name in sorted(sim.headers):
        if name in IGNORED_HEADERS or name.startswith("x-mockswarms-"):
            continue
        if name not in upstream.headers:
            findings.append(
                Finding(op, f"$.headers.{name}", name, None, "simulator", "header missing upstream")
            )
    if sim.media_type != upstream.media_type:
        findings.append(
            Finding(
                op,
                "$.headers.content-type",
                sim.media_type,
                upstream.media_type,
                "simulator",
                "media type differs",
            )
        )
    return findings


def _collapsed(events: list[SseEvent]) -> list[str]:
    """Event names with runs of the same name folded (``chunk`` N times is one ``chunk``)."""
    out: list[str] = []
    for event in events:
        if out and out[-1].rstrip("+") == event.event:
            out[-1] = event.event + "+"
        else:
            out.append(event.event)
    return [name.rstrip("+") for name in out]


def _event_findings(sim: list[SseEvent], upstream: list[SseEvent], op: str) -> list[Finding]:
    want, have = _collapsed(sim), _collapsed(upstream)
    findings: list[Finding] = []
    matcher = difflib.SequenceMatcher(a=want, b=have, autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal":
            continue
        message = {
            "delete": "event(s) missing upstream",
            "insert": "unexpected event(s)",
            "replace": "different event(s)",
        }[tag]
        findings.append(
            Finding(
                op,
                f"$.events[{','.join(want[a0:a1]) or ','.join(have[b0:b1])}]",
                want[a0:a1],
                have[b0:b1],
                "simulator",
                f"{message}; order {want} vs {have}",
            )
        )
    first_sim: dict[str, SseEvent] = {}
    for event in sim:
        first_sim.setdefault(event.event, event)
    compared: set[str] = set()
    for index, event in enumerate(upstream):
        reference = first_sim.get(event.event)
        if reference is None or event.event in compared:
            continue
        compared.add(event.event)
        try:
            expected, got = reference.json(), event.json()
        except ValueError:
            if reference.data != event.data:
                findings.append(
                    Finding(
                        op,
                        f"$.events[{index}].data",
                        reference.data[:200],
                        event.data[:200],
                        "simulator",
                        "event data differs",
                    )
                )
            continue
        findings.extend(compare_shape(expected, got, f"$.events[{index}].data", op))
    return findings


def exchange_drift(
    method: str,
    path: str,
    upstream: Answer,
    sim: Answer | None,
    checker: ContractChecker,
    settings: Settings,
) -> list[Finding]:
    """Every finding for one exchange: contract, simulator comparison, money."""
    op = f"{method} {path}"
    is_json, body = (False, None) if upstream.events is not None else upstream.json()
    findings: list[Finding] = []
    if upstream.events is None and not is_json and upstream.body:
        findings.append(
            Finding(
                op,
                "$.body",
                "JSON",
                upstream.body[:200].decode("utf-8", "replace"),
                "contract",
                "body is not JSON",
            )
        )
    elif upstream.media_type in ("application/json", "text/event-stream"):
        findings.extend(
            checker.check(method, path, upstream.status, upstream.media_type, body, upstream.events)
        )
    if upstream.status < 300 and path.startswith("/v1/"):  # not /openapi.json: its examples are old eras
        if upstream.events is None:
            findings.extend(check_money(op, "$.body", body, settings))
        else:
            for index, event in enumerate(upstream.events):
                if event.event in ("usage", "end"):
                    with contextlib.suppress(ValueError):  # not JSON: the contract check says so
                        findings.extend(check_money(op, f"$.events[{index}].data", event.json(), settings))
    if sim is None or upstream.status in ACCOUNT_STATUSES or sim.status in (402, 429):
        return findings  # the simulator answered for its own account (credit, rate), not the caller's
    if sim.status != upstream.status:
        findings.append(Finding(op, "$.status", sim.status, upstream.status, "simulator", "status differs"))
        return findings
    findings.extend(_header_findings(sim, upstream, op))
    if sim.events is not None and upstream.events is not None:
        findings.extend(_event_findings(sim.events, upstream.events, op))
    elif sim.events is None and upstream.events is None:
        sim_json, expected = sim.json()
        if sim_json and is_json:
            findings.extend(compare_shape(expected, body, "$.body", op))
    return findings
