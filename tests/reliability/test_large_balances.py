"""Money stays exact at the largest balance an account may hold (``MAX_CREDIT``, $10^9 per bucket).

Balances travel as JSON numbers and Redis counts micro-dollars in Lua doubles: at $10^10 a charge of
$0.000821 lowered ``/v1/account/credits`` by 0.00082 (a float cannot print the micro-dollar), and
above 2^53 micro-dollars Redis' arithmetic dropped one. Larger amounts are now refused.
"""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from mockswarms.accounts_config import MAX_CREDIT
from mockswarms.testing.control import ControlError, SimulatorControl
from mockswarms.testing.server import RunningServer

AGENT = {"agent_config": {"agent_name": "W", "model_name": "gpt-4o-mini"}, "task": "t"}
KEY = "sk-mock-premium"


@pytest.fixture
def server(store_server: tuple[RunningServer, SimulatorControl]) -> tuple[RunningServer, SimulatorControl]:
    return store_server  # tests/reliability/conftest.py: one server per module and store


def _credits(running: RunningServer) -> dict[str, Decimal]:
    reply = httpx.get(running.base_url + "/v1/account/credits", headers={"x-api-key": KEY})
    # Read as the decimal text on the wire: what a client parsing with Decimal sees.
    data = reply.json(parse_float=Decimal)
    return {name: Decimal(str(value)) for name, value in data.items() if name.endswith("credits")}


@pytest.mark.parametrize("start", ["1000000000", "999999999.999999", "-1000000000"])
def test_every_micro_dollar_shows_at_the_largest_balances(
    server: tuple[RunningServer, SimulatorControl], start: str
) -> None:
    running, ctl = server
    ctl.reset(seed=3, now="2026-03-01T12:00:00Z")
    ctl.set_account(KEY, credit=start, free_credit=start, referral_credits=start)
    shown = _credits(running)
    assert shown["total_credits"] == 3 * Decimal(start)
    assert ctl.balance() == 3 * Decimal(start)


def test_charges_at_the_largest_balance_are_exact(server: tuple[RunningServer, SimulatorControl]) -> None:
    running, ctl = server
    ctl.reset(seed=3, now="2026-03-01T12:00:00Z")
    ctl.set_account(KEY, credit=MAX_CREDIT, free_credit=MAX_CREDIT, referral_credits=MAX_CREDIT)
    start = _credits(running)["total_credits"]
    costs = Decimal(0)
    for i in range(5):
        reply = httpx.post(
            running.base_url + "/v1/agent/completions",
            json={**AGENT, "task": f"task {i}"},
            headers={"x-api-key": KEY},
        )
        assert reply.status_code == 200
        costs += Decimal(str(reply.json(parse_float=Decimal)["usage"]["total_cost"]))
    assert costs > 0
    assert start - _credits(running)["total_credits"] == costs
    assert start - ctl.balance() == costs
    logs = httpx.get(running.base_url + "/v1/swarm/logs", headers={"x-api-key": KEY}).json(
        parse_float=Decimal
    )
    assert -sum(Decimal(str(row["cost"])) for row in logs["logs"]) == -costs


@pytest.mark.parametrize("field", ["credit", "free_credit", "referral_credits"])
def test_a_balance_beyond_the_cap_is_refused(
    server: tuple[RunningServer, SimulatorControl], field: str
) -> None:
    _, ctl = server
    with pytest.raises(ControlError) as info:
        ctl.set_account(KEY, **{field: "1000000000.000001"})
    assert info.value.status_code == 422
    assert f"{field}: must be a finite amount within ±1,000,000,000" in info.value.body
