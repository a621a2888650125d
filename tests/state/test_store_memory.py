"""MemoryStore: atomic settle, sliding windows, bounded logs/journal/metrics."""

from __future__ import annotations

import asyncio
import resource
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any, TypeVar

import pytest

from mockswarms.state.base import AccountRecord, Balances, Limits
from mockswarms.state.memory import MemoryStore, Timeline, apply_charge

T = TypeVar("T")
T0 = 1_800_000_000.0
FREE = Limits(minute=100, hour=350, day=1200)


def run(factory: Callable[[], Awaitable[T]]) -> T:
    async def main() -> T:
        return await factory()

    return asyncio.run(main())


def test_apply_charge_order_free_credit_referral() -> None:
    b = Balances(credit=Decimal("5.00"), free_credit=Decimal("0.10"), referral_credits=Decimal("1"))
    after = apply_charge(b, Decimal("0.169"))
    assert after == Balances(
        credit=Decimal("4.931"), free_credit=Decimal("0.00"), referral_credits=Decimal("1")
    )
    assert after.total == Decimal("5.931")
    # Overspend lands on the last bucket, so the total always drops by exactly the cost.
    over = apply_charge(Balances(credit=Decimal("1"), free_credit=Decimal("0.5")), Decimal("2"))
    assert over == Balances(credit=Decimal("0"), free_credit=Decimal("0.0"), referral_credits=Decimal("-0.5"))
    assert apply_charge(b, Decimal("0")) is b
    refund = apply_charge(b, Decimal("-0.25"))
    assert refund.credit == Decimal("5.25") and refund.total == b.total + Decimal("0.25")


def test_settle_checks_credit_then_windows_then_charges_and_counts() -> None:
    async def scenario() -> list[Any]:
        store = MemoryStore()
        await store.set_balances("u", Balances(credit=Decimal("1.50")))
        out: list[Any] = []
        ok = await store.settle("u", "u", T0, Limits(minute=2), Decimal("0.30"), Decimal("1.00"))
        out.append((ok.status, ok.balances.total, ok.windows["minute"].count, ok.windows["minute"].remaining))
        ok = await store.settle("u", "u", T0 + 1, Limits(minute=2), Decimal("0.30"), Decimal("1.00"))
        out.append((ok.status, ok.balances.total))  # 1.20 -> 0.90
        # Credits are checked first: at 0.90 <= 1.00 the answer is 402 even though the minute is full.
        no = await store.settle("u", "u", T0 + 2, Limits(minute=2), Decimal("0.30"), Decimal("1.00"))
        out.append((no.status, no.balances.total, no.windows["minute"].count))
        await store.set_balances("u", Balances(credit=Decimal("10")))
        limited = await store.settle("u", "u", T0 + 2, Limits(minute=2), Decimal("0.30"), Decimal("1.00"))
        out.append((limited.status, limited.balances.total, limited.exceeded))
        out.append((await store.get_balances("u")).total)
        return out

    assert run(scenario) == [
        ("ok", Decimal("1.20"), 1, 1),
        ("ok", Decimal("0.90")),
        ("insufficient_credits", Decimal("0.90"), 2),
        ("rate_limited", Decimal("10"), ["minute"]),
        Decimal("10"),
    ]


def test_windows_slide_and_report_reset() -> None:
    async def scenario() -> list[Any]:
        store = MemoryStore()
        for offset in (0, 10, 20):
            await store.settle("u", "u", T0 + offset, FREE, Decimal("0"), None)
        w = await store.windows("u", T0 + 30, FREE)
        first = (w["minute"].count, w["minute"].reset_at, w["hour"].count, w["day"].reset_at)
        w = await store.windows("u", T0 + 60, FREE)  # the run at T0 has left the minute window
        second = (w["minute"].count, w["minute"].reset_at, w["hour"].count)
        w = await store.windows("u", T0 + 3620, FREE)
        third = (w["minute"].count, w["minute"].reset_at, w["hour"].count, w["day"].count)
        w = await store.windows("u", T0 + 86420, FREE)
        fourth = (w["day"].count, w["day"].reset_at)
        return [first, second, third, fourth]

    assert run(scenario) == [
        (3, T0 + 60, 3, T0 + 86400),
        (2, T0 + 70, 3),
        (0, T0 + 3680, 0, 3),
        (0, T0 + 86420 + 86400),
    ]


def test_count_false_charges_without_counting() -> None:
    async def scenario() -> tuple[int, Decimal]:
        store = MemoryStore()
        await store.set_balances("u", Balances(credit=Decimal("3")))
        out = await store.settle("u", "u", T0, FREE, Decimal("1"), None, count=False)
        return out.windows["minute"].count, out.balances.total

    assert run(scenario) == (0, Decimal("2"))


def test_concurrent_settles_never_overspend_or_overcount() -> None:
    async def scenario() -> tuple[int, int, int, Decimal]:
        store = MemoryStore()
        await store.set_balances("u", Balances(credit=Decimal("2.00"), free_credit=Decimal("0.50")))

        async def one(i: int) -> str:
            await asyncio.sleep(0)
            return (
                await store.settle("u", "u", T0, Limits(minute=100), Decimal("0.25"), Decimal("1.00"))
            ).status

        statuses = await asyncio.gather(*(one(i) for i in range(300)))
        windows = await store.windows("u", T0, Limits(minute=100))
        # 2.50 covers exactly 6 charges before total <= 1.00 (2.50 - 6*0.25 = 1.00).
        return (
            statuses.count("ok"),
            statuses.count("insufficient_credits"),
            windows["minute"].count,
            (await store.get_balances("u")).total,
        )

    assert run(scenario) == (6, 294, 6, Decimal("1.00"))


def test_hit_is_the_ip_limiter() -> None:
    async def scenario() -> list[tuple[bool, int]]:
        store = MemoryStore()
        limits = Limits(minute=2)
        out = []
        for t in (0, 1, 2, 61):
            allowed, w = await store.hit("ip:1.2.3.4", T0 + t, limits)
            out.append((allowed, w["minute"].count))
        return out

    # At +61 s both earlier hits (at +0 and +1) have left the 60 s window.
    assert run(scenario) == [(True, 1), (True, 2), (False, 2), (True, 1)]


def test_scopes_are_independent_and_reset_forgets() -> None:
    async def scenario() -> tuple[int, int, int, Any]:
        store = MemoryStore()
        await store.put_account(AccountRecord("k", "u", "premium"))
        await store.settle("u1", "u1", T0, FREE, Decimal("0"), None)
        a = (await store.windows("u1", T0, FREE))["minute"].count
        b = (await store.windows("u2", T0, FREE))["minute"].count
        await store.reset()
        c = (await store.windows("u1", T0, FREE))["minute"].count
        return a, b, c, await store.get_account("k")

    assert run(scenario) == (1, 0, 0, None)


def test_clock_set_backwards_keeps_timeline_sorted() -> None:
    tl = Timeline()
    for t in (10.0, 20.0, 5.0, 15.0):
        tl.add(t)
    assert tl.count_after(9.0) == 3
    assert tl.first_after(0) == 5.0
    tl.prune(12.0)
    assert len(tl) == 2 and tl.first_after(0) == 15.0 and tl.last == 20.0


def test_record_forgets_what_is_older_than_keep_and_a_read_forgets_nothing() -> None:
    tl = Timeline()
    for t in (10.0, 20.0, 30.0):
        tl.record(t, keep=15.0)
    assert (len(tl), tl.first_after(0)) == (2, 20.0)  # 10 was more than 15 s before 30
    assert tl.count_after(0.0) == 2 and len(tl) == 2  # reading far ahead or behind prunes nothing
    tl.record(12.0, keep=15.0)  # the clock set back: nothing is at or before -3
    assert (len(tl), tl.first_after(0), tl.last) == (3, 12.0, 30.0)


def test_a_window_is_count_after_and_first_after_in_one_search() -> None:
    tl = Timeline()
    for t in (10.0, 20.0, 30.0, 40.0):
        tl.add(t)
    tl.prune(10.0)
    for cutoff in (0.0, 10.0, 19.9, 20.0, 35.0, 40.0, 50.0):
        assert tl.window(cutoff) == (tl.count_after(cutoff), tl.first_after(cutoff))
    assert tl.window(20.0) == (2, 30.0) and tl.window(40.0) == (0, None)


def test_logs_bounded_newest_first_with_store_ids() -> None:
    async def scenario() -> list[dict[str, Any]]:
        store = MemoryStore(logs_per_user=3)
        for i in range(5):
            assigned = await store.append_log("u", {"id": "ignored", "category": "completion", "n": i})
            assert assigned == i + 1
        await store.append_log("other", {"n": 99})
        return await store.list_logs("u")

    rows = run(scenario)
    assert rows == [
        {"id": 5, "category": "completion", "n": 4},
        {"id": 4, "category": "completion", "n": 3},
        {"id": 3, "category": "completion", "n": 2},
    ]
    assert list(rows[0]) == ["id", "category", "n"]


def test_metrics_counts_and_retention() -> None:
    async def scenario() -> list[dict[str, int]]:
        store = MemoryStore()
        await store.record_completion("u", T0, True, ["A", "B"])
        await store.record_completion("u", T0 + 3600, False, ["A"])
        await store.record_completion("u", T0 + 2 * 86400, True, ["C"])
        first = await store.metrics("u", T0 + 2 * 86400)
        later = await store.metrics("u", T0 + 8 * 86400 + 1)
        return [first, later, await store.metrics("nobody", T0)]

    assert run(scenario) == [
        {
            "unique_agents": 3,
            "total_completion_calls": 3,
            "successful_completions": 2,
            "completions_last_24h": 1,
            "completions_last_7d": 3,
        },
        {
            "unique_agents": 3,
            "total_completion_calls": 3,
            "successful_completions": 2,
            "completions_last_24h": 0,
            "completions_last_7d": 1,
        },
        {
            "unique_agents": 0,
            "total_completion_calls": 0,
            "successful_completions": 0,
            "completions_last_24h": 0,
            "completions_last_7d": 0,
        },
    ]


def test_agents_distinct_by_name_and_model_and_capped() -> None:
    async def scenario() -> list[dict[str, Any]]:
        store = MemoryStore(agents_per_user=2)
        await store.remember_agents(
            "u",
            [
                {"agent_name": "A", "model_name": "m"},
                {"agent_name": "A", "model_name": "m", "temperature": 0.1},
            ],
        )
        await store.remember_agents("u", [{"agent_name": "B", "model_name": "m"}])
        await store.remember_agents("u", [{"agent_name": "C", "model_name": "m"}])
        return await store.list_agents("u")

    assert run(scenario) == [{"agent_name": "B", "model_name": "m"}, {"agent_name": "C", "model_name": "m"}]


def test_journal_ring_buffer_and_values() -> None:
    async def scenario() -> tuple[list[dict[str, Any]], list[dict[str, Any]], int, Any]:
        store = MemoryStore()
        for i in range(5):
            await store.journal_append({"i": i}, 3)
        ring = await store.journal_list()
        await store.journal_clear()
        await store.set_value("clock", {"offset": 1.0})
        await store.incr("hits")
        count = await store.incr("hits", 5)
        return ring, await store.journal_list(), count, await store.get_value("clock")

    assert run(scenario) == ([{"i": 2}, {"i": 3}, {"i": 4}], [], 6, {"offset": 1.0})


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.slow
def test_300k_requests_memory_stays_bounded() -> None:
    async def scenario() -> float:
        store = MemoryStore(logs_per_user=1000)
        await store.set_balances("u", Balances(credit=Decimal("1000000")))
        before = _rss_mb()
        for i in range(300_000):
            now = T0 + i * 0.5  # spans ~42 h, so the day window and IP scopes get pruned/swept
            await store.settle("u", "u", now, Limits(), Decimal("0.001"), Decimal("1.00"))
            await store.hit(f"ip:10.0.{i % 250}.{i % 200}", now, Limits(minute=100))
            await store.append_log("u", {"category": "completion", "data": {"i": i}})
            await store.record_completion("u", now, True, ["A"])
            await store.journal_append({"i": i}, 1000)
        return _rss_mb() - before

    assert run(scenario) < 50
