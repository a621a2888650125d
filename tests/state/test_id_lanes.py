"""Issue #13 item 8: ids are unique across workers and restarts, and deterministic for one process.

Processes sharing a Redis store are simulated by several ``Simulator`` objects on one store namespace
(each is what one uvicorn worker holds). The first process on a fresh store issues exactly the ids
the memory store issues for the same seed; every other process, and every restart, takes its own
id lane from the store.
"""

from __future__ import annotations

import os

import pytest

from mockswarms.config import load_settings
from mockswarms.engine.simulator import Simulator
from mockswarms.state.redis import RedisStore

pytestmark = pytest.mark.redis


async def _ids(simulator: Simulator, count: int = 5) -> list[str]:
    await simulator.ensure_started()
    return [simulator.entropy.ids.agent_job() for _ in range(count)]


async def test_lanes_keep_ids_unique_across_processes_and_restarts(redis_url: str) -> None:
    url = redis_url.rsplit("/", 1)[0] + "/0"
    namespace = f"lanes{os.getpid()}"
    settings = load_settings({"store": url, "seed": 7}, environ={})
    memory = Simulator(load_settings({"seed": 7}, environ={}))
    stores = [RedisStore(url, namespace=namespace) for _ in range(3)]
    await stores[0].reset()
    await stores[0].set_value("id_lane", 0)
    try:
        first, second = Simulator(settings, store=stores[0]), Simulator(settings, store=stores[1])
        first_ids, second_ids = await _ids(first), await _ids(second)
        assert first_ids == await _ids(memory)  # lane 1: the single-process ids, byte for byte
        restarted = Simulator(settings, store=stores[2])  # a worker restarted on the same Redis
        restarted_ids = await _ids(restarted)
        assert len(set(first_ids) | set(second_ids) | set(restarted_ids)) == 15
        # A reset rewinds the lane of the worker that serves it (its ids again), lanes keep growing.
        await first.reset()
        assert await _ids(first) == first_ids
        assert await stores[0].get_value("id_lane") == 3
    finally:
        await stores[0].reset()
        for store in stores:
            await store.close()
