"""Builders: the auto-swarm-builder (completions, execution types) and /v1/agents/auto-generate."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import Request

from mockswarms.engine import workflows
from mockswarms.engine.runs import WorkflowRun
from mockswarms.engine.simulator import Caller, Simulator
from mockswarms.errors import APIError
from mockswarms.http.endpoints.pipeline import (
    Reply,
    agent_rate_cost,
    check_prompt,
    fail_on_model_error,
    named_model,
    parse,
    require_legacy,
)
from mockswarms.shapes.requests import AutoGenerateRequest, AutoSwarmBuilderRequest
from mockswarms.shapes.workflows import AutoSwarmBuilderOutput


async def _build(sim: Simulator, req: AutoSwarmBuilderRequest) -> WorkflowRun:
    """The auto-swarm-builder run, off the event loop (generation is CPU work)."""
    return await asyncio.to_thread(
        workflows.run_auto_swarm_builder,
        req,
        sim.llm,
        default_model=sim.settings.default_model,
        strict=sim.settings.semantic_validation,
    )


async def auto_swarm_builder(sim: Simulator, caller: Caller, payload: Any) -> Reply:
    require_legacy(sim)
    await sim.admit(caller, endpoint="/v1/auto-swarm-builder/completions", models=named_model(payload))
    req = parse(AutoSwarmBuilderRequest, payload)
    run = await _build(sim, req)
    check_prompt(sim, caller, run)
    fail_on_model_error(run)
    usage, cost = agent_rate_cost(sim, run)
    body: AutoSwarmBuilderOutput = {
        "success": True,
        "job_id": sim.entropy.ids.prefixed("auto-swarm-builder", 28),
        "outputs": run.output,
        "type": req.execution_type or "return-agents",
        "timestamp": sim.timestamp(),
        "usage": usage,
    }
    await sim.charge(caller, cost, body, [])
    return Reply(body)


async def asb_execution_types(sim: Simulator, caller: Caller, request: Request) -> Reply:
    require_legacy(sim)
    await sim.check_rate(caller)
    return Reply(["return-agents", "return-swarm-router-config", "return-agents-objects"])


async def auto_generate(sim: Simulator, caller: Caller, payload: Any) -> Reply:
    if not sim.settings.enable_auto_generate:
        raise APIError(404, "Not Found")
    await sim.admit(caller, endpoint="/v1/agents/auto-generate", models=[])
    req = parse(AutoGenerateRequest, payload)
    run = await _build(sim, AutoSwarmBuilderRequest(task=req.task, execution_type="return-agents"))
    fail_on_model_error(run)
    _, cost = agent_rate_cost(sim, run)
    agents = run.output.get("agents") if isinstance(run.output, dict) else None
    first = dict(agents[0]) if agents else {"agent_name": "Agent", "model_name": sim.settings.default_model}
    first.setdefault("max_loops", 1)
    first.setdefault("max_tokens", 8192)
    first.setdefault("temperature", 0.3)
    body = {"agent_config": first}
    await sim.charge(caller, cost, body, [first])
    return Reply(body)
