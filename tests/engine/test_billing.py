"""Billing math against the reference's worked examples (§e) and every switch."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from mockswarms.config import Settings
from mockswarms.engine import billing

LA = ZoneInfo("America/Los_Angeles")
DAY = datetime(2026, 7, 15, 14, 0, tzinfo=LA)  # 14:00 PT
NIGHT = datetime(2026, 7, 15, 23, 0, tzinfo=LA)  # 23:00 PT


def test_worked_example_swarm_day_exact_usage() -> None:
    usage, cost = billing.swarm_usage(10_000, 4_000, 3, settings=Settings(), now=DAY)
    assert cost == Decimal("0.169000")
    assert usage == {
        "input_tokens": 10000,
        "output_tokens": 4000,
        "total_tokens": 14000,
        "billing_info": {
            "cost_breakdown": {
                "agent_cost": 0.03,
                "input_token_cost": 0.065,
                "output_token_cost": 0.074,
                "token_counts": {
                    "total_input_tokens": 10000,
                    "total_output_tokens": 4000,
                    "total_tokens": 14000,
                },
                "num_agents": 3,
                "night_time_discount_applied": False,
            },
            "total_cost": 0.169,
            "discount_active": False,
            "discount_type": "none",
            "discount_percentage": 0,
        },
    }
    # Key order is part of the byte-exact response.
    assert list(usage["billing_info"]) == [
        "cost_breakdown",
        "total_cost",
        "discount_active",
        "discount_type",
        "discount_percentage",
    ]


def test_worked_example_swarm_night() -> None:
    usage, cost = billing.swarm_usage(10_000, 4_000, 3, settings=Settings(), now=NIGHT)
    assert cost == Decimal("0.099500")
    info = usage["billing_info"]
    assert info["cost_breakdown"]["input_token_cost"] == 0.0325
    assert info["cost_breakdown"]["output_token_cost"] == 0.037
    assert info["cost_breakdown"]["agent_cost"] == 0.03
    assert info["cost_breakdown"]["night_time_discount_applied"] is True
    assert (
        info["total_cost"],
        info["discount_active"],
        info["discount_type"],
        info["discount_percentage"],
    ) == (0.0995, True, "night_time", 50)


def test_night_mode_guide_cross_check() -> None:
    _, day = billing.swarm_usage(6_000, 3_000, 5, settings=Settings(), now=DAY)
    _, night = billing.swarm_usage(6_000, 3_000, 5, settings=Settings(), now=NIGHT)
    assert (day, night) == (Decimal("0.144500"), Decimal("0.097250"))


def test_agent_with_image_any_hour() -> None:
    for moment in (DAY, NIGHT):
        usage, cost = billing.agent_usage(10_000, 4_000, images=1, settings=Settings(), now=moment)
        assert cost == Decimal("0.389")
        assert usage == {
            "input_tokens": 10000,
            "output_tokens": 4000,
            "total_tokens": 14000,
            "img_cost": 0.25,
            "total_cost": 0.389,
        }


def test_vision_example_total_is_rounded_once() -> None:
    # 57 in / 101 out / 1 image: 0.0003705 + 0.0018685 + 0.25 = 0.2522390 (parts rounded would give 0.25224).
    usage, cost = billing.agent_usage(57, 101, images=1, settings=Settings(), now=DAY)
    assert cost == Decimal("0.252239")
    assert usage == {
        "input_tokens": 57,
        "output_tokens": 101,
        "total_tokens": 158,
        "img_cost": 0.25,
        "total_cost": 0.252239,
    }


def test_agent_mcp_and_tool_fees() -> None:
    usage, cost = billing.agent_usage(
        0, 0, mcp_calls=1, tools=["web_scraper", "auto_search"], settings=Settings(), now=DAY
    )
    assert cost == Decimal("0.14")  # MCP 0.10 + search 0.04 (auto_search wins, billed once)
    assert usage == {
        "input_tokens": 0,
        "output_tokens": 0,
        "total_tokens": 0,
        "img_cost": 0.0,
        "mcp_url": 0.1,
        "search_cost": 0.04,
        "total_cost": 0.14,
    }
    usage, cost = billing.agent_usage(0, 0, tool="web_scraper", settings=Settings(), now=DAY)
    assert (cost, usage["scrape_cost"]) == (Decimal("0.15"), 0.15)


def test_agent_night_discount_only_with_scope_all() -> None:
    _, swarm_scope = billing.agent_usage(10_000, 4_000, settings=Settings(), now=NIGHT)
    _, all_scope = billing.agent_usage(
        10_000, 4_000, settings=Settings(night_discount_scope="all"), now=NIGHT
    )
    assert (swarm_scope, all_scope) == (Decimal("0.139"), Decimal("0.0695"))


def test_night_window_edges_in_los_angeles() -> None:
    s = Settings()
    assert billing.is_night(datetime(2026, 1, 10, 20, 0, tzinfo=LA), s)
    assert billing.is_night(datetime(2026, 1, 10, 5, 59, 59, tzinfo=LA), s)
    assert not billing.is_night(datetime(2026, 1, 10, 6, 0, tzinfo=LA), s)
    assert not billing.is_night(datetime(2026, 1, 10, 19, 59, 59, tzinfo=LA), s)
    # Floats are unix seconds; 2026-07-16 04:00 UTC is 21:00 PDT.
    assert billing.is_night(datetime(2026, 7, 16, 4, 0, tzinfo=UTC).timestamp(), s)
    assert billing.is_night(datetime(2026, 1, 16, 4, 0, tzinfo=UTC).timestamp(), s)  # 20:00 PST
    assert not billing.is_night(datetime(2026, 1, 15, 22, 0, tzinfo=UTC).timestamp(), s)  # 14:00 PST


def test_legacy_2025_05_tokens_times_agents_night_and_flex() -> None:
    s = Settings(price_table="2025-05", night_discount=Decimal("0.75"))
    assert billing.swarm_usage(10_000, 4_000, 3, settings=s, now=DAY)[1] == Decimal("0.144")
    assert billing.swarm_usage(10_000, 4_000, 3, settings=s, now=NIGHT)[1] == Decimal("0.0585")
    flex = s.model_copy(update={"flex_discount": Decimal("0.75")})
    usage, cost = billing.swarm_usage(10_000, 4_000, 3, settings=flex, now=NIGHT, service_tier="flex")
    assert cost == Decimal("0.037125")
    assert usage["billing_info"]["discount_percentage"] == 75


def test_2025_08_example_with_images() -> None:
    s = Settings(price_table="2025-08", night_discount=Decimal("0"))
    usage, cost = billing.swarm_usage(500_000, 200_000, 3, images=2, settings=s, now=NIGHT)
    assert cost == Decimal("5.03")
    assert usage["billing_info"]["cost_breakdown"]["img_cost"] == 0.5


def test_2025_11_agent_rates() -> None:
    _, cost = billing.agent_usage(1_000_000, 1_000_000, settings=Settings(price_table="2025-11"), now=DAY)
    assert cost == Decimal("16.5")


def test_flex_discount_default_off() -> None:
    _, standard = billing.swarm_usage(1_000_000, 0, 1, settings=Settings(), now=DAY, service_tier="flex")
    _, flexed = billing.swarm_usage(
        1_000_000, 0, 1, settings=Settings(flex_discount=Decimal("0.5")), now=DAY, service_tier="flex"
    )
    assert (standard, flexed) == (Decimal("6.51"), Decimal("3.26"))


def test_workflow_usage_graph_and_grid() -> None:
    usage, cost = billing.workflow_usage(1250, 3200, 2, settings=Settings(), now=NIGHT)
    # 1250*6.5e-6 + 3200*18.5e-6 = 0.008125 + 0.0592; no night discount outside swarm completions.
    assert usage == {
        "input_tokens": 1250,
        "output_tokens": 3200,
        "total_tokens": 4450,
        "token_cost": 0.067325,
        "cost_per_agent": 0.02,
    }
    assert cost == Decimal("0.087325")


def test_research_usage_legacy_page_example() -> None:
    usage, cost = billing.research_usage(1500, 800, settings=Settings(), now=DAY)
    assert usage == {
        "input_tokens": 1500,
        "output_tokens": 800,
        "total_tokens": 2300,
        "total_cost_usd": 0.078,
    }
    assert cost == Decimal("0.078")


def test_chat_and_reasoning_bill_as_agent() -> None:
    usage, cost = billing.chat_usage(42, 128, settings=Settings(), now=DAY)
    assert usage == {"prompt_tokens": 42, "completion_tokens": 128, "total_tokens": 170}
    assert cost == billing.agent_usage(42, 128, settings=Settings(), now=DAY)[1] == Decimal("0.002641")
    usage, cost = billing.reasoning_usage(42, 128, settings=Settings(), now=DAY)
    assert usage == {"input_tokens": 42, "output_tokens": 128, "total_tokens": 170}
    assert cost == Decimal("0.002641")


def test_half_up_rounding() -> None:
    # 1 input token = 0.0000065 → 0.000007 (half up), never banker's 0.000006.
    assert billing.agent_usage(1, 0, settings=Settings(), now=DAY)[1] == Decimal("0.000007")
    assert billing.quantize(Decimal("0.0000025")) == Decimal("0.000003")


def test_frenzy_mode_fourth_friday_of_november() -> None:
    s = Settings(frenzy_mode=True)
    black_friday = datetime(2026, 11, 27, 12, 0, tzinfo=LA)
    assert billing.frenzy_active(black_friday, s)
    assert billing.frenzy_active(datetime(2026, 11, 27, 0, 0, tzinfo=LA), s)
    assert not billing.frenzy_active(datetime(2026, 11, 28, 0, 0, tzinfo=LA), s)
    assert not billing.frenzy_active(datetime(2026, 11, 20, 12, 0, tzinfo=LA), s)
    assert billing.frenzy_active(datetime(2025, 11, 28, 12, 0, tzinfo=LA), s)
    assert not billing.frenzy_active(black_friday, Settings())
    usage, cost = billing.swarm_usage(10_000, 4_000, 3, settings=s, now=black_friday)
    assert cost == Decimal("0")
    assert usage["billing_info"]["total_cost"] == 0.0
    assert usage["billing_info"]["discount_type"] == "frenzy_mode"
    assert billing.agent_usage(10_000, 4_000, images=1, settings=s, now=black_friday)[1] == Decimal("0")


def test_usage_costs_wrapped_and_flat() -> None:
    body = billing.usage_costs_body(Settings(), datetime(2026, 3, 29, 18, 30, tzinfo=UTC))
    assert body == {
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
        "timestamp": "2026-03-29T18:30:00.000000+00:00",
    }
    flat = billing.usage_costs_body(Settings(usage_costs_shape="flat"), DAY)
    assert list(flat) == [
        "swarm_completions_agent_cost",
        "swarm_completions_input_cost_per_1m",
        "swarm_completions_output_cost_per_1m",
        "agent_completions_input_cost_per_1m",
        "agent_completions_output_cost_per_1m",
        "agent_completions_img_cost",
        "agent_completions_mcp_cost",
        "night_time_discount",
        "frenzy_mode_active",
    ]
    assert flat["frenzy_mode_active"] is False


def test_legacy_swarm_layout_has_per_agent_counts() -> None:
    s = Settings(swarm_response_layout="legacy")
    per_agent = {
        "A": {"input_tokens": 6000, "output_tokens": 1000, "total_tokens": 7000},
        "B": {"input_tokens": 4000, "output_tokens": 3000, "total_tokens": 7000},
    }
    usage, cost = billing.swarm_usage(10_000, 4_000, 2, settings=s, now=DAY, per_agent=per_agent)
    info = usage["billing_info"]
    assert set(info) == {"cost_breakdown", "total_cost"}
    assert info["cost_breakdown"]["token_counts"]["per_agent"] == per_agent
    assert info["cost_breakdown"]["service_tier"] == "standard"
    assert info["total_cost"] == float(cost) == 0.159


@pytest.mark.parametrize("table", sorted(billing.PRICE_TABLES))
def test_usage_numbers_equal_cost(table: str) -> None:
    s = Settings(price_table=table)  # type: ignore[arg-type,call-arg]
    for fn in (billing.agent_usage,):
        usage, cost = fn(123_457, 98_765, images=1, settings=s, now=DAY)
        assert usage["total_cost"] == float(cost)
    usage, cost = billing.swarm_usage(123_457, 98_765, 4, settings=s, now=NIGHT)
    assert usage["billing_info"]["total_cost"] == float(cost)
    assert cost == billing.quantize(cost)
