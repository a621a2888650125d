"""Rate-limit policy (reference §d): which limits apply, and what the client sees.

The mechanism (sliding windows, atomic counting) lives in the store (``StateStore.settle`` /
``windows`` / ``hit``); this module decides the limits and renders headers, 429s and the
``GET /v1/rate/limits`` body from the :class:`~mockswarms.state.base.WindowState` the store returns.

Unlimited windows (enterprise tier, ``rate_limit_mode: off``, per-account ``null`` overrides) are
reported as :data:`UNLIMITED` (2,147,483,647) in headers and in ``/v1/rate/limits``: the SDKs
require integers there, and a huge limit that never runs out is what "no rate limits" means to a
client. ``remaining`` is then ``UNLIMITED - count``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime

from mockswarms.clock import format_timestamp
from mockswarms.config import Settings
from mockswarms.errors import APIError, OpenAIError
from mockswarms.shapes.account import RateLimitsResponse, RateLimitsWindows, RateLimitWindow
from mockswarms.state.base import NO_LIMITS, WINDOWS, Limits, WindowState

__all__ = [
    "LEGACY_429_DETAIL",
    "TIER_LIMITS",
    "UNLIMITED",
    "ip_limits",
    "legacy_ip_scope",
    "legacy_rate_limited_error",
    "limits_for",
    "rate_headers",
    "rate_limited_error",
    "rate_limited_message",
    "rate_limits_body",
    "retry_after",
    "tokens_per_agent",
]

UNLIMITED = 2_147_483_647  # int32 max: a valid int for every SDK, never reached

# (minute, hour, day) per tier; the free hour comes from settings.free_hour_limit.
TIER_LIMITS: dict[str, tuple[int | None, int | None, int | None]] = {
    "free": (100, 350, 1200),
    "premium": (2000, 10_000, 100_000),
    "enterprise": (None, None, None),
}

LEGACY_429_DETAIL = "Rate limit exceeded. Please try again later."


def _scale(limit: int | None, scale: float) -> int | None:
    if limit is None:
        return None
    return max(1, math.ceil(limit * scale))


def limits_for(
    tier: str, settings: Settings, account_limits: Mapping[str, int | None] | None = None
) -> Limits:
    """Per-user limits for a request of ``tier``.

    ``account_limits`` overrides window by window: a key that is present wins (``None`` there means
    unlimited), a missing key keeps the tier's value. ``rate_limit_scale`` then scales every finite
    limit (rounded up, at least 1). With ``rate_limit_mode`` ``off`` or ``legacy-ip`` users are not
    limited (the legacy limiter is per IP, see :func:`ip_limits`).
    """
    if settings.rate_limit_mode != "docs":
        return NO_LIMITS
    minute, hour, day = TIER_LIMITS.get(tier, TIER_LIMITS["free"])
    if tier == "free":
        hour = settings.free_hour_limit
    values: dict[str, int | None] = {"minute": minute, "hour": hour, "day": day}
    for name, value in (account_limits or {}).items():
        if name in values:
            values[name] = value
    scale = settings.rate_limit_scale
    return Limits(**{name: _scale(value, scale) for name, value in values.items()})


def ip_limits(settings: Settings) -> Limits:
    """Per-IP limits: the keyless fallback (docs) or every request (legacy-ip); none when off."""
    if settings.rate_limit_mode == "off":
        return NO_LIMITS
    return Limits(minute=_scale(settings.ip_limit_per_minute, settings.rate_limit_scale))


def legacy_ip_scope(addr: str, now: float) -> str:
    """Store scope for the legacy fixed 60 s window: one scope per IP per clock minute, so a
    sliding-window ``hit`` on it counts exactly the fixed window (reset at the next minute)."""
    return f"ip-fixed:{addr}:{int(now // 60)}"


def tokens_per_agent(tier: str, settings: Settings | None = None) -> int:
    if tier == "free":
        return settings.prompt_limit_free if settings else 200_000
    return settings.prompt_limit_premium if settings else 2_000_000


def _limit(state: WindowState) -> int:
    return UNLIMITED if state.limit is None else state.limit


def _remaining(state: WindowState) -> int:
    return max(_limit(state) - state.count, 0)


def rate_headers(windows: Mapping[str, WindowState], tier: str) -> dict[str, str]:
    """The six ``X-RateLimit-*`` headers (no ``Retry-After``: that is for 429s only)."""
    minute, day = windows["minute"], windows["day"]
    return {
        "X-RateLimit-Limit-Minute": str(_limit(minute)),
        "X-RateLimit-Remaining-Minute": str(_remaining(minute)),
        "X-RateLimit-Limit-Day": str(_limit(day)),
        "X-RateLimit-Remaining-Day": str(_remaining(day)),
        "X-RateLimit-Reset": str(math.ceil(minute.reset_at)),
        "X-RateLimit-Tier": tier,
    }


def _exceeded(windows: Mapping[str, WindowState]) -> list[str]:
    return [name for name in WINDOWS if name in windows and windows[name].exceeded]


def retry_after(windows: Mapping[str, WindowState], now: float) -> int:
    """Whole seconds until every exceeded window has room again (at least 1)."""
    resets = [windows[name].reset_at for name in _exceeded(windows)] or [windows["minute"].reset_at]
    return max(1, math.ceil(max(resets) - now))


def rate_limited_message(windows: Mapping[str, WindowState]) -> str:
    names = ", ".join(_exceeded(windows)) or "minute"
    return (
        f"Rate limit exceeded for {names} window(s). Upgrade to Premium for increased limits "
        "(2,000/min, 10,000/hour, 100,000/day) at https://swarms.world/platform/account for just $99/month."
    )


def rate_limited_error(
    windows: Mapping[str, WindowState],
    tier: str,
    now: float,
    *,
    openai: bool = False,
    ip: bool = False,
) -> APIError:
    """429 with the docs body naming the exceeded window(s), the headers and ``Retry-After``.

    ``ip=True`` (the keyless per-IP limiter): same body and headers; the tier header then reads
    ``anonymous`` unless the caller passes a real tier.
    """
    if ip and not tier:
        tier = "anonymous"
    headers = rate_headers(windows, tier)
    headers["Retry-After"] = str(retry_after(windows, now))
    message = rate_limited_message(windows)
    if openai:
        return OpenAIError(429, message, code="rate_limit_exceeded", headers=headers)
    return APIError(429, message, headers=headers)


def legacy_rate_limited_error(now: float, *, openai: bool = False) -> APIError:
    """The [SRV] per-IP 429: old body, only ``Retry-After`` (seconds to the next clock minute)."""
    headers = {"Retry-After": str(max(1, math.ceil((int(now // 60) + 1) * 60 - now)))}
    if openai:
        return OpenAIError(429, LEGACY_429_DETAIL, code="rate_limit_exceeded", headers=headers)
    return APIError(429, LEGACY_429_DETAIL, headers=headers)


def _iso(instant: float) -> str:
    return format_timestamp(datetime.fromtimestamp(instant, tz=UTC))


def rate_limits_body(
    windows: Mapping[str, WindowState],
    limits: Limits,
    tier: str,
    now: float,
    settings: Settings | None = None,
) -> RateLimitsResponse:
    """``GET /v1/rate/limits``: the same counts, limits and resets the headers report (reset
    instants are rounded up to whole seconds, exactly like ``X-RateLimit-Reset``)."""

    def window(name: str) -> RateLimitWindow:
        return {
            "count": windows[name].count,
            "limit": _limit(windows[name]),
            "exceeded": windows[name].exceeded,
            "remaining": _remaining(windows[name]),
            "reset_time": _iso(math.ceil(windows[name].reset_at)),  # = X-RateLimit-Reset
        }

    rate_limits: RateLimitsWindows = {
        "minute": window("minute"),
        "hour": window("hour"),
        "day": window("day"),
    }

    def maximum(name: str) -> int:
        value = limits.get(name)
        return UNLIMITED if value is None else value

    return {
        "success": True,
        "rate_limits": rate_limits,
        "limits": {
            "maximum_requests_per_minute": maximum("minute"),
            "maximum_requests_per_hour": maximum("hour"),
            "maximum_requests_per_day": maximum("day"),
            "tokens_per_agent": tokens_per_agent(tier, settings),
        },
        "tier": tier,
        "timestamp": _iso(now),
    }
