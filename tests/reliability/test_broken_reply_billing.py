"""Money when a fault rule breaks a reply: charged if and only if the client got the complete response.

A rule that cuts or corrupts a reply (truncate, malformed_json, sse_disconnect, sse_malformed,
sse_drop_terminal) leaves the client without a complete response, so the charge is given back with a
``refund`` log row; rules that still deliver every byte (drip, sse_duplicate, sse_stall) are charged.
``stream_disconnect_billing: full`` keeps the old model (the real service bills the run it finished).
Through a real server, on both stores: the refund runs after the connection is gone.
"""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

import httpx
import pytest

from mockswarms.testing.control import SimulatorControl
from mockswarms.testing.server import RunningServer

AGENT = {"agent_config": {"agent_name": "W", "model_name": "gpt-4o-mini"}, "task": "say something long"}
KEY = {"x-api-key": "sk-mock-premium"}

BREAKING: dict[str, tuple[dict[str, Any], bool]] = {
    "truncate": ({"type": "truncate", "fraction": 0.5}, False),
    "malformed_json": ({"type": "malformed_json"}, False),
    "truncate-on-a-stream": ({"type": "truncate", "fraction": 0.5}, True),
    "sse_disconnect": ({"type": "sse_disconnect", "after_events": 2}, True),
    "sse_malformed": ({"type": "sse_malformed", "event": 2}, True),
    "sse_drop_terminal": ({"type": "sse_drop_terminal"}, True),
}
WHOLE: dict[str, tuple[dict[str, Any], bool]] = {
    "drip": ({"type": "drip", "chunk_bytes": 4096, "interval": 0.001}, False),
    "sse_duplicate": ({"type": "sse_duplicate", "event": 2}, True),
    "sse_stall": ({"type": "sse_stall", "event": 2, "seconds": 0.01}, True),
    "sse-rule-on-a-json-reply": ({"type": "sse_disconnect", "after_events": 0}, False),
}


@pytest.fixture
def server(store_server: tuple[RunningServer, SimulatorControl]) -> tuple[RunningServer, SimulatorControl]:
    return store_server  # tests/reliability/conftest.py: one server per module and store


def _send(running: RunningServer, stream: bool) -> None:
    """One agent completion read to its end or until the broken connection fails."""
    try:
        with httpx.stream(
            "POST",
            running.base_url + "/v1/agent/completions",
            json={**AGENT, "stream": stream},
            headers=KEY,
            timeout=10,
        ) as reply:
            assert reply.status_code == 200
            for _ in reply.iter_raw():
                pass
    except httpx.TransportError:
        pass  # the rule cut the reply: what the client of a broken network sees


def _logs(running: RunningServer) -> list[dict[str, Any]]:
    reply = httpx.get(running.base_url + "/v1/swarm/logs", headers=KEY, timeout=10)
    rows: list[dict[str, Any]] = reply.json()["logs"]
    return rows


def _full_cost(running: RunningServer, ctl: SimulatorControl) -> Decimal:
    ctl.reset(seed=3, now="2026-03-01T12:00:00Z")
    before = ctl.balance()
    reply = httpx.post(running.base_url + "/v1/agent/completions", json=AGENT, headers=KEY, timeout=10)
    cost = Decimal(str(reply.json()["usage"]["total_cost"]))
    assert before - ctl.balance() == cost > 0
    return cost


def _charged_after(
    running: RunningServer, ctl: SimulatorControl, before: Decimal, want_refund: bool
) -> tuple[Decimal, list[dict[str, Any]]]:
    """The balance drop once the request settled (a refund lands after the client saw the cut)."""
    deadline = time.monotonic() + 5
    while True:
        rows = _logs(running)
        refunded = any(row["category"] == "refund" for row in rows)
        if (refunded == want_refund and rows) or time.monotonic() > deadline:
            return before - ctl.balance(), rows
        time.sleep(0.02)


def _under_rule(
    server: tuple[RunningServer, SimulatorControl],
    rule_id: str,
    action: dict[str, Any],
    stream: bool,
    *,
    refunded: bool,
) -> tuple[Decimal, Decimal, list[dict[str, Any]]]:
    """(the request's full cost, what it was charged under the rule, the log rows after it)."""
    running, ctl = server
    cost = _full_cost(running, ctl)
    ctl.reset(seed=3, now="2026-03-01T12:00:00Z")
    ctl.inject_fault({"id": rule_id, "match": {"endpoint": "agent"}, "action": action})
    before = ctl.balance()
    _send(running, stream)
    if not refunded:
        time.sleep(0.2)  # a wrong refund would land by now
    charged, rows = _charged_after(running, ctl, before, want_refund=refunded)
    return cost, charged, rows


@pytest.mark.parametrize("name", list(BREAKING))
def test_a_reply_a_rule_breaks_is_not_charged(
    server: tuple[RunningServer, SimulatorControl], name: str
) -> None:
    action, stream = BREAKING[name]
    cost, charged, rows = _under_rule(server, "breaks", action, stream, refunded=True)
    assert charged == 0
    by_category = {row["category"]: row for row in rows}
    assert sorted(by_category) == ["completion", "refund"]
    assert Decimal(str(by_category["completion"]["cost"])) == cost
    assert Decimal(str(by_category["refund"]["cost"])) == -cost
    reason = by_category["refund"]["data"]["reason"]
    if stream:  # the stream itself may notice the cut connection first
        assert reason == f"fault rule breaks: {action['type']}" or reason.startswith("the stream was cut")
    else:
        assert reason == f"fault rule breaks: {action['type']}"


@pytest.mark.parametrize("name", list(WHOLE))
def test_a_reply_that_arrives_whole_is_charged(
    server: tuple[RunningServer, SimulatorControl], name: str
) -> None:
    action, stream = WHOLE[name]
    cost, charged, rows = _under_rule(server, "whole", action, stream, refunded=False)
    assert charged == cost
    assert [row["category"] for row in rows] == ["completion"]


def test_billing_full_charges_a_broken_reply(server: tuple[RunningServer, SimulatorControl]) -> None:
    _, ctl = server
    ctl.configure(stream_disconnect_billing="full")
    try:
        cost, charged, rows = _under_rule(server, "cut", {"type": "truncate"}, False, refunded=False)
    finally:
        ctl.restore_settings()
    assert charged == cost
    assert [row["category"] for row in rows] == ["completion"]


def test_a_stream_charged_before_a_reset_and_left_after_it_refunds_nothing(
    server: tuple[RunningServer, SimulatorControl],
) -> None:
    """The refund of a stream cut after ``POST /__mockswarms/reset`` would credit the fresh account
    with money the reset already gave back."""
    running, ctl = server
    ctl.configure(pacing={"*": {"time_to_first_token": 0.0, "tokens_per_second": 20.0}})
    try:
        ctl.reset(seed=3, now="2026-03-01T12:00:00Z")
        with httpx.stream(
            "POST",
            running.base_url + "/v1/agent/completions",
            json={**AGENT, "stream": True},
            headers=KEY,
            timeout=10,
        ) as reply:
            frames = reply.iter_raw()  # kept: a dropped httpx iterator closes the stream at once
            next(frames)  # charged, streaming
            ctl.reset(seed=3, now="2026-03-01T12:00:00Z")
            start = ctl.balance()
        time.sleep(0.3)  # the cut stream's refund step has run by now
        assert ctl.balance() == start
        assert _logs(running) == []
    finally:
        ctl.restore_settings()
