"""Response bodies of every endpoint, as pydantic v2 models (the contract is generated from these).

Shapes are the documented ones (reference §b, with the §i recommendations), filled so that the
official SDKs' strict validation passes (§h): keys the SDKs declare required-but-nullable are
required here too; unknown extra keys are allowed (``extra="allow"`` → no ``additionalProperties:
false``), as the SDKs allow them. Wire numbers are ``float``/``int``: money is computed as
``Decimal`` in the domain and serialised as a JSON number.

Where a profile switch changes a shape (legacy agent batch list, legacy swarm layout, flat usage
costs, old premium 403), the old variant has its own model; :data:`OPERATION_RESPONSES` in
``contract/openapi.py`` documents both as ``anyOf``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, RootModel

__all__ = [
    "AdvancedResearchBatchResponse",
    "AdvancedResearchOutput",
    "AdvancedResearchUsage",
    "AgentBatchEnvelope",
    "AgentBatchItemError",
    "AgentBatchLegacyList",
    "AgentCompletionOutput",
    "AgentOutputMessage",
    "AgentSSEChunk",
    "AgentSSEDone",
    "AgentSSEEnd",
    "AgentSSEError",
    "AgentSSELegacyDone",
    "AgentSSELegacyMetadata",
    "AgentSSELegacyUsage",
    "AgentSSEMetadata",
    "AgentSSEStart",
    "AgentUsage",
    "AgentsListResponse",
    "AutoGenerateResponse",
    "AutoSwarmBuilderExecutionTypes",
    "AutoSwarmBuilderOutput",
    "BatchedGridWorkflowOutput",
    "BillingInfo",
    "ChatChoice",
    "ChatChunkChoice",
    "ChatChunkDelta",
    "ChatCompletionChunk",
    "ChatCompletionResponse",
    "ChatResponseMessage",
    "ChatUsage",
    "CostBreakdown",
    "CreditsResponse",
    "ErrorDetail",
    "HTTPValidationError",
    "HealthResponse",
    "LegacyBillingInfo",
    "LegacySwarmCompletionOutput",
    "LegacySwarmMetadata",
    "LogEntry",
    "MarketplaceAgentsResponse",
    "MarketplacePrompt",
    "MetricsSummaryResponse",
    "ModelsAvailableResponse",
    "OpenAIError",
    "OpenAIErrorResponse",
    "OpenAIModel",
    "OpenAIModelList",
    "PremiumError",
    "PremiumErrorResponse",
    "RateLimitWindow",
    "RateLimits",
    "RateLimitsResponse",
    "RateLimitsWindows",
    "ReasoningAgentOutput",
    "ReasoningAgentTypesResponse",
    "ReasoningUsage",
    "RootResponse",
    "ScheduleCancelResponse",
    "ScheduleCreateResponse",
    "ScheduleListResponse",
    "ScheduledJob",
    "SwarmBatchItemError",
    "SwarmBatchItemSuccess",
    "SwarmBatchResponse",
    "SwarmCompletionOutput",
    "SwarmLogsResponse",
    "SwarmSSEAgentEnd",
    "SwarmSSEAgentStart",
    "SwarmSSEChunk",
    "SwarmSSECoarseChunk",
    "SwarmSSEDone",
    "SwarmSSEEnd",
    "SwarmSSEError",
    "SwarmSSEMetadata",
    "SwarmSSEStart",
    "SwarmSSEStatus",
    "SwarmSSEUsage",
    "SwarmUsage",
    "SwarmsAvailableResponse",
    "TokenCounts",
    "ToolsAvailableResponse",
    "UsageCostsFlat",
    "UsageCostsResponse",
    "UsagePricing",
    "UsageReportDay",
    "UsageReportResponse",
    "ValidationErrorItem",
    "WorkflowUsage",
]


class _Out(BaseModel):
    """Base of every response body: extra keys allowed (the SDKs allow them)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


# ---------------------------------------------------------------------------------------- errors


class ErrorDetail(_Out):
    """FastAPI-style error: ``{"detail": "..."}`` (400, 401, 402, 403, 404, 405, 413, 429, 500).

    ``detail`` is an object for advanced-research validation errors (``{"error_code", "message"}``)
    and a list for schema validation errors (:class:`HTTPValidationError`).
    """

    model_config = ConfigDict(json_schema_extra={"examples": [{"detail": "API key is required"}]})

    detail: str | list[dict[str, Any]] | dict[str, Any]


class ValidationErrorItem(_Out):
    type: str
    loc: list[str | int]
    msg: str
    input: Any = None


class HTTPValidationError(_Out):
    """FastAPI 422: a list of ``{type, loc, msg, input?}`` items."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"detail": [{"type": "missing", "loc": ["body", "model"], "msg": "Field required"}]}]
        }
    )

    detail: list[ValidationErrorItem]


class PremiumError(_Out):
    type: str
    message: str
    detail: str
    status_code: int
    upgrade_url: str
    documentation: str


class PremiumErrorResponse(_Out):
    """403 for a premium endpoint on the free tier (current shape, reference §c)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "error": {
                        "type": "premium_access_required",
                        "message": "Premium subscription required",
                        "detail": "Access to Batch Agent Completions requires a premium subscription.",
                        "status_code": 403,
                        "upgrade_url": "https://swarms.world/platform/account",
                        "documentation": "https://docs.swarms.ai",
                    }
                }
            ]
        }
    )

    error: PremiumError


class OpenAIError(_Out):
    message: str
    type: str
    code: str | None
    param: str | None


class OpenAIErrorResponse(_Out):
    """Errors of ``/v1/chat/completions`` and ``/v1/models`` (OpenAI format)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "error": {
                        "message": "At least one message with role 'user' is required.",
                        "type": "invalid_request_error",
                        "code": "invalid_request",
                        "param": None,
                    }
                }
            ]
        }
    )

    error: OpenAIError


# ------------------------------------------------------------------------------------ discovery


class RootResponse(_Out):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"status": "Welcome to the Swarm API. Check out the docs at https://docs.swarms.world"}
            ]
        }
    )

    status: str


class HealthResponse(_Out):
    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "ok"}]})

    status: str


class SwarmsAvailableResponse(_Out):
    """Superset of the SDK shape and the 2026 docs shape (reference §i row 6)."""

    success: bool
    status: bool
    swarm_types: list[str]
    timestamp: str


class ModelsAvailableResponse(_Out):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"success": True, "count": 2, "models": ["gpt-4.1", "gpt-4.1-mini"]}]}
    )

    success: bool
    count: int
    models: list[str]


class OpenAIModel(_Out):
    id: str
    object: Literal["model"]
    created: int
    owned_by: str


class OpenAIModelList(_Out):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "object": "list",
                    "data": [{"id": "gpt-4.1", "object": "model", "created": 0, "owned_by": "openai"}],
                }
            ]
        }
    )

    object: Literal["list"]
    data: list[OpenAIModel]


class ToolsAvailableResponse(_Out):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"status": "success", "tools": ["auto_search", "web_scraper"]}]}
    )

    status: str
    tools: list[str]


class ReasoningAgentTypesResponse(_Out):
    status: str
    agent_types: list[str]


class AutoSwarmBuilderExecutionTypes(RootModel[list[str]]):
    """A bare JSON array (the SDK's ``List[str]``)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [["return-agents", "return-swarm-router-config", "return-agents-objects"]]
        }
    )


# --------------------------------------------------------------------------------------- agents


class AgentUsage(_Out):
    input_tokens: int
    output_tokens: int
    total_tokens: int
    img_cost: float | None = None
    total_cost: float | None = None


class AgentOutputMessage(_Out):
    role: str
    content: Any
    timestamp: str | None = None
    message_id: str | None = None


class AgentCompletionOutput(_Out):
    """``POST /v1/agent/completions`` (reference b.3). ``outputs`` is a message list in 2026 docs."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "job_id": "agent-09a9c0f9ba19419abf64f5538b4b7d59",
                    "success": True,
                    "name": "Vision Analyst",
                    "description": "AI agent with image analysis capabilities",
                    "temperature": 0.5,
                    "outputs": [
                        {
                            "role": "Vision Analyst",
                            "content": "This image is of Hong Kong.",
                            "timestamp": "2026-02-05T00:58:15.121915",
                            "message_id": "85b70f9d-e281-4a98-b9ad-5a2d39f8ffcb",
                        }
                    ],
                    "usage": {
                        "input_tokens": 57,
                        "output_tokens": 101,
                        "total_tokens": 158,
                        "img_cost": 0.25,
                        "total_cost": 0.252239,
                    },
                    "timestamp": "2026-02-05T00:58:15.252392+00:00",
                }
            ]
        }
    )

    job_id: str | None
    success: bool
    name: str | None
    description: str | None
    temperature: float | None
    outputs: list[AgentOutputMessage] | str | dict[str, Any] | None
    usage: AgentUsage | None
    timestamp: str


class AgentBatchItemError(_Out):
    """A failed item inside an agent batch (``{"success": false, "error", "timestamp"}``)."""

    success: Literal[False]
    error: str
    timestamp: str | None = None


class AgentBatchEnvelope(_Out):
    """``POST /v1/agent/batch/completions`` (envelope, SDK-safe; reference §i row 9)."""

    batch_id: str
    total_requests: int
    execution_time: float
    timestamp: str
    results: list[AgentCompletionOutput | AgentBatchItemError]


class AgentBatchLegacyList(RootModel[list[AgentCompletionOutput | AgentBatchItemError]]):
    """Legacy agent batch (``agent_batch_shape=list``): a bare array of agent outputs."""


class AgentsListResponse(_Out):
    success: bool
    count: int
    agents: list[dict[str, Any]]
    timestamp: str


class AutoGenerateResponse(_Out):
    """``POST /v1/agents/auto-generate`` (switch ``enable_auto_generate``)."""

    agent_config: dict[str, Any]


# --------------------------------------------------------------------------------------- swarms


class TokenCounts(_Out):
    total_input_tokens: int
    total_output_tokens: int
    total_tokens: int


class CostBreakdown(_Out):
    agent_cost: float
    input_token_cost: float
    output_token_cost: float
    token_counts: TokenCounts
    num_agents: int
    night_time_discount_applied: bool


class BillingInfo(_Out):
    cost_breakdown: CostBreakdown
    total_cost: float
    discount_active: bool
    discount_type: Literal["night_time", "none"]
    discount_percentage: float


class LegacyBillingInfo(_Out):
    """2025 ``billing_info`` (legacy profile): no discount summary; ``per_agent`` token counts."""

    cost_breakdown: CostBreakdown
    total_cost: float


class SwarmUsage(_Out):
    input_tokens: int
    output_tokens: int
    total_tokens: int
    billing_info: BillingInfo | LegacyBillingInfo


class SwarmCompletionOutput(_Out):
    """``POST /v1/swarm/completions``, current layout (reference b.7). TS: every key present."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "job_id": "swarms-A17nZFDesmLHxCRoeyF3NVYvPaXk",
                    "status": "success",
                    "swarm_name": "Adaptive Content Creation",
                    "description": "Dynamic content creation",
                    "swarm_type": "AgentRearrange",
                    "output": [
                        {"role": "Research Specialist", "content": "My research on machine learning..."}
                    ],
                    "number_of_agents": 1,
                    "execution_time": 38.2,
                    "service_tier": "standard",
                    "usage": {
                        "input_tokens": 45,
                        "output_tokens": 2800,
                        "total_tokens": 2845,
                        "billing_info": {
                            "cost_breakdown": {
                                "agent_cost": 0.01,
                                "input_token_cost": 0.000293,
                                "output_token_cost": 0.0518,
                                "token_counts": {
                                    "total_input_tokens": 45,
                                    "total_output_tokens": 2800,
                                    "total_tokens": 2845,
                                },
                                "num_agents": 1,
                                "night_time_discount_applied": False,
                            },
                            "total_cost": 0.062093,
                            "discount_active": False,
                            "discount_type": "none",
                            "discount_percentage": 0,
                        },
                    },
                }
            ]
        }
    )

    job_id: str | None
    status: str | None
    swarm_name: str | None
    description: str | None
    swarm_type: str | None
    output: Any
    number_of_agents: int | None
    execution_time: float | None
    service_tier: str | None
    usage: SwarmUsage | None


class LegacySwarmMetadata(_Out):
    max_loops: int | None = None
    num_agents: int
    execution_time_seconds: float
    completion_time: str | None = None
    billing_info: dict[str, Any] | None = None


class LegacySwarmCompletionOutput(_Out):
    """Swarm completion, 2025 layout (``swarm_response_layout=legacy``): ``metadata``, no ``job_id``."""

    status: str
    swarm_name: str | None
    description: str | None
    swarm_type: str | None
    task: str | None = None
    output: Any
    metadata: LegacySwarmMetadata


class SwarmBatchItemSuccess(_Out):
    status: Literal["success"]
    swarm_name: str | None
    result: Any
    usage: SwarmUsage | None


class SwarmBatchItemError(_Out):
    """A failed swarm inside a batch; the HTTP status stays 200."""

    status: Literal["error"]
    swarm_name: str | None
    detail: str


class SwarmBatchResponse(
    RootModel[list[SwarmBatchItemSuccess | SwarmBatchItemError | LegacySwarmCompletionOutput]]
):
    """``POST /v1/swarm/batch/completions``: a JSON array in request order (SDK ``List[Dict]``)."""


class LogEntry(_Out):
    id: int | str
    created_at: str
    api_key: str
    category: str
    data: dict[str, Any]


class SwarmLogsResponse(_Out):
    status: str
    count: int | None
    logs: list[LogEntry]
    timestamp: str


# --------------------------------------------------------------------------- chat (OpenAI format)


class ChatResponseMessage(_Out):
    role: Literal["assistant"]
    content: str | None


class ChatChoice(_Out):
    index: int
    message: ChatResponseMessage
    finish_reason: str | None


class ChatUsage(_Out):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class ChatCompletionResponse(_Out):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "chatcmpl-a1b2c3d4e5f6789012345678901",
                    "object": "chat.completion",
                    "created": 1711300000,
                    "model": "gpt-4.1",
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": "Quantum..."},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {"prompt_tokens": 42, "completion_tokens": 128, "total_tokens": 170},
                }
            ]
        }
    )

    id: str
    object: Literal["chat.completion"]
    created: int
    model: str
    choices: list[ChatChoice]
    usage: ChatUsage


class ChatChunkDelta(_Out):
    role: Literal["assistant"] | None = None
    content: str | None = None


class ChatChunkChoice(_Out):
    index: int
    delta: ChatChunkDelta
    finish_reason: str | None


class ChatCompletionChunk(_Out):
    """One ``data:`` frame of a streamed chat completion (then ``data: [DONE]``)."""

    id: str
    object: Literal["chat.completion.chunk"]
    created: int
    model: str
    choices: list[ChatChunkChoice]
    usage: ChatUsage | None = None  # only on the extra usage chunk (stream_options.include_usage)


# ---------------------------------------------------------------------------- reasoning agents


class ReasoningUsage(_Out):
    input_tokens: int
    output_tokens: int
    total_tokens: int


class ReasoningAgentOutput(_Out):
    job_id: str
    status: str
    outputs: Any
    timestamp: str
    agent_name: str | None
    agent_type: str | None
    agent_id: str | None
    usage: ReasoningUsage | None


# ------------------------------------------------------------------------------------- limits


class RateLimitWindow(_Out):
    count: int
    exceeded: bool
    limit: int
    remaining: int
    reset_time: str


class RateLimitsWindows(_Out):
    minute: RateLimitWindow
    hour: RateLimitWindow
    day: RateLimitWindow


class RateLimits(_Out):
    maximum_requests_per_minute: int
    maximum_requests_per_hour: int
    maximum_requests_per_day: int
    tokens_per_agent: int


class RateLimitsResponse(_Out):
    success: bool
    rate_limits: RateLimitsWindows
    limits: RateLimits
    tier: str
    timestamp: str


# ------------------------------------------------------------------------- auto swarm builder


class AutoSwarmBuilderOutput(_Out):
    """``success`` is the one key the SDK requires (reference §h)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "success": True,
                    "outputs": {
                        "agents": [
                            {
                                "agent_name": "Researcher",
                                "description": "Conducts research on specified topics",
                                "system_prompt": "...",
                                "model_name": "gpt-4.1",
                            }
                        ]
                    },
                }
            ]
        }
    )

    success: bool
    job_id: str | None = None
    outputs: dict[str, Any] | list[Any] | str | None = None
    type: str | None = None
    timestamp: str | None = None
    usage: dict[str, Any] | None = None


# ------------------------------------------------------------------------- advanced research


class AdvancedResearchUsage(_Out):
    input_tokens: int
    output_tokens: int
    total_tokens: int
    total_cost_usd: float


class AdvancedResearchOutput(_Out):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "1b4e28ba-2fa1-41d2-883f-0016d3cca427",
                    "name": "Market Research",
                    "description": "AI market analysis",
                    "outputs": "Research results...",
                    "timestamp": "2024-01-01T00:00:00Z",
                    "sources": 2,
                    "characters_per_source": 100,
                    "usage": {
                        "input_tokens": 1500,
                        "output_tokens": 800,
                        "total_tokens": 2300,
                        "total_cost_usd": 0.078,
                    },
                }
            ]
        }
    )

    id: str | None
    name: str | None
    description: str | None
    outputs: Any
    timestamp: str
    sources: int | None
    characters_per_source: int | None
    usage: AdvancedResearchUsage | None


class AdvancedResearchBatchResponse(RootModel[list[AdvancedResearchOutput]]):
    """A bare JSON array of single responses (SDK ``List[...]``)."""


# ------------------------------------------------------------------------------- marketplace


class MarketplacePrompt(_Out):
    id: str
    created_at: str
    user_id: str
    name: str | None = None
    description: str | None = None
    prompt: str | None = None
    category: str | list[str] | None = None
    tags: str | None = None
    links: list[dict[str, Any] | str] | None = None
    use_cases: dict[str, Any] | list[Any] | None = None
    status: str | None = None


class MarketplaceAgentsResponse(_Out):
    prompts: list[MarketplacePrompt]
    total_count: int
    status: str | None = None
    timestamp: str | None = None


# --------------------------------------------------------------------------------- workflows


class WorkflowUsage(_Out):
    input_tokens: int
    output_tokens: int
    total_tokens: int
    token_cost: float
    cost_per_agent: float


class BatchedGridWorkflowOutput(_Out):
    """Every key required in the SDK (reference §h)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "job_id": "batched-grid-workflow-XyZ123AbC456",
                    "name": "Product Review Analysis Grid",
                    "description": "Multiple analysts reviewing multiple product categories",
                    "status": "success",
                    "outputs": [{"Technical Analyst": "Smartphone Market Analysis: ..."}],
                    "usage": {
                        "input_tokens": 450,
                        "output_tokens": 4850,
                        "total_tokens": 5300,
                        "token_cost": 0.0803,
                        "cost_per_agent": 0.03,
                    },
                    "timestamp": "2025-01-12T10:30:45.123456Z",
                }
            ]
        }
    )

    job_id: str
    name: str
    description: str
    status: Literal["success", "error"]
    outputs: list[dict[str, Any]] | list[Any]
    usage: WorkflowUsage
    timestamp: str


class GraphWorkflowOutput(_Out):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "job_id": "graph-workflow-abc123xyz",
                    "name": "Research-Analysis-Workflow",
                    "description": "A simple sequential workflow for research and analysis",
                    "status": "success",
                    "outputs": {
                        "ResearchAgent": "Research findings on AI trends...",
                        "AnalysisAgent": "Analysis of research findings...",
                    },
                    "usage": {
                        "input_tokens": 1250,
                        "output_tokens": 3200,
                        "total_tokens": 4450,
                        "token_cost": 0.04,
                        "cost_per_agent": 0.02,
                    },
                    "timestamp": "2024-01-15T10:30:45.123456+00:00",
                }
            ]
        }
    )

    job_id: str
    name: str | None
    description: str | None
    status: str
    outputs: dict[str, Any] | list[Any] | str | None
    usage: WorkflowUsage
    timestamp: str


# ---------------------------------------------------------------------------- billing, account


class UsagePricing(_Out):
    swarm_completions_agent_cost: float
    swarm_completions_input_cost_per_1m: float
    swarm_completions_output_cost_per_1m: float
    agent_completions_input_cost_per_1m: float
    agent_completions_output_cost_per_1m: float
    agent_completions_img_cost: float
    agent_completions_mcp_cost: float
    search_cost: float
    scrape_cost: float
    night_time_discount: float


class UsageCostsResponse(_Out):
    """``GET /v1/usage/costs`` (wrapped, 2026-07-09+)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "usage_pricing": {
                        "swarm_completions_agent_cost": 0.01,
                        "swarm_completions_input_cost_per_1m": 6.5,
                        "swarm_completions_output_cost_per_1m": 18.5,
                        "agent_completions_input_cost_per_1m": 6.5,
                        "agent_completions_output_cost_per_1m": 18.5,
                        "agent_completions_img_cost": 0.25,
                        "agent_completions_mcp_cost": 0.1,
                        "search_cost": 0.04,
                        "scrape_cost": 0.15,
                        "night_time_discount": 0.5,
                    },
                    "timestamp": "2026-03-29T18:30:00+00:00",
                }
            ]
        }
    )

    usage_pricing: UsagePricing
    timestamp: str


class UsageCostsFlat(_Out):
    """``GET /v1/usage/costs`` before 2026-07-09 (``usage_costs_shape=flat``)."""

    swarm_completions_agent_cost: float
    swarm_completions_input_cost_per_1m: float
    swarm_completions_output_cost_per_1m: float
    agent_completions_input_cost_per_1m: float
    agent_completions_output_cost_per_1m: float
    agent_completions_img_cost: float
    agent_completions_mcp_cost: float
    night_time_discount: float
    frenzy_mode_active: bool


class CreditsResponse(_Out):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"credit": 50.0, "free_credit": 20.0, "referral_credits": 5.0, "total_credits": 75.0}
            ]
        }
    )

    credit: float
    free_credit: float
    referral_credits: float
    total_credits: float


class MetricsSummaryResponse(_Out):
    success: bool
    unique_agents: int
    total_completion_calls: int
    successful_completions: int
    completions_last_24h: int
    completions_last_7d: int
    timestamp: str


class UsageReportDay(_Out):
    day: str
    total_cost: float
    input_tokens: int
    output_tokens: int
    request_count: int


class UsageReportResponse(_Out):
    """``GET /v1/usage/report`` (switch ``enable_usage_report``; 404 by default)."""

    results: list[UsageReportDay]
    period: Literal["day", "week", "month", "custom"]
    start_date: str
    end_date: str
    timestamp: str


# ---------------------------------------------------------------------- scheduling (legacy)


class ScheduleCreateResponse(_Out):
    status: str
    message: str
    job_id: str
    scheduled_time: str
    timezone: str


class ScheduledJob(_Out):
    job_id: str
    swarm_name: str | None
    scheduled_time: str
    timezone: str


class ScheduleListResponse(_Out):
    status: str
    scheduled_jobs: list[ScheduledJob]


class ScheduleCancelResponse(_Out):
    status: str
    message: str
    job_id: str


# ------------------------------------------------------------------------- SSE event payloads


class AgentSSEMetadata(_Out):
    """First agent frame (no ``event:`` line)."""

    job_id: str
    success: bool
    name: str | None
    description: str | None
    temperature: float | None
    timestamp: str
    stream: Literal[True]
    type: Literal["metadata"]


class AgentSSEStart(_Out):
    message: str


class AgentSSEChunk(_Out):
    content: str
    timestamp: str | None = None  # absent in the legacy format


class AgentSSEEnd(_Out):
    job_id: str
    usage: AgentUsage
    timestamp: str
    complete: Literal[True]


class AgentSSEDone(_Out):
    message: str


class AgentSSEError(_Out):
    error: str
    timestamp: str | None = None
    message: str | None = None


class AgentSSELegacyMetadata(_Out):
    job_id: str
    name: str | None
    temperature: float | None = None


class AgentSSELegacyUsage(_Out):
    tokens_used: int
    cost: float


class AgentSSELegacyDone(_Out):
    status: Literal["finished"]


class SwarmSSEMetadata(_Out):
    job_id: str
    swarm_name: str | None
    swarm_type: str | None
    number_of_agents: int
    description: str | None = None
    service_tier: str | None = None
    status: str | None = None


class SwarmSSEStart(_Out):
    status: str | None = None
    message: str | None = None


class SwarmSSEAgentStart(_Out):
    agent: str


class SwarmSSEChunk(_Out):
    agent: str
    content: str


class SwarmSSEAgentEnd(_Out):
    agent: str


class SwarmSSEStatus(_Out):
    message: str
    input_tokens: int | None = None


class SwarmSSECoarseChunk(_Out):
    output: Any


class SwarmSSEUsage(_Out):
    input_tokens: int
    output_tokens: int
    total_tokens: int
    billing_info: dict[str, Any]


class SwarmSSEEnd(_Out):
    execution_time: float
    status: str | None = None


class SwarmSSEDone(_Out):
    message: str | None = None
    status: str | None = None


class SwarmSSEError(_Out):
    error: str
