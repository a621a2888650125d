"""OpenAI-format chat bodies: a completion and the chunks of a streamed one."""

from __future__ import annotations

from typing import Annotated, Any, Literal, NotRequired

from pydantic import ConfigDict, with_config
from typing_extensions import TypedDict

from mockswarms.shapes.body import ABSENT, OUT

__all__ = [
    "ChatChoice",
    "ChatChunkChoice",
    "ChatChunkDelta",
    "ChatChunkFunction",
    "ChatChunkToolCall",
    "ChatCompletionChunk",
    "ChatCompletionResponse",
    "ChatResponseMessage",
    "ChatUsage",
]


@with_config(OUT)
class ChatResponseMessage(TypedDict):
    role: Literal["assistant"]
    content: str | None
    tool_calls: NotRequired[Annotated[list[dict[str, Any]] | None, ABSENT]]  # a fixture's tool calls


@with_config(OUT)
class ChatChoice(TypedDict):
    index: int
    message: ChatResponseMessage
    finish_reason: str | None


@with_config(OUT)
class ChatUsage(TypedDict):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


@with_config(
    ConfigDict(
        extra="allow",
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
        },
    )
)
class ChatCompletionResponse(TypedDict):
    id: str
    object: Literal["chat.completion"]
    created: int
    model: str
    choices: list[ChatChoice]
    usage: ChatUsage


@with_config(OUT)
class ChatChunkFunction(TypedDict):
    name: NotRequired[Annotated[str | None, ABSENT]]  # on a call's first delta only
    arguments: NotRequired[Annotated[str | None, ABSENT]]  # "" first, then pieces of the JSON


@with_config(OUT)
class ChatChunkToolCall(TypedDict):
    """One piece of a streamed tool call: the first carries ``id``, ``type`` and the name, the next
    ones pieces of ``function.arguments``; ``index`` says which call of the message it belongs to."""

    index: int
    id: NotRequired[Annotated[str | None, ABSENT]]
    type: NotRequired[Annotated[Literal["function"] | None, ABSENT]]
    function: NotRequired[Annotated[ChatChunkFunction | None, ABSENT]]


@with_config(OUT)
class ChatChunkDelta(TypedDict):
    role: NotRequired[Annotated[Literal["assistant"] | None, ABSENT]]
    content: NotRequired[Annotated[str | None, ABSENT]]
    tool_calls: NotRequired[Annotated[list[ChatChunkToolCall] | None, ABSENT]]


@with_config(OUT)
class ChatChunkChoice(TypedDict):
    index: int
    delta: ChatChunkDelta
    finish_reason: str | None


@with_config(OUT)
class ChatCompletionChunk(TypedDict):
    """One ``data:`` frame of a streamed chat completion (then ``data: [DONE]``)."""

    id: str
    object: Literal["chat.completion.chunk"]
    created: int
    model: str
    choices: list[ChatChunkChoice]
    # With stream_options.include_usage: null on every chunk but the extra last one (empty choices).
    usage: NotRequired[Annotated[ChatUsage | None, ABSENT]]
