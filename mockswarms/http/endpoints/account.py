"""Per-key read endpoints: credits, rate limits, usage costs and report, metrics, logs, agents."""

from __future__ import annotations

from decimal import Decimal

from starlette.requests import Request

from mockswarms.engine import billing, ratelimit, scheduler
from mockswarms.engine.legacy_views import present_log_rows
from mockswarms.engine.simulator import Caller, Simulator
from mockswarms.errors import APIError
from mockswarms.http.endpoints.pipeline import Reply, now
from mockswarms.shapes.account import CreditsResponse, MetricsSummaryResponse
from mockswarms.shapes.agents import AgentsListResponse
from mockswarms.shapes.swarms import SwarmLogsResponse


def _money(value: Decimal) -> float:
    return float(value)


async def agents_list(sim: Simulator, caller: Caller, request: Request) -> Reply:
    await sim.check_rate(caller)
    agents = await sim.store.list_agents(caller.user_id)
    body: AgentsListResponse = {
        "success": True,
        "count": len(agents),
        "agents": agents,
        "timestamp": sim.timestamp(),
    }
    return Reply(body)


async def swarm_logs(sim: Simulator, caller: Caller, request: Request) -> Reply:
    await sim.check_rate(caller)
    logs = present_log_rows(
        await sim.store.list_logs(caller.user_id),
        id_type=sim.settings.log_id_type,
        execution_time=sim.settings.log_execution_time,
    )
    count = len(logs) if sim.settings.logs_count == "length" else None
    body: SwarmLogsResponse = {
        "status": "success",
        "count": count,
        "logs": logs,
        "timestamp": sim.timestamp(),
    }
    return Reply(body)


async def rate_limits(sim: Simulator, caller: Caller, request: Request) -> Reply:
    headers = await sim.check_rate(caller, refuse=False)
    windows, limits = await sim.windows(caller)
    body = ratelimit.rate_limits_body(windows, limits, caller.tier, sim.clock.timestamp(), sim.settings)
    if not headers:
        headers = ratelimit.rate_headers(windows, caller.tier)
    return Reply(body, headers=headers)


async def usage_costs(sim: Simulator, caller: Caller, request: Request) -> Reply:
    await sim.check_rate(caller)
    return Reply(billing.usage_costs_body(sim.settings, now(sim)))


async def usage_report(sim: Simulator, caller: Caller, request: Request) -> Reply:
    if not sim.settings.enable_usage_report:
        raise APIError(404, "Not Found")
    await sim.check_rate(caller)
    logs = await sim.store.list_logs(caller.user_id)
    return Reply(scheduler.usage_report(logs, dict(request.query_params), sim.clock.now()))


async def account_credits(sim: Simulator, caller: Caller, request: Request) -> Reply:
    await sim.check_rate(caller)
    balances = await sim.store.get_balances(caller.user_id)
    body: CreditsResponse = {
        "credit": _money(balances.credit),
        "free_credit": _money(balances.free_credit),
        "referral_credits": _money(balances.referral_credits),
        "total_credits": _money(balances.total),
    }
    return Reply(body)


async def metrics_summary(sim: Simulator, caller: Caller, request: Request) -> Reply:
    await sim.check_rate(caller)
    metrics = await sim.store.metrics(caller.user_id, sim.clock.timestamp())
    body: MetricsSummaryResponse = {
        "success": True,
        "unique_agents": metrics["unique_agents"],
        "total_completion_calls": metrics["total_completion_calls"],
        "successful_completions": metrics["successful_completions"],
        "completions_last_24h": metrics["completions_last_24h"],
        "completions_last_7d": metrics["completions_last_7d"],
        "timestamp": sim.timestamp(),
    }
    return Reply(body)
