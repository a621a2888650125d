"""OpenAI-compatible routes: POST /v1/chat/completions (JSON or SSE), GET /v1/models and
GET /v1/models/{model}."""

from __future__ import annotations

import asyncio
from typing import Any

from pydantic import ValidationError
from starlette.requests import Request

from mockswarms.engine import models_catalog, workflows
from mockswarms.engine.simulator import Caller, Simulator
from mockswarms.errors import APIError, OpenAIError
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
from mockswarms.shapes.discovery import OpenAIModel, OpenAIModelList
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
    # Tool calls without text: ``"content": null``, as OpenAI answers them (clients test for None).
    content = None if run.tool_calls and not run.text else run.text
    message: ChatResponseMessage = {"role": "assistant", "content": content}
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
        include_usage = (
            isinstance(req.stream_options, dict) and req.stream_options.get("include_usage") is True
        )
        stream = stream_responses.chat_stream(sim, caller, body, run, cost, include_usage=include_usage)
        return Reply(stream=stream)
    return Reply(body)


def _model_object(name: str) -> OpenAIModel:
    return {"id": name, "object": "model", "created": 0, "owned_by": models_catalog.owner_of(name)}


async def models_openai(sim: Simulator, caller: Caller, request: Request) -> Reply:
    await sim.check_rate(caller, openai=True)
    body: OpenAIModelList = {
        "object": "list",
        "data": [_model_object(n) for n in visible_models(sim, caller)],
    }
    return Reply(body)


async def model_openai(sim: Simulator, caller: Caller, request: Request) -> Reply:
    """``GET /v1/models/{model}`` (the SDK's ``models.retrieve``): the model object the list shows this
    caller, else OpenAI's 404 ``model_not_found`` (prism answers any id: it refuses nothing schema-valid)."""
    await sim.check_rate(caller, openai=True)
    name = request.path_params["model"]
    if sim.settings.semantic_validation and name not in visible_models(sim, caller):
        message = f"The model '{name}' does not exist"
        # OpenAI types this 404 invalid_request_error (OpenAIError would say not_found_error).
        error = {
            "message": message,
            "type": "invalid_request_error",
            "param": "model",
            "code": "model_not_found",
        }
        raise APIError(404, body={"error": error})
    body: OpenAIModel = _model_object(name)
    return Reply(body)
