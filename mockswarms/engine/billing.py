"""Money: unit prices, discounts and the ``usage`` structures of the API (reference §e).

Every function takes the settings and the instant the run finishes (the night discount and frenzy
mode are evaluated then) and returns ``(usage_dict, cost)``. ``cost`` is a ``Decimal`` quantized to
6 places (ROUND_HALF_UP) and is exactly what the store deducts; the money numbers inside the usage
dict are ``float(quantized Decimal)``, so the response, the log row and the balance agree.

Rounding rule: each printed component is rounded on its own, the total is the rounded *exact* sum
(the real server rounds the total once: the docs' vision example 0.0003705 + 0.0018685 + 0.25 prints
``total_cost`` 0.252239, not the 0.25224 a sum of rounded parts would give).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal, cast
from zoneinfo import ZoneInfo

from mockswarms.clock import format_timestamp
from mockswarms.config import Settings
from mockswarms.shapes.account import UnitRates, UsageCostsFlat, UsageCostsResponse, UsagePricing
from mockswarms.shapes.agents import AgentUsage
from mockswarms.shapes.chat import ChatUsage
from mockswarms.shapes.swarms import CostBreakdown, SwarmUsage
from mockswarms.shapes.workflows import AdvancedResearchUsage, ReasoningUsage, WorkflowUsage

__all__ = [
    "PRICE_TABLES",
    "RESEARCH_INPUT_PER_1M",
    "RESEARCH_OUTPUT_PER_1M",
    "PriceTable",
    "agent_usage",
    "chat_usage",
    "frenzy_active",
    "is_night",
    "money",
    "price_table",
    "quantize",
    "reasoning_usage",
    "research_usage",
    "swarm_usage",
    "usage_costs_body",
    "workflow_usage",
]

_PLACES = Decimal("0.000001")
_MILLION = Decimal(1_000_000)
_ZERO = Decimal("0")


@dataclass(frozen=True)
class PriceTable:
    """One era's unit prices (USD). ``tokens_times_agents``: the 2025-05 rule (token cost times agents)."""

    name: str
    swarm_input_per_1m: Decimal
    swarm_output_per_1m: Decimal
    agent_input_per_1m: Decimal
    agent_output_per_1m: Decimal
    agent_fee: Decimal = Decimal("0.01")  # per agent, swarms and workflows only
    img_cost: Decimal = Decimal("0.25")
    mcp_cost: Decimal = Decimal("0.10")
    search_cost: Decimal = Decimal("0.04")
    scrape_cost: Decimal = Decimal("0.15")
    tokens_times_agents: bool = False


D = Decimal
PRICE_TABLES: dict[str, PriceTable] = {
    # 2026-01-06 onwards: unified prices ([DOCS] pricing.mdx).
    "2026": PriceTable("2026", D("6.50"), D("18.50"), D("6.50"), D("18.50")),
    # 2025-11-29 … 2026-01-05.
    "2025-11": PriceTable("2025-11", D("3.00"), D("15.00"), D("4.00"), D("12.50")),
    # 2025-08-15 … 2025-11-28.
    "2025-08": PriceTable("2025-08", D("3.00"), D("15.00"), D("2.00"), D("4.50")),
    # 2025-03-06 … 2025-05-28 ([SRV]): token cost multiplied by the number of agents.
    "2025-05": PriceTable("2025-05", D("2.00"), D("4.50"), D("2.00"), D("4.50"), tokens_times_agents=True),
}
del D

# Advanced research (legacy page): $20 / 1M input, $60 / 1M output.
RESEARCH_INPUT_PER_1M = Decimal("20")
RESEARCH_OUTPUT_PER_1M = Decimal("60")


def quantize(value: Decimal) -> Decimal:
    return value.quantize(_PLACES, rounding=ROUND_HALF_UP)


def money(value: Decimal) -> float:
    """The JSON number for an amount: the float of the 6-dp Decimal."""
    return float(quantize(value))


def price_table(settings: Settings) -> PriceTable:
    return PRICE_TABLES[settings.price_table]


def _aware(at: datetime | float) -> datetime:
    if isinstance(at, datetime):
        return at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    return datetime.fromtimestamp(at, tz=UTC)


def is_night(at: datetime | float, settings: Settings) -> bool:
    """Night window [20:00, 06:00) in ``settings.night_timezone`` (America/Los_Angeles)."""
    moment = _aware(at)
    return _night_at(moment.timestamp() // 60, settings.night_timezone)


@functools.lru_cache(maxsize=256)
def _night_at(minute: float, timezone: str) -> bool:
    # Per minute of time (every UTC offset is whole minutes): priced on every completion.
    hour = datetime.fromtimestamp(minute * 60, tz=UTC).astimezone(ZoneInfo(timezone)).hour
    return hour >= 20 or hour < 6


def _black_friday(year: int) -> date:
    first = date(year, 11, 1)
    first_friday = first + timedelta(days=(4 - first.weekday()) % 7)
    return first_friday + timedelta(weeks=3)


def frenzy_active(at: datetime | float, settings: Settings) -> bool:
    """Frenzy mode: everything free for the 24 h of the 4th Friday of November (local date)."""
    if not settings.frenzy_mode:
        return False
    local = _aware(at).astimezone(ZoneInfo(settings.night_timezone)).date()
    return local == _black_friday(local.year)


def _token_multiplier(
    settings: Settings, at: datetime | float, *, swarm: bool, service_tier: str | None
) -> tuple[Decimal, bool]:
    """(multiplier on token costs, night discount applied?). Night and flex stack multiplicatively."""
    multiplier = Decimal("1")
    night = (
        (swarm or settings.night_discount_scope == "all")
        and settings.night_discount > 0
        and is_night(at, settings)
    )
    if night:
        multiplier *= 1 - settings.night_discount
    if service_tier == "flex" and settings.flex_discount > 0:
        multiplier *= 1 - settings.flex_discount
    return multiplier, night


def _per_million(input_tokens: int, output_tokens: int, input_rate: Decimal, output_rate: Decimal) -> Decimal:
    """Token cost at per-1M-token rates, unrounded (callers apply discounts, then quantize once)."""
    return (Decimal(input_tokens) * input_rate + Decimal(output_tokens) * output_rate) / _MILLION


def _tool_fee(table: PriceTable, tools: Iterable[str] | None) -> tuple[str | None, Decimal]:
    # Only one tool is applied per request and auto_search wins; billed once per request.
    names = set(tools or ())
    if "auto_search" in names:
        return "search_cost", table.search_cost
    if "web_scraper" in names:
        return "scrape_cost", table.scrape_cost
    return None, _ZERO


def agent_usage(
    input_tokens: int,
    output_tokens: int,
    *,
    settings: Settings,
    now: datetime | float,
    images: int = 0,
    mcp_calls: int = 0,
    tool: str | None = None,
    tools: Iterable[str] | None = None,
) -> tuple[AgentUsage, Decimal]:
    """``/v1/agent/completions`` usage: tokens at agent rates + $0.25/image (+ MCP / tool fees).

    No agent fee; no night discount unless ``night_discount_scope == "all"``. ``mcp_url`` (the
    [S1] name) and ``search_cost`` / ``scrape_cost`` keys appear only when charged. ``tool`` is the
    one tool applied, ``tools`` the request's ``tools_enabled`` (either may be given).
    """
    table = price_table(settings)
    multiplier, _ = _token_multiplier(settings, now, swarm=False, service_tier=None)
    token_cost = _per_million(
        input_tokens, output_tokens, table.agent_input_per_1m, table.agent_output_per_1m
    )
    token_cost *= multiplier
    img_cost = table.img_cost * images
    mcp_cost = table.mcp_cost * mcp_calls
    tool_key, tool_cost = _tool_fee(table, [*(tools or ()), *([tool] if tool else [])])
    total = token_cost + img_cost + mcp_cost + tool_cost
    if frenzy_active(now, settings):
        img_cost = mcp_cost = tool_cost = total = _ZERO
    cost = quantize(total)
    usage: AgentUsage = {
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "total_tokens": input_tokens + output_tokens,
        "img_cost": money(img_cost),
    }
    if mcp_calls:
        usage["mcp_url"] = money(mcp_cost)
    if tool_key == "search_cost":
        usage["search_cost"] = money(tool_cost)
    elif tool_key == "scrape_cost":
        usage["scrape_cost"] = money(tool_cost)
    usage["total_cost"] = float(cost)
    return usage, cost


def swarm_usage(
    input_tokens: int,
    output_tokens: int,
    num_agents: int,
    *,
    settings: Settings,
    now: datetime | float,
    service_tier: str | None = None,
    images: int = 0,
    per_agent: Mapping[str, Mapping[str, int]] | None = None,
) -> tuple[SwarmUsage, Decimal]:
    """``/v1/swarm/completions`` usage with ``billing_info`` (reference §e worked example).

    ``images`` (undocumented for 2026; the 2025-08 example charges $0.25 each) adds an
    ``img_cost`` key to ``cost_breakdown`` only when non-zero, so the documented shape is exact.

    With ``swarm_response_layout: legacy`` the ``billing_info`` is the 2025 [SRV] form instead:
    ``token_counts.per_agent`` (from ``per_agent``), ``service_tier`` and no ``discount_*`` keys
    (the caller places it under ``metadata`` and may add ``execution_time_seconds``).
    """
    table = price_table(settings)
    multiplier, night = _token_multiplier(settings, now, swarm=True, service_tier=service_tier)
    agents_factor = Decimal(num_agents) if table.tokens_times_agents else Decimal(1)
    input_cost = Decimal(input_tokens) / _MILLION * table.swarm_input_per_1m * agents_factor * multiplier
    output_cost = Decimal(output_tokens) / _MILLION * table.swarm_output_per_1m * agents_factor * multiplier
    agent_cost = table.agent_fee * num_agents  # never discounted
    img_cost = table.img_cost * images
    total = agent_cost + input_cost + output_cost + img_cost
    frenzy = frenzy_active(now, settings)
    if frenzy:
        agent_cost = input_cost = output_cost = img_cost = total = _ZERO
    cost = quantize(total)
    discount_type: Literal["night_time", "frenzy_mode", "none"]
    if frenzy:
        discount_type, percentage = "frenzy_mode", 100
    elif night:
        discount_type, percentage = "night_time", int(settings.night_discount * 100)
    else:
        discount_type, percentage = "none", 0
    breakdown: CostBreakdown = {
        "agent_cost": money(agent_cost),
        "input_token_cost": money(input_cost),
        "output_token_cost": money(output_cost),
        "token_counts": {
            "total_input_tokens": input_tokens,
            "total_output_tokens": output_tokens,
            "total_tokens": input_tokens + output_tokens,
        },
        "num_agents": num_agents,
        "night_time_discount_applied": night,
    }
    if images:
        breakdown["img_cost"] = money(img_cost)
    if settings.swarm_response_layout == "legacy":
        counts = breakdown["token_counts"]
        counts["per_agent"] = {name: dict(value) for name, value in (per_agent or {}).items()}
        breakdown["service_tier"] = service_tier or "standard"
        # The 2025 form puts the discount flag last: re-insert it (a required key, so through a plain view).
        in_order = cast(dict[str, Any], breakdown)
        in_order["night_time_discount_applied"] = in_order.pop("night_time_discount_applied")
        legacy: SwarmUsage = {
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
            "total_tokens": input_tokens + output_tokens,
            "billing_info": {"cost_breakdown": breakdown, "total_cost": float(cost)},
        }
        return legacy, cost
    usage: SwarmUsage = {
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "total_tokens": input_tokens + output_tokens,
        "billing_info": {
            "cost_breakdown": breakdown,
            "total_cost": float(cost),
            "discount_active": discount_type != "none",
            "discount_type": discount_type,
            "discount_percentage": percentage,
        },
    }
    return usage, cost


def workflow_usage(
    input_tokens: int,
    output_tokens: int,
    num_agents: int,
    *,
    settings: Settings,
    now: datetime | float,
) -> tuple[WorkflowUsage, Decimal]:
    """Graph workflow / batched grid: ``{…tokens, token_cost, cost_per_agent}`` (= $0.01 per agent).

    Token costs use the swarm rates; the night discount applies only with scope ``all``.
    """
    table = price_table(settings)
    multiplier, _ = _token_multiplier(settings, now, swarm=False, service_tier=None)
    token_cost = _per_million(
        input_tokens, output_tokens, table.swarm_input_per_1m, table.swarm_output_per_1m
    )
    token_cost *= multiplier
    agent_cost = table.agent_fee * num_agents
    total = token_cost + agent_cost
    if frenzy_active(now, settings):
        token_cost = agent_cost = total = _ZERO
    cost = quantize(total)
    usage: WorkflowUsage = {
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "total_tokens": input_tokens + output_tokens,
        "token_cost": money(token_cost),
        "cost_per_agent": money(agent_cost),
    }
    return usage, cost


def research_usage(
    input_tokens: int,
    output_tokens: int,
    *,
    settings: Settings,
    now: datetime | float | None = None,
) -> tuple[AdvancedResearchUsage, Decimal]:
    """Advanced research: $20 / $60 per 1M tokens, ``total_cost_usd`` (no discounts; frenzy mode
    applies only when ``now`` is given)."""
    total = _per_million(input_tokens, output_tokens, RESEARCH_INPUT_PER_1M, RESEARCH_OUTPUT_PER_1M)
    if now is not None and frenzy_active(now, settings):
        total = _ZERO
    cost = quantize(total)
    usage: AdvancedResearchUsage = {
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "total_tokens": input_tokens + output_tokens,
        "total_cost_usd": float(cost),
    }
    return usage, cost


def chat_usage(
    prompt_tokens: int,
    completion_tokens: int,
    *,
    settings: Settings,
    now: datetime | float,
    images: int = 0,
) -> tuple[ChatUsage, Decimal]:
    """``/v1/chat/completions``: billed exactly as an agent completion; OpenAI ``usage`` keys only."""
    _, cost = agent_usage(prompt_tokens, completion_tokens, settings=settings, now=now, images=images)
    usage: ChatUsage = {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }
    return usage, cost


def reasoning_usage(
    input_tokens: int,
    output_tokens: int,
    *,
    settings: Settings,
    now: datetime | float,
) -> tuple[ReasoningUsage, Decimal]:
    """Reasoning agent: agent rates; the documented ``usage`` has token counts only."""
    _, cost = agent_usage(input_tokens, output_tokens, settings=settings, now=now)
    usage: ReasoningUsage = {
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "total_tokens": input_tokens + output_tokens,
    }
    return usage, cost


def usage_costs_body(settings: Settings, now: datetime | float) -> UsageCostsResponse | UsageCostsFlat:
    """``GET /v1/usage/costs``: wrapped (2026-07-09+) or flat legacy form (``usage_costs_shape``)."""
    table = price_table(settings)
    rates: UnitRates = {
        "swarm_completions_agent_cost": money(table.agent_fee),
        "swarm_completions_input_cost_per_1m": money(table.swarm_input_per_1m),
        "swarm_completions_output_cost_per_1m": money(table.swarm_output_per_1m),
        "agent_completions_input_cost_per_1m": money(table.agent_input_per_1m),
        "agent_completions_output_cost_per_1m": money(table.agent_output_per_1m),
        "agent_completions_img_cost": money(table.img_cost),
        "agent_completions_mcp_cost": money(table.mcp_cost),
    }
    if settings.usage_costs_shape == "flat":
        return {
            **rates,
            "night_time_discount": money(settings.night_discount),
            "frenzy_mode_active": frenzy_active(now, settings),
        }
    pricing: UsagePricing = {
        **rates,
        "search_cost": money(table.search_cost),
        "scrape_cost": money(table.scrape_cost),
        "night_time_discount": money(settings.night_discount),
    }
    return {"usage_pricing": pricing, "timestamp": format_timestamp(_aware(now))}
