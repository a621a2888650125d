"""Advanced research: POST /v1/advanced-research/completions and its batch form."""

from __future__ import annotations

import asyncio
from typing import Any

from mockswarms.engine import billing, workflows
from mockswarms.engine.simulator import Caller, Simulator
from mockswarms.http.endpoints.pipeline import Reply, check_prompt, fail_on_model_error, parse, require_legacy
from mockswarms.shapes.requests import AdvancedResearchBatchRequest, AdvancedResearchRequest
from mockswarms.shapes.workflows import AdvancedResearchOutput


async def _research_one(
    sim: Simulator, caller: Caller, req: AdvancedResearchRequest
) -> AdvancedResearchOutput:
    run = await asyncio.to_thread(
        workflows.run_advanced_research, req, sim.llm, strict=sim.settings.semantic_validation
    )
    check_prompt(sim, caller, run)
    fail_on_model_error(run)
    usage, cost = billing.research_usage(run.input_tokens, run.output_tokens, settings=sim.settings)
    config = req.config
    body: AdvancedResearchOutput = {
        "id": sim.entropy.ids.uuid(),
        "name": (config.name if config else None) or "Advanced Research",
        "description": (config.description if config else None) or "Advanced Research",
        "outputs": run.output,
        "timestamp": sim.timestamp(),
        "sources": (config.exa_search_num_results if config else None) or 2,
        "characters_per_source": (config.exa_search_max_characters if config else None) or 100,
        "usage": usage,
    }
    await sim.charge(caller, cost, body, [])
    return body


async def advanced_research(sim: Simulator, caller: Caller, payload: Any) -> Reply:
    require_legacy(sim)
    await sim.admit(caller, endpoint="/v1/advanced-research/completions", models=[])
    return Reply(await _research_one(sim, caller, parse(AdvancedResearchRequest, payload)))


async def advanced_research_batch(sim: Simulator, caller: Caller, payload: Any) -> Reply:
    require_legacy(sim)
    await sim.admit(caller, endpoint="/v1/advanced-research/batch/completions", models=[])
    req = parse(AdvancedResearchBatchRequest, payload)
    return Reply([await _research_one(sim, caller, item) for item in req.input_schemas])
