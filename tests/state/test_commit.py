"""The atomic money step and the memory bounds, on both stores (issue #13 items 2, 3, 5, 9).

``commit`` = settle + log row + metrics + remembered agents, all or nothing; a replayed commit id
changes nothing. Accounts made for unknown keys, keyless rate scopes and distinct agent names are
bounded. Deep JSON that the request parser admits is stored and read back on both stores alike.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from typing import Any

import pytest

from mockswarms.state.base import AccountRecord, Balances, Charge, Limits, StateStore

T0 = 1_767_225_600.0  # 2026-01-01T00:00:00Z
_namespaces = itertools.count()
StoreFactory = Callable[..., StateStore]


@pytest.fixture(params=["memory", "redis"])
async def make_store(request: pytest.FixtureRequest) -> AsyncIterator[StoreFactory]:
    created: list[StateStore] = []
    if request.param == "memory":
        from mockswarms.state.memory import MemoryStore

        def factory(**kwargs: Any) -> StateStore:
            store = MemoryStore(**kwargs)
            created.append(store)
            return store
    else:
        from mockswarms.state.redis import RedisStore

        url = request.getfixturevalue("redis_url")
        namespace = f"commit{os.getpid()}-{next(_namespaces)}"

        def factory(**kwargs: Any) -> StateStore:
            store = RedisStore(url, namespace=namespace, **kwargs)
            created.append(store)
            return store

    yield factory
    for store in created:
        await store.reset()
        await store.close()


def D(text: str) -> Decimal:
    return Decimal(text)


def charge(charge_id: str, cost: str, **overrides: Any) -> Charge:
    fields: dict[str, Any] = {
        "charge_id": charge_id,
        "scope": "u",
        "user_id": "u",
        "now": T0,
        "limits": Limits(minute=10),
        "cost": D(cost),
        "threshold": D("1.00"),
        "log": {"category": "completion", "data": {"job_id": charge_id}, "cost": float(cost)},
        "completion": True,
        "agent_names": ("Writer",),
        "agents": ({"agent_name": "Writer", "model_name": "gpt-4o"},),
    }
    fields.update(overrides)
    return Charge(**fields)


async def test_commit_charges_logs_counts_and_remembers_in_one_step(make_store: StoreFactory) -> None:
    store = make_store()
    await store.set_balances("u", Balances(free_credit=D("0.50"), credit=D("5.00")))
    outcome = await store.commit(charge("c1", "0.700001"))
    assert outcome.status == "ok"
    assert outcome.balances == Balances(free_credit=D("0"), credit=D("4.799999"))
    assert outcome.windows["minute"].count == 1
    logs = await store.list_logs("u")
    assert logs == [
        {"id": outcome.log_id, "category": "completion", "data": {"job_id": "c1"}, "cost": 0.700001}
    ]
    metrics = await store.metrics("u", T0)
    assert (
        metrics["total_completion_calls"],
        metrics["successful_completions"],
        metrics["unique_agents"],
    ) == (
        1,
        1,
        1,
    )
    assert await store.list_agents("u") == [{"agent_name": "Writer", "model_name": "gpt-4o"}]


async def test_refused_commit_leaves_no_trace(make_store: StoreFactory) -> None:
    store = make_store()
    await store.set_balances("u", Balances(credit=D("1.00")))  # at the $1.00 floor
    outcome = await store.commit(charge("c1", "0.10"))
    assert outcome.status == "insufficient_credits" and outcome.log_id is None
    assert await store.get_balances("u") == Balances(credit=D("1.00"))
    assert await store.list_logs("u") == []
    assert (await store.metrics("u", T0))["total_completion_calls"] == 0
    assert await store.list_agents("u") == []
    assert (await store.windows("u", T0, Limits(minute=10)))["minute"].count == 0


async def test_rate_limited_commit_leaves_no_trace(make_store: StoreFactory) -> None:
    store = make_store()
    await store.set_balances("u", Balances(credit=D("50")))
    assert (await store.commit(charge("a", "1", limits=Limits(minute=1)))).status == "ok"
    outcome = await store.commit(charge("b", "1", limits=Limits(minute=1)))
    assert outcome.status == "rate_limited"
    assert await store.get_balances("u") == Balances(credit=D("49"))
    assert [row["data"]["job_id"] for row in await store.list_logs("u")] == ["a"]


async def test_a_replayed_commit_id_charges_once(make_store: StoreFactory) -> None:
    store = make_store()
    await store.set_balances("u", Balances(credit=D("10")))
    first = await store.commit(charge("same", "2.5"))
    again = await store.commit(charge("same", "2.5"))
    assert first.status == again.status == "ok"
    assert await store.get_balances("u") == Balances(credit=D("7.5"))
    assert len(await store.list_logs("u")) == 1
    assert (await store.metrics("u", T0))["total_completion_calls"] == 1


async def test_refund_commit_credits_and_logs_a_negative_cost(make_store: StoreFactory) -> None:
    store = make_store()
    await store.set_balances("u", Balances(credit=D("10")))
    await store.commit(charge("c", "3"))
    refund = Charge(
        charge_id="r",
        scope="u",
        user_id="u",
        now=T0,
        limits=Limits(),
        cost=D("-1.25"),
        threshold=None,
        count=False,
        log={"category": "refund", "data": {"refunded": 1.25}, "cost": -1.25},
    )
    assert (await store.commit(refund)).status == "ok"
    assert await store.get_balances("u") == Balances(credit=D("8.25"))
    logs = await store.list_logs("u")
    assert [row["category"] for row in logs] == ["refund", "completion"]
    assert sum(D(str(row["cost"])) for row in logs) == D("10") - D("8.25")
    assert (await store.metrics("u", T0))["total_completion_calls"] == 1  # a refund is not a run


async def test_deep_json_is_stored_and_read_back_on_both_stores(make_store: StoreFactory) -> None:
    # Deeper than orjson's 254 levels; the request parser admits far less, the store never breaks.
    store = make_store()
    deep: Any = "leaf"
    for _ in range(300):
        deep = {"x": deep}
    await store.set_balances("u", Balances(credit=D("10")))
    config = {"agent_name": "Deep", "model_name": "gpt-4o", "extra": deep}
    outcome = await store.commit(
        charge("d", "1", log={"category": "completion", "data": deep, "cost": 1.0}, agents=(config,))
    )
    assert outcome.status == "ok"
    assert (await store.list_logs("u"))[0]["data"] == deep
    assert (await store.list_agents("u"))[0] == config
    await store.journal_append({"id": 1, "body": deep}, 10)
    assert (await store.journal_list())[0]["body"] == deep


async def test_auto_accounts_are_evicted_oldest_first_with_their_state(make_store: StoreFactory) -> None:
    store = make_store(max_auto_accounts=3)
    await store.put_account(AccountRecord("sk-configured", "user-configured", "premium"))
    for i in range(5):
        await store.put_auto_account(AccountRecord(f"k{i}", f"user-k{i}", "premium"), Balances(credit=D("9")))
        await store.append_log(f"user-k{i}", {"category": "completion", "data": {}})
    assert [await store.get_account(f"k{i}") is not None for i in range(5)] == [
        False,
        False,
        True,
        True,
        True,
    ]
    assert await store.get_balances("user-k0") == Balances()
    assert await store.list_logs("user-k1") == []
    assert await store.get_balances("user-k4") == Balances(credit=D("9"))
    assert await store.get_account("sk-configured") is not None  # configured accounts are never evicted
    assert [a.key for a in await store.list_accounts()] == ["sk-configured", "k2", "k3", "k4"]


async def test_seed_once_seeds_only_a_store_without_the_marker(make_store: StoreFactory) -> None:
    store = make_store()
    accounts = [AccountRecord("sk-a", "user-a", "free")]
    assert await store.seed_once(accounts, {"user-a": Balances(free_credit=D("20"))}) is True
    await store.set_balances("user-a", Balances(free_credit=D("3")))
    assert await store.seed_once(accounts, {"user-a": Balances(free_credit=D("20"))}) is False
    assert await store.get_balances("user-a") == Balances(free_credit=D("3"))  # not overwritten
    await store.reset()  # e.g. a Redis that came back empty
    assert await store.seed_once(accounts, {"user-a": Balances(free_credit=D("20"))}) is True
    assert await store.get_account("sk-a") == accounts[0]


async def test_distinct_agent_names_are_capped(make_store: StoreFactory) -> None:
    store = make_store(unique_agents_cap=5)
    await store.set_balances("u", Balances(credit=D("100")))
    for i in range(4):
        names = tuple(f"agent-{i}-{j}" for j in range(3))
        await store.commit(charge(f"c{i}", "0.01", agent_names=names, agents=(), limits=Limits()))
    assert (await store.metrics("u", T0))["unique_agents"] == 5


def refund(charge_id: str, amount: str, epoch: int | None) -> Charge:
    return charge(
        charge_id,
        f"-{amount}",
        limits=Limits(),
        threshold=None,
        count=False,
        log={"category": "refund", "data": {}, "cost": -float(amount)},
        completion=None,
        agent_names=(),
        agents=(),
        epoch=epoch,
    )


async def test_a_refund_of_a_charge_made_before_a_reset_changes_nothing(make_store: StoreFactory) -> None:
    """A stream charged before ``reset`` and cut after it: its refund must not credit the new state."""
    store = make_store()
    await store.set_balances("u", Balances(credit=D("5.00")))
    before = await store.commit(charge("c1", "0.5"))
    await store.reset()
    await store.set_balances("u", Balances(credit=D("5.00")))
    stale = await store.commit(refund("r1", "0.5", before.epoch))
    assert stale.status == "stale"
    assert await store.get_balances("u") == Balances(credit=D("5.00"))
    assert await store.list_logs("u") == []
    after = await store.commit(charge("c2", "0.5"))
    assert after.status == "ok" and after.epoch == stale.epoch != before.epoch
    given = await store.commit(refund("r2", "0.5", after.epoch))
    assert given.status == "ok"
    assert await store.get_balances("u") == Balances(credit=D("5.00"))
    assert [row["category"] for row in await store.list_logs("u")] == ["refund", "completion"]
    # Without an epoch (charges, old callers) a commit runs in whatever generation the store is.
    assert (await store.commit(refund("r3", "0.5", None))).status == "ok"
