"""POST /v1/swarm/completions and /v1/swarm/batch/completions (JSON or SSE, both layouts)."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

from mockswarms.engine import billing, gates
from mockswarms.engine.runs import Run, SwarmRun
from mockswarms.engine.simulator import Caller, Simulator
from mockswarms.engine.swarm_runner import check_swarm_type_value, run_swarm_spec
from mockswarms.errors import APIError
from mockswarms.http import stream_responses
from mockswarms.http.endpoints.pipeline import (
    Reply,
    agent_configs,
    body_field,
    check_prompt,
    fail_on_model_error,
    model_names,
    now,
    parse,
    parse_list,
)
from mockswarms.shapes.requests import SwarmSpec
from mockswarms.shapes.swarms import (
    LegacySwarmCompletionOutput,
    SwarmBatchItemError,
    SwarmBatchItemSuccess,
    SwarmCompletionOutput,
    SwarmUsage,
)

# A swarm completion in either layout (switch `swarm_response_layout`).
SwarmBody = SwarmCompletionOutput | LegacySwarmCompletionOutput

INLINE_SWARM_TYPES = frozenset({"SequentialWorkflow", "ConcurrentWorkflow"})
INLINE_MAX_AGENTS = 4
INLINE_TASK_CHARS = 4_096


def _runs_inline(spec: SwarmSpec) -> bool:
    """A one-loop Sequential/Concurrent workflow of up to 4 one-turn agents on a short task runs on the
    event loop: one fake-LLM call per agent costs less than the worker-thread hand-off (a quarter of a
    3-agent run's CPU, benchmarks/RESULTS.md). Every other swarm still runs in a thread."""
    agents = spec.agents or []
    return (
        spec.swarm_type in INLINE_SWARM_TYPES
        and 0 < len(agents) <= INLINE_MAX_AGENTS
        and spec.max_loops in (None, 1)
        and all(agent.max_loops in (None, 1) for agent in agents)
        and not spec.tasks
        and not spec.messages
        and len(spec.task or "") <= INLINE_TASK_CHARS
    )


def _run_swarm(sim: Simulator, spec: SwarmSpec) -> SwarmRun:
    return run_swarm_spec(
        spec,
        sim.llm,
        default_model=sim.settings.default_model,
        strict=sim.settings.semantic_validation,
        reject_misspelled_hierarchical=sim.settings.reject_misspelled_hierarchical,
        legacy_swarm_types=sim.settings.legacy_swarm_types,
        default_output_type=sim.settings.default_output_type,
        hierarchical_echo=sim.settings.hierarchical_echo,
    )


def _swarm_usage(sim: Simulator, spec: SwarmSpec, run: Run) -> tuple[SwarmUsage, Decimal]:
    return billing.swarm_usage(
        run.input_tokens,
        run.output_tokens,
        run.number_of_agents,
        settings=sim.settings,
        now=now(sim),
        service_tier=spec.service_tier or "standard",
        per_agent=run.per_agent_usage(),
    )


def _swarm_body(sim: Simulator, spec: SwarmSpec, run: SwarmRun, usage: SwarmUsage) -> SwarmBody:
    seconds = round(run.simulated_seconds, 6)
    if sim.settings.swarm_response_layout == "legacy":
        legacy: LegacySwarmCompletionOutput = {
            "status": "success",
            "swarm_name": spec.name,
            "description": spec.description,
            "swarm_type": run.swarm_type,
            "task": spec.task,
            "output": run.output,
            "metadata": {
                "max_loops": spec.max_loops,
                "num_agents": run.number_of_agents,
                "execution_time_seconds": seconds,
                "completion_time": sim.timestamp(),
                "billing_info": usage["billing_info"],
            },
        }
        return legacy
    body: SwarmCompletionOutput = {
        "job_id": sim.entropy.ids.swarm_job(),
        "status": "success",
        "swarm_name": spec.name,
        "description": spec.description,
        "swarm_type": run.swarm_type,
        "output": run.output,
        "number_of_agents": run.number_of_agents,
        "service_tier": spec.service_tier or "standard",
        "execution_time": seconds,
        "usage": usage,
    }
    if spec.tasks:
        body["tasks"] = spec.tasks
    if spec.messages:
        body["messages"] = spec.messages
    return body


async def execute_swarm(
    sim: Simulator, caller: Caller, spec: SwarmSpec
) -> tuple[SwarmBody, SwarmRun, SwarmUsage, Decimal]:
    if _runs_inline(spec):
        run = _run_swarm(sim, spec)
    else:  # simulated work of any size never holds the event loop
        run = await asyncio.to_thread(_run_swarm, sim, spec)
    check_prompt(sim, caller, run)
    fail_on_model_error(run)
    usage, cost = _swarm_usage(sim, spec, run)
    body = _swarm_body(sim, spec, run, usage)
    await sim.charge(caller, cost, body, agent_configs(spec.agents))
    return body, run, usage, cost


async def swarm_completion(sim: Simulator, caller: Caller, payload: Any) -> Reply:
    await sim.admit(
        caller, endpoint="/v1/swarm/completions", models=model_names(sim, body_field(payload, "agents") or [])
    )
    check_swarm_type_value(payload, status=sim.settings.invalid_swarm_type_status)
    spec = parse(SwarmSpec, payload)
    caller.fold_charge = True  # one charge: settled with the reply's journal entry (routes)
    body, run, usage, cost = await execute_swarm(sim, caller, spec)
    if spec.stream and sim.settings.streaming:
        return Reply(stream=stream_responses.swarm_stream(sim, caller, body, run, usage, cost, spec))
    return Reply(body)


async def swarm_batch(sim: Simulator, caller: Caller, payload: Any) -> Reply:
    # Raw body, before validation: "agents" may be anything (a number, a string …) — 422 comes later.
    agents = (
        [
            a
            for item in payload
            if isinstance(item, dict) and isinstance(item.get("agents"), list)
            for a in item["agents"]
        ]
        if isinstance(payload, list)
        else []
    )
    await sim.admit(caller, endpoint="/v1/swarm/batch/completions", models=model_names(sim, agents))
    for item in payload if isinstance(payload, list) else []:
        check_swarm_type_value(item, status=sim.settings.invalid_swarm_type_status)
    specs = parse_list(SwarmSpec, payload)
    gates.check_batch_size(len(specs), sim.settings, swarms=True)
    results: list[SwarmBody | SwarmBatchItemSuccess | SwarmBatchItemError] = []
    for spec in specs:
        try:
            body, _, usage, _ = await execute_swarm(sim, caller, spec)
            if sim.settings.swarm_batch_item == "full":  # seeds 000-002: each item is a whole response
                results.append(body)
                continue
            done: SwarmBatchItemSuccess = {
                "status": "success",
                "swarm_name": spec.name,
                "result": body["output"],
                "usage": usage,
            }
            results.append(done)
        except APIError as exc:
            if exc.status in (402, 429) and not results:
                raise
            detail = exc.body.get("detail", exc.body)
            text = detail if isinstance(detail, str) else str(detail)
            failed: SwarmBatchItemError = {
                "status": "error",
                "swarm_name": spec.name,
                "detail": f"Failed to run swarm: {text}",
            }
            results.append(failed)
    return Reply(results)
