"""Money by formula, without servers: the upstream's own token counts priced with the profile's table."""

from __future__ import annotations

from mockswarms.config import load_settings
from mockswarms.proxy.money import check_money

DOCS = load_settings({}, environ={})


def _found(operation: str, body: object) -> list[tuple[str, object, object]]:
    return [(f.path, f.expected, f.got) for f in check_money(operation, "$.body", body, DOCS)]


def test_agent_usage_fees_are_added_to_the_token_cost() -> None:
    # 57 + 101 tokens at $6.50 / $18.50 per 1M = 0.0022390, plus one image at $0.25.
    usage = {
        "input_tokens": 57,
        "output_tokens": 101,
        "total_tokens": 158,
        "img_cost": 0.25,
        "total_cost": 0.252239,
    }
    assert _found("POST /v1/agent/completions", {"usage": usage}) == []
    assert _found("POST /v1/agent/completions", {"usage": {**usage, "total_cost": 0.25224}}) == [
        ("$.body.usage.total_cost", 0.252239, 0.25224)
    ]


def test_swarm_billing_info_components_and_total() -> None:
    breakdown = {
        "agent_cost": 0.02,
        "input_token_cost": 0.000605,
        "output_token_cost": 0.002368,
        "token_counts": {"total_input_tokens": 93, "total_output_tokens": 128, "total_tokens": 221},
        "num_agents": 2,
        "night_time_discount_applied": False,
    }
    usage = {
        "input_tokens": 93,
        "output_tokens": 128,
        "total_tokens": 221,
        "billing_info": {"cost_breakdown": breakdown, "total_cost": 0.022973},
    }
    assert _found("POST /v1/swarm/completions", {"usage": usage}) == []
    wrong = {
        **usage,
        "billing_info": {"cost_breakdown": {**breakdown, "agent_cost": 0.01}, "total_cost": 0.012973},
    }
    assert _found("POST /v1/swarm/completions", [{"usage": wrong}]) == [
        ("$.body[0].usage.billing_info.cost_breakdown.agent_cost", 0.02, 0.01),
        ("$.body[0].usage.billing_info.total_cost", 0.022973, 0.012973),
    ]


def test_workflow_research_and_chat_usage() -> None:
    # 100 + 200 tokens at swarm rates: 0.00065 + 0.0037 = 0.00435.
    workflow = {
        "input_tokens": 100,
        "output_tokens": 200,
        "total_tokens": 300,
        "token_cost": 0.00435,
        "cost_per_agent": 0.02,
    }
    assert _found("POST /v1/graph-workflow/completions", {"usage": workflow}) == []
    assert _found(
        "POST /v1/graph-workflow/completions",
        {"usage": {**workflow, "token_cost": 0.0045, "cost_per_agent": 0.015}},
    ) == [
        ("$.body.usage.cost_per_agent", "a multiple of 0.01", 0.015),
        ("$.body.usage.token_cost", 0.00435, 0.0045),
    ]
    # $20 / $60 per 1M: 0.002 + 0.012.
    research = {"input_tokens": 100, "output_tokens": 200, "total_tokens": 300, "total_cost_usd": 0.014}
    assert _found("POST /v1/advanced-research/completions", research) == []
    assert _found("POST /v1/advanced-research/completions", {**research, "total_cost_usd": 0.01}) == [
        ("$.body.total_cost_usd", 0.014, 0.01)
    ]
    chat = {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 8}
    assert _found("POST /v1/chat/completions", {"usage": chat}) == [("$.body.usage.total_tokens", 7, 8)]
