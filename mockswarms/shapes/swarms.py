"""Swarm bodies: completions (both layouts, SSE event payloads), batches, logs, legacy scheduling."""

from __future__ import annotations

from typing import Annotated, Any, Literal, NotRequired

from pydantic import ConfigDict, with_config
from typing_extensions import TypedDict

from mockswarms.shapes.body import ABSENT, OUT

__all__ = [
    "BillingInfo",
    "CostBreakdown",
    "LegacyBillingInfo",
    "LegacySwarmCompletionOutput",
    "LegacySwarmMetadata",
    "LogEntry",
    "ScheduleCancelResponse",
    "ScheduleCreateResponse",
    "ScheduleListResponse",
    "ScheduledJob",
    "SwarmBatchItemError",
    "SwarmBatchItemSuccess",
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
    "TokenCounts",
]


@with_config(OUT)
class TokenCounts(TypedDict):
    total_input_tokens: int
    total_output_tokens: int
    total_tokens: int
    per_agent: NotRequired[Annotated[dict[str, dict[str, int]] | None, ABSENT]]  # legacy layout


@with_config(OUT)
class CostBreakdown(TypedDict):
    agent_cost: float
    input_token_cost: float
    output_token_cost: float
    token_counts: TokenCounts
    num_agents: int
    night_time_discount_applied: bool
    img_cost: NotRequired[Annotated[float | None, ABSENT]]  # only when images were charged
    service_tier: NotRequired[Annotated[str | None, ABSENT]]  # legacy layout


@with_config(OUT)
class BillingInfo(TypedDict):
    cost_breakdown: CostBreakdown
    total_cost: float
    discount_active: bool
    discount_type: Literal["night_time", "frenzy_mode", "none"]
    discount_percentage: float


@with_config(OUT)
class LegacyBillingInfo(TypedDict):
    """2025 ``billing_info`` (legacy profile): no discount summary; ``per_agent`` token counts."""

    cost_breakdown: CostBreakdown
    total_cost: float


@with_config(OUT)
class SwarmUsage(TypedDict):
    input_tokens: int
    output_tokens: int
    total_tokens: int
    billing_info: BillingInfo | LegacyBillingInfo


@with_config(
    ConfigDict(
        extra="allow",
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
        },
    )
)
class SwarmCompletionOutput(TypedDict):
    """``POST /v1/swarm/completions``, current layout (reference b.7). TS: every key present."""

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
    # The request's multi-task / conversation inputs, echoed when given.
    tasks: NotRequired[Annotated[list[str] | None, ABSENT]]
    messages: NotRequired[Annotated[list[dict[str, Any]] | dict[str, Any] | None, ABSENT]]


@with_config(OUT)
class LegacySwarmMetadata(TypedDict):
    max_loops: NotRequired[Annotated[int | None, ABSENT]]
    num_agents: int
    execution_time_seconds: float
    completion_time: NotRequired[Annotated[str | None, ABSENT]]
    billing_info: NotRequired[Annotated[LegacyBillingInfo | BillingInfo | None, ABSENT]]


@with_config(OUT)
class LegacySwarmCompletionOutput(TypedDict):
    """Swarm completion, 2025 layout (``swarm_response_layout=legacy``): ``metadata``, no ``job_id``."""

    status: str
    swarm_name: str | None
    description: str | None
    swarm_type: str | None
    task: NotRequired[Annotated[str | None, ABSENT]]
    output: Any
    metadata: LegacySwarmMetadata


@with_config(OUT)
class SwarmBatchItemSuccess(TypedDict):
    status: Literal["success"]
    swarm_name: str | None
    result: Any
    usage: SwarmUsage | None


@with_config(OUT)
class SwarmBatchItemError(TypedDict):
    """A failed swarm inside a batch; the HTTP status stays 200."""

    status: Literal["error"]
    swarm_name: str | None
    detail: str


@with_config(OUT)
class LogEntry(TypedDict):
    id: int | str
    created_at: str
    api_key: str
    category: str
    data: dict[str, Any]
    # What the row moved: the charge (a refund's is negative); the rows sum to the balance's drop.
    cost: NotRequired[Annotated[float | None, ABSENT]]


@with_config(OUT)
class SwarmLogsResponse(TypedDict):
    status: str
    count: int | None
    logs: list[LogEntry]
    timestamp: str


@with_config(OUT)
class ScheduleCreateResponse(TypedDict):
    status: str
    message: str
    job_id: str
    scheduled_time: str
    timezone: str


@with_config(OUT)
class ScheduledJob(TypedDict):
    job_id: str
    swarm_name: str | None
    scheduled_time: str
    timezone: str


@with_config(OUT)
class ScheduleListResponse(TypedDict):
    status: str
    scheduled_jobs: list[ScheduledJob]


@with_config(OUT)
class ScheduleCancelResponse(TypedDict):
    status: str
    message: str
    job_id: str


@with_config(OUT)
class SwarmSSEMetadata(TypedDict):
    job_id: str
    swarm_name: str | None
    swarm_type: str | None
    number_of_agents: int
    description: NotRequired[Annotated[str | None, ABSENT]]
    service_tier: NotRequired[Annotated[str | None, ABSENT]]
    status: NotRequired[Annotated[str | None, ABSENT]]


@with_config(OUT)
class SwarmSSEStart(TypedDict):
    status: NotRequired[Annotated[str | None, ABSENT]]
    message: NotRequired[Annotated[str | None, ABSENT]]


@with_config(OUT)
class SwarmSSEAgentStart(TypedDict):
    agent: str


@with_config(OUT)
class SwarmSSEChunk(TypedDict):
    agent: str
    content: str


@with_config(OUT)
class SwarmSSEAgentEnd(TypedDict):
    agent: str


@with_config(OUT)
class SwarmSSEStatus(TypedDict):
    message: str
    input_tokens: NotRequired[Annotated[int | None, ABSENT]]


@with_config(OUT)
class SwarmSSECoarseChunk(TypedDict):
    output: Any


@with_config(OUT)
class SwarmSSEUsage(TypedDict):
    input_tokens: int
    output_tokens: int
    total_tokens: int
    billing_info: BillingInfo | LegacyBillingInfo


@with_config(OUT)
class SwarmSSEEnd(TypedDict):
    execution_time: float
    status: NotRequired[Annotated[str | None, ABSENT]]
    output: NotRequired[Annotated[Any, ABSENT]]  # per-token streams when an output_type was asked for


@with_config(OUT)
class SwarmSSEDone(TypedDict):
    message: NotRequired[Annotated[str | None, ABSENT]]
    status: NotRequired[Annotated[str | None, ABSENT]]


@with_config(OUT)
class SwarmSSEError(TypedDict):
    error: str
