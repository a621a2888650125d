"""Rate-limit policy: limits per tier/setting, headers, the 429 and /v1/rate/limits body."""

from __future__ import annotations

from mockswarms.config import Settings
from mockswarms.engine import ratelimit
from mockswarms.errors import OpenAIError
from mockswarms.state.base import Limits, WindowState

NOW = 1_713_700_818.0


def test_tier_limits() -> None:
    s = Settings()
    assert ratelimit.limits_for("free", s) == Limits(100, 350, 1200)
    assert ratelimit.limits_for("premium", s) == Limits(2000, 10_000, 100_000)
    assert ratelimit.limits_for("enterprise", s).unlimited
    assert ratelimit.limits_for("free", Settings(free_hour_limit=50)) == Limits(100, 50, 1200)


def test_scale_rounds_up_min_one_and_overrides() -> None:
    s = Settings(rate_limit_scale=0.01)
    assert ratelimit.limits_for("free", s) == Limits(1, 4, 12)
    assert ratelimit.limits_for("premium", s) == Limits(20, 100, 1000)
    assert ratelimit.limits_for("free", Settings(), {"minute": 5, "day": None}) == Limits(5, 350, None)
    assert ratelimit.limits_for("free", s, {"minute": 5}) == Limits(1, 4, 12)


def test_modes_off_and_legacy_do_not_limit_users() -> None:
    assert ratelimit.limits_for("free", Settings(rate_limit_mode="off")).unlimited
    assert ratelimit.limits_for("free", Settings(rate_limit_mode="legacy-ip")).unlimited
    assert ratelimit.ip_limits(Settings()) == Limits(minute=100)
    assert ratelimit.ip_limits(Settings(rate_limit_mode="off")).unlimited
    assert ratelimit.ip_limits(Settings(ip_limit_per_minute=7)) == Limits(minute=7)
    assert ratelimit.legacy_ip_scope("1.2.3.4", 119.9) == "ip-fixed:1.2.3.4:1"
    assert ratelimit.legacy_ip_scope("1.2.3.4", 120.0) == "ip-fixed:1.2.3.4:2"


FREE = Limits(100, 350, 1200)


def _windows(minute: int, hour: int, day: int, limits: Limits = FREE) -> dict[str, WindowState]:
    return {
        "minute": WindowState(minute, limits.minute, NOW + 42),
        "hour": WindowState(hour, limits.hour, NOW + 3000),
        "day": WindowState(day, limits.day, NOW + 80_000),
    }


def test_headers_exact() -> None:
    headers = ratelimit.rate_headers(_windows(5, 25, 150), "free")
    assert headers == {
        "X-RateLimit-Limit-Minute": "100",
        "X-RateLimit-Remaining-Minute": "95",
        "X-RateLimit-Limit-Day": "1200",
        "X-RateLimit-Remaining-Day": "1050",
        "X-RateLimit-Reset": "1713700860",
        "X-RateLimit-Tier": "free",
    }


def test_429_docs_example() -> None:
    error = ratelimit.rate_limited_error(_windows(100, 100, 100), "free", NOW)
    assert error.status == 429
    assert error.body == {
        "detail": (
            "Rate limit exceeded for minute window(s). Upgrade to Premium for increased limits (2,000/min, "
            "10,000/hour, 100,000/day) at https://swarms.world/platform/account for just $99/month."
        )
    }
    assert error.headers == {
        "X-RateLimit-Limit-Minute": "100",
        "X-RateLimit-Remaining-Minute": "0",
        "X-RateLimit-Limit-Day": "1200",
        "X-RateLimit-Remaining-Day": "1100",
        "X-RateLimit-Reset": "1713700860",
        "X-RateLimit-Tier": "free",
        "Retry-After": "42",
    }


def test_429_names_every_exceeded_window_and_waits_for_the_longest() -> None:
    error = ratelimit.rate_limited_error(_windows(100, 350, 1200), "free", NOW)
    assert error.body["detail"].startswith("Rate limit exceeded for minute, hour, day window(s).")
    assert error.headers["Retry-After"] == "80000"
    hour_only = ratelimit.rate_limited_error(_windows(3, 350, 400), "free", NOW)
    assert hour_only.body["detail"].startswith("Rate limit exceeded for hour window(s).")
    assert hour_only.headers["Retry-After"] == "3000"
    assert hour_only.headers["X-RateLimit-Remaining-Minute"] == "97"


def test_429_openai_format() -> None:
    error = ratelimit.rate_limited_error(_windows(100, 1, 1), "free", NOW, openai=True)
    assert isinstance(error, OpenAIError)
    assert error.body["error"]["type"] == "rate_limit_error"
    assert error.body["error"]["code"] == "rate_limit_exceeded"
    assert error.headers["Retry-After"] == "42"


def test_retry_after_at_least_one_second() -> None:
    windows = {
        "minute": WindowState(1, 1, NOW + 0.2),
        "hour": WindowState(1, None, NOW),
        "day": WindowState(1, None, NOW),
    }
    assert ratelimit.retry_after(windows, NOW) == 1


def test_legacy_429() -> None:
    error = ratelimit.legacy_rate_limited_error(130.0)
    assert (error.status, error.body, error.headers) == (
        429,
        {"detail": "Rate limit exceeded. Please try again later."},
        {"Retry-After": "50"},
    )


def test_enterprise_unlimited_headers_and_body_are_ints() -> None:
    windows = _windows(7, 7, 7, Limits())
    headers = ratelimit.rate_headers(windows, "enterprise")
    assert headers["X-RateLimit-Limit-Minute"] == str(ratelimit.UNLIMITED)
    assert headers["X-RateLimit-Remaining-Minute"] == str(ratelimit.UNLIMITED - 7)
    body = ratelimit.rate_limits_body(windows, Limits(), "enterprise", NOW)
    assert body["limits"] == {
        "maximum_requests_per_minute": ratelimit.UNLIMITED,
        "maximum_requests_per_hour": ratelimit.UNLIMITED,
        "maximum_requests_per_day": ratelimit.UNLIMITED,
        "tokens_per_agent": 2_000_000,
    }


def test_rate_limits_body_agrees_with_headers() -> None:
    limits = Limits(100, 350, 1200)
    windows = _windows(5, 25, 150)
    body = ratelimit.rate_limits_body(windows, limits, "free", NOW, Settings())
    assert body == {
        "success": True,
        "rate_limits": {
            "minute": {
                "count": 5,
                "limit": 100,
                "exceeded": False,
                "remaining": 95,
                "reset_time": "2024-04-21T12:01:00.000000+00:00",
            },
            "hour": {
                "count": 25,
                "limit": 350,
                "exceeded": False,
                "remaining": 325,
                "reset_time": "2024-04-21T12:50:18.000000+00:00",
            },
            "day": {
                "count": 150,
                "limit": 1200,
                "exceeded": False,
                "remaining": 1050,
                "reset_time": "2024-04-22T10:13:38.000000+00:00",
            },
        },
        "limits": {
            "maximum_requests_per_minute": 100,
            "maximum_requests_per_hour": 350,
            "maximum_requests_per_day": 1200,
            "tokens_per_agent": 200_000,
        },
        "tier": "free",
        "timestamp": "2024-04-21T12:00:18.000000+00:00",
    }
    headers = ratelimit.rate_headers(windows, "free")
    rl = body["rate_limits"]
    assert isinstance(rl, dict)
    assert headers["X-RateLimit-Remaining-Minute"] == str(rl["minute"]["remaining"])
    assert headers["X-RateLimit-Remaining-Day"] == str(rl["day"]["remaining"])
    exceeded = ratelimit.rate_limits_body(_windows(100, 100, 100), limits, "free", NOW)["rate_limits"]
    assert isinstance(exceeded, dict)
    assert exceeded["minute"]["exceeded"] is True and exceeded["minute"]["remaining"] == 0
    premium = ratelimit.rate_limits_body(windows, limits, "premium", NOW, Settings(prompt_limit_premium=5))
    assert isinstance(premium["limits"], dict) and premium["limits"]["tokens_per_agent"] == 5


def test_body_reset_time_equals_reset_header_for_fractional_instants() -> None:
    windows = {
        "minute": WindowState(1, 100, NOW + 41.3),
        "hour": WindowState(1, 350, NOW + 3599.5),
        "day": WindowState(1, 1200, NOW + 86399.5),
    }
    body = ratelimit.rate_limits_body(windows, Limits(100, 350, 1200), "free", NOW)
    header = ratelimit.rate_headers(windows, "free")["X-RateLimit-Reset"]
    assert header == "1713700860"
    assert body["rate_limits"]["minute"]["reset_time"] == "2024-04-21T12:01:00.000000+00:00"  # type: ignore[index]
