"""The Redis store settles exactly as the memory store does: the same random sequences of charges,
refunds, rate-limit hits, completions and clock moves (backwards too) through both, compared outcome
by outcome — status, balances to the micro-credit, every window's count, limit and reset instant, and
the metrics summary."""

from __future__ import annotations

import os
import random
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest

from mockswarms.state.base import Balances, Limits, StateStore
from mockswarms.state.memory import MemoryStore
from mockswarms.state.redis import RedisStore

T0 = 1_767_225_600.0  # 2026-01-01T00:00:00Z
STEPS = [0.0, 0.25, 1.0, 30.0, 59.999, 60.0, 61.5, 3599.0, 3600.0, 86_399.5, 86_400.0, 90_000.0]
BACK = [-0.5, -30.0, -61.0, -4000.0, -200_000.0, -700_000.0]
COSTS = [Decimal("0"), Decimal("0.5"), Decimal("1.25"), Decimal("3"), Decimal("-0.75"), Decimal("0.000001")]
THRESHOLDS = [None, Decimal("0"), Decimal("2.5")]
LIMITS = [Limits(), Limits(minute=2), Limits(minute=3, hour=5), Limits(minute=1, hour=2, day=3)]


@pytest.fixture
async def stores(redis_url: str) -> AsyncIterator[tuple[StateStore, StateStore]]:
    memory = MemoryStore()
    redis = RedisStore(redis_url, namespace=f"differential{os.getpid()}")
    await redis.reset()
    yield memory, redis
    await redis.reset()
    await redis.close()


@pytest.mark.parametrize("seed", range(12))
async def test_settle_hit_and_metrics_match_the_memory_store(
    stores: tuple[StateStore, StateStore], seed: int
) -> None:
    memory, redis = stores
    rng = random.Random(seed)
    for store in stores:
        await store.set_balances(
            "u1", Balances(free_credit=Decimal("1.5"), credit=Decimal("4"), referral_credits=Decimal("2"))
        )
        await store.set_balances("u2", Balances(credit=Decimal("1")))
    now = T0
    for step in range(160):
        now += rng.choice(BACK) if rng.random() < 0.1 else rng.choice(STEPS)
        user = rng.choice(["u1", "u2"])
        limits = rng.choice(LIMITS)
        expected: Any
        got: Any
        roll = rng.random()
        if roll < 0.2:
            scope = f"ip:10.0.0.{rng.randint(1, 2)}"
            expected, got = await memory.hit(scope, now, limits), await redis.hit(scope, now, limits)
        elif roll < 0.3:
            if rng.random() < 0.6:  # a completion; else only a read of the summary
                success, names = rng.random() < 0.7, rng.sample(["a", "b", "c"], rng.randint(0, 2))
                for store in stores:
                    await store.record_completion(user, now, success, names)
            expected, got = await memory.metrics(user, now), await redis.metrics(user, now)
        else:
            cost, threshold, count = rng.choice(COSTS), rng.choice(THRESHOLDS), rng.random() < 0.8
            expected = await memory.settle(user, user, now, limits, cost, threshold, count)
            got = await redis.settle(user, user, now, limits, cost, threshold, count)
        assert got == expected, f"seed {seed}, step {step}, now T0{now - T0:+}"
