"""The refunds that run after a reply is over (a stream the client left, a reply a fault rule broke)
when the state store fails at that moment: no exception escapes into the server (it would log
"Exception in ASGI application"), one warning says what was not given back."""

from __future__ import annotations

import asyncio
import logging
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from mockswarms.engine.simulator import Caller
from mockswarms.http.refunds import refund_cut_reply
from mockswarms.http.stream_responses import _on_close
from mockswarms.state.base import StoreUnavailable


class _Sim:
    def __init__(self, policy: str) -> None:
        self.settings = SimpleNamespace(stream_disconnect_billing=policy)
        self.calls: list[tuple[str, Any]] = []

    async def refund(self, caller: Caller, amount: Decimal, data: dict[str, Any]) -> None:
        self.calls.append(("refund", amount))
        raise StoreUnavailable("down")

    async def undo_charges(self, caller: Caller, reason: str) -> None:
        self.calls.append(("undo", reason))
        raise StoreUnavailable("down")


def _caller() -> Caller:
    return Caller(key="sk-x", account=None, ip="127.0.0.1", charged=Decimal("0.5"))


def test_a_cut_stream_refund_with_the_store_down_logs_one_warning(caplog: pytest.LogCaptureFixture) -> None:
    sim = _Sim("none")
    on_close = _on_close(sim, _caller(), "agent-1", Decimal("0.5"), lambda sent: Decimal("0.1"))  # type: ignore[arg-type]
    with caplog.at_level(logging.WARNING, logger="mockswarms"):
        asyncio.run(on_close(3, False))
    assert sim.calls == [("refund", Decimal("0.5"))]
    assert [r.getMessage() for r in caplog.records] == [
        "mockswarms: the state store failed while refunding a cut stream (agent-1)"
    ]


@pytest.mark.parametrize(
    ("policy", "completed", "refunded"),
    [
        ("none", False, Decimal("0.5")),
        ("produced", False, Decimal("0.4")),
        ("full", False, None),
        ("none", True, None),
    ],
)
def test_what_a_stream_refunds(policy: str, completed: bool, refunded: Decimal | None) -> None:
    sim = _Sim(policy)
    on_close = _on_close(sim, _caller(), "agent-1", Decimal("0.5"), lambda sent: Decimal("0.1"))  # type: ignore[arg-type]
    asyncio.run(on_close(3, completed))
    assert sim.calls == ([] if refunded is None else [("refund", refunded)])


def test_a_broken_reply_refund_with_the_store_down_logs_one_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    sim = _Sim("none")
    scope = {"app": SimpleNamespace(state=SimpleNamespace(simulator=sim)), "state": {"caller": _caller()}}
    with caplog.at_level(logging.WARNING, logger="mockswarms"):
        asyncio.run(refund_cut_reply(scope, "fault rule r: truncate"))
    assert sim.calls == [("undo", "fault rule r: truncate")]
    assert [r.getMessage() for r in caplog.records] == [
        "mockswarms: the state store failed while refunding a reply cut by fault rule r: truncate"
    ]


@pytest.mark.parametrize("state", [{}, {"caller": None}])
def test_a_broken_reply_without_a_caller_refunds_nothing(state: dict[str, Any]) -> None:
    sim = _Sim("none")
    scope = {"app": SimpleNamespace(state=SimpleNamespace(simulator=sim)), "state": state}
    asyncio.run(refund_cut_reply(scope, "fault rule r: truncate"))
    assert sim.calls == []


def test_billing_full_refunds_no_broken_reply() -> None:
    sim = _Sim("full")
    scope = {"app": SimpleNamespace(state=SimpleNamespace(simulator=sim)), "state": {"caller": _caller()}}
    asyncio.run(refund_cut_reply(scope, "fault rule r: truncate"))
    assert sim.calls == []
