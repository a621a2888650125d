"""Switchable legacy features: the 2025 swarm scheduler (reference b.11) and the not-yet-live usage
report (b.26). Both are off by default (404) and on in the ``legacy`` profile / by their settings.

The scheduler runs on the simulator's clock: a job runs (billed and logged like any swarm) the first
time any schedule endpoint is called at or after its ``scheduled_time`` — advance the clock to fire it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from mockswarms.clock import parse_instant
from mockswarms.engine.simulator import Caller, Simulator
from mockswarms.errors import APIError, DomainError
from mockswarms.shapes.account import UsageReportDay, UsageReportResponse
from mockswarms.shapes.requests import SwarmSpec
from mockswarms.shapes.swarms import (
    ScheduleCancelResponse,
    ScheduleCreateResponse,
    ScheduledJob,
    ScheduleListResponse,
)

__all__ = ["MAX_SCHEDULED_JOBS", "cancel", "list_jobs", "schedule", "usage_report"]

# Pending jobs per user: each keeps its whole swarm spec (up to a request body) in the store.
MAX_SCHEDULED_JOBS = 100

Execute = Callable[[Simulator, Caller, SwarmSpec], Awaitable[Any]]


def _key(caller: Caller) -> str:
    return f"schedule:{caller.user_id}"


async def _jobs(sim: Simulator, caller: Caller) -> list[dict[str, Any]]:
    jobs = await sim.store.get_value(_key(caller))
    return list(jobs) if isinstance(jobs, list) else []


async def _run_due(sim: Simulator, caller: Caller, execute: Execute) -> list[dict[str, Any]]:
    """Run every job whose time has come (in time order), drop it, and return the rest."""
    now = sim.clock.timestamp()
    jobs = await _jobs(sim, caller)
    due = sorted((j for j in jobs if j["at"] <= now), key=lambda j: j["at"])
    pending = [j for j in jobs if j["at"] > now]
    if due:
        await sim.store.set_value(_key(caller), pending)
        for job in due:
            with contextlib.suppress(APIError):  # a failed scheduled run is dropped, as the 2025 server did
                await execute(sim, caller, SwarmSpec.model_validate(job["spec"]))
    return pending


async def schedule(
    sim: Simulator, caller: Caller, spec: SwarmSpec, execute: Execute
) -> ScheduleCreateResponse:
    if spec.schedule is None:
        raise DomainError(400, "Schedule information is required")
    try:
        at = parse_instant(spec.schedule.scheduled_time)
    except ValueError as exc:
        raise DomainError(400, f"Invalid scheduled_time: {spec.schedule.scheduled_time}") from exc
    pending = await _run_due(sim, caller, execute)
    if len(pending) >= MAX_SCHEDULED_JOBS:
        raise DomainError(
            400, f"Too many scheduled jobs: at most {MAX_SCHEDULED_JOBS} per user; cancel one first"
        )
    name = (spec.name or "swarm").replace(" ", "_").lower()
    job_id = base_id = f"swarm_{name}_{int(sim.clock.timestamp())}"
    # The 2025 server's id (name and second) repeats for two jobs of one name in one second (always
    # with a frozen clock); a numbered suffix keeps ids unique, so cancelling one keeps the other.
    taken = {j["job_id"] for j in pending}
    suffix = 1
    while job_id in taken:
        suffix += 1
        job_id = f"{base_id}_{suffix}"
    job: dict[str, Any] = {
        "job_id": job_id,
        "swarm_name": spec.name,
        "scheduled_time": spec.schedule.scheduled_time,
        "timezone": spec.schedule.timezone or "UTC",
        "at": at.timestamp(),
        "spec": spec.model_dump(exclude_none=True, exclude={"schedule"}),
    }
    await sim.store.set_value(_key(caller), [*pending, job])
    return {
        "status": "success",
        "message": "Swarm scheduled successfully",
        "job_id": job_id,
        "scheduled_time": job["scheduled_time"],
        "timezone": job["timezone"],
    }


async def list_jobs(sim: Simulator, caller: Caller, execute: Execute) -> ScheduleListResponse:
    pending = await _run_due(sim, caller, execute)
    jobs: list[ScheduledJob] = [
        {
            "job_id": job["job_id"],
            "swarm_name": job["swarm_name"],
            "scheduled_time": job["scheduled_time"],
            "timezone": job["timezone"],
        }
        for job in pending
    ]
    return {"status": "success", "scheduled_jobs": jobs}


async def cancel(sim: Simulator, caller: Caller, job_id: str) -> ScheduleCancelResponse:
    jobs = await _jobs(sim, caller)
    remaining = [j for j in jobs if j["job_id"] != job_id]
    if len(remaining) == len(jobs):
        raise APIError(404, "Scheduled job not found")
    await sim.store.set_value(_key(caller), remaining)
    return {"status": "success", "message": "Scheduled job cancelled successfully", "job_id": job_id}


# -- usage report ------------------------------------------------------------------------------------------
def _cost_of(data: Mapping[str, Any]) -> Decimal:
    usage = data.get("usage")
    if not isinstance(usage, Mapping):
        return Decimal("0")
    billing_info = usage.get("billing_info")
    if isinstance(billing_info, Mapping) and "total_cost" in billing_info:
        return Decimal(str(billing_info["total_cost"]))
    for key in ("total_cost", "total_cost_usd"):
        if key in usage:
            return Decimal(str(usage[key]))
    if "token_cost" in usage:
        return Decimal(str(usage["token_cost"])) + Decimal(str(usage.get("cost_per_agent", 0)))
    return Decimal("0")


def _tokens(data: Mapping[str, Any], name: str) -> int:
    usage = data.get("usage")
    if isinstance(usage, Mapping):
        value = usage.get(
            name, usage.get({"input_tokens": "prompt_tokens", "output_tokens": "completion_tokens"}[name], 0)
        )
        return int(value or 0)
    return 0


@dataclass
class _DayTotals:
    """One day of the usage report while it is summed (money as Decimal until the body is built)."""

    total_cost: Decimal = Decimal("0")
    input_tokens: int = 0
    output_tokens: int = 0
    request_count: int = 0


def _day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise DomainError(400, f"Invalid {field}: expected YYYY-MM-DD") from exc


_PERIODS: dict[str, Literal["day", "week", "month"]] = {"day": "day", "week": "week", "month": "month"}


def _period(query: Mapping[str, str]) -> Literal["day", "week", "month"]:
    period = _PERIODS.get(query.get("period", "month"))
    if period is None:
        raise DomainError(400, "Invalid period: expected day, week or month")
    return period


def usage_report(logs: list[dict[str, Any]], query: Mapping[str, str], now: datetime) -> UsageReportResponse:
    period: Literal["day", "week", "month", "custom"] = _period(query)
    today = now.date()
    if query.get("start_date") and query.get("end_date"):
        start, end = _day(query["start_date"], "start_date"), _day(query["end_date"], "end_date")
        if start > end:
            raise DomainError(400, "start_date must not be after end_date")
        period = "custom"
    else:
        span = {"day": 0, "week": 6, "month": 29}[period]
        start, end = today - timedelta(days=span), today
    days: dict[str, _DayTotals] = {}
    for row in logs:
        if row.get("category") != "completion":
            continue
        day = parse_instant(str(row["created_at"])).date()
        if not start <= day <= end:
            continue
        data = row.get("data") or {}
        slot = days.setdefault(day.isoformat(), _DayTotals())
        slot.total_cost += _cost_of(data)
        slot.input_tokens += _tokens(data, "input_tokens")
        slot.output_tokens += _tokens(data, "output_tokens")
        slot.request_count += 1
    results: list[UsageReportDay] = [
        {
            "day": key,
            "total_cost": float(slot.total_cost),
            "input_tokens": slot.input_tokens,
            "output_tokens": slot.output_tokens,
            "request_count": slot.request_count,
        }
        for key, slot in sorted(days.items())
    ]
    return {
        "results": results,
        "period": period,
        "start_date": start.isoformat(),
        "end_date": end.isoformat(),
        "timestamp": now.isoformat(timespec="microseconds"),
    }
