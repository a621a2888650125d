"""Account bodies: rate limits, usage costs (both shapes), usage report, credits, metrics."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, with_config
from typing_extensions import TypedDict

from mockswarms.shapes.body import OUT

__all__ = [
    "CreditsResponse",
    "MetricsSummaryResponse",
    "RateLimitWindow",
    "RateLimits",
    "RateLimitsResponse",
    "RateLimitsWindows",
    "UsageCostsFlat",
    "UsageCostsResponse",
    "UsagePricing",
    "UsageReportDay",
    "UsageReportResponse",
]


@with_config(OUT)
class RateLimitWindow(TypedDict):
    count: int
    exceeded: bool
    limit: int
    remaining: int
    reset_time: str


@with_config(OUT)
class RateLimitsWindows(TypedDict):
    minute: RateLimitWindow
    hour: RateLimitWindow
    day: RateLimitWindow


@with_config(OUT)
class RateLimits(TypedDict):
    maximum_requests_per_minute: int
    maximum_requests_per_hour: int
    maximum_requests_per_day: int
    tokens_per_agent: int


@with_config(OUT)
class RateLimitsResponse(TypedDict):
    success: bool
    rate_limits: RateLimitsWindows
    limits: RateLimits
    tier: str
    timestamp: str


@with_config(OUT)
class UnitRates(TypedDict):
    """The per-unit prices both usage-costs shapes start with (not a body on its own)."""

    swarm_completions_agent_cost: float
    swarm_completions_input_cost_per_1m: float
    swarm_completions_output_cost_per_1m: float
    agent_completions_input_cost_per_1m: float
    agent_completions_output_cost_per_1m: float
    agent_completions_img_cost: float
    agent_completions_mcp_cost: float


@with_config(OUT)
class UsagePricing(UnitRates):
    search_cost: float
    scrape_cost: float
    night_time_discount: float


@with_config(
    ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "usage_pricing": {
                        "swarm_completions_agent_cost": 0.01,
                        "swarm_completions_input_cost_per_1m": 6.5,
                        "swarm_completions_output_cost_per_1m": 18.5,
                        "agent_completions_input_cost_per_1m": 6.5,
                        "agent_completions_output_cost_per_1m": 18.5,
                        "agent_completions_img_cost": 0.25,
                        "agent_completions_mcp_cost": 0.1,
                        "search_cost": 0.04,
                        "scrape_cost": 0.15,
                        "night_time_discount": 0.5,
                    },
                    "timestamp": "2026-03-29T18:30:00+00:00",
                }
            ]
        },
    )
)
class UsageCostsResponse(TypedDict):
    """``GET /v1/usage/costs`` (wrapped, 2026-07-09+)."""

    usage_pricing: UsagePricing
    timestamp: str


@with_config(OUT)
class UsageCostsFlat(UnitRates):
    """``GET /v1/usage/costs`` before 2026-07-09 (``usage_costs_shape=flat``)."""

    night_time_discount: float
    frenzy_mode_active: bool


@with_config(
    ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {"credit": 50.0, "free_credit": 20.0, "referral_credits": 5.0, "total_credits": 75.0}
            ]
        },
    )
)
class CreditsResponse(TypedDict):
    credit: float
    free_credit: float
    referral_credits: float
    total_credits: float


@with_config(OUT)
class MetricsSummaryResponse(TypedDict):
    success: bool
    unique_agents: int
    total_completion_calls: int
    successful_completions: int
    completions_last_24h: int
    completions_last_7d: int
    timestamp: str


@with_config(OUT)
class UsageReportDay(TypedDict):
    day: str
    total_cost: float
    input_tokens: int
    output_tokens: int
    request_count: int


@with_config(OUT)
class UsageReportResponse(TypedDict):
    """``GET /v1/usage/report`` (switch ``enable_usage_report``; 404 by default)."""

    results: list[UsageReportDay]
    period: Literal["day", "week", "month", "custom"]
    start_date: str
    end_date: str
    timestamp: str
