"""One contract suite for every StateStore backend: the in-memory store and the Redis store.

The Redis backend runs against a real ``redis-server``: ``MOCKSWARMS_TEST_REDIS_URL`` when set,
otherwise a throw-away server started here on a free port (skipped, with the reason, when
``redis-server`` is not installed). Each test gets its own key namespace.
"""

from __future__ import annotations

import asyncio
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
    """A factory of stores sharing one state (for Redis: several clients = several workers)."""
    created: list[StateStore] = []
    if request.param == "memory":
        from mockswarms.state.memory import MemoryStore

        shared: dict[int, StateStore] = {}

        def factory(**kwargs: Any) -> StateStore:
            key = hash(tuple(sorted(kwargs.items())))
            if key not in shared:
                shared[key] = MemoryStore(**kwargs)
            return shared[key]
    else:
        from mockswarms.state.redis import RedisStore

        url = request.getfixturevalue("redis_url")
        namespace = f"test{os.getpid()}-{next(_namespaces)}"

        def factory(**kwargs: Any) -> StateStore:
            store = RedisStore(url, namespace=namespace, **kwargs)
            created.append(store)
            return store

    first = factory()
    await first.reset()
    yield factory
    await first.reset()
    for store in created:
        await store.close()


@pytest.fixture
async def store(make_store: StoreFactory) -> StateStore:
    return make_store()


def D(text: str) -> Decimal:
    return Decimal(text)


# -- accounts and balances ---------------------------------------------------------------------------
async def test_accounts_roundtrip_and_order(store: StateStore) -> None:
    assert await store.get_account("sk-a") is None
    assert await store.list_accounts() == []
    a = AccountRecord("sk-a", "user-1", "free")
    b = AccountRecord("sk-b", "user-1", "premium", limits={"minute": 5, "hour": None, "day": None})
    await store.put_account(a)
    await store.put_account(b)
    await store.put_account(AccountRecord("sk-a", "user-1", "enterprise"))  # update keeps its place
    assert await store.get_account("sk-b") == b
    assert [(r.key, r.tier) for r in await store.list_accounts()] == [
        ("sk-a", "enterprise"),
        ("sk-b", "premium"),
    ]


async def test_balances_default_zero_and_exact(store: StateStore) -> None:
    assert await store.get_balances("nobody") == Balances(D("0"), D("0"), D("0"))
    await store.set_balances(
        "u", Balances(credit=D("100.00"), free_credit=D("0.000001"), referral_credits=D("3.5"))
    )
    got = await store.get_balances("u")
    assert (got.credit, got.free_credit, got.referral_credits) == (D("100"), D("0.000001"), D("3.5"))
    assert got.total == D("103.500001")


# -- settle ------------------------------------------------------------------------------------------
async def test_settle_deducts_free_then_credit_then_referral(store: StateStore) -> None:
    await store.set_balances(
        "u", Balances(credit=D("2.000000"), free_credit=D("1.500000"), referral_credits=D("1.000000"))
    )
    out = await store.settle("u", "u", T0, Limits(), D("2.250000"), None)
    assert out.status == "ok"
    assert out.balances == Balances(credit=D("1.25"), free_credit=D("0"), referral_credits=D("1"))
    # Larger than what is left in free + credit: referral takes the rest and may go negative.
    out = await store.settle("u", "u", T0, Limits(), D("3.000001"), None)
    assert out.balances == Balances(credit=D("0"), free_credit=D("0"), referral_credits=D("-0.750001"))
    assert await store.get_balances("u") == out.balances


async def test_settle_refund_goes_to_credit_and_zero_cost_changes_nothing(store: StateStore) -> None:
    await store.set_balances("u", Balances(credit=D("1"), free_credit=D("2")))
    out = await store.settle("u", "u", T0, Limits(), D("-0.5"), None, count=False)
    assert out.balances == Balances(credit=D("1.5"), free_credit=D("2"))
    out = await store.settle("u", "u", T0, Limits(), D("0"), None)
    assert out.status == "ok" and out.balances == Balances(credit=D("1.5"), free_credit=D("2"))


async def test_settle_threshold_is_inclusive_and_changes_nothing(store: StateStore) -> None:
    await store.set_balances("u", Balances(credit=D("0.50"), free_credit=D("0.50")))
    out = await store.settle("u", "u", T0, Limits(minute=5), D("0.1"), D("1.00"))
    assert out.status == "insufficient_credits"
    assert out.balances.total == D("1.00")
    assert out.windows["minute"].count == 0
    assert (await store.windows("u", T0, Limits(minute=5)))["minute"].count == 0
    await store.set_balances("u", Balances(credit=D("1.000001")))
    out = await store.settle("u", "u", T0, Limits(minute=5), D("0.1"), D("1.00"))
    assert out.status == "ok" and out.balances.credit == D("0.900001")


async def test_settle_rate_limited_when_a_window_is_full(store: StateStore) -> None:
    await store.set_balances("u", Balances(credit=D("10")))
    limits = Limits(minute=2, hour=10, day=None)
    statuses = [(await store.settle("u", "u", T0 + i, limits, D("1"), D("1"))).status for i in range(3)]
    assert statuses == ["ok", "ok", "rate_limited"]
    out = await store.settle("u", "u", T0 + 3, limits, D("1"), D("1"))
    assert out.exceeded == ["minute"]
    assert out.balances.credit == D("8")
    assert {n: (w.count, w.limit, w.remaining) for n, w in out.windows.items()} == {
        "minute": (2, 2, 0),
        "hour": (2, 10, 8),
        "day": (2, None, None),
    }
    assert out.windows["minute"].reset_at == T0 + 60  # the oldest run leaves at T0 + 60


async def test_settle_without_count_charges_but_does_not_count(store: StateStore) -> None:
    await store.set_balances("u", Balances(credit=D("5")))
    out = await store.settle("u", "u", T0, Limits(minute=1), D("1"), None, count=False)
    assert out.status == "ok" and out.windows["minute"].count == 0 and out.balances.credit == D("4")


async def test_window_rollover_is_sliding(store: StateStore) -> None:
    limits = Limits(minute=2)
    await store.set_balances("u", Balances(credit=D("10")))
    assert (await store.settle("u", "u", T0, limits, D("0"), None)).status == "ok"
    assert (await store.settle("u", "u", T0 + 30.5, limits, D("0"), None)).status == "ok"
    assert (await store.settle("u", "u", T0 + 59.999, limits, D("0"), None)).status == "rate_limited"
    # At exactly T0 + 60 the first run has left the minute window (the window is (now-60, now]).
    w = await store.windows("u", T0 + 60, limits)
    assert (w["minute"].count, w["minute"].reset_at, w["hour"].count) == (1, T0 + 90.5, 2)
    assert (await store.settle("u", "u", T0 + 60, limits, D("0"), None)).status == "ok"
    w = await store.windows("u", T0 + 86400 + 30, limits)
    assert (w["minute"].count, w["day"].count, w["day"].reset_at) == (0, 2, T0 + 30.5 + 86400)
    # Scopes are independent.
    assert (await store.windows("other", T0 + 60, limits))["minute"].count == 0


async def test_hit_counts_only_when_allowed(store: StateStore) -> None:
    limits = Limits(minute=3)
    results = [await store.hit("ip:1.2.3.4", T0 + i, limits) for i in range(4)]
    assert [ok for ok, _ in results] == [True, True, True, False]
    assert [w["minute"].count for _, w in results] == [1, 2, 3, 3]
    ok, w = await store.hit("ip:1.2.3.4", T0 + 60.5, limits)
    assert ok and w["minute"].count == 3  # T0 and T0+1 ... T0+0 left; T0+1, T0+2 and the new one remain


async def test_settle_is_atomic_under_concurrency(make_store: StoreFactory) -> None:
    # Several clients on one state (for Redis: like several workers), 300 racing settles, limit 100.
    stores = [make_store() for _ in range(3)]
    await stores[0].set_balances("u", Balances(free_credit=D("20.00"), credit=D("0.50")))
    limits = Limits(minute=100, hour=350, day=1200)

    async def one(i: int) -> str:
        out = await stores[i % 3].settle("u", "u", T0 + i * 0.001, limits, D("0.123457"), D("1.00"))
        return out.status

    statuses = await asyncio.gather(*(one(i) for i in range(300)))
    assert statuses.count("ok") == 100
    assert statuses.count("rate_limited") == 200
    balances = await stores[1].get_balances("u")
    # 100 x 0.123457 = 12.3457 from free credit first; credit untouched.
    assert balances == Balances(free_credit=D("7.6543"), credit=D("0.5"))
    assert (await stores[2].windows("u", T0 + 1, limits))["minute"].count == 100


async def test_credit_threshold_is_atomic_under_concurrency(make_store: StoreFactory) -> None:
    stores = [make_store() for _ in range(3)]
    await stores[0].set_balances("u", Balances(free_credit=D("3.00")))

    async def one(i: int) -> str:
        return (await stores[i % 3].settle("u", "u", T0, Limits(), D("0.5"), D("1.00"))).status

    statuses = await asyncio.gather(*(one(i) for i in range(50)))
    # 3.00 → 2.50 → 2.00 → 1.50 → 1.00: four charges, then total ≤ 1.00 rejects every other one.
    assert statuses.count("ok") == 4 and statuses.count("insufficient_credits") == 46
    assert (await stores[1].get_balances("u")).total == D("1.00")


# -- logs, metrics, agents, journal ----------------------------------------------------------------
async def test_logs_newest_first_bounded_per_user(make_store: StoreFactory) -> None:
    store = make_store(logs_per_user=3)
    ids = [await store.append_log("u1", {"id": "ignored", "n": i, "note": "é"}) for i in range(5)]
    other = await store.append_log("u2", {"n": 99})
    assert ids == sorted(ids) and len(set(ids)) == 5 and other > ids[-1]
    rows = await store.list_logs("u1")
    assert rows == [
        {"id": ids[4], "n": 4, "note": "é"},
        {"id": ids[3], "n": 3, "note": "é"},
        {"id": ids[2], "n": 2, "note": "é"},
    ]
    assert list(rows[0]) == ["id", "n", "note"]  # id first
    assert await store.list_logs("u2") == [{"id": other, "n": 99}]
    assert await store.list_logs("nobody") == []


async def test_logs_bounded_across_users_oldest_row_first(make_store: StoreFactory) -> None:
    """10,000 keys x ``logs_per_user`` rows each would be millions of rows: ``logs_total`` caps all
    users' rows together, the oldest row (of whichever user) going first."""
    store = make_store(logs_per_user=3, logs_total=4)
    a1 = await store.append_log("a", {"n": 1})
    b1 = await store.append_log("b", {"n": 1})
    a2 = await store.append_log("a", {"n": 2})
    c1 = await store.append_log("c", {"n": 1})
    assert [r["id"] for r in await store.list_logs("a")] == [a2, a1]
    c2 = await store.append_log("c", {"n": 2})  # the fifth row: a's first goes
    assert [r["id"] for r in await store.list_logs("a")] == [a2]
    assert [r["id"] for r in await store.list_logs("b")] == [b1]
    assert [r["id"] for r in await store.list_logs("c")] == [c2, c1]
    # c's fourth row pushes c1 out (c's own cap) and a2 (the total cap): 3 rows are left.
    c3 = await store.append_log("c", {"n": 3})
    c4 = await store.append_log("c", {"n": 4})
    assert [r["id"] for r in await store.list_logs("c")] == [c4, c3, c2]
    assert await store.list_logs("a") == [] and await store.list_logs("b") == []
    # The fourth row again: c1's turn in the order comes up, but c's own cap dropped it already, so
    # nothing more goes (a row is never dropped twice, nor a newer one in its place).
    d1 = await store.append_log("d", {"n": 1})
    rows = [await store.list_logs(user) for user in "abcd"]
    assert [[r["id"] for r in user_rows] for user_rows in rows] == [[], [], [c4, c3, c2], [d1]]
    d2 = await store.append_log("d", {"n": 2})  # and then the oldest, c2
    rows = [await store.list_logs(user) for user in "abcd"]
    assert [[r["id"] for r in user_rows] for user_rows in rows] == [[], [], [c4, c3], [d2, d1]]


async def test_commits_count_toward_the_total_log_cap(make_store: StoreFactory) -> None:
    store = make_store(logs_per_user=10, logs_total=2)
    await store.set_balances("u", Balances(credit=D("10")))
    ids = []
    for i in range(3):
        outcome = await store.commit(
            Charge(f"c{i}", "u", "u", T0, Limits(), D("0.01"), None, False, {"n": i}, None, ())
        )
        ids.append(outcome.log_id)
    assert [r["id"] for r in await store.list_logs("u")] == [ids[2], ids[1]]


async def test_metrics(store: StateStore) -> None:
    assert await store.metrics("u", T0) == {
        "unique_agents": 0,
        "total_completion_calls": 0,
        "successful_completions": 0,
        "completions_last_24h": 0,
        "completions_last_7d": 0,
    }
    await store.record_completion("u", T0 - 8 * 86400, True, ["A"])
    await store.record_completion("u", T0 - 2 * 86400, False, ["B", "A"])
    await store.record_completion("u", T0 - 3600, True, ["C"])
    await store.record_completion("u", T0, True, [])
    assert await store.metrics("u", T0) == {
        "unique_agents": 3,
        "total_completion_calls": 4,
        "successful_completions": 3,
        "completions_last_24h": 2,
        "completions_last_7d": 3,
    }


async def test_completions_are_counted_by_the_second_in_bounded_memory(store: StateStore) -> None:
    """A frozen clock (or a busy second) puts many completions on one instant: the 24 h / 7 d counts
    keep one entry per second, not one per completion (which grew without end under a frozen clock)."""
    for i in range(3000):
        await store.record_completion("u", T0 + i / 4000, True, [])
    await store.record_completion("u", T0 - 86400 + 0.5, True, [])  # its second starts at the cutoff
    await store.record_completion("u", T0 - 86400 + 1.0, True, [])
    metrics = await store.metrics("u", T0 + 0.9)
    assert (metrics["completions_last_24h"], metrics["completions_last_7d"]) == (3001, 3002)
    assert metrics["total_completion_calls"] == 3002
    from mockswarms.state.memory import MemoryStore
    from mockswarms.state.redis import RedisStore

    if isinstance(store, MemoryStore):
        entries = len(store._metrics["u"].recent)
    else:
        assert isinstance(store, RedisStore)
        entries = await store._redis.zcard(store._k("met_times", "u"))
    assert entries == 3  # seconds T0 - 86400, T0 - 86399 and T0


async def test_remember_agents_dedupes_by_name_and_model(store: StateStore) -> None:
    await store.remember_agents(
        "u", [{"agent_name": "A", "model_name": "m1", "v": 1}, {"agent_name": "B", "model_name": "m1"}]
    )
    await store.remember_agents(
        "u", [{"agent_name": "A", "model_name": "m2"}, {"agent_name": "A", "model_name": "m1", "v": 2}]
    )
    assert await store.list_agents("u") == [
        {"agent_name": "B", "model_name": "m1"},
        {"agent_name": "A", "model_name": "m2"},
        {"agent_name": "A", "model_name": "m1", "v": 2},
    ]
    assert await store.list_agents("other") == []


async def test_journal_ring_buffer(store: StateStore) -> None:
    for i in range(7):
        await store.journal_append({"i": i, "path": "/health"}, 5)
    assert [e["i"] for e in await store.journal_list()] == [2, 3, 4, 5, 6]
    await store.journal_append({"i": 7}, 2)  # a smaller limit shrinks the buffer
    assert [e["i"] for e in await store.journal_list()] == [6, 7]
    await store.journal_clear()
    assert await store.journal_list() == []
    await store.journal_append({"i": 8}, 0)
    assert await store.journal_list() == []


async def test_values_and_counters(make_store: StoreFactory) -> None:
    a, b = make_store(), make_store()
    assert await a.get_value("clock") is None
    await a.set_value("clock", {"frozen_at": T0, "offset": 0.0})
    assert await b.get_value("clock") == {"frozen_at": T0, "offset": 0.0}
    assert [await a.incr("n"), await b.incr("n"), await a.incr("n", 5), await b.incr("n", 0)] == [1, 2, 7, 7]
    assert await a.get_value("n") == 7
    counts = await asyncio.gather(*(x.incr("race") for x in (a, b) * 50))
    assert sorted(counts) == list(range(1, 101))


async def test_reset_forgets_everything(store: StateStore) -> None:
    await store.put_account(AccountRecord("sk", "u"))
    await store.set_balances("u", Balances(credit=D("5")))
    await store.settle("u", "u", T0, Limits(minute=5), D("1"), None)
    await store.append_log("u", {"x": 1})
    await store.record_completion("u", T0, True, ["A"])
    await store.remember_agents("u", [{"agent_name": "A", "model_name": "m"}])
    await store.journal_append({"x": 1}, 10)
    await store.set_value("v", 1)
    await store.incr("c")
    await store.reset()
    assert await store.get_account("sk") is None and await store.list_accounts() == []
    assert await store.get_balances("u") == Balances()
    assert (await store.windows("u", T0, Limits(minute=5)))["minute"].count == 0
    assert await store.list_logs("u") == [] and await store.list_agents("u") == []
    assert (await store.metrics("u", T0))["total_completion_calls"] == 0
    assert await store.journal_list() == [] and await store.get_value("v") is None
    assert await store.incr("c") == 1
    assert await store.append_log("u", {}) == 1  # log ids restart too


async def test_violations_log_is_shared_capped_and_numbered(make_store: StoreFactory) -> None:
    a, b = make_store(), make_store()  # two workers on one store
    await a.violations_add([{"at": T0, "kind": "body", "n": i} for i in range(3)], 4)
    await b.violations_add([{"at": T0, "kind": "json", "n": 3}, {"at": T0, "kind": "json", "n": 4}], 4)
    total, entries = await a.violations_list()
    assert total == 5 and (total, entries) == await b.violations_list()
    kinds = ["body", "body", "json", "json"]
    assert entries == [{"seq": i + 1, "at": T0, "kind": kinds[i - 1], "n": i} for i in range(1, 5)]
    await b.violations_clear()
    assert await a.violations_list() == (0, [])
    await a.violations_add([{"n": 5}], 4)
    assert await b.violations_list() == (1, [{"seq": 6, "n": 5}])  # the numbering goes on
    await a.reset()
    assert await b.violations_list() == (0, [])
