"""Catalogue endpoints: swarm types, models, tools, marketplace agents (deterministic listings)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request

from mockswarms.engine import models_catalog
from mockswarms.engine.legacy_views import SWARM_TYPES_2025
from mockswarms.engine.simulator import Caller, Simulator
from mockswarms.http.endpoints.pipeline import Reply, parse, require_legacy, visible_models
from mockswarms.shapes.discovery import (
    MarketplaceAgentsResponse,
    MarketplacePrompt,
    ModelsAvailableResponse,
    SwarmsAvailableResponse,
    ToolsAvailableResponse,
)
from mockswarms.shapes.requests import DOCS_SWARM_TYPES, MarketplaceAgentsRequest


async def swarms_available(sim: Simulator, caller: Caller, request: Request) -> Reply:
    await sim.check_rate(caller)
    types = list(DOCS_SWARM_TYPES if sim.settings.available_swarm_types == "docs" else SWARM_TYPES_2025)
    body: SwarmsAvailableResponse = {
        "success": True,
        "status": True,
        "swarm_types": types,
        "timestamp": sim.timestamp(),
    }
    return Reply(body)


async def models_available(sim: Simulator, caller: Caller, request: Request) -> Reply:
    await sim.check_rate(caller)
    models = visible_models(sim, caller)
    body: ModelsAvailableResponse = {"success": True, "count": len(models), "models": models}
    return Reply(body)


async def tools_available(sim: Simulator, caller: Caller, request: Request) -> Reply:
    await sim.check_rate(caller)
    body: ToolsAvailableResponse = {"status": "success", "tools": list(models_catalog.TOOLS)}
    return Reply(body)


async def marketplace_agents(sim: Simulator, caller: Caller, payload: Any) -> Reply:
    require_legacy(sim)
    await sim.check_rate(caller)
    req = parse(MarketplaceAgentsRequest, payload)
    count = 10 if req.number_of_items is None else req.number_of_items
    prompts = [_marketplace_prompt(sim, index) for index in range(count)]
    body: MarketplaceAgentsResponse = {
        "status": "success",
        "prompts": prompts,
        "total_count": len(prompts),
        "timestamp": sim.timestamp(),
    }
    return Reply(body)


_CATEGORIES = ("research", "content", "coding", "finance", "healthcare", "education", "legal")
_ROLES = ("Analyst", "Writer", "Reviewer", "Planner", "Researcher", "Summarizer", "Advisor")


def _marketplace_prompt(sim: Simulator, index: int) -> MarketplacePrompt:
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
