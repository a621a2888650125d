"""Settings and accounts changed through the control API stay within documented ranges: a value that
would break later requests (overflowing rate limits, negative prices, a bind address nobody rebinds)
is a 422 naming the field, and the simulator keeps answering as before (through real uvicorn)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

PREMIUM = {"x-api-key": "sk-mock-premium"}
FLEX_SWARM = {
    "swarm_type": "SequentialWorkflow",
    "task": "t",
    "service_tier": "flex",
    "agents": [{"agent_name": "A", "model_name": "gpt-4o-mini"}],
}


TOKEN_RULE = (
    "must be 1 to 1024 visible ASCII characters (no spaces), so that a client can send it in an "
    "Authorization header"
)


@pytest.fixture
def client(control_client: httpx.Client) -> httpx.Client:
    return control_client  # tests/http/conftest.py: a real server, settings and state reset after each test


def assert_limits_and_flex_work(client: httpx.Client) -> None:
    limits = client.get("/v1/rate/limits", headers={"x-api-key": "sk-mock-free"})
    assert limits.status_code == 200
    assert limits.headers["x-ratelimit-limit-minute"] == "100"
    swarm = client.post("/v1/swarm/completions", json=FLEX_SWARM, headers=PREMIUM)
    assert swarm.status_code == 200
    assert swarm.json()["usage"]["billing_info"]["cost_breakdown"]["output_token_cost"] > 0


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"rate_limit_scale": 1e308}, "rate_limit_scale: Input should be less than or equal to 1000"),
        ({"rate_limit_scale": 0}, "rate_limit_scale: Input should be greater than 0"),
        ({"flex_discount": 1e308}, "flex_discount: Input should be less than or equal to 1"),
        ({"flex_discount": 2}, "flex_discount: Input should be less than or equal to 1"),
        ({"flex_discount": -0.5}, "flex_discount: Input should be greater than or equal to 0"),
        ({"night_discount": 2}, "night_discount: Input should be less than or equal to 1"),
        (
            {"credit_threshold": "1e400"},
            "credit_threshold: Input should be less than or equal to 1000000000",
        ),
        ({"free_hour_limit": 2**62}, "free_hour_limit: Input should be less than or equal to 2000000"),
        (
            {"ip_limit_per_minute": 2**40},
            "ip_limit_per_minute: Input should be less than or equal to 2000000",
        ),
        ({"sse_ping_interval": 1e308}, "sse_ping_interval: Input should be less than or equal to 3600"),
        (
            {"pacing": {"*": {"time_to_first_token": 1e308}}},
            "pacing.*.time_to_first_token: Input should be less than or equal to 3600",
        ),
        (
            {"pacing": {"*": {"tokens_per_second": 1e-300}}},
            "pacing.*.tokens_per_second: must be 0 (no delay) or between 0.01 and 1000000",
        ),
        ({"now": "0001-01-01T00:00:00Z"}, "now: must be between 1970 and 9000, got '0001-01-01T00:00:00Z'"),
        # Admin tokens no client can send in "Authorization: Bearer <token>" locked the API for good.
        *(
            ({"admin_token": token}, f"admin_token: {TOKEN_RULE}")
            for token in ["s3cret\n", " 5 ", "two words", "pässwort", "x" * 1025, "tab\there"]
        ),
    ],
)
def test_out_of_range_settings_are_422_naming_the_field(
    client: httpx.Client, body: dict[str, Any], detail: str
) -> None:
    before = client.get("/__mockswarms/settings").json()
    response = client.put("/__mockswarms/settings", json=body)
    assert response.status_code == 422
    assert response.json() == {"detail": detail}
    assert client.get("/__mockswarms/settings").json() == before
    assert_limits_and_flex_work(client)


def test_the_largest_rate_limit_scale_still_answers(client: httpx.Client) -> None:
    body = {"rate_limit_scale": 1000, "free_hour_limit": 2_000_000, "flex_discount": 1}
    assert client.put("/__mockswarms/settings", json=body).status_code == 200
    limits = client.get("/v1/rate/limits", headers={"x-api-key": "sk-mock-free"})
    assert limits.status_code == 200
    assert limits.json()["rate_limits"]["hour"]["limit"] == 2_000_000_000
    swarm = client.post("/v1/swarm/completions", json=FLEX_SWARM, headers=PREMIUM)
    assert swarm.status_code == 200
    costs = swarm.json()["usage"]["billing_info"]["cost_breakdown"]
    assert (costs["input_token_cost"], costs["output_token_cost"]) == (0, 0)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("host", "0.0.0.0"),
        ("port", 1),
        ("workers", 4),
        ("log_level", "debug"),
        ("forwarded_allow_ips", "*"),
        ("store", "redis://127.0.0.1:1/0"),
    ],
)
def test_start_up_settings_cannot_change_at_runtime(client: httpx.Client, name: str, value: object) -> None:
    before = client.get("/__mockswarms/settings").json()
    response = client.put("/__mockswarms/settings", json={name: value})
    assert response.status_code == 422
    assert response.json() == {
        "detail": f"{name}: a start-up setting: it cannot change while the server runs "
        "(restart the server with the new value)"
    }
    assert client.get("/__mockswarms/settings").json() == before


def test_settings_read_back_can_be_put_back_unchanged(client: httpx.Client) -> None:
    current = client.get("/__mockswarms/settings").json()
    response = client.put("/__mockswarms/settings", json={**current, "seed": 7})
    assert response.status_code == 200
    assert response.json() == {**current, "seed": 7}


def test_account_limits_round_trip_get_then_put(client: httpx.Client) -> None:
    created = client.put("/__mockswarms/accounts/sk-rt", json={"limits": {"minute": 3, "hour": None}})
    assert created.status_code == 200
    read = client.get("/__mockswarms/accounts/sk-rt").json()
    assert read["limits"] == {"minute": 3, "hour": None}
    again = client.put("/__mockswarms/accounts/sk-rt", json=read)
    assert again.status_code == 200
    assert again.json() == read
    limits = client.get("/v1/rate/limits", headers={"x-api-key": "sk-rt"}).json()["rate_limits"]
    assert (limits["minute"]["limit"], limits["hour"]["limit"]) == (3, 2147483647)


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"limits": {"century": 1}}, "limits.century: unknown window (one of minute, hour, day)"),
        (
            {"limits": {"minute": -1}},
            "limits.minute: must be a whole number of requests from 0 to 2000000, or null",
        ),
        (
            {"limits": {"day": 2**62}},
            "limits.day: must be a whole number of requests from 0 to 2000000, or null",
        ),
        (
            {"limits": {"hour": 1.5}},
            "limits.hour: must be a whole number of requests from 0 to 2000000, or null",
        ),
        (
            {"limits": [1]},
            "limits: must be an object of window name (minute, hour, day) to a number of requests",
        ),
        ({"key": "sk-other"}, "key: must be the key in the path ('sk-bad'), got 'sk-other'"),
    ],
)
def test_bad_account_limits_are_422_naming_the_field(
    client: httpx.Client, body: dict[str, Any], detail: str
) -> None:
    response = client.put("/__mockswarms/accounts/sk-bad", json=body)
    assert response.status_code == 422
    assert response.json() == {"detail": detail}
    assert client.get("/__mockswarms/accounts/sk-bad").status_code == 404


def test_a_fault_rule_with_an_infinite_duration_is_422(client: httpx.Client) -> None:
    rule = {"match": {"path": "*"}, "action": {"type": "latency", "seconds": "1e400"}}
    response = client.post("/__mockswarms/faults", json=rule)
    assert response.status_code == 422
    assert client.get("/__mockswarms/faults").json() == {"faults": []}


def test_a_sendable_admin_token_is_accepted_and_works(client: httpx.Client) -> None:
    token = "Tok-1.2_~+/=" + "x" * 1000
    assert client.put("/__mockswarms/settings", json={"admin_token": token}).status_code == 200
    try:
        assert client.get("/__mockswarms/settings").status_code == 401
        authorised = {"authorization": f"Bearer {token}"}
        assert client.get("/__mockswarms/settings", headers=authorised).status_code == 200
    finally:
        client.put(
            "/__mockswarms/settings", json={"admin_token": None}, headers={"authorization": f"Bearer {token}"}
        )
    assert client.get("/__mockswarms/settings").status_code == 200
