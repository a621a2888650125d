"""Legacy swarm scheduling (reference b.11): /v1/swarm/schedule create, list, cancel."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from mockswarms.engine import scheduler
from mockswarms.engine.simulator import Caller, Simulator
from mockswarms.errors import APIError
from mockswarms.http.endpoints.pipeline import Reply, body_field, model_names, parse
from mockswarms.http.endpoints.swarms import execute_swarm
from mockswarms.shapes.requests import SwarmSpec


async def schedule_create(sim: Simulator, caller: Caller, payload: Any) -> Reply:
    if not sim.settings.enable_scheduling:
        raise APIError(404, "Not Found")
    await sim.admit(
        caller, endpoint="/v1/swarm/schedule", models=model_names(sim, body_field(payload, "agents") or [])
    )
    spec = parse(SwarmSpec, payload)
    return Reply(await scheduler.schedule(sim, caller, spec, execute_swarm))


async def schedule_list(sim: Simulator, caller: Caller, request: Request) -> Reply:
    if not sim.settings.enable_scheduling:
        raise APIError(404, "Not Found")
    await sim.check_rate(caller)
    return Reply(await scheduler.list_jobs(sim, caller, execute_swarm))


async def schedule_delete(sim: Simulator, caller: Caller, request: Request) -> Reply:
    if not sim.settings.enable_scheduling:
        raise APIError(404, "Not Found")
    await sim.check_rate(caller)
    return Reply(await scheduler.cancel(sim, caller, request.path_params["job_id"]))
