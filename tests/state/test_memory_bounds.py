"""Issue #13 item 5: every per-key / per-IP / per-name structure is bounded, on both stores.

100,000 distinct values each: unknown keys under the prism profile (an account per key), keyless
client addresses (rate windows), agent names. Memory (traced allocations) or Redis keys stop growing
once the documented caps (``mockswarms.state.base``) are reached.
"""

from __future__ import annotations

import asyncio
import gc
import os
from decimal import Decimal

import pytest
import redis.asyncio as aioredis

from mockswarms.config import load_settings
from mockswarms.engine.simulator import Simulator
from mockswarms.state.base import MAX_AUTO_ACCOUNTS, AccountRecord, Balances, Charge, Limits
from mockswarms.state.memory import MemoryStore
from mockswarms.state.redis import RedisStore

T0 = 1_767_225_600.0
DISTINCT = 100_000


def _rss() -> int:
    gc.collect()
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.slow
async def test_prism_keys_client_addresses_and_agent_names_keep_memory_flat() -> None:
    simulator = Simulator(load_settings({"profile": "prism", "now": "2026-03-01T12:00:00Z"}, environ={}))
    await simulator.ensure_started()
    store = simulator.store
    assert isinstance(store, MemoryStore)
    store.unique_agents_cap = 10_000  # the default (100,000) would only flatten at the end
    await store.set_balances("u", Balances(credit=Decimal("1000000")))

    async def drive(start: int, stop: int) -> None:
        for i in range(start, stop):
            caller = await simulator.authenticate({"x-api-key": f"sk-load-{i}"}, "127.0.0.1", required=True)
            assert caller.account is not None and caller.tier == "premium"
            await store.hit(f"ip:10.{i >> 16}.{(i >> 8) & 255}.{i & 255}", T0, Limits(minute=100))
            outcome = await store.commit(
                Charge(
                    f"c{i}", "u", "u", T0, Limits(), Decimal("0.000001"), None, False, None, True, (f"n{i}",)
                )
            )
            assert outcome.status == "ok"

    await drive(0, 30_000)  # past every cap: accounts 10k, scopes 20k, names 10k
    settled = _rss()
    await drive(30_000, DISTINCT)
    grown = _rss() - settled
    # Uncapped, the next 70,000 accounts alone took ~350 MB (issue #13: +475 MB over 94,507 keys).
    assert grown < 4_000_000, f"RSS grew {grown} bytes over {DISTINCT - 30_000} more distinct values"
    assert len(await store.list_accounts()) == MAX_AUTO_ACCOUNTS + 3  # + the built-in sk-mock-* keys
    assert await store.get_account("sk-load-0") is None and await store.get_account("sk-load-99999")
    assert (await store.metrics("u", T0))["unique_agents"] == 10_000


@pytest.mark.redis
@pytest.mark.slow
async def test_redis_keys_stay_bounded_over_100k_distinct_values(redis_url: str) -> None:
    namespace = f"bounds{os.getpid()}"
    store = RedisStore(redis_url, namespace=namespace, max_auto_accounts=1_000, unique_agents_cap=1_000)
    raw = aioredis.Redis.from_url(redis_url, decode_responses=True)
    try:
        await store.reset()
        await store.set_balances("u", Balances(credit=Decimal("1000000")))

        async def one(i: int) -> None:
            account = AccountRecord(f"sk-load-{i}", f"user-load-{i}", "premium")
            await store.put_auto_account(account, Balances(credit=Decimal("5")))

        for start in range(0, DISTINCT, 50):
            await asyncio.gather(*(one(i) for i in range(start, start + 50)))
        names = tuple(f"n{i}" for i in range(2_000))
        await store.commit(
            Charge("c", "u", "u", T0, Limits(), Decimal("0.01"), None, False, None, True, names)
        )
        await store.hit("ip:12345", T0, Limits(minute=100))

        assert await raw.zcard(f"{namespace}:auto_accounts") == 1_000
        assert await raw.hlen(f"{namespace}:accounts") == 1_000
        assert await raw.llen(f"{namespace}:account_order") == 1_000
        assert await raw.scard(f"{namespace}:met_agents:u") == 1_000
        balance_keys = [key async for key in raw.scan_iter(match=f"{namespace}:bal:*", count=1000)]
        assert len(balance_keys) == 1_001  # the cap + user "u"
        # Keyless windows: one key per address, each expiring a day after its last run.
        ttl = await raw.ttl(f"{namespace}:win:ip:12345")
        assert 0 < ttl <= 86_400
    finally:
        await store.reset()
        await store.close()
        await raw.aclose()


@pytest.mark.parametrize("store", ["memory", "redis"])
async def test_logs_total_setting_reaches_the_store(store: str, request: pytest.FixtureRequest) -> None:
    """``logs_total`` in a config file or ``MOCKSWARMS_LOGS_TOTAL`` is the store's cap."""
    from mockswarms.engine.simulator import make_store

    url = request.getfixturevalue("redis_url") if store == "redis" else "memory"
    settings = load_settings({"store": url}, environ={"MOCKSWARMS_LOGS_TOTAL": "7"})
    made = make_store(settings)
    assert (made.logs_total, made.logs_per_user) == (7, 1000)  # type: ignore[attr-defined]
    assert load_settings({}, environ={}).logs_total == 20_000
    if isinstance(made, RedisStore):
        await made.close()
