"""Workflow bodies: graph and batched-grid workflows, the reasoning agent, the auto-swarm-builder,
advanced research."""

from __future__ import annotations

from typing import Annotated, Any, Literal, NotRequired

from pydantic import ConfigDict, with_config
from typing_extensions import TypedDict

from mockswarms.shapes.agents import AgentUsage
from mockswarms.shapes.body import ABSENT, OUT

__all__ = [
    "AdvancedResearchOutput",
    "AdvancedResearchUsage",
    "AutoSwarmBuilderOutput",
    "BatchedGridWorkflowOutput",
    "GraphWorkflowOutput",
    "ReasoningAgentOutput",
    "ReasoningUsage",
    "WorkflowUsage",
]


@with_config(OUT)
class WorkflowUsage(TypedDict):
    input_tokens: int
    output_tokens: int
    total_tokens: int
    token_cost: float
    cost_per_agent: float


@with_config(
    ConfigDict(
        extra="allow",
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
        },
    )
)
class BatchedGridWorkflowOutput(TypedDict):
    """Every key required in the SDK (reference §h)."""

    job_id: str
    name: str
    description: str
    status: Literal["success", "error"]
    outputs: list[dict[str, Any]] | list[Any]
    usage: WorkflowUsage
    timestamp: str


@with_config(
    ConfigDict(
        extra="allow",
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
        },
    )
)
class GraphWorkflowOutput(TypedDict):
    job_id: str
    name: str | None
    description: str | None
    status: str
    outputs: dict[str, Any] | list[Any] | str | None
    usage: WorkflowUsage
    timestamp: str


@with_config(OUT)
class ReasoningUsage(TypedDict):
    input_tokens: int
    output_tokens: int
    total_tokens: int
    total_cost: NotRequired[Annotated[float | None, ABSENT]]  # sent by /v1/reasoning-agent/completions


@with_config(OUT)
class ReasoningAgentOutput(TypedDict):
    job_id: str
    status: str
    outputs: Any
    timestamp: str
    agent_name: str | None
    agent_type: str | None
    agent_id: str | None
    usage: ReasoningUsage | None


@with_config(
    ConfigDict(
        extra="allow",
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
        },
    )
)
class AutoSwarmBuilderOutput(TypedDict):
    """``success`` is the one key the SDK requires (reference §h)."""

    success: bool
    job_id: NotRequired[Annotated[str | None, ABSENT]]
    outputs: NotRequired[Annotated[dict[str, Any] | list[Any] | str | None, ABSENT]]
    type: NotRequired[Annotated[str | None, ABSENT]]
    timestamp: NotRequired[Annotated[str | None, ABSENT]]
    usage: NotRequired[Annotated[AgentUsage | None, ABSENT]]  # priced at agent rates


@with_config(OUT)
class AdvancedResearchUsage(TypedDict):
    input_tokens: int
    output_tokens: int
    total_tokens: int
    total_cost_usd: float


@with_config(
    ConfigDict(
        extra="allow",
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
        },
    )
)
class AdvancedResearchOutput(TypedDict):
    id: str | None
    name: str | None
    description: str | None
    outputs: Any
    timestamp: str
    sources: int | None
    characters_per_source: int | None
    usage: AdvancedResearchUsage | None
