"""OpenAI-compatible routes: POST /v1/chat/completions (JSON or SSE) and GET /v1/models."""

from __future__ import annotations

import asyncio
from typing import Any

from pydantic import ValidationError
from starlette.requests import Request

from mockswarms.engine import models_catalog, workflows
from mockswarms.engine.simulator import Caller, Simulator
from mockswarms.errors import OpenAIError
from mockswarms.http import stream_responses
from mockswarms.http.endpoints.pipeline import (
    Reply,
    agent_rate_cost,
    body_field,
    check_prompt,
    fail_on_model_error,
    visible_models,
)
from mockswarms.shapes.chat import ChatCompletionResponse, ChatResponseMessage
from mockswarms.shapes.discovery import OpenAIModelList
from mockswarms.shapes.requests import ChatCompletionRequest


async def chat_completion(sim: Simulator, caller: Caller, payload: Any) -> Reply:
    model = body_field(payload, "model")
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
    run = await asyncio.to_thread(workflows.run_chat, req, sim.llm, strict=sim.settings.semantic_validation)
    check_prompt(sim, caller, run)
    fail_on_model_error(run, openai=True)
    _, cost = agent_rate_cost(sim, run, images=run.images)
    completion_id = sim.entropy.ids.chat_completion()
    created = int(sim.clock.timestamp())
    message: ChatResponseMessage = {"role": "assistant", "content": run.text}
    if run.tool_calls:
        message["tool_calls"] = [dict(call) for call in run.tool_calls]
    body: ChatCompletionResponse = {
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
    caller.fold_charge = True  # one charge: settled with the reply's journal entry (routes)
    await sim.charge(caller, cost, body, [], openai=True)
    if req.stream and sim.settings.streaming:
        return Reply(stream=stream_responses.chat_stream(sim, caller, body, run, cost))
    return Reply(body)


async def models_openai(sim: Simulator, caller: Caller, request: Request) -> Reply:
    await sim.check_rate(caller, openai=True)
    body: OpenAIModelList = {
        "object": "list",
        "data": [
            {"id": name, "object": "model", "created": 0, "owned_by": models_catalog.owner_of(name)}
            for name in visible_models(sim, caller)
        ],
    }
    return Reply(body)
