"""A real server for the control-API input suites (``test_control_inputs``, ``test_control_bounds``):
one per test module, and a client that puts the settings and state back after each test."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from mockswarms.testing.server import RunningServer, serve

CONTROL_NOW = "2026-07-15T21:00:00Z"


@pytest.fixture(scope="module")
def control_server() -> Iterator[RunningServer]:
    with serve(now=CONTROL_NOW) as running:
        yield running


@pytest.fixture
def control_client(control_server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=control_server.base_url, timeout=30) as c:
        yield c
        c.delete("/__mockswarms/settings")
        c.post("/__mockswarms/reset", json={})
