"""Issue #13 item 4: every control-API input is validated — a 422 naming the field, never a 500, and
nothing a caller sends leaves the simulator broken (through real uvicorn)."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

FROZEN = {"now": "2026-07-15T21:00:00.000000+00:00", "frozen": True}


@pytest.fixture
def client(control_client: httpx.Client) -> httpx.Client:
    return control_client  # tests/http/conftest.py: a real server, settings and state reset after each test


def assert_still_healthy(client: httpx.Client) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    agent = {"agent_config": {"agent_name": "A", "model_name": "gpt-4o-mini"}, "task": "t"}
    response = client.post("/v1/agent/completions", json=agent, headers={"x-api-key": "sk-mock-premium"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"advance_seconds": "nan"}, "advance_seconds"),
        ({"advance_seconds": 1e308}, "advance_seconds"),
        ({"advance_seconds": "Infinity"}, "advance_seconds"),
        ({"advance_seconds": -1}, "advance_seconds"),
        ({"advance_seconds": [1]}, "advance_seconds"),
        ({"now": "not-a-date"}, "now"),
        ({"now": 12}, "now"),
        ({"now": "0001-01-01T00:00:00Z"}, "now"),
        ({"frozen": "yes"}, "frozen"),
    ],
)
def test_bad_clock_changes_are_422_and_leave_the_clock_alone(
    client: httpx.Client, body: dict[str, Any], field: str
) -> None:
    response = client.put("/__mockswarms/clock", json=body)
    assert response.status_code == 422
    assert response.json()["detail"].startswith(f"{field}: ")
    assert client.get("/__mockswarms/clock").json() == FROZEN
    assert_still_healthy(client)


def test_advancing_past_the_representable_years_is_refused(client: httpx.Client) -> None:
    assert client.put("/__mockswarms/clock", json={"now": "8999-12-31T00:00:00Z"}).status_code == 200
    response = client.put("/__mockswarms/clock", json={"advance_seconds": 3_000_000_000})
    assert response.status_code == 422
    assert response.json()["detail"].startswith("advance_seconds: ")
    assert client.get("/__mockswarms/clock").json()["now"] == "8999-12-31T00:00:00.000000+00:00"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"credit": "NaN"}, "credit"),
        ({"credit": "Infinity"}, "credit"),
        ({"free_credit": "1e400"}, "free_credit"),
        ({"referral_credits": [1]}, "referral_credits"),
        ({"credit": True}, "credit"),
        ({"tier": ["x"]}, "tier"),
        ({"tier": "gold"}, "tier"),
        ({"user_id": {"a": 1}}, "user_id"),
        ({"limits": "x"}, "limits"),
        ({"limits": {"minute": "many"}}, "limits"),
    ],
)
def test_bad_account_fields_are_422_naming_the_field(
    client: httpx.Client, body: dict[str, Any], field: str
) -> None:
    response = client.put("/__mockswarms/accounts/sk-new", json=body)
    assert response.status_code == 422
    assert response.json()["detail"].startswith(f"{field}")
    assert client.get("/__mockswarms/accounts/sk-new").status_code == 404
    assert_still_healthy(client)


@pytest.mark.parametrize(
    ("body", "field"), [({"now": "not-a-date"}, "now"), ({"seed": "1"}, "seed"), ({"seed": True}, "seed")]
)
def test_bad_reset_bodies_are_422(client: httpx.Client, body: dict[str, Any], field: str) -> None:
    response = client.post("/__mockswarms/reset", json=body)
    assert response.status_code == 422
    assert response.json()["detail"].startswith(f"{field}: ")
    assert_still_healthy(client)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"profile": ["x"]}, "profile"),
        ({"profile": "nope"}, "profile"),
        ({"fixtures": ["/definitely/not/here"]}, "fixtures"),
        ({"fixtures": "/tmp"}, "fixtures"),
    ],
)
def test_bad_settings_are_422(client: httpx.Client, body: dict[str, Any], field: str) -> None:
    response = client.put("/__mockswarms/settings", json=body)
    assert response.status_code == 422
    assert response.json()["detail"].startswith(f"{field}")
    assert_still_healthy(client)


def test_a_huge_fixtures_directory_is_refused_quickly_without_blocking(client: httpx.Client) -> None:
    started = time.perf_counter()
    response = client.put("/__mockswarms/settings", json={"fixtures": ["/usr"]})
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "fixtures: /usr holds more than 5000 entries: point at a directory of fixture files"
    )
    assert time.perf_counter() - started < 5
    assert_still_healthy(client)
