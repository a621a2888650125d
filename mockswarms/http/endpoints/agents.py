"""POST /v1/agent/completions and /v1/agent/batch/completions (JSON or SSE)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from mockswarms.engine import billing, gates, workflows
from mockswarms.engine.runs import AgentRun
from mockswarms.engine.simulator import Caller, Simulator
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
from mockswarms.shapes.agents import AgentBatchEnvelope, AgentBatchItemError, AgentCompletionOutput
from mockswarms.shapes.requests import AgentCompletion


def _stamp(sim: Simulator) -> Callable[[], tuple[str, str]]:
    def stamp() -> tuple[str, str]:
        return sim.clock.naive_isoformat(), sim.entropy.ids.uuid()

    return stamp


INLINE_TASK_CHARS = 4_096


def _runs_inline(req: AgentCompletion) -> bool:
    """A one-turn agent without history on a short task runs on the event loop: its work (one fake-LLM
    call, built once per prompt) costs less than handing it to a worker thread and back (about 12 % of
    a completion's CPU, benchmarks/RESULTS.md). Anything bigger still runs in a thread."""
    config = req.agent_config
    one_turn = config is None or config.max_loops in (None, 1)
    return one_turn and not req.history and len(req.task or "") <= INLINE_TASK_CHARS


def _wants_stream(sim: Simulator, req: AgentCompletion) -> bool:
    if not sim.settings.streaming:
        return False
    return bool(req.stream) or bool(req.agent_config and req.agent_config.streaming_on)


async def _run_agent(
    sim: Simulator, caller: Caller, req: AgentCompletion
) -> tuple[AgentCompletionOutput, AgentRun, Decimal]:
    """Run, price and settle one agent completion; returns (response body, run, cost)."""
    options: dict[str, Any] = {
        "default_model": sim.settings.default_model,
        "strict": sim.settings.semantic_validation,
        "stamp": _stamp(sim),
    }
    if _runs_inline(req):
        run = workflows.run_agent(req, sim.llm, **options)
    else:  # simulated work of any size never holds the event loop
        run = await asyncio.to_thread(workflows.run_agent, req, sim.llm, **options)
    check_prompt(sim, caller, run)
    fail_on_model_error(run)
    usage, cost = billing.agent_usage(
        run.input_tokens,
        run.output_tokens,
        images=run.images,
        mcp_calls=run.mcp_calls,
        tool=run.tool_fee,
        settings=sim.settings,
        now=now(sim),
    )
    job_id = sim.entropy.ids.agent_job()
    body: AgentCompletionOutput = {
        "job_id": job_id,
        "success": True,
        "name": run.name,
        "description": run.description,
        "temperature": run.temperature,
        "outputs": run.output,
        "usage": usage,
        "timestamp": sim.timestamp(),
    }
    if sim.settings.agent_response_id_field:
        # `id` right after `job_id` (keys go on the wire in insertion order; `**body` keeps job_id first).
        body = {"job_id": job_id, "id": job_id, **body}
    await sim.charge(caller, cost, body, agent_configs([req.agent_config] if req.agent_config else []))
    return body, run, cost


async def agent_completion(sim: Simulator, caller: Caller, payload: Any) -> Reply:
    await sim.admit(
        caller,
        endpoint="/v1/agent/completions",
        models=model_names(sim, body_field(payload, "agent_config") or {}),
    )
    req = parse(AgentCompletion, payload)
    caller.fold_charge = True  # one charge: settled with the reply's journal entry (routes)
    body, run, cost = await _run_agent(sim, caller, req)
    if _wants_stream(sim, req):
        return Reply(stream=stream_responses.agent_stream(sim, caller, body, run, cost))
    return Reply(body)


async def agent_batch(sim: Simulator, caller: Caller, payload: Any) -> Reply:
    configs = (
        [body_field(item, "agent_config") or {} for item in payload] if isinstance(payload, list) else []
    )
    await sim.admit(caller, endpoint="/v1/agent/batch/completions", models=model_names(sim, configs))
    items = parse_list(AgentCompletion, payload)
    gates.check_batch_size(len(items), sim.settings)
    results: list[AgentCompletionOutput | AgentBatchItemError] = []
    seconds = 0.0
    for req in items:
        try:
            body, run, _ = await _run_agent(sim, caller, req)
            results.append(body)
            seconds = max(seconds, run.simulated_seconds)
        except APIError as exc:
            if exc.status in (402, 429) and not results:
                raise
            detail = exc.body.get("detail", exc.body)
            failed: AgentBatchItemError = {
                "success": False,
                "error": detail if isinstance(detail, str) else str(detail),
                "timestamp": sim.timestamp(),
            }
            results.append(failed)
    if sim.settings.agent_batch_shape == "list":
        return Reply(results)
    envelope: AgentBatchEnvelope = {
        "batch_id": sim.entropy.ids.prefixed("agent-batch"),
        "total_requests": len(items),
        "execution_time": round(seconds, 6),
        "timestamp": sim.timestamp(),
        "results": results,
    }
    return Reply(envelope)
