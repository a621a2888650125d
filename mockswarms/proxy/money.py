"""Money by formula: does the upstream's ``total_cost`` follow the price table from its own token counts?

Agent usage (``/v1/agent/...``): tokens at the agent rates plus the fees the answer itemises
(``img_cost``, ``mcp_url``, ``search_cost``, ``scrape_cost``). Swarm usage (any ``billing_info``):
:func:`mockswarms.engine.billing.swarm_usage` from the token counts, the number of agents and the
night flag the answer reports. Workflows: ``token_cost`` at swarm rates, ``cost_per_agent`` whole
agent fees. Research: ``total_cost_usd``. Everywhere: ``total_tokens`` is the sum. The night discount
is accepted where the profile allows it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from mockswarms.config import Settings
from mockswarms.engine import billing
from mockswarms.proxy.findings import Finding

__all__ = ["check_money"]

# Noon and midnight in Los Angeles on an ordinary day: the day and night rates.
_DAY = datetime(2026, 1, 15, 20, 0, tzinfo=UTC)
_NIGHT = datetime(2026, 1, 15, 8, 0, tzinfo=UTC)
_AGENT_FEES = ("img_cost", "mcp_url", "search_cost", "scrape_cost")


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _walk(value: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(value, dict):
        yield path, value
        for key, child in value.items():
            yield from _walk(child, f"{path}.{key}")
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _walk(child, f"{path}[{index}]")


def check_money(operation: str, root: str, body: Any, settings: Settings) -> list[Finding]:
    """Findings for every usage object inside ``body`` (``root`` names it, e.g. ``$.body``)."""
    findings: list[Finding] = []
    agent_route = operation.split(" ", 1)[-1].startswith("/v1/agent/")
    for path, node in _walk(body, root):
        if isinstance(node.get("billing_info"), dict):
            findings.extend(_swarm(operation, path, node, settings))
        elif agent_route and "total_cost" in node and "input_tokens" in node:
            findings.extend(_agent(operation, path, node, settings))
        elif "token_cost" in node and "cost_per_agent" in node:
            findings.extend(_workflow(operation, path, node, settings))
        elif "total_cost_usd" in node and "input_tokens" in node:
            findings.extend(_research(operation, path, node, settings))
        elif "prompt_tokens" in node and "completion_tokens" in node:
            tokens_in, tokens_out = _count(node.get("prompt_tokens")), _count(node.get("completion_tokens"))
            if tokens_in is not None and tokens_out is not None:
                findings.extend(_total_tokens(operation, path, node, tokens_in, tokens_out))
    return findings


def _workflow(operation: str, path: str, usage: dict[str, Any], settings: Settings) -> list[Finding]:
    """Graph / grid workflows: ``token_cost`` at swarm rates, ``cost_per_agent`` a whole number of fees."""
    tokens_in, tokens_out = _count(usage.get("input_tokens")), _count(usage.get("output_tokens"))
    token_cost, agent_cost = _decimal(usage.get("token_cost")), _decimal(usage.get("cost_per_agent"))
    if tokens_in is None or tokens_out is None or token_cost is None or agent_cost is None:
        return []
    findings = _total_tokens(operation, path, usage, tokens_in, tokens_out)
    fee = billing.price_table(settings).agent_fee
    if fee and agent_cost % fee != 0:
        findings.append(
            Finding(
                operation,
                f"{path}.cost_per_agent",
                f"a multiple of {fee}",
                float(agent_cost),
                "billing",
                f"cost_per_agent is not a whole number of {settings.price_table} agent fees",
            )
        )
    instants = [_DAY] + ([_NIGHT] if settings.night_discount_scope == "all" else [])
    expected = [
        Decimal(
            str(billing.workflow_usage(tokens_in, tokens_out, 0, settings=settings, now=at)[0]["token_cost"])
        )
        for at in instants
    ]
    if token_cost not in expected:
        findings.append(
            Finding(
                operation,
                f"{path}.token_cost",
                float(expected[0]),
                float(token_cost),
                "billing",
                f"token_cost does not follow the {settings.price_table} price table "
                f"from {tokens_in} input and {tokens_out} output tokens",
            )
        )
    return findings


def _research(operation: str, path: str, usage: dict[str, Any], settings: Settings) -> list[Finding]:
    tokens_in, tokens_out = _count(usage.get("input_tokens")), _count(usage.get("output_tokens"))
    got = _decimal(usage.get("total_cost_usd"))
    if tokens_in is None or tokens_out is None or got is None:
        return []
    findings = _total_tokens(operation, path, usage, tokens_in, tokens_out)
    _, expected = billing.research_usage(tokens_in, tokens_out, settings=settings)
    if got != expected:
        findings.append(
            Finding(
                operation,
                f"{path}.total_cost_usd",
                float(expected),
                float(got),
                "billing",
                f"total_cost_usd does not follow the research prices from {tokens_in} input "
                f"and {tokens_out} output tokens",
            )
        )
    return findings


def _agent(operation: str, path: str, usage: dict[str, Any], settings: Settings) -> list[Finding]:
    tokens_in, tokens_out = _count(usage.get("input_tokens")), _count(usage.get("output_tokens"))
    got = _decimal(usage.get("total_cost"))
    if tokens_in is None or tokens_out is None or got is None:
        return []  # a type problem: the shape checks report it
    fees = sum((_decimal(usage.get(key)) or Decimal(0) for key in _AGENT_FEES), Decimal(0))
    instants = [_DAY] + ([_NIGHT] if settings.night_discount_scope == "all" else [])
    expected = [
        billing.quantize(billing.agent_usage(tokens_in, tokens_out, settings=settings, now=at)[1] + fees)
        for at in instants
    ]
    findings = _total_tokens(operation, path, usage, tokens_in, tokens_out)
    if got not in expected:
        findings.append(
            Finding(
                operation,
                f"{path}.total_cost",
                float(expected[0]),
                float(got),
                "billing",
                f"total_cost does not follow the {settings.price_table} price table "
                f"from {tokens_in} input and {tokens_out} output tokens",
            )
        )
    return findings


def _total_tokens(
    operation: str, path: str, usage: dict[str, Any], tokens_in: int, tokens_out: int
) -> list[Finding]:
    total = usage.get("total_tokens")
    if total is None or total == tokens_in + tokens_out:
        return []
    return [
        Finding(
            operation,
            f"{path}.total_tokens",
            tokens_in + tokens_out,
            total,
            "billing",
            "total_tokens is not input_tokens + output_tokens",
        )
    ]


def _swarm(operation: str, path: str, usage: dict[str, Any], settings: Settings) -> list[Finding]:
    info = usage["billing_info"]
    breakdown = _mapping(info.get("cost_breakdown"))
    counts = _mapping(breakdown.get("token_counts"))
    tokens_in = _count(counts.get("total_input_tokens", usage.get("input_tokens")))
    tokens_out = _count(counts.get("total_output_tokens", usage.get("output_tokens")))
    agents = _count(breakdown.get("num_agents"))
    got = _decimal(info.get("total_cost"))
    if tokens_in is None or tokens_out is None or agents is None or got is None:
        return []
    night = breakdown.get("night_time_discount_applied") is True
    images_cost = _decimal(breakdown.get("img_cost")) or Decimal(0)
    table = billing.price_table(settings)
    images = int(images_cost / table.img_cost) if table.img_cost else 0
    expected_usage, expected = billing.swarm_usage(
        tokens_in, tokens_out, agents, settings=settings, now=_NIGHT if night else _DAY, images=images
    )
    findings = _total_tokens(operation, path, usage, tokens_in, tokens_out)
    expected_breakdown = expected_usage.get("billing_info", {}).get("cost_breakdown", {})
    for key in ("agent_cost", "input_token_cost", "output_token_cost"):
        value = _decimal(breakdown.get(key))
        if value is not None and key in expected_breakdown and value != Decimal(str(expected_breakdown[key])):
            findings.append(
                Finding(
                    operation,
                    f"{path}.billing_info.cost_breakdown.{key}",
                    expected_breakdown[key],
                    float(value),
                    "billing",
                    f"{key} does not follow the {settings.price_table} price table",
                )
            )
    if got != expected:
        findings.append(
            Finding(
                operation,
                f"{path}.billing_info.total_cost",
                float(expected),
                float(got),
                "billing",
                f"total_cost does not follow the {settings.price_table} price table from {tokens_in} "
                f"input and {tokens_out} output tokens and {agents} agents",
            )
        )
    return findings
