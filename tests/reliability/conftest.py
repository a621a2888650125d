"""A real server on each store, for the money suites that must hold on both (broken replies, large
balances): one per test module and store; tests reset it themselves."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mockswarms.testing.control import SimulatorControl
from mockswarms.testing.server import RunningServer, serve


@pytest.fixture(scope="module", params=["memory", "redis"])
def store_server(request: pytest.FixtureRequest) -> Iterator[tuple[RunningServer, SimulatorControl]]:
    store = "memory" if request.param == "memory" else request.getfixturevalue("redis_url")
    with (
        serve(now="2026-03-01T12:00:00Z", seed=3, store=store) as running,
        SimulatorControl(running.base_url) as ctl,
    ):
        yield running, ctl
