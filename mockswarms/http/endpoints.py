"""One coroutine per endpoint: the pipeline from a parsed body to a reply, on top of the simulator.

Each billable operation follows the same steps (see ARCHITECTURE.md): ``admit`` (premium gates,
credit pre-check, limiter) → validate (422/400) → run (fake LLM, deterministic) → price →
``settle`` (atomic charge + count) → log → reply. Replies carry bodies in the API's documented
shapes; the routes only serialise them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import Response

from mockswarms.engine import architectures, billing, gates, ratelimit, scheduler, workflows
from mockswarms.engine import models_catalog as catalog
from mockswarms.engine.runs import AgentRun, Run, SwarmRun
from mockswarms.engine.simulator import Caller, Simulator
from mockswarms.errors import APIError, OpenAIError, ValidationFailed
from mockswarms.http import stream_responses as streaming_glue
from mockswarms.shapes.requests import (
    DOCS_SWARM_TYPES,
    REASONING_AGENT_TYPES,
    AdvancedResearchBatchRequest,
    AdvancedResearchRequest,
    AgentCompletion,
    AutoGenerateRequest,
    AutoSwarmBuilderRequest,
    BatchedGridWorkflowRequest,
    ChatCompletionRequest,
    GraphWorkflowRequest,
    MarketplaceAgentsRequest,
    ReasoningAgentRequest,
    SwarmSpec,
)

__all__ = ["Reply"]

M = TypeVar("M", bound=BaseModel)


@dataclass
class Reply:
    body: Any = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    # For SSE: builds the streaming response given the headers to send (rate-limit headers etc.).
    stream: Callable[[dict[str, str]], Response] | None = None


# -- parsing helpers ---------------------------------------------------------------------------------
def _pydantic_items(exc: ValidationError, prefix: Sequence[str | int] = ("body",)) -> list[dict[str, Any]]:
    items = []
    for error in exc.errors(include_url=False):
        item: dict[str, Any] = {
            "type": error["type"],
            "loc": [*prefix, *error["loc"]],
            "msg": error["msg"],
            "input": error.get("input"),
        }
        if "ctx" in error:
            item["ctx"] = {
                k: v if isinstance(v, int | float | str | bool) or v is None else str(v)
                for k, v in error["ctx"].items()
            }
        items.append(item)
    return items


def parse(model: type[M], payload: Any, prefix: Sequence[str | int] = ("body",)) -> M:
    if not isinstance(payload, dict):
        raise ValidationFailed(
            [
                {
                    "type": "model_attributes_type",
                    "loc": list(prefix),
                    "msg": "Input should be a valid dictionary or object to extract fields from",
                    "input": payload,
                }
            ]
        )
    try:
        # Strict: `false` is not an integer, `"1"` is not a number (the contract's types, exactly).
        return model.model_validate(payload, strict=True)
    except ValidationError as exc:
        raise ValidationFailed(_pydantic_items(exc, prefix)) from exc


def parse_list(model: type[M], payload: Any) -> list[M]:
    if not isinstance(payload, list):
        raise ValidationFailed(
            [{"type": "list_type", "loc": ["body"], "msg": "Input should be a valid list", "input": payload}]
        )
    return [parse(model, item, ("body", index)) for index, item in enumerate(payload)]


def _get(data: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _model_names(sim: Simulator, configs: Any) -> list[str]:
    """Model names of agent configs in a raw body, the default filling in (for the premium gate)."""
    names: list[str] = []
    for config in configs if isinstance(configs, list) else [configs]:
        if isinstance(config, dict):
            name = config.get("model_name")
            names.append(name if isinstance(name, str) and name else sim.settings.default_model)
    return names


def _fail_run(run: Run, *, openai: bool = False) -> None:
    """A fixture error from "the model" stops the request: nothing is billed or counted."""
    if run.error is not None:
        if openai:
            raise OpenAIError(run.error.status, run.error.detail, code="model_error")
        raise APIError(run.error.status, run.error.detail)


def _check_prompt(sim: Simulator, caller: Caller, run: Run) -> None:
    longest = max((turn.result.input_tokens for turn in run.turns), default=0)
    sim.check_prompt(caller, longest)


def _token_cost(sim: Simulator, run: Run, *, images: int = 0) -> tuple[dict[str, Any], Decimal]:
    """Agent-rate pricing of a run with no tool or MCP fees (chat, reasoning, auto-swarm-builder …)."""
    return billing.agent_usage(
        run.input_tokens, run.output_tokens, images=images, settings=sim.settings, now=_now(sim)
    )


def _now(sim: Simulator) -> datetime:
    return sim.clock.now()


def _money(value: Decimal) -> float:
    return float(value)


def _agent_configs(specs: Any) -> list[dict[str, Any]]:
    configs = []
    for spec in specs or []:
        data = spec.model_dump(exclude_none=True) if isinstance(spec, BaseModel) else dict(spec)
        if data.get("agent_name"):
            configs.append(data)
    return configs


def _stamp(sim: Simulator) -> Callable[[], tuple[str, str]]:
    def stamp() -> tuple[str, str]:
        return sim.clock.now().replace(tzinfo=None).isoformat(timespec="microseconds"), sim.entropy.ids.uuid()

    return stamp


# -- agent completions -------------------------------------------------------------------------------
def _wants_stream(sim: Simulator, req: AgentCompletion) -> bool:
    if not sim.settings.streaming:
        return False
    return bool(req.stream) or bool(req.agent_config and req.agent_config.streaming_on)


async def _run_agent(
    sim: Simulator, caller: Caller, req: AgentCompletion
) -> tuple[dict[str, Any], AgentRun, Decimal]:
    """Run, price and settle one agent completion; returns (response body, run, cost)."""
    run = workflows.run_agent(
        req,
        sim.llm,
        default_model=sim.settings.default_model,
        strict=sim.settings.semantic_validation,
        stamp=_stamp(sim),
    )
    _check_prompt(sim, caller, run)
    _fail_run(run)
    usage, cost = billing.agent_usage(
        run.input_tokens,
        run.output_tokens,
        images=run.images,
        mcp_calls=run.mcp_calls,
        tool=run.tool_fee,
        settings=sim.settings,
        now=_now(sim),
    )
    await sim.settle(caller, cost)
    job_id = sim.entropy.ids.agent_job()
    body: dict[str, Any] = {"job_id": job_id}
    if sim.settings.agent_response_id_field:
        body["id"] = job_id
    body.update(
        {
            "success": True,
            "name": run.name,
            "description": run.description,
            "temperature": run.temperature,
            "outputs": run.output,
            "usage": usage,
            "timestamp": sim.timestamp(),
        }
    )
    await sim.log_completion(caller, body, _agent_configs([req.agent_config] if req.agent_config else []))
    return body, run, cost


async def agent_completion(sim: Simulator, caller: Caller, payload: Any) -> Reply:
    await sim.admit(
        caller,
        endpoint="/v1/agent/completions",
        models=_model_names(sim, _get(payload, "agent_config") or {}),
    )
    req = parse(AgentCompletion, payload)
    body, run, cost = await _run_agent(sim, caller, req)
    if _wants_stream(sim, req):
        return Reply(stream=streaming_glue.agent_stream(sim, caller, body, run, cost))
    return Reply(body)


async def agent_batch(sim: Simulator, caller: Caller, payload: Any) -> Reply:
    configs = [_get(item, "agent_config") or {} for item in payload] if isinstance(payload, list) else []
    await sim.admit(caller, endpoint="/v1/agent/batch/completions", models=_model_names(sim, configs))
    items = parse_list(AgentCompletion, payload)
    gates.check_batch_size(len(items), sim.settings)
    results: list[Any] = []
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
            results.append(
                {
                    "success": False,
                    "error": detail if isinstance(detail, str) else str(detail),
                    "timestamp": sim.timestamp(),
                }
            )
    if sim.settings.agent_batch_shape == "list":
        return Reply(results)
    return Reply(
        {
            "batch_id": sim.entropy.ids.prefixed("agent-batch"),
            "total_requests": len(items),
            "execution_time": round(seconds, 6),
            "timestamp": sim.timestamp(),
            "results": results,
        }
    )


# -- swarms ------------------------------------------------------------------------------------------
def _run_swarm(sim: Simulator, spec: SwarmSpec) -> SwarmRun:
    return architectures.run_swarm(
        spec,
        sim.llm,
        default_model=sim.settings.default_model,
        strict=sim.settings.semantic_validation,
        reject_misspelled_hierarchical=sim.settings.reject_misspelled_hierarchical,
        legacy_swarm_types=sim.settings.legacy_swarm_types,
    )


def _swarm_usage(sim: Simulator, spec: SwarmSpec, run: Run) -> tuple[dict[str, Any], Decimal]:
    return billing.swarm_usage(
        run.input_tokens,
        run.output_tokens,
        run.number_of_agents,
        settings=sim.settings,
        now=_now(sim),
        service_tier=spec.service_tier or "standard",
        per_agent=run.per_agent_usage(),
    )


def _swarm_body(sim: Simulator, spec: SwarmSpec, run: SwarmRun, usage: dict[str, Any]) -> dict[str, Any]:
    seconds = round(run.simulated_seconds, 6)
    if sim.settings.swarm_response_layout == "legacy":
        return {
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
                "billing_info": usage.get("billing_info"),
            },
        }
    body: dict[str, Any] = {
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


async def _execute_swarm(
    sim: Simulator, caller: Caller, spec: SwarmSpec
) -> tuple[dict[str, Any], SwarmRun, dict[str, Any], Decimal]:
    run = _run_swarm(sim, spec)
    _check_prompt(sim, caller, run)
    _fail_run(run)
    usage, cost = _swarm_usage(sim, spec, run)
    await sim.settle(caller, cost)
    body = _swarm_body(sim, spec, run, usage)
    await sim.log_completion(caller, body, _agent_configs(spec.agents))
    return body, run, usage, cost


async def swarm_completion(sim: Simulator, caller: Caller, payload: Any) -> Reply:
    await sim.admit(
        caller, endpoint="/v1/swarm/completions", models=_model_names(sim, _get(payload, "agents") or [])
    )
    spec = parse(SwarmSpec, payload)
    body, run, usage, cost = await _execute_swarm(sim, caller, spec)
    if spec.stream and sim.settings.streaming:
        return Reply(stream=streaming_glue.swarm_stream(sim, caller, body, run, usage, cost, spec))
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
    await sim.admit(caller, endpoint="/v1/swarm/batch/completions", models=_model_names(sim, agents))
    specs = parse_list(SwarmSpec, payload)
    gates.check_batch_size(len(specs), sim.settings, swarms=True)
    results: list[dict[str, Any]] = []
    for spec in specs:
        try:
            body, _, usage, _ = await _execute_swarm(sim, caller, spec)
            results.append(
                {"status": "success", "swarm_name": spec.name, "result": body.get("output"), "usage": usage}
            )
        except APIError as exc:
            if exc.status in (402, 429) and not results:
                raise
            detail = exc.body.get("detail", exc.body)
            text = detail if isinstance(detail, str) else str(detail)
            results.append(
                {"status": "error", "swarm_name": spec.name, "detail": f"Failed to run swarm: {text}"}
            )
    return Reply(results)


# -- OpenAI-compatible ---------------------------------------------------------------------------------
async def chat_completion(sim: Simulator, caller: Caller, payload: Any) -> Reply:
    model = _get(payload, "model")
    await sim.admit(
        caller, endpoint="/v1/chat/completions", models=[model] if isinstance(model, str) else [], openai=True
    )
    try:
        req = (
            ChatCompletionRequest.model_validate(payload, strict=True) if isinstance(payload, dict) else None
        )
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        param = ".".join(str(p) for p in first["loc"])
        raise OpenAIError(
            400, f"Invalid value for '{param}': {first['msg']}", code="invalid_request", param=param
        ) from exc
    if req is None:
        raise OpenAIError(400, "The request body must be a JSON object.", code="invalid_request")
    run = workflows.run_chat(req, sim.llm, strict=sim.settings.semantic_validation)
    _check_prompt(sim, caller, run)
    _fail_run(run, openai=True)
    _, cost = _token_cost(sim, run, images=run.images)
    await sim.settle(caller, cost, openai=True)
    completion_id = sim.entropy.ids.chat_completion()
    created = int(sim.clock.timestamp())
    message: dict[str, Any] = {"role": "assistant", "content": run.text}
    if run.tool_calls:
        message["tool_calls"] = list(run.tool_calls)
    body = {
        "id": completion_id,
        "object": "chat.completion",
        "created": created,
        "model": req.model,
        "choices": [{"index": 0, "message": message, "finish_reason": run.finish_reason}],
        "usage": {
            "prompt_tokens": run.input_tokens,
            "completion_tokens": run.output_tokens,
            "total_tokens": run.total_tokens,
        },
    }
    await sim.log_completion(caller, body, [])
    if req.stream and sim.settings.streaming:
        return Reply(stream=streaming_glue.chat_stream(sim, caller, body, run, cost))
    return Reply(body)


async def models_openai(sim: Simulator, caller: Caller, request: Request) -> Reply:
    await sim.check_rate(caller, openai=True)
    return Reply(
        {
            "object": "list",
            "data": [
                {"id": name, "object": "model", "created": 0, "owned_by": catalog.owner_of(name)}
                for name in _visible_models(sim, caller)
            ],
        }
    )


# -- workflows -----------------------------------------------------------------------------------------
async def _workflow(sim: Simulator, caller: Caller, run: Run) -> dict[str, Any]:
    """Graph and grid runs: check, price at workflow rates, settle; returns the ``usage`` body."""
    _check_prompt(sim, caller, run)
    _fail_run(run)
    usage, cost = billing.workflow_usage(
        run.input_tokens, run.output_tokens, run.number_of_agents, settings=sim.settings, now=_now(sim)
    )
    await sim.settle(caller, cost)
    return usage


async def batched_grid(sim: Simulator, caller: Caller, payload: Any) -> Reply:
    endpoint = "/v1/batched-grid-workflow/completions"
    await sim.admit(
        caller, endpoint=endpoint, models=_model_names(sim, _get(payload, "agent_completions") or [])
    )
    req = parse(BatchedGridWorkflowRequest, payload)
    run = workflows.run_grid(
        req, sim.llm, default_model=sim.settings.default_model, strict=sim.settings.semantic_validation
    )
    usage = await _workflow(sim, caller, run)
    body = {
        "job_id": sim.entropy.ids.prefixed("batched-grid-workflow"),
        "name": req.name or "",
        "description": req.description or "",
        "status": "success",
        "outputs": run.output,
        "usage": usage,
        "timestamp": sim.timestamp(),
    }
    await sim.log_completion(caller, body, _agent_configs(req.agent_completions))
    return Reply(body)


async def graph_workflow(sim: Simulator, caller: Caller, payload: Any) -> Reply:
    await sim.admit(
        caller,
        endpoint="/v1/graph-workflow/completions",
        models=_model_names(sim, _get(payload, "agents") or []),
    )
    req = parse(GraphWorkflowRequest, payload)
    run = workflows.run_graph(
        req, sim.llm, default_model=sim.settings.default_model, strict=sim.settings.semantic_validation
    )
    usage = await _workflow(sim, caller, run)
    body = {
        "job_id": sim.entropy.ids.prefixed("graph-workflow"),
        "name": req.name,
        "description": req.description,
        "status": "success",
        "outputs": run.output,
        "usage": usage,
        "timestamp": sim.timestamp(),
    }
    await sim.log_completion(caller, body, _agent_configs(req.agents))
    return Reply(body)


async def reasoning_completion(sim: Simulator, caller: Caller, payload: Any) -> Reply:
    model = _get(payload, "model_name")
    await sim.admit(
        caller,
        endpoint="/v1/reasoning-agent/completions",
        models=[model] if isinstance(model, str) and model else [],
    )
    req = parse(ReasoningAgentRequest, payload)
    run = workflows.run_reasoning(req, sim.llm, strict=sim.settings.semantic_validation)
    _check_prompt(sim, caller, run)
    _fail_run(run)
    usage, cost = _token_cost(sim, run)
    await sim.settle(caller, cost)
    body = {
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
    await sim.log_completion(caller, body, [])
    return Reply(body)


async def auto_swarm_builder(sim: Simulator, caller: Caller, payload: Any) -> Reply:
    _legacy_endpoint(sim)
    model = _get(payload, "model_name")
    await sim.admit(
        caller,
        endpoint="/v1/auto-swarm-builder/completions",
        models=[model] if isinstance(model, str) and model else [],
    )
    req = parse(AutoSwarmBuilderRequest, payload)
    run = workflows.run_auto_swarm_builder(
        req, sim.llm, default_model=sim.settings.default_model, strict=sim.settings.semantic_validation
    )
    _check_prompt(sim, caller, run)
    _fail_run(run)
    usage, cost = _token_cost(sim, run)
    await sim.settle(caller, cost)
    body = {
        "success": True,
        "job_id": sim.entropy.ids.prefixed("auto-swarm-builder", 28),
        "outputs": run.output,
        "type": req.execution_type or "return-agents",
        "timestamp": sim.timestamp(),
        "usage": usage,
    }
    await sim.log_completion(caller, body, [])
    return Reply(body)


async def _research_one(sim: Simulator, caller: Caller, req: AdvancedResearchRequest) -> dict[str, Any]:
    run = workflows.run_advanced_research(req, sim.llm, strict=sim.settings.semantic_validation)
    _check_prompt(sim, caller, run)
    _fail_run(run)
    usage, cost = billing.research_usage(run.input_tokens, run.output_tokens, settings=sim.settings)
    await sim.settle(caller, cost)
    config = req.config
    body = {
        "id": sim.entropy.ids.uuid(),
        "name": (config.name if config else None) or "Advanced Research",
        "description": (config.description if config else None) or "Advanced Research",
        "outputs": run.output,
        "timestamp": sim.timestamp(),
        "sources": (config.exa_search_num_results if config else None) or 2,
        "characters_per_source": (config.exa_search_max_characters if config else None) or 100,
        "usage": usage,
    }
    await sim.log_completion(caller, body, [])
    return body


async def advanced_research(sim: Simulator, caller: Caller, payload: Any) -> Reply:
    _legacy_endpoint(sim)
    await sim.admit(caller, endpoint="/v1/advanced-research/completions", models=[])
    return Reply(await _research_one(sim, caller, parse(AdvancedResearchRequest, payload)))


async def advanced_research_batch(sim: Simulator, caller: Caller, payload: Any) -> Reply:
    _legacy_endpoint(sim)
    await sim.admit(caller, endpoint="/v1/advanced-research/batch/completions", models=[])
    req = parse(AdvancedResearchBatchRequest, payload)
    return Reply([await _research_one(sim, caller, item) for item in req.input_schemas])


async def auto_generate(sim: Simulator, caller: Caller, payload: Any) -> Reply:
    if not sim.settings.enable_auto_generate:
        raise APIError(404, "Not Found")
    await sim.admit(caller, endpoint="/v1/agents/auto-generate", models=[])
    req = parse(AutoGenerateRequest, payload)
    spec = AutoSwarmBuilderRequest(task=req.task, execution_type="return-agents")
    run = workflows.run_auto_swarm_builder(
        spec, sim.llm, default_model=sim.settings.default_model, strict=sim.settings.semantic_validation
    )
    _fail_run(run)
    _, cost = _token_cost(sim, run)
    await sim.settle(caller, cost)
    agents = run.output.get("agents") if isinstance(run.output, dict) else None
    first = dict(agents[0]) if agents else {"agent_name": "Agent", "model_name": sim.settings.default_model}
    first.setdefault("max_loops", 1)
    first.setdefault("max_tokens", 8192)
    first.setdefault("temperature", 0.3)
    body = {"agent_config": first}
    await sim.log_completion(caller, body, [first])
    return Reply(body)


# -- read-only endpoints ---------------------------------------------------------------------------------
def _legacy_endpoint(sim: Simulator) -> None:
    if not sim.settings.legacy_endpoints:
        raise APIError(404, "Not Found")


def _visible_models(sim: Simulator, caller: Caller) -> list[str]:
    if caller.tier != "free" or not sim.settings.premium_model_gate:
        return list(catalog.MODELS)
    return [m for m in catalog.MODELS if not gates.is_premium_model(m)]


async def agents_list(sim: Simulator, caller: Caller, request: Request) -> Reply:
    await sim.check_rate(caller)
    agents = await sim.store.list_agents(caller.user_id)
    return Reply({"success": True, "count": len(agents), "agents": agents, "timestamp": sim.timestamp()})


async def swarm_logs(sim: Simulator, caller: Caller, request: Request) -> Reply:
    await sim.check_rate(caller)
    logs = await sim.store.list_logs(caller.user_id)
    count = len(logs) if sim.settings.logs_count == "length" else None
    return Reply({"status": "success", "count": count, "logs": logs, "timestamp": sim.timestamp()})


async def swarms_available(sim: Simulator, caller: Caller, request: Request) -> Reply:
    await sim.check_rate(caller)
    types = list(DOCS_SWARM_TYPES)
    return Reply({"success": True, "status": True, "swarm_types": types, "timestamp": sim.timestamp()})


async def models_available(sim: Simulator, caller: Caller, request: Request) -> Reply:
    await sim.check_rate(caller)
    models = _visible_models(sim, caller)
    return Reply({"success": True, "count": len(models), "models": models})


async def reasoning_types(sim: Simulator, caller: Caller, request: Request) -> Reply:
    await sim.check_rate(caller)
    return Reply({"status": "success", "agent_types": list(REASONING_AGENT_TYPES)})


async def asb_execution_types(sim: Simulator, caller: Caller, request: Request) -> Reply:
    _legacy_endpoint(sim)
    await sim.check_rate(caller)
    return Reply(["return-agents", "return-swarm-router-config", "return-agents-objects"])


async def tools_available(sim: Simulator, caller: Caller, request: Request) -> Reply:
    await sim.check_rate(caller)
    return Reply({"status": "success", "tools": list(catalog.TOOLS)})


async def rate_limits(sim: Simulator, caller: Caller, request: Request) -> Reply:
    headers = await sim.check_rate(caller, refuse=False)
    windows, limits = await sim.windows(caller)
    body = ratelimit.rate_limits_body(windows, limits, caller.tier, sim.clock.timestamp(), sim.settings)
    if not headers:
        headers = ratelimit.rate_headers(windows, caller.tier)
    return Reply(body, headers=headers)


async def usage_costs(sim: Simulator, caller: Caller, request: Request) -> Reply:
    await sim.check_rate(caller)
    return Reply(billing.usage_costs_body(sim.settings, _now(sim)))


async def account_credits(sim: Simulator, caller: Caller, request: Request) -> Reply:
    await sim.check_rate(caller)
    balances = await sim.store.get_balances(caller.user_id)
    return Reply(
        {
            "credit": _money(balances.credit),
            "free_credit": _money(balances.free_credit),
            "referral_credits": _money(balances.referral_credits),
            "total_credits": _money(balances.total),
        }
    )


async def metrics_summary(sim: Simulator, caller: Caller, request: Request) -> Reply:
    await sim.check_rate(caller)
    metrics = await sim.store.metrics(caller.user_id, sim.clock.timestamp())
    return Reply({"success": True, **metrics, "timestamp": sim.timestamp()})


async def marketplace_agents(sim: Simulator, caller: Caller, payload: Any) -> Reply:
    _legacy_endpoint(sim)
    await sim.check_rate(caller)
    req = parse(MarketplaceAgentsRequest, payload)
    count = 10 if req.number_of_items is None else req.number_of_items
    prompts = [_marketplace_prompt(sim, index) for index in range(count)]
    return Reply(
        {"status": "success", "prompts": prompts, "total_count": len(prompts), "timestamp": sim.timestamp()}
    )


_CATEGORIES = ("research", "content", "coding", "finance", "healthcare", "education", "legal")
_ROLES = ("Analyst", "Writer", "Reviewer", "Planner", "Researcher", "Summarizer", "Advisor")


def _marketplace_prompt(sim: Simulator, index: int) -> dict[str, Any]:
    """A deterministic marketplace listing: the same seed always lists the same catalogue."""
    rng = sim.entropy.derive("marketplace", index)
    category = _CATEGORIES[rng.randrange(len(_CATEGORIES))]
    role = _ROLES[rng.randrange(len(_ROLES))]
    name = f"{category.title()} {role} {index + 1}"
    created = datetime(2026, 1, 1, tzinfo=UTC).timestamp() + rng.randrange(0, 180 * 86400)
    return {
        "id": f"{rng.getrandbits(128):032x}",
        "created_at": datetime.fromtimestamp(created, tz=UTC).isoformat(timespec="microseconds"),
        "user_id": f"{rng.getrandbits(128):032x}",
        "name": name,
        "description": f"A {role.lower()} agent for {category} work.",
        "prompt": f"You are a {role.lower()} specialised in {category}. Answer precisely and cite sources.",
        "category": category,
        "tags": f"{category},{role.lower()}",
        "links": [],
        "use_cases": [
            {"title": f"{category.title()} {role.lower()}", "description": f"Use it for {category} tasks."}
        ],
        "status": "approved",
    }


async def usage_report(sim: Simulator, caller: Caller, request: Request) -> Reply:
    if not sim.settings.enable_usage_report:
        raise APIError(404, "Not Found")
    await sim.check_rate(caller)
    logs = await sim.store.list_logs(caller.user_id)
    return Reply(scheduler.usage_report(logs, dict(request.query_params), sim.clock.now()))


# -- legacy scheduling (reference b.11) -----------------------------------------------------------------
async def schedule_create(sim: Simulator, caller: Caller, payload: Any) -> Reply:
    if not sim.settings.enable_scheduling:
        raise APIError(404, "Not Found")
    await sim.admit(
        caller, endpoint="/v1/swarm/schedule", models=_model_names(sim, _get(payload, "agents") or [])
    )
    spec = parse(SwarmSpec, payload)
    return Reply(await scheduler.schedule(sim, caller, spec, _execute_swarm))


async def schedule_list(sim: Simulator, caller: Caller, request: Request) -> Reply:
    if not sim.settings.enable_scheduling:
        raise APIError(404, "Not Found")
    await sim.check_rate(caller)
    return Reply(await scheduler.list_jobs(sim, caller, _execute_swarm))


async def schedule_delete(sim: Simulator, caller: Caller, request: Request) -> Reply:
    if not sim.settings.enable_scheduling:
        raise APIError(404, "Not Found")
    await sim.check_rate(caller)
    return Reply(await scheduler.cancel(sim, caller, request.path_params["job_id"]))
