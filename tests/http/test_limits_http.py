"""Tiers, limits and credit gates through a REAL uvicorn server, with many concurrent requests.

Every test starts its own server (``mockswarms.testing.server.serve``) with a frozen clock, so windows only
move when a test advances the clock through ``PUT /__mockswarms/clock``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from mockswarms.config import AccountConfig
from mockswarms.testing.server import RunningServer, serve

NOW = "2026-07-15T21:00:00Z"  # 14:00 in Los Angeles: no night discount
NOW_TS = 1_784_149_200
RATE_HEADERS = (
    "x-ratelimit-limit-minute",
    "x-ratelimit-remaining-minute",
    "x-ratelimit-limit-day",
    "x-ratelimit-remaining-day",
    "x-ratelimit-reset",
    "x-ratelimit-tier",
)
MSG_429 = (
    "Rate limit exceeded for {} window(s). Upgrade to Premium for increased limits (2,000/min, 10,000/hour, "
    "100,000/day) at https://swarms.world/platform/account for just $99/month."
)
MSG_402 = (
    "Insufficient credits. Please add more credits to continue using the API. Visit "
    "https://swarms.world/platform/account to purchase additional credits and ensure uninterrupted service."
)
AGENT = {"agent_config": {"agent_name": "Researcher", "model_name": "gpt-4o-mini"}, "task": "Summarize X"}


@pytest.fixture
def server(request: pytest.FixtureRequest) -> Iterator[RunningServer]:
    overrides: dict[str, Any] = {"now": NOW}
    overrides.update(getattr(request, "param", {}))
    with serve(**overrides) as running:
        yield running


def key(k: str) -> dict[str, str]:
    return {"x-api-key": k}


def rate_headers(response: httpx.Response) -> dict[str, str]:
    return {name: response.headers[name] for name in RATE_HEADERS if name in response.headers}


def dec(value: float) -> Decimal:
    return Decimal(str(value))


async def _burst(base_url: str, n: int, api_key: str, body: dict[str, Any] = AGENT) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as client:
        return list(
            await asyncio.gather(
                *(client.post("/v1/agent/completions", json=body, headers=key(api_key)) for _ in range(n))
            )
        )


def burst(server: RunningServer, n: int, api_key: str, body: dict[str, Any] = AGENT) -> list[httpx.Response]:
    return asyncio.run(_burst(server.base_url, n, api_key, body))


def total_credits(client: httpx.Client, api_key: str) -> Decimal:
    return dec(client.get("/v1/account/credits", headers=key(api_key)).json()["total_credits"])


def logged_costs(client: httpx.Client, api_key: str) -> list[Decimal]:
    logs = client.get("/v1/swarm/logs", headers=key(api_key)).json()["logs"]
    return [dec(row["data"]["usage"]["total_cost"]) for row in logs]


# -- the rate limiter under concurrency -----------------------------------------------------------------
def test_300_concurrent_completions_on_a_fresh_free_key_exactly_100_succeed(server: RunningServer) -> None:
    client = httpx.Client(base_url=server.base_url)
    before = total_credits(client, "sk-mock-free")
    responses = burst(server, 300, "sk-mock-free")
    ok = [r for r in responses if r.status_code == 200]
    limited = [r for r in responses if r.status_code == 429]
    assert (len(ok), len(limited)) == (100, 200)

    for r in ok:
        assert "retry-after" not in r.headers
        assert rate_headers(r)["x-ratelimit-limit-minute"] == "100"
        assert rate_headers(r)["x-ratelimit-tier"] == "free"
    # Each success saw a distinct remaining count: the counter moved atomically.
    assert sorted(int(r.headers["x-ratelimit-remaining-minute"]) for r in ok) == list(range(100))
    for r in limited:
        assert r.json() == {"detail": MSG_429.format("minute")}
        assert rate_headers(r) == {
            "x-ratelimit-limit-minute": "100",
            "x-ratelimit-remaining-minute": "0",
            "x-ratelimit-limit-day": "1200",
            "x-ratelimit-remaining-day": "1100",
            "x-ratelimit-reset": str(NOW_TS + 60),
            "x-ratelimit-tier": "free",
        }
        assert r.headers["retry-after"] == "60"

    # The limiter runs on every authenticated request, GETs included: while the minute is full
    # even reading the balance is refused.
    blocked = client.get("/v1/account/credits", headers=key("sk-mock-free"))
    assert blocked.status_code == 429 and blocked.headers["retry-after"] == "60"

    client.put("/__mockswarms/clock", json={"advance_seconds": 60})
    costs = [dec(r.json()["usage"]["total_cost"]) for r in ok]
    after = total_credits(client, "sk-mock-free")
    assert sum(costs) == before - after > 0
    logged = logged_costs(client, "sk-mock-free")
    assert len(logged) == 100 and sum(logged) == sum(costs)

    limits = client.get("/v1/rate/limits", headers=key("sk-mock-free"))
    assert limits.status_code == 200
    windows = limits.json()["rate_limits"]
    assert windows["minute"] == {
        "count": 0,
        "limit": 100,
        "exceeded": False,
        "remaining": 100,
        "reset_time": "2026-07-15T21:02:00.000000+00:00",
    }
    assert windows["hour"] == {
        "count": 100,
        "limit": 350,
        "exceeded": False,
        "remaining": 250,
        "reset_time": "2026-07-15T22:00:00.000000+00:00",
    }
    assert windows["day"]["remaining"] == 1100
    assert rate_headers(limits)["x-ratelimit-remaining-day"] == "1100"
    assert rate_headers(limits)["x-ratelimit-reset"] == str(NOW_TS + 120)
    metrics = client.get("/v1/metrics/summary", headers=key("sk-mock-free")).json()
    assert metrics["total_completion_calls"] == metrics["completions_last_24h"] == 100


# -- credits under concurrency --------------------------------------------------------------------------
def test_balance_covering_exactly_k_completions(server: RunningServer) -> None:
    client = httpx.Client(base_url=server.base_url)
    probe = client.post("/v1/agent/completions", json=AGENT, headers=key("sk-mock-premium"))
    assert probe.status_code == 200
    cost = dec(probe.json()["usage"]["total_cost"])
    assert cost > 0
    k = 7
    start = Decimal("1.00") + k * cost  # after k charges the total is exactly the $1.00 floor
    put = client.put(
        "/__mockswarms/accounts/sk-k", json={"tier": "premium", "credit": str(start), "user_id": "u-k"}
    )
    assert put.status_code == 200

    responses = burst(server, 40, "sk-k")
    ok = [r for r in responses if r.status_code == 200]
    refused = [r for r in responses if r.status_code == 402]
    assert (len(ok), len(refused)) == (k, 40 - k)
    for r in refused:
        assert r.json() == {"detail": MSG_402}
        assert rate_headers(r) == {} and "retry-after" not in r.headers
    assert all(dec(r.json()["usage"]["total_cost"]) == cost for r in ok)
    assert total_credits(client, "sk-k") == Decimal("1.00")
    assert sum(logged_costs(client, "sk-k")) == k * cost
    # At the floor every further billable call is refused before any work.
    assert client.post("/v1/agent/completions", json=AGENT, headers=key("sk-k")).status_code == 402


# -- headers on every kind of response --------------------------------------------------------------------
@pytest.mark.parametrize(
    "server", [dict(rate_limit_scale=0.02)], indirect=True
)  # free: 2/min, 7/hour, 24/day
def test_headers_on_every_kind_of_response(server: RunningServer) -> None:
    client = httpx.Client(base_url=server.base_url)
    first = client.post("/v1/agent/completions", json=AGENT, headers=key("sk-mock-free"))
    assert first.status_code == 200
    assert rate_headers(first) == {
        "x-ratelimit-limit-minute": "2",
        "x-ratelimit-remaining-minute": "1",
        "x-ratelimit-limit-day": "24",
        "x-ratelimit-remaining-day": "23",
        "x-ratelimit-reset": str(NOW_TS + 60),
        "x-ratelimit-tier": "free",
    }
    for path in ("/v1/rate/limits", "/v1/swarm/logs", "/v1/account/credits", "/v1/usage/costs"):
        r = client.get(path, headers=key("sk-mock-free"))
        assert r.status_code == 200 and rate_headers(r)["x-ratelimit-remaining-minute"] == "1", path
        assert "retry-after" not in r.headers
    premium = client.get("/v1/rate/limits", headers=key("sk-mock-premium"))
    assert rate_headers(premium)["x-ratelimit-limit-minute"] == "40"
    assert rate_headers(premium)["x-ratelimit-tier"] == "premium"
    # Validation errors come after the limiter: they carry the headers.
    invalid = client.post("/v1/agent/completions", json={"agent_config": 5}, headers=key("sk-mock-free"))
    assert invalid.status_code == 422 and rate_headers(invalid)["x-ratelimit-tier"] == "free"
    # Gate errors before the limiter carry none.
    for status, api_key, path, body in (
        (401, None, "/v1/agent/completions", AGENT),
        (403, "sk-unknown", "/v1/agent/completions", AGENT),
        (403, "sk-mock-free", "/v1/agent/batch/completions", [AGENT]),
        (402, "sk-mock-broke", "/v1/agent/completions", AGENT),
    ):
        r = client.post(path, json=body, headers=key(api_key) if api_key else {})
        assert r.status_code == status
        assert rate_headers(r) == {} and "retry-after" not in r.headers


# -- window rollover on the injectable clock ----------------------------------------------------------------
@pytest.mark.parametrize(
    "server", [dict(rate_limit_scale=0.05)], indirect=True
)  # free: 5/min, 18/hour, 60/day
def test_window_rollover_by_clock_advance(server: RunningServer) -> None:
    client = httpx.Client(base_url=server.base_url)
    statuses = [
        client.post("/v1/agent/completions", json=AGENT, headers=key("sk-mock-free")).status_code
        for _ in range(6)
    ]
    assert statuses == [200] * 5 + [429]
    client.put("/__mockswarms/clock", json={"advance_seconds": 30})
    held = client.post("/v1/agent/completions", json=AGENT, headers=key("sk-mock-free"))
    assert held.status_code == 429 and held.headers["retry-after"] == "30"
    client.put("/__mockswarms/clock", json={"advance_seconds": 31})  # 61 s after the first runs
    again = client.post("/v1/agent/completions", json=AGENT, headers=key("sk-mock-free"))
    assert again.status_code == 200
    assert again.headers["x-ratelimit-remaining-minute"] == "4"
    assert again.headers["x-ratelimit-remaining-day"] == "54"
    assert again.headers["x-ratelimit-reset"] == str(NOW_TS + 61 + 60)
    # The hour window is the next wall: 18 runs per hour, then 429 naming "hour".
    successes: list[int] = []
    last_refusal: httpx.Response | None = None
    for _ in range(3):
        client.put("/__mockswarms/clock", json={"advance_seconds": 61})
        round_ok = 0
        for _ in range(5):
            r = client.post("/v1/agent/completions", json=AGENT, headers=key("sk-mock-free"))
            if r.status_code == 200:
                round_ok += 1
            else:
                last_refusal = r
        successes.append(round_ok)
    assert successes == [5, 5, 2]
    assert last_refusal is not None
    # 6 + 5 + 5 + 2 = 18 runs fill the hour; the minute window still has room (2 of 5 used).
    assert last_refusal.json() == {"detail": MSG_429.format("hour")}
    assert last_refusal.headers["x-ratelimit-remaining-minute"] == "3"
    assert last_refusal.headers["retry-after"] == str(3600 - 4 * 61)  # until the runs at t=0 leave the hour
    client.put("/__mockswarms/clock", json={"advance_seconds": 61})
    blocked = client.post("/v1/agent/completions", json=AGENT, headers=key("sk-mock-free"))
    assert blocked.status_code == 429
    assert blocked.json() == {"detail": MSG_429.format("hour")}


# -- per-user aggregation ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "server",
    [
        dict(
            rate_limit_scale=0.05,
            accounts=[
                AccountConfig(key="sk-team-a", user_id="team", tier="free", free_credit=Decimal("10")),
                # Balances belong to the user; both entries state the same amount
                # (the simulator seeds balances per entry).
                AccountConfig(key="sk-team-b", user_id="team", tier="free", free_credit=Decimal("10")),
            ],
        )
    ],
    indirect=True,
)
def test_limits_and_money_are_per_user_across_keys(server: RunningServer) -> None:
    client = httpx.Client(base_url=server.base_url)
    a = [client.post("/v1/agent/completions", json=AGENT, headers=key("sk-team-a")) for _ in range(3)]
    b = [client.post("/v1/agent/completions", json=AGENT, headers=key("sk-team-b")) for _ in range(2)]
    assert [r.status_code for r in a + b] == [200] * 5
    assert b[-1].headers["x-ratelimit-remaining-minute"] == "0"
    assert client.post("/v1/agent/completions", json=AGENT, headers=key("sk-team-a")).status_code == 429
    assert client.post("/v1/agent/completions", json=AGENT, headers=key("sk-team-b")).status_code == 429
    costs = sum(dec(r.json()["usage"]["total_cost"]) for r in a + b)
    client.put("/__mockswarms/clock", json={"advance_seconds": 60})  # room again for the GETs below
    assert total_credits(client, "sk-team-a") == total_credits(client, "sk-team-b") == Decimal("10") - costs
    assert len(logged_costs(client, "sk-team-a")) == len(logged_costs(client, "sk-team-b")) == 5


# -- keyless IP fallback ------------------------------------------------------------------------------
@pytest.mark.parametrize("server", [dict(ip_limit_per_minute=3)], indirect=True)
def test_keyless_requests_use_the_ip_limiter(server: RunningServer) -> None:
    client = httpx.Client(base_url=server.base_url)
    statuses = [client.get("/v1/models/available").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/v1/swarms/available")
    assert limited.status_code == 429 and limited.headers["retry-after"] == "60"
    assert limited.headers["x-ratelimit-limit-minute"] == "3"
    assert limited.headers["x-ratelimit-remaining-minute"] == "0"
    # Keyed requests from the same IP are limited per user, not per IP.
    assert client.get("/v1/rate/limits", headers=key("sk-mock-free")).status_code == 200
    client.put("/__mockswarms/clock", json={"advance_seconds": 60})
    assert client.get("/v1/models/available").status_code == 200


@pytest.mark.parametrize("server", [dict(ip_limit_per_minute=3)], indirect=True)
def test_keyless_success_carries_ip_limiter_headers(server: RunningServer) -> None:
    r = httpx.get(server.url("/v1/models/available"))
    assert r.headers["x-ratelimit-remaining-minute"] == "2"


# -- gate order: 401/403 → 403 premium → 402 → 429 → 422 ----------------------------------------------
@pytest.mark.parametrize(
    "server",
    [
        dict(
            rate_limit_scale=0.01,  # free: 1/min
            accounts=[
                AccountConfig(key="sk-free", user_id="free", tier="free", credit=Decimal("5")),
                AccountConfig(key="sk-broke", user_id="broke", tier="free", credit=Decimal("1.00")),
            ],
        )
    ],
    indirect=True,
)
def test_gate_order(server: RunningServer) -> None:
    client = httpx.Client(base_url=server.base_url)
    bad_body = {"agent_config": 5}

    def post(api_key: str | None, body: Any, path: str = "/v1/agent/completions") -> httpx.Response:
        return client.post(path, json=body, headers=key(api_key) if api_key else {})

    # 401 / 403 auth come first, whatever else is wrong.
    assert (post(None, bad_body).status_code, post(None, bad_body).json()) == (
        401,
        {"detail": "API key is required"},
    )
    assert (post("sk-nope", bad_body).status_code, post("sk-nope", bad_body).json()) == (
        403,
        {"detail": "Invalid API Key"},
    )
    # Premium endpoint beats the credit check (a broke free account on a batch endpoint).
    premium = post("sk-broke", [AGENT], "/v1/agent/batch/completions")
    assert premium.status_code == 403 and premium.json()["error"]["type"] == "premium_access_required"
    # Premium model (omitted model_name → default gpt-4.1) beats the credit check too.
    model_gate = post("sk-broke", {"agent_config": {"agent_name": "R"}, "task": "x"})
    assert model_gate.status_code == 403 and model_gate.json()["error"]["model"] == "gpt-4.1"
    # 402 comes before validation and before the limiter.
    assert post("sk-broke", bad_body).status_code == 402
    # Fill the free account's 1/min window; then 429 beats 422.
    assert post("sk-free", AGENT).status_code == 200
    limited = post("sk-free", bad_body)
    assert limited.status_code == 429 and limited.headers["retry-after"] == "60"
    # With room in the window, validation answers.
    client.put("/__mockswarms/clock", json={"advance_seconds": 60})
    invalid = post("sk-free", bad_body)
    assert invalid.status_code == 422 and invalid.json()["detail"][0]["loc"] == ["body", "agent_config"]
