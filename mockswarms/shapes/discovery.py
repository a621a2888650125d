"""Discovery bodies: welcome, health, swarm types, models (both formats), tools, reasoning types,
auto-swarm-builder execution types, marketplace listings."""

from __future__ import annotations

from typing import Annotated, Any, Literal, NotRequired

from pydantic import ConfigDict, with_config
from typing_extensions import TypedDict

from mockswarms.shapes.body import ABSENT, OUT

__all__ = [
    "HealthResponse",
    "MarketplaceAgentsResponse",
    "MarketplacePrompt",
    "ModelsAvailableResponse",
    "OpenAIModel",
    "OpenAIModelList",
    "ReasoningAgentTypesResponse",
    "RootResponse",
    "SwarmsAvailableResponse",
    "ToolsAvailableResponse",
]


@with_config(
    ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {"status": "Welcome to the Swarm API. Check out the docs at https://docs.swarms.world"}
            ]
        },
    )
)
class RootResponse(TypedDict):
    status: str


@with_config(ConfigDict(extra="allow", json_schema_extra={"examples": [{"status": "ok"}]}))
class HealthResponse(TypedDict):
    status: str


@with_config(OUT)
class SwarmsAvailableResponse(TypedDict):
    """Superset of the SDK shape and the 2026 docs shape (reference §i row 6)."""

    success: bool
    status: bool
    swarm_types: list[str]
    timestamp: str


@with_config(
    ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [{"success": True, "count": 2, "models": ["gpt-4.1", "gpt-4.1-mini"]}]
        },
    )
)
class ModelsAvailableResponse(TypedDict):
    success: bool
    count: int
    models: list[str]


@with_config(OUT)
class OpenAIModel(TypedDict):
    id: str
    object: Literal["model"]
    created: int
    owned_by: str


@with_config(
    ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "object": "list",
                    "data": [{"id": "gpt-4.1", "object": "model", "created": 0, "owned_by": "openai"}],
                }
            ]
        },
    )
)
class OpenAIModelList(TypedDict):
    object: Literal["list"]
    data: list[OpenAIModel]


@with_config(
    ConfigDict(
        extra="allow",
        json_schema_extra={"examples": [{"status": "success", "tools": ["auto_search", "web_scraper"]}]},
    )
)
class ToolsAvailableResponse(TypedDict):
    status: str
    tools: list[str]


@with_config(OUT)
class ReasoningAgentTypesResponse(TypedDict):
    status: str
    agent_types: list[str]


@with_config(OUT)
class MarketplacePrompt(TypedDict):
    id: str
    created_at: str
    user_id: str
    name: NotRequired[Annotated[str | None, ABSENT]]
    description: NotRequired[Annotated[str | None, ABSENT]]
    prompt: NotRequired[Annotated[str | None, ABSENT]]
    category: NotRequired[Annotated[str | list[str] | None, ABSENT]]
    tags: NotRequired[Annotated[str | None, ABSENT]]
    links: NotRequired[Annotated[list[dict[str, Any] | str] | None, ABSENT]]
    use_cases: NotRequired[Annotated[dict[str, Any] | list[Any] | None, ABSENT]]
    status: NotRequired[Annotated[str | None, ABSENT]]


@with_config(OUT)
class MarketplaceAgentsResponse(TypedDict):
    prompts: list[MarketplacePrompt]
    total_count: int
    status: NotRequired[Annotated[str | None, ABSENT]]
    timestamp: NotRequired[Annotated[str | None, ABSENT]]
