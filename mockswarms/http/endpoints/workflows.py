"""Graph and batched-grid workflows and the reasoning agent (completions and its types)."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

from starlette.requests import Request

from mockswarms.engine import billing, workflows
from mockswarms.engine.runs import Run
from mockswarms.engine.simulator import Caller, Simulator
from mockswarms.http.endpoints.pipeline import (
    Reply,
    agent_configs,
    agent_rate_cost,
    body_field,
    check_prompt,
    fail_on_model_error,
    model_names,
    named_model,
    now,
    parse,
)
from mockswarms.shapes.discovery import ReasoningAgentTypesResponse
from mockswarms.shapes.requests import (
    REASONING_AGENT_TYPES,
    BatchedGridWorkflowRequest,
    GraphWorkflowRequest,
    ReasoningAgentRequest,
)
from mockswarms.shapes.workflows import (
    BatchedGridWorkflowOutput,
    GraphWorkflowOutput,
    ReasoningAgentOutput,
    WorkflowUsage,
)


async def _workflow(sim: Simulator, caller: Caller, run: Run) -> tuple[WorkflowUsage, Decimal]:
    """Graph and grid runs: check and price at workflow rates; returns the ``usage`` body and the cost
    (charged with the log row once the body is built)."""
    check_prompt(sim, caller, run)
    fail_on_model_error(run)
    usage, cost = billing.workflow_usage(
        run.input_tokens, run.output_tokens, run.number_of_agents, settings=sim.settings, now=now(sim)
    )
    return usage, cost


async def batched_grid(sim: Simulator, caller: Caller, payload: Any) -> Reply:
    endpoint = "/v1/batched-grid-workflow/completions"
    await sim.admit(
        caller, endpoint=endpoint, models=model_names(sim, body_field(payload, "agent_completions") or [])
    )
    req = parse(BatchedGridWorkflowRequest, payload)
    run = await asyncio.to_thread(
        workflows.run_grid,
        req,
        sim.llm,
        default_model=sim.settings.default_model,
        strict=sim.settings.semantic_validation,
    )
    usage, cost = await _workflow(sim, caller, run)
    body: BatchedGridWorkflowOutput = {
        "job_id": sim.entropy.ids.prefixed("batched-grid-workflow"),
        "name": req.name or "",
        "description": req.description or "",
        "status": "success",
        "outputs": run.output,
        "usage": usage,
        "timestamp": sim.timestamp(),
    }
    await sim.charge(caller, cost, body, agent_configs(req.agent_completions))
    return Reply(body)


async def graph_workflow(sim: Simulator, caller: Caller, payload: Any) -> Reply:
    await sim.admit(
        caller,
        endpoint="/v1/graph-workflow/completions",
        models=model_names(sim, body_field(payload, "agents") or []),
    )
    req = parse(GraphWorkflowRequest, payload)
    run = await asyncio.to_thread(
        workflows.run_graph,
        req,
        sim.llm,
        default_model=sim.settings.default_model,
        strict=sim.settings.semantic_validation,
    )
    usage, cost = await _workflow(sim, caller, run)
    body: GraphWorkflowOutput = {
        "job_id": sim.entropy.ids.prefixed("graph-workflow"),
        "name": req.name,
        "description": req.description,
        "status": "success",
        "outputs": run.output,
        "usage": usage,
        "timestamp": sim.timestamp(),
    }
    await sim.charge(caller, cost, body, agent_configs(req.agents))
    return Reply(body)


async def reasoning_completion(sim: Simulator, caller: Caller, payload: Any) -> Reply:
    await sim.admit(caller, endpoint="/v1/reasoning-agent/completions", models=named_model(payload))
    req = parse(ReasoningAgentRequest, payload)
    run = await asyncio.to_thread(
        workflows.run_reasoning, req, sim.llm, strict=sim.settings.semantic_validation
    )
    check_prompt(sim, caller, run)
    fail_on_model_error(run)
    usage, cost = agent_rate_cost(sim, run)
    body: ReasoningAgentOutput = {
        "job_id": sim.entropy.ids.prefixed("reasoning-agent", 28),
        "status": "success",
        "outputs": run.output,
        "timestamp": sim.timestamp(),
        "agent_name": req.agent_name or "reasoning-agent",
        "agent_type": run.meta.get("agent_type", req.swarm_type),
        "agent_id": sim.entropy.ids.uuid(),
        "usage": {
            "input_tokens": usage["input_tokens"],
            "output_tokens": usage["output_tokens"],
            "total_tokens": usage["total_tokens"],
            "total_cost": usage["total_cost"],
        },
    }
    await sim.charge(caller, cost, body, [])
    return Reply(body)


async def reasoning_types(sim: Simulator, caller: Caller, request: Request) -> Reply:
    await sim.check_rate(caller)
    body: ReasoningAgentTypesResponse = {"status": "success", "agent_types": list(REASONING_AGENT_TYPES)}
    return Reply(body)
