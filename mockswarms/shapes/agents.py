"""Agent bodies: completions (JSON and SSE event payloads), batches, the agents list, auto-generate."""

from __future__ import annotations

from typing import Annotated, Any, Literal, NotRequired

from pydantic import ConfigDict, with_config
from typing_extensions import TypedDict

from mockswarms.shapes.body import ABSENT, OUT

__all__ = [
    "AgentBatchEnvelope",
    "AgentBatchItemError",
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
]


@with_config(OUT)
class AgentUsage(TypedDict):
    input_tokens: int
    output_tokens: int
    total_tokens: int
    img_cost: NotRequired[Annotated[float | None, ABSENT]]
    # Fees present only when charged: MCP calls (the [S1] name), the one search / scrape tool applied.
    mcp_url: NotRequired[Annotated[float | None, ABSENT]]
    search_cost: NotRequired[Annotated[float | None, ABSENT]]
    scrape_cost: NotRequired[Annotated[float | None, ABSENT]]
    total_cost: NotRequired[Annotated[float | None, ABSENT]]


@with_config(OUT)
class AgentOutputMessage(TypedDict):
    role: str
    content: Any
    timestamp: NotRequired[Annotated[str | None, ABSENT]]
    message_id: NotRequired[Annotated[str | None, ABSENT]]


@with_config(
    ConfigDict(
        extra="allow",
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
        },
    )
)
class AgentCompletionOutput(TypedDict):
    """``POST /v1/agent/completions`` (reference b.3). ``outputs`` is a message list in 2026 docs."""

    job_id: str | None
    id: NotRequired[Annotated[str | None, ABSENT]]  # = job_id, switch ``agent_response_id_field``
    success: bool
    name: str | None
    description: str | None
    temperature: float | None
    outputs: list[AgentOutputMessage] | str | dict[str, Any] | None
    usage: AgentUsage | None
    timestamp: str


@with_config(OUT)
class AgentBatchItemError(TypedDict):
    """A failed item inside an agent batch (``{"success": false, "error", "timestamp"}``)."""

    success: Literal[False]
    error: str
    timestamp: NotRequired[Annotated[str | None, ABSENT]]


@with_config(OUT)
class AgentBatchEnvelope(TypedDict):
    """``POST /v1/agent/batch/completions`` (envelope, SDK-safe; reference §i row 9)."""

    batch_id: str
    total_requests: int
    execution_time: float
    timestamp: str
    results: list[AgentCompletionOutput | AgentBatchItemError]


@with_config(OUT)
class AgentsListResponse(TypedDict):
    success: bool
    count: int
    agents: list[dict[str, Any]]
    timestamp: str


@with_config(OUT)
class AutoGenerateResponse(TypedDict):
    """``POST /v1/agents/auto-generate`` (switch ``enable_auto_generate``)."""

    agent_config: dict[str, Any]


@with_config(OUT)
class AgentSSEMetadata(TypedDict):
    """First agent frame (no ``event:`` line)."""

    job_id: str
    success: bool
    name: str | None
    description: str | None
    temperature: float | None
    timestamp: str
    stream: Literal[True]
    type: Literal["metadata"]


@with_config(OUT)
class AgentSSEStart(TypedDict):
    message: str


@with_config(OUT)
class AgentSSEChunk(TypedDict):
    content: str
    timestamp: NotRequired[Annotated[str | None, ABSENT]]  # absent in the legacy format


@with_config(OUT)
class AgentSSEEnd(TypedDict):
    job_id: str
    usage: AgentUsage
    timestamp: str
    complete: Literal[True]


@with_config(OUT)
class AgentSSEDone(TypedDict):
    message: str


@with_config(OUT)
class AgentSSEError(TypedDict):
    error: str
    timestamp: NotRequired[Annotated[str | None, ABSENT]]
    message: NotRequired[Annotated[str | None, ABSENT]]


@with_config(OUT)
class AgentSSELegacyMetadata(TypedDict):
    job_id: str
    name: str | None
    temperature: NotRequired[Annotated[float | None, ABSENT]]


@with_config(OUT)
class AgentSSELegacyUsage(TypedDict):
    tokens_used: int
    cost: float | None  # the usage's total_cost (null if a usage came without one)


@with_config(OUT)
class AgentSSELegacyDone(TypedDict):
    status: Literal["finished"]
