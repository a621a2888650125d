"""Generate the OpenAPI 3.1 contract from the request models (``shapes/requests.py``) and the response
shapes (``shapes/<family>.py``).

Why ~850 lines: most of it is :data:`OPERATIONS`, one declarative entry per endpoint; the generator
itself is the last ~250 lines.

One source of truth: the shapes in ``mockswarms.shapes``. :func:`build_openapi` returns the document;
``mockswarms openapi`` prints or writes it, ``--check`` fails when the checked-in file drifts.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter
from pydantic.json_schema import JsonSchemaMode

from mockswarms.config import Settings
from mockswarms.contract import CONTRACT_PATH, FULL_CONTRACT_PATH
from mockswarms.contract.dashboard_paths import dashboard_paths
from mockswarms.limits import MAX_IMAGES, MAX_LIST_ITEMS, MAX_MODEL_CALLS
from mockswarms.shapes import requests as rq
from mockswarms.shapes import responses as rs

__all__ = [
    "OPERATIONS",
    "Operation",
    "SSEEvent",
    "add_parser",
    "build_openapi",
    "render",
    "run_openapi_command",
]

REF = "#/components/schemas/{model}"
_WORK_RULE = (
    f"the run makes at most {MAX_MODEL_CALLS:,} simulated model calls (agents x loops x tasks x samples)"
)
# A body or request shape: a pydantic model (requests) or a TypedDict / RootModel (responses).
Shape = type[Any]
# The contract describes the default settings (the docs profile): the batch cap is a setting.
_AGENT_BATCH_MAX: int = Settings.model_fields["agent_batch_max"].default
OPENAPI_VERSION = "3.1.0"
API_VERSION = "2026.07"


@dataclass(frozen=True)
class SSEEvent:
    """One Server-Sent Event a streaming response may carry (``event: None`` = data-only frame)."""

    event: str | None
    model: Shape | None  # None: the literal ``[DONE]`` sentinel
    description: str


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    operation_id: str
    summary: str
    tag: str
    responses: tuple[Shape, ...]  # anyOf of the 200 body variants (first = current shape)
    request: Shape | None = None
    request_array: bool = False  # the body is a bare JSON array of ``request`` items
    request_max_items: int | None = None  # a bare-array body's cap (400 for the agent batch, else 422)
    # Rules of the docs/legacy server that JSON Schema cannot say (they relate several fields): written in
    # the description; a schema-valid body that breaks one is answered 400.
    cross_field_rules: tuple[str, ...] = ()
    request_example: Any = None
    auth: str = "required"  # "required" | "optional" (public discovery endpoints)
    errors: tuple[int, ...] = (401, 403, 404, 422, 429, 500)
    openai_errors: bool = False
    sse: tuple[SSEEvent, ...] = ()
    premium: bool = False
    optional: str | None = None  # the setting that enables it; such operations are in the full contract only
    control: bool = False
    description: str = ""
    parameters: tuple[dict[str, Any], ...] = field(default_factory=tuple)


_POST_ERRORS = (400, 401, 402, 403, 404, 413, 422, 429, 500)

_AGENT_SSE = (
    SSEEvent(None, rs.AgentSSEMetadata, "first frame, no `event:` line"),
    SSEEvent("start", rs.AgentSSEStart, "processing started"),
    SSEEvent("chunk", rs.AgentSSEChunk, "a piece of generated text"),
    SSEEvent("usage", rs.AgentUsage, "token counts and cost"),
    SSEEvent("end", rs.AgentSSEEnd, "terminal summary"),
    SSEEvent("done", rs.AgentSSEDone, "stream complete"),
    SSEEvent("error", rs.AgentSSEError, "sent instead of usage/end/done on failure"),
    SSEEvent("metadata", rs.AgentSSELegacyMetadata, "legacy format (agent_sse_format=legacy)"),
    SSEEvent("usage", rs.AgentSSELegacyUsage, "legacy format usage"),
    SSEEvent("done", rs.AgentSSELegacyDone, "legacy format end"),
)
_SWARM_SSE = (
    SSEEvent("metadata", rs.SwarmSSEMetadata, "once, first"),
    SSEEvent("start", rs.SwarmSSEStart, "once, before the agents"),
    SSEEvent("agent_start", rs.SwarmSSEAgentStart, "per-token format: once per agent"),
    SSEEvent("chunk", rs.SwarmSSEChunk, "per-token format (SequentialWorkflow, AgentRearrange)"),
    SSEEvent("agent_end", rs.SwarmSSEAgentEnd, "per-token format: once per agent"),
    SSEEvent("status", rs.SwarmSSEStatus, "coarse format: progress"),
    SSEEvent("chunk", rs.SwarmSSECoarseChunk, "coarse format: the whole swarm output"),
    SSEEvent("usage", rs.SwarmSSEUsage, "once, near the end"),
    SSEEvent("end", rs.SwarmSSEEnd, "terminal"),
    SSEEvent("done", rs.SwarmSSEDone, "optional trailing event (swarm_sse_done)"),
    SSEEvent("error", rs.SwarmSSEError, "failure"),
)
_CHAT_SSE = (
    SSEEvent(None, rs.ChatCompletionChunk, "`data:`-only chat.completion.chunk frames"),
    SSEEvent(None, None, "`data: [DONE]` sentinel"),
)

_AGENT_EXAMPLE = {"agent_config": {"agent_name": "Researcher", "model_name": "gpt-4o"}, "task": "Summarize X"}
_SWARM_EXAMPLE = {
    "name": "Research pipeline",
    "swarm_type": "SequentialWorkflow",
    "task": "Summarize the state of quantum computing",
    "agents": [
        {"agent_name": "Researcher", "model_name": "gpt-4o", "system_prompt": "Research the topic."},
        {"agent_name": "Writer", "model_name": "gpt-4o", "system_prompt": "Write a summary."},
    ],
}

OPERATIONS: tuple[Operation, ...] = (
    Operation("GET", "/", "getRoot", "Welcome message", "discovery", (rs.RootResponse,), auth="optional"),
    Operation(
        "GET", "/health", "checkHealth", "Health check", "discovery", (rs.HealthResponse,), auth="optional"
    ),
    Operation("GET", "/openapi.json", "getOpenAPI", "This contract", "discovery", (), auth="optional"),
    Operation(
        "POST",
        "/v1/agent/completions",
        "runAgent",
        "Run one agent",
        "agents",
        (rs.AgentCompletionOutput,),
        request=rq.AgentRunRequest,
        request_example=_AGENT_EXAMPLE,
        errors=_POST_ERRORS,
        sse=_AGENT_SSE,
        description="Streams (SSE) when `stream` or `agent_config.streaming_on` is true.",
    ),
    Operation(
        "POST",
        "/v1/agent/batch/completions",
        "runAgentBatch",
        "Run up to 10 agent completions",
        "agents",
        (rs.AgentBatchEnvelope, rs.AgentBatchLegacyList),
        request=rq.AgentCompletion,
        request_array=True,
        request_max_items=_AGENT_BATCH_MAX,
        request_example=[_AGENT_EXAMPLE],
        errors=_POST_ERRORS,
        premium=True,
        description=f"At most {_AGENT_BATCH_MAX} items (400 beyond). An item the single-agent endpoint would "
        "refuse (no agent name …) fails alone: `success: false` with its error, inside the 200.",
    ),
    Operation(
        "GET",
        "/v1/agents/list",
        "listAgents",
        "Agent configurations used so far",
        "agents",
        (rs.AgentsListResponse,),
    ),
    Operation(
        "POST",
        "/v1/agents/auto-generate",
        "autoGenerateAgent",
        "Generate an agent config",
        "agents",
        (rs.AutoGenerateResponse,),
        request=rq.AutoGenerateRequest,
        request_example={"task": "Analyse AI companies"},
        errors=_POST_ERRORS,
        optional="enable_auto_generate",
    ),
    Operation(
        "POST",
        "/v1/swarm/completions",
        "runSwarm",
        "Run a swarm",
        "swarms",
        (rs.SwarmCompletionOutput, rs.LegacySwarmCompletionOutput),
        request=rq.SwarmRunRequest,
        request_example=_SWARM_EXAMPLE,
        errors=_POST_ERRORS,
        sse=_SWARM_SSE,
        description="Streams (SSE) when `stream` is true.",
        cross_field_rules=(
            "with `swarm_type` AgentRearrange (or `auto` choosing it), `rearrange_flow` names only agents "
            "declared in `agents` (`A -> B, C`: steps split by `->`, parallel agents by `,`, no empty step)",
            "with `swarm_type` GraphWorkflow, the graph rules of `/v1/graph-workflow/completions`",
            _WORK_RULE,
        ),
    ),
    Operation(
        "POST",
        "/v1/swarm/batch/completions",
        "runSwarmBatch",
        "Run several swarms",
        "swarms",
        (rs.SwarmBatchResponse,),
        request=rq.SwarmSpec,
        request_array=True,
        request_max_items=MAX_LIST_ITEMS,
        request_example=[_SWARM_EXAMPLE],
        errors=_POST_ERRORS,
        premium=True,
        description="An item the single-swarm endpoint would refuse (no task, no agents …) fails alone: "
        "`status: error` with its `detail`, inside the 200.",
    ),
    Operation(
        "GET",
        "/v1/swarm/logs",
        "getSwarmLogs",
        "Completion logs of the user",
        "swarms",
        (rs.SwarmLogsResponse,),
    ),
    Operation(
        "GET",
        "/v1/swarms/available",
        "listSwarmTypes",
        "Available swarm types",
        "discovery",
        (rs.SwarmsAvailableResponse,),
        auth="optional",
    ),
    Operation(
        "POST",
        "/v1/swarm/schedule",
        "scheduleSwarm",
        "Schedule a swarm (legacy)",
        "scheduling",
        (rs.ScheduleCreateResponse,),
        request=rq.ScheduleRequest,
        cross_field_rules=("`schedule.scheduled_time` is an ISO-8601 instant",),
        errors=_POST_ERRORS,
        optional="enable_scheduling",
    ),
    Operation(
        "GET",
        "/v1/swarm/schedule",
        "listScheduledSwarms",
        "Scheduled jobs (legacy)",
        "scheduling",
        (rs.ScheduleListResponse,),
        optional="enable_scheduling",
    ),
    Operation(
        "DELETE",
        "/v1/swarm/schedule/{job_id}",
        "cancelScheduledSwarm",
        "Cancel a job (legacy)",
        "scheduling",
        (rs.ScheduleCancelResponse,),
        optional="enable_scheduling",
        parameters=({"name": "job_id", "in": "path", "required": True, "schema": {"type": "string"}},),
    ),
    Operation(
        "GET",
        "/v1/models/available",
        "listAvailableModels",
        "Model names",
        "discovery",
        (rs.ModelsAvailableResponse,),
        auth="optional",
    ),
    Operation(
        "GET",
        "/v1/models",
        "listModels",
        "Models, OpenAI list format",
        "openai",
        (rs.OpenAIModelList,),
        openai_errors=True,
    ),
    Operation(
        "GET",
        "/v1/models/{model}",
        "retrieveModel",
        "One model, OpenAI format (404 model_not_found for a model the list does not show the caller)",
        "openai",
        (rs.OpenAIModel,),
        openai_errors=True,
        parameters=({"name": "model", "in": "path", "required": True, "schema": {"type": "string"}},),
    ),
    Operation(
        "POST",
        "/v1/chat/completions",
        "createChatCompletion",
        "OpenAI-compatible chat",
        "openai",
        (rs.ChatCompletionResponse,),
        request=rq.ChatCompletionRequest,
        request_example={"model": "gpt-4o", "messages": [{"role": "user", "content": "Hello"}]},
        errors=_POST_ERRORS,
        openai_errors=True,
        sse=_CHAT_SSE,
        description="Streams `chat.completion.chunk` frames then `data: [DONE]` when `stream` is true.",
        cross_field_rules=(f"at most {MAX_IMAGES} `image_url` content parts over all `messages`",),
    ),
    Operation(
        "POST",
        "/v1/reasoning-agent/completions",
        "runReasoningAgent",
        "Run a reasoning agent",
        "reasoning",
        (rs.ReasoningAgentOutput,),
        request=rq.ReasoningAgentRequest,
        request_example={"task": "Is 97 prime?", "swarm_type": "self-consistency"},
        errors=_POST_ERRORS,
        cross_field_rules=(_WORK_RULE,),
        premium=True,
    ),
    Operation(
        "GET",
        "/v1/reasoning-agent/types",
        "listReasoningAgentTypes",
        "Reasoning agent types",
        "reasoning",
        (rs.ReasoningAgentTypesResponse,),
    ),
    Operation(
        "GET",
        "/v1/rate/limits",
        "getRateLimits",
        "Limits and current usage",
        "account",
        (rs.RateLimitsResponse,),
    ),
    Operation(
        "POST",
        "/v1/auto-swarm-builder/completions",
        "runAutoSwarmBuilder",
        "Build a swarm",
        "auto-swarm-builder",
        (rs.AutoSwarmBuilderOutput,),
        request=rq.AutoSwarmBuilderRequest,
        request_example={"task": "Write a market report", "execution_type": "return-agents"},
        errors=_POST_ERRORS,
    ),
    Operation(
        "GET",
        "/v1/auto-swarm-builder/execution-types",
        "listExecutionTypes",
        "ASB execution types",
        "auto-swarm-builder",
        (rs.AutoSwarmBuilderExecutionTypes,),
    ),
    Operation(
        "POST",
        "/v1/advanced-research/completions",
        "runAdvancedResearch",
        "Research session",
        "advanced-research",
        (rs.AdvancedResearchOutput,),
        request=rq.AdvancedResearchRequest,
        request_example={"config": {"name": "Market Research"}, "task": "AI market analysis"},
        errors=_POST_ERRORS,
        cross_field_rules=(_WORK_RULE,),
    ),
    Operation(
        "POST",
        "/v1/advanced-research/batch/completions",
        "runAdvancedResearchBatch",
        "Batch of research sessions",
        "advanced-research",
        (rs.AdvancedResearchBatchResponse,),
        request=rq.AdvancedResearchBatchRequest,
        request_example={"input_schemas": [{"config": None, "task": "AI market analysis"}]},
        errors=_POST_ERRORS,
        cross_field_rules=(_WORK_RULE,),
    ),
    Operation(
        "GET", "/v1/tools/available", "listTools", "Built-in tools", "discovery", (rs.ToolsAvailableResponse,)
    ),
    Operation(
        "POST",
        "/v1/marketplace/agents",
        "listMarketplaceAgents",
        "Free marketplace agents",
        "marketplace",
        (rs.MarketplaceAgentsResponse,),
        request=rq.MarketplaceAgentsRequest,
        request_example={"number_of_items": 5},
        errors=_POST_ERRORS,
    ),
    Operation(
        "POST",
        "/v1/batched-grid-workflow/completions",
        "runBatchedGridWorkflow",
        "Every agent on every task",
        "workflows",
        (rs.BatchedGridWorkflowOutput,),
        request=rq.BatchedGridWorkflowRequest,
        request_example={
            "agent_completions": [{"agent_name": "Analyst"}],
            "tasks": ["Review phones"],
            "max_loops": 1,
        },
        errors=_POST_ERRORS,
        cross_field_rules=(_WORK_RULE,),
        premium=True,
    ),
    Operation(
        "POST",
        "/v1/graph-workflow/completions",
        "runGraphWorkflow",
        "Run a DAG of agents",
        "workflows",
        (rs.GraphWorkflowOutput,),
        request=rq.GraphWorkflowRequest,
        request_example={
            "agents": [{"agent_name": "A"}, {"agent_name": "B"}],
            "edges": [{"source": "A", "target": "B"}],
            "task": "Research then analyse",
        },
        errors=_POST_ERRORS,
        premium=True,
        cross_field_rules=(
            "agent names are unique",
            "every edge `source`/`target` and every `entry_points`/`end_points` item names a declared agent",
            "the edges form no cycle",
            _WORK_RULE,
        ),
    ),
    Operation(
        "GET",
        "/v1/usage/costs",
        "getUsageCosts",
        "Current unit prices",
        "account",
        (rs.UsageCostsResponse, rs.UsageCostsFlat),
    ),
    Operation(
        "GET",
        "/v1/usage/report",
        "getUsageReport",
        "Daily usage (not live by default)",
        "account",
        (rs.UsageReportResponse,),
        errors=(400, 401, 403, 404, 422, 429, 500),
        optional="enable_usage_report",
        parameters=(
            {
                "name": "period",
                "in": "query",
                "required": False,
                "schema": {"type": "string", "enum": ["day", "week", "month"], "default": "month"},
            },
            {
                "name": "start_date",
                "in": "query",
                "required": False,
                "schema": {"type": "string", "format": "date"},
            },
            {
                "name": "end_date",
                "in": "query",
                "required": False,
                "schema": {"type": "string", "format": "date"},
            },
        ),
    ),
    Operation(
        "GET", "/v1/account/credits", "getCredits", "Credit balances", "account", (rs.CreditsResponse,)
    ),
    Operation(
        "GET",
        "/v1/metrics/summary",
        "getMetricsSummary",
        "Completion counts",
        "account",
        (rs.MetricsSummaryResponse,),
    ),
)

# Control API (/__mockswarms/*): in the contract only when asked (setting control_api_in_contract).
_ANY_OBJECT: dict[str, Any] = {"type": "object"}
_CONTROL: tuple[tuple[str, str, str, str, str | None], ...] = (
    # method, path, operationId, summary, JSON body ("required" | "optional" | None)
    ("POST", "/__mockswarms/reset", "controlReset", "Reset all state to the start", "optional"),
    ("GET", "/__mockswarms/settings", "controlGetSettings", "Current settings", None),
    ("PUT", "/__mockswarms/settings", "controlPutSettings", "Change settings (or the profile)", "required"),
    ("DELETE", "/__mockswarms/settings", "controlResetSettings", "Back to the start-up settings", None),
    ("GET", "/__mockswarms/clock", "controlGetClock", "Read the simulator clock", None),
    ("PUT", "/__mockswarms/clock", "controlSetClock", "Set or advance the clock", "required"),
    ("GET", "/__mockswarms/accounts", "controlListAccounts", "Every account", None),
    ("GET", "/__mockswarms/accounts/{key}", "controlGetAccount", "Read an account", None),
    ("PUT", "/__mockswarms/accounts/{key}", "controlPutAccount", "Create or update an account", "required"),
    ("GET", "/__mockswarms/journal", "controlJournal", "Every request seen (ring buffer)", None),
    ("DELETE", "/__mockswarms/journal", "controlClearJournal", "Empty the journal", None),
    ("GET", "/__mockswarms/violations", "controlViolations", "Contract violations by clients", None),
    ("DELETE", "/__mockswarms/violations", "controlClearViolations", "Forget recorded violations", None),
    ("GET", "/__mockswarms/faults", "controlListFaults", "Active fault rules", None),
    ("POST", "/__mockswarms/faults", "controlAddFault", "Add a fault rule", "required"),
    ("DELETE", "/__mockswarms/faults", "controlClearFaults", "Remove every fault rule", None),
    ("DELETE", "/__mockswarms/faults/{rule_id}", "controlDeleteFault", "Remove one fault rule", None),
    ("GET", "/__mockswarms/fixtures", "controlGetFixtures", "Active fixture rules and the last reload", None),
    ("POST", "/__mockswarms/fixtures", "controlAddFixtures", "Add fixture rules", "required"),
    ("DELETE", "/__mockswarms/fixtures", "controlClearFixtures", "Remove added fixture rules", None),
    ("POST", "/__mockswarms/fixtures/reload", "controlReloadFixtures", "Reload fixture files", None),
)

_RATE_HEADERS: dict[str, dict[str, Any]] = {
    "X-RateLimit-Limit-Minute": {
        "description": "Per-minute request limit of the tier",
        "schema": {"type": "integer"},
    },
    "X-RateLimit-Remaining-Minute": {
        "description": "Requests left in the current minute window",
        "schema": {"type": "integer"},
    },
    "X-RateLimit-Limit-Day": {
        "description": "Per-day request limit of the tier",
        "schema": {"type": "integer"},
    },
    "X-RateLimit-Remaining-Day": {
        "description": "Requests left in the current day window",
        "schema": {"type": "integer"},
    },
    "X-RateLimit-Reset": {
        "description": "Unix seconds when the minute window resets",
        "schema": {"type": "integer"},
    },
    "X-RateLimit-Tier": {"description": "`free` or `premium`", "schema": {"type": "string"}},
}
_RETRY_AFTER = {
    "description": "Seconds until the window resets (429 only)",
    "required": True,
    "schema": {"type": "integer", "minimum": 0},
}

_ERROR_TEXT = {
    400: "Semantic validation error (exact texts per reference)",
    401: "Missing API key (or invalid, when auth_invalid_status=401)",
    402: "Insufficient credits (total_credits at or below the threshold), checked before any work",
    403: "Invalid API key, or a premium endpoint/model on the free tier",
    404: "Not found (also: endpoint disabled by a setting)",
    413: "Request body too large",
    422: "Request body does not match the schema (FastAPI-style detail list)",
    429: "Rate limit exceeded",
    500: "Internal error",
}
_ERROR_EXAMPLES = {
    400: {"detail": "ERROR: BATCH SIZE EXCEEDED - You can only run up to 10 batch agents at a time."},
    401: {"detail": "API key is required"},
    402: {
        "detail": "Insufficient credits. Please add more credits to continue using the API. Visit "
        "https://swarms.world/platform/account to purchase additional credits and ensure "
        "uninterrupted service."
    },
    403: {"detail": "Invalid API Key"},
    404: {"detail": "Not Found"},
    413: {"detail": "Request body too large"},
    422: {"detail": [{"type": "missing", "loc": ["body", "model"], "msg": "Field required"}]},
    429: {
        "detail": "Rate limit exceeded for minute window(s). Upgrade to Premium for increased limits "
        "(2,000/min, 10,000/hour, 100,000/day) at https://swarms.world/platform/account for "
        "just $99/month."
    },
    500: {"detail": "An unexpected error occurred"},
}

# Every model that ends up in components.schemas, in a fixed order.
_EXTRA_MODELS: tuple[Shape, ...] = (
    rs.ErrorDetail,
    rs.HTTPValidationError,
    rs.PremiumErrorResponse,
    rs.OpenAIErrorResponse,
)


def _ref(model: Shape) -> dict[str, str]:
    return {"$ref": REF.format(model=model.__name__)}


def _one_or_any(models: tuple[Shape, ...]) -> dict[str, Any]:
    if len(models) == 1:
        return _ref(models[0])
    return {"anyOf": [_ref(m) for m in models]}


def _collect_models(operations: list[Operation]) -> list[Shape]:
    seen: dict[str, Shape] = {}

    def add(model: Shape | None) -> None:
        if model is not None and model.__name__ not in seen:
            seen[model.__name__] = model

    for op in operations:
        add(op.request)
        for m in op.responses:
            add(m)
        for event in op.sse:
            add(event.model)
    for m in _EXTRA_MODELS:
        add(m)
    return list(seen.values())


def _schemas(models: list[Shape]) -> dict[str, Any]:
    mode: JsonSchemaMode = "validation"
    adapters = [(m.__name__, mode, TypeAdapter(m)) for m in models]
    _, top = TypeAdapter.json_schemas(adapters, ref_template=REF)
    defs: dict[str, Any] = top.get("$defs", {})
    return {name: defs[name] for name in sorted(defs)}


def _error_response(status: int, openai: bool) -> dict[str, Any]:
    if openai:
        schema: dict[str, Any] = {"anyOf": [_ref(rs.OpenAIErrorResponse), _ref(rs.ErrorDetail)]}
        example: Any = {
            "error": {
                "message": _ERROR_TEXT[status],
                "type": "invalid_request_error",
                "code": None,
                "param": None,
            }
        }
    elif status == 403:
        schema = {"anyOf": [_ref(rs.ErrorDetail), _ref(rs.PremiumErrorResponse)]}
        example = _ERROR_EXAMPLES[status]
    elif status == 422:
        schema = {"anyOf": [_ref(rs.HTTPValidationError), _ref(rs.ErrorDetail)]}
        example = _ERROR_EXAMPLES[status]
    else:
        schema = _ref(rs.ErrorDetail)
        example = _ERROR_EXAMPLES[status]
    response: dict[str, Any] = {
        "description": _ERROR_TEXT[status],
        "content": {"application/json": {"schema": schema, "example": example}},
    }
    if status == 429:
        response["headers"] = {**_header_refs(), "Retry-After": {"$ref": "#/components/headers/Retry-After"}}
    return response


def _error_name(status: int, openai: bool) -> str:
    return f"{'OpenAI' if openai else ''}Error{status}"


def _error_ref(status: int, openai: bool) -> dict[str, str]:
    return {"$ref": f"#/components/responses/{_error_name(status, openai)}"}


def _header_refs() -> dict[str, dict[str, str]]:
    return {name: {"$ref": f"#/components/headers/{name}"} for name in _RATE_HEADERS}


def _sse_content(events: tuple[SSEEvent, ...]) -> dict[str, Any]:
    """One schema per event (``{event?, data, id?, retry?}``, as Schemathesis reads a stream): ``data`` is a
    string whose JSON payload must match the event's model (``contentMediaType``/``contentSchema``)."""
    by_name: dict[str | None, list[SSEEvent]] = {}
    for event in events:
        by_name.setdefault(event.event, []).append(event)
    branches: list[dict[str, Any]] = []
    for name, group in by_name.items():
        models = tuple(dict.fromkeys(e.model for e in group if e.model is not None))
        data: dict[str, Any] = {
            "type": "string",
            "contentMediaType": "application/json",
            "contentSchema": _one_or_any(models),
        }
        if any(e.model is None for e in group):  # the literal `[DONE]` sentinel
            data = {"anyOf": [{"const": "[DONE]"}, data]}
        branch: dict[str, Any] = {
            "type": "object",
            "description": "; ".join(e.description for e in group),
            "properties": {"data": data},
            "required": ["data"],
        }
        if name is None:  # data-only frame: SSE readers report it as event type "message"
            branch["properties"] = {"event": {"const": "message"}, "data": data}
        else:
            branch["properties"] = {"event": {"const": name}, "data": data}
            branch["required"] = ["event", "data"]
        branches.append(branch)
    return {"schema": {"anyOf": branches, "description": "One Server-Sent Event"}}


def _error_components(operations: list[Operation]) -> dict[str, Any]:
    wanted = {(status, op.openai_errors) for op in operations for status in op.errors}
    wanted |= {(status, False) for status in (400, 401, 403, 404, 422, 429)}  # the control API's
    return {_error_name(status, openai): _error_response(status, openai) for status, openai in sorted(wanted)}


def _operation(op: Operation) -> dict[str, Any]:
    out: dict[str, Any] = {
        "operationId": op.operation_id,
        "summary": op.summary,
        "tags": [op.tag],
    }
    if op.description or op.premium or op.cross_field_rules:
        text = op.description
        if op.cross_field_rules:
            rules = "; ".join(op.cross_field_rules)
            text = (text + " " if text else "") + f"Beyond the schema (400): {rules}."
        if op.premium:
            text = (text + " " if text else "") + "Premium tiers only (free tier: 403)."
        out["description"] = text
    if op.parameters:
        out["parameters"] = [dict(p) for p in op.parameters]
    if op.auth == "optional":
        out["security"] = [{}, {"ApiKeyAuth": []}, {"BearerAuth": []}]
    if op.request is not None:
        schema: dict[str, Any] = _ref(op.request)
        if op.request_array:
            schema = {"type": "array", "items": schema}
            if op.request_max_items is not None:
                schema["maxItems"] = op.request_max_items
        media: dict[str, Any] = {"schema": schema}
        if op.request_example is not None:
            media["example"] = op.request_example
        out["requestBody"] = {"required": True, "content": {"application/json": media}}

    ok_content: dict[str, Any] = {}
    if op.responses:
        ok_media: dict[str, Any] = {"schema": _one_or_any(op.responses)}
        ok_content["application/json"] = ok_media
    else:  # /openapi.json: any JSON object
        ok_content["application/json"] = {"schema": {"type": "object"}}
    if op.sse:
        ok_content["text/event-stream"] = _sse_content(op.sse)
    ok: dict[str, Any] = {"description": "Success", "content": ok_content}
    if op.auth == "required":
        ok["headers"] = _header_refs()
    responses: dict[str, Any] = {"200": ok}
    for status in op.errors:
        responses[str(status)] = _error_ref(status, op.openai_errors)
    out["responses"] = responses
    return out


def _control_operation(op_id: str, summary: str, body: str | None, path: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "operationId": op_id,
        "summary": summary,
        "tags": ["control"],
        "security": [{}, {"AdminBearer": []}],
    }
    params = [p.strip("{}") for p in path.split("/") if p.startswith("{")]
    if params:
        out["parameters"] = [
            {"name": p, "in": "path", "required": True, "schema": {"type": "string"}} for p in params
        ]
    if body is not None:
        out["requestBody"] = {
            "required": body == "required",
            "content": {"application/json": {"schema": _ANY_OBJECT}},
        }
    out["responses"] = {
        "200": {"description": "Success", "content": {"application/json": {"schema": _ANY_OBJECT}}},
        "400": _error_ref(400, False),
        "401": _error_ref(401, False),  # with --admin-token set, a call without it
        "403": _error_ref(403, False),
        "404": _error_ref(404, False),
        "422": _error_ref(422, False),
    }
    return out


def build_openapi(*, include_control: bool = False, include_optional: bool = False) -> dict[str, Any]:
    """The OpenAPI 3.1 document. Default: the endpoints live in the ``docs`` profile."""
    operations = [op for op in OPERATIONS if include_optional or op.optional is None]
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op)
    if include_control:
        for method, path, op_id, summary, body in _CONTROL:
            paths.setdefault(path, {})[method.lower()] = _control_operation(op_id, summary, body, path)
        for path, item in dashboard_paths().items():
            paths.setdefault(path, {}).update(item)
    if include_optional:
        # Stateful testing: a scheduled job can be cancelled by the id the schedule call returned.
        schedule = paths["/v1/swarm/schedule"]["post"]
        schedule["responses"]["200"]["links"] = {
            "CancelScheduledSwarm": {
                "operationId": "cancelScheduledSwarm",
                "parameters": {"job_id": "$response.body#/job_id"},
            }
        }

    security_schemes: dict[str, Any] = {
        "ApiKeyAuth": {"type": "apiKey", "in": "header", "name": "x-api-key"},
        "BearerAuth": {"type": "http", "scheme": "bearer", "description": "The API key as a bearer token"},
    }
    if include_control:
        security_schemes["AdminBearer"] = {
            "type": "http",
            "scheme": "bearer",
            "description": "--admin-token, when set",
        }
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "Swarms API (mockswarms contract)",
            "version": API_VERSION,
            "description": "The Swarms Cloud API (api.swarms.world) as simulated by mockswarms. Generated "
            "from mockswarms.shapes.requests and mockswarms.shapes.responses; do not edit.",
        },
        "servers": [{"url": "https://api.swarms.world"}, {"url": "http://127.0.0.1:8000"}],
        "security": [{"ApiKeyAuth": []}, {"BearerAuth": []}],
        "tags": [{"name": t} for t in dict.fromkeys(op.tag for op in operations)]
        + ([{"name": "control"}] if include_control else []),
        "paths": paths,
        "components": {
            "schemas": _schemas(_collect_models(operations)),
            "responses": _error_components(operations),
            "headers": {**_RATE_HEADERS, "Retry-After": _RETRY_AFTER},
            "securitySchemes": security_schemes,
        },
    }


def render(document: dict[str, Any]) -> str:
    """Deterministic text: insertion-ordered keys, indent 2, trailing newline."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _targets() -> list[tuple[Path, dict[str, Any]]]:
    return [
        (CONTRACT_PATH, build_openapi()),
        (FULL_CONTRACT_PATH, build_openapi(include_control=True, include_optional=True)),
    ]


def run_openapi_command(args: argparse.Namespace) -> int:
    full = bool(getattr(args, "full", False))
    if args.check:
        drifted = [
            str(path)
            for path, doc in _targets()
            if not path.exists() or path.read_text(encoding="utf-8") != render(doc)
        ]
        for name in drifted:
            print(
                f"contract drift: {name} does not match the models (run `mockswarms openapi --write`)",
                file=sys.stderr,
            )
        return 1 if drifted else 0
    if args.write:
        for path, doc in _targets():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(render(doc), encoding="utf-8")
            print(f"wrote {path}", file=sys.stderr)
        return 0
    text = render(build_openapi(include_control=full, include_optional=full))
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``mockswarms openapi [--output FILE] [--full] [--check] [--write]``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "openapi", help="print the OpenAPI contract generated from the models"
    )
    parser.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of stdout")
    parser.add_argument(
        "--full", action="store_true", help="include the control API and the switch-enabled endpoints"
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit 1 when the checked-in contracts/ files drift from the models",
    )
    parser.add_argument("--write", action="store_true", help="regenerate the checked-in contracts/ files")
    parser.set_defaults(handler=run_openapi_command)
    return parser
