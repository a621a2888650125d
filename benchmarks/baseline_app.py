"""The bare baseline the simulator is measured against: Starlette + pydantic, no simulation.

Same routes, same request parsing work (the body is validated into a pydantic model) and responses
of the same size as the simulator's (sizes come from the environment, measured by ``run.py``), plus
a bare sse-starlette stream of the same number and size of events, and the issue's reference
endpoint: ``POST /v1/chat/completions`` validating a ~1 KB request of 21 fields with pydantic and
answering a 1 KB chat completion serialised with orjson.

Run: ``python benchmarks/baseline_app.py --port 8001`` (``run.py`` does this for you).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import AsyncIterator
from typing import Any

import orjson
import uvicorn
from pydantic import BaseModel, ConfigDict
from sse_starlette import EventSourceResponse
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

__all__ = ["CHAT_REQUEST", "app"]

AGENT_BYTES = int(os.environ.get("BENCH_AGENT_BYTES", "900"))
SWARM_BYTES = int(os.environ.get("BENCH_SWARM_BYTES", "1600"))
CHUNKS = int(os.environ.get("BENCH_CHUNKS", "200"))
CHUNK_TEXT = os.environ.get("BENCH_CHUNK_TEXT", "word ")


class AgentConfig(BaseModel):
    model_config = ConfigDict(extra="allow")
    agent_name: str | None = None
    model_name: str | None = None
    max_tokens: int | None = None


class AgentRequest(BaseModel):
    model_config = ConfigDict(extra="allow")
    agent_config: AgentConfig | None = None
    task: str | None = None
    stream: bool | None = None


class SwarmRequest(BaseModel):
    model_config = ConfigDict(extra="allow")
    swarm_type: str | None = None
    task: str | None = None
    agents: list[AgentConfig] | None = None


class ChatMessage(BaseModel):
    role: str
    content: str
    name: str | None = None


class ChatRequest(BaseModel):
    """The issue's reference body: an OpenAI chat-completion request, 21 fields validated."""

    model: str
    messages: list[ChatMessage]
    temperature: float | None = None
    top_p: float | None = None
    n: int | None = None
    stream: bool | None = None
    stop: list[str] | None = None
    max_tokens: int | None = None
    max_completion_tokens: int | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    logit_bias: dict[str, float] | None = None
    user: str | None = None
    seed: int | None = None
    tools: list[dict[str, Any]] | None = None
    tool_choice: str | None = None
    response_format: dict[str, Any] | None = None
    logprobs: bool | None = None
    top_logprobs: int | None = None
    parallel_tool_calls: bool | None = None
    service_tier: str | None = None


CHAT_REQUEST: dict[str, Any] = {  # ~1 KB, every one of the 21 fields set (run.py sends it)
    "model": "gpt-4o",
    "messages": [
        {"role": "system", "content": "You are a careful analyst who answers in three short paragraphs."},
        {
            "role": "user",
            "content": "Summarize the state of battery recycling: " + "capacity, cost, policy. " * 15,
        },
    ],
    "temperature": 0.2,
    "top_p": 0.9,
    "n": 1,
    "stream": False,
    "stop": ["\n\n\n"],
    "max_tokens": 400,
    "max_completion_tokens": 400,
    "presence_penalty": 0.0,
    "frequency_penalty": 0.0,
    "logit_bias": {"50256": -100},
    "user": "user-bench",
    "seed": 7,
    "tools": [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}],
    "tool_choice": "auto",
    "response_format": {"type": "text"},
    "logprobs": False,
    "top_logprobs": 0,
    "parallel_tool_calls": False,
    "service_tier": "default",
}
CHAT_RESPONSE_BYTES = 1024


def _chat_body(parsed: ChatRequest) -> bytes:
    body: dict[str, Any] = {
        "id": "chatcmpl-" + "0" * 24,
        "object": "chat.completion",
        "created": 1767268800,
        "model": parsed.model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": ""}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 120, "completion_tokens": 180, "total_tokens": 300},
    }
    filler = max(CHAT_RESPONSE_BYTES - len(orjson.dumps(body)), 0)
    body["choices"][0]["message"]["content"] = "x" * filler
    return orjson.dumps(body)


class Usage(BaseModel):
    input_tokens: int
    output_tokens: int
    total_tokens: int


class AgentResponse(BaseModel):
    job_id: str
    success: bool
    name: str | None
    description: str | None
    temperature: float | None
    outputs: list[dict[str, Any]]
    usage: Usage
    timestamp: str


def _padded(target: int, build: Any) -> bytes:
    """A response body of ``target`` bytes (the filler is sized once at start-up)."""
    body = build("")
    return build("x" * max(target - len(body), 0))


def _agent_body(filler: str) -> bytes:
    return (
        AgentResponse(
            job_id="agent-" + "0" * 32,
            success=True,
            name="Researcher",
            description=None,
            temperature=None,
            outputs=[{"role": "Researcher", "content": filler}],
            usage=Usage(input_tokens=10, output_tokens=100, total_tokens=110),
            timestamp="2026-01-01T12:00:00.000000+00:00",
        )
        .model_dump_json()
        .encode()
    )


AGENT_FILLER = len(_padded(AGENT_BYTES, _agent_body)) - len(_agent_body(""))
SWARM_FILLER = max(SWARM_BYTES - len(_agent_body("")), 0)


async def health(request: Request) -> Response:
    return Response(orjson.dumps({"status": "ok"}), media_type="application/json")


async def agent(request: Request) -> Response:
    parsed = AgentRequest.model_validate_json(await request.body())
    if parsed.stream:
        return EventSourceResponse(_events(parsed))
    return Response(_agent_body("x" * AGENT_FILLER), media_type="application/json")


async def swarm(request: Request) -> Response:
    SwarmRequest.model_validate_json(await request.body())
    return Response(_agent_body("x" * SWARM_FILLER), media_type="application/json")


async def chat(request: Request) -> Response:
    """Parse + validate 21 fields with pydantic, answer a 1 KB chat completion with orjson."""
    parsed = ChatRequest.model_validate_json(await request.body())
    return Response(_chat_body(parsed), media_type="application/json")


async def _events(parsed: AgentRequest) -> AsyncIterator[dict[str, str]]:
    yield {"data": orjson.dumps({"job_id": "agent-0", "success": True, "type": "metadata"}).decode()}
    yield {"event": "start", "data": '{"message": "Starting agent processing..."}'}
    for _ in range(CHUNKS):
        yield {
            "event": "chunk",
            "data": orjson.dumps(
                {"content": CHUNK_TEXT, "timestamp": "2026-01-01T12:00:00.000000+00:00"}
            ).decode(),
        }
    yield {"event": "usage", "data": '{"input_tokens": 10, "output_tokens": 200, "total_tokens": 210}'}
    yield {"event": "end", "data": '{"complete": true}'}
    yield {"event": "done", "data": '{"message": "Agent processing complete"}'}


async def stream(request: Request) -> EventSourceResponse:
    """A bare sse-starlette stream of the same events, without even parsing a body."""
    return EventSourceResponse(_events(AgentRequest()))


app = Starlette(
    routes=[
        Route("/health", health),
        Route("/v1/agent/completions", agent, methods=["POST"]),
        Route("/v1/swarm/completions", swarm, methods=["POST"]),
        Route("/v1/chat/completions", chat, methods=["POST"]),
        Route("/stream", stream, methods=["GET", "POST"]),
    ]
)

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--log-level", default="warning")
    args = parser.parse_args()
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level=args.log_level)
