"""Server-Sent Event streams of the Swarms API (reference §f): the pure event builders and the wire format.

Builders turn plain data (chunk strings, usage dicts, a start instant, a
:class:`~mockswarms.engine.llm.Pacing`) into a list of :class:`SSEEvent`; they never read the wall
clock, so the same inputs give the same bytes. Each event carries the simulated ``delay`` (seconds)
to wait before sending it; event timestamps are ``start`` plus the cumulative simulated offsets.
``http/sse.py`` serves them.

Wire format: ``event: <name>\\n`` (omitted for data-only frames) + ``data: <json>\\n`` + ``\\n``, where
``<json>`` is ``json.dumps(obj)`` with its default separators (``", "``, ``": "``) and insertion-ordered
keys, byte-identical to the docs' examples. ``Decimal`` values render as JSON numbers.

Undocumented payloads chosen here (the docs name the events but not these bodies): swarm ``start``
``{"status": "running", "message": "Starting swarm processing..."}``, ``metadata.status`` ``"running"``,
``status`` ``{"message": "Running <type> with <n> agents", "input_tokens"}``, ``end.status`` and swarm
``done`` ``{"message": "Swarm processing complete"}``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from mockswarms.clock import format_timestamp
from mockswarms.engine.llm import Pacing
from mockswarms.shapes.agents import (
    AgentSSEChunk,
    AgentSSEDone,
    AgentSSEEnd,
    AgentSSEError,
    AgentSSELegacyDone,
    AgentSSELegacyMetadata,
    AgentSSELegacyUsage,
    AgentSSEMetadata,
    AgentSSEStart,
    AgentUsage,
)
from mockswarms.shapes.chat import ChatChunkDelta, ChatChunkToolCall, ChatCompletionChunk, ChatUsage
from mockswarms.shapes.swarms import (
    SwarmSSEAgentEnd,
    SwarmSSEAgentStart,
    SwarmSSEChunk,
    SwarmSSECoarseChunk,
    SwarmSSEDone,
    SwarmSSEEnd,
    SwarmSSEError,
    SwarmSSEMetadata,
    SwarmSSEStart,
    SwarmSSEStatus,
    SwarmSSEUsage,
    SwarmUsage,
)
from mockswarms.tokenizer import count_tokens, split_tokens

__all__ = [
    "FRAME_SEP",
    "PER_TOKEN_SWARM_TYPES",
    "PING_FRAME",
    "SSEEvent",
    "SwarmTurn",
    "agent_stream_events",
    "chat_stream_events",
    "encode_event",
    "render_events",
    "swarm_stream_events",
]

AgentSSEFormat = Literal["docs", "legacy"]

# Swarm types that stream token by token (reference §f); every other type uses the coarse format.
PER_TOKEN_SWARM_TYPES: frozenset[str] = frozenset({"SequentialWorkflow", "AgentRearrange"})
PING_FRAME = b": ping\n\n"
FRAME_SEP = "\n"  # line separator of the wire format (sse-starlette is told the same)


@dataclass(frozen=True)
class SSEEvent:
    """One SSE frame: ``event`` name (None = data-only frame), JSON-able ``data`` (a str is sent raw)."""

    event: str | None
    data: Mapping[str, Any] | str
    delay: float = 0.0  # simulated seconds to wait before sending this frame


@dataclass(frozen=True)
class SwarmTurn:
    """One agent's part of a swarm run. Turns sharing a ``phase`` run in parallel and interleave."""

    agent: str
    chunks: Sequence[str]  # "".join(chunks) == the agent's full output
    phase: int = 0
    pacing: Pacing = field(default_factory=Pacing)
    latency: float = 0.0  # extra simulated seconds before the first chunk


# -- encoding ------------------------------------------------------------------------------------------
def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def encode_event(event: SSEEvent) -> bytes:
    """The frame bytes, identical to ``sse_starlette.ServerSentEvent(..., sep="\\n").encode()``."""
    data = event.data
    text = data if isinstance(data, str) else json.dumps(data, default=_json_default)
    head = f"event: {event.event}{FRAME_SEP}" if event.event is not None else ""
    if "\n" in text or "\r" in text:  # rare (raw strings only): one data line per text line
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        body = "".join(f"data: {line}{FRAME_SEP}" for line in lines)
    else:
        body = f"data: {text}{FRAME_SEP}"
    return f"{head}{body}{FRAME_SEP}".encode()


def render_events(events: Iterable[SSEEvent]) -> bytes:
    """The whole stream as the client receives it when no pause exceeds the ping interval."""
    return b"".join(encode_event(e) for e in events)


# -- pacing --------------------------------------------------------------------------------------------
def _chunk_offsets(chunks: Sequence[str], pacing: Pacing, latency: float) -> list[float]:
    """Simulated second at which each chunk is ready, relative to the start of generation.

    Chunk ``i`` is ready once its tokens are generated: ``latency + ttft + tokens(0..i) / tps``, so the
    last offset equals ``latency + pacing.duration(output_tokens)``.
    """
    offsets: list[float] = []
    produced = 0
    for chunk in chunks:
        produced += count_tokens(chunk)
        offsets.append(latency + pacing.duration(produced))
    return offsets


def _at(start: datetime, offset: float) -> str:
    return format_timestamp(start + timedelta(seconds=offset))


# -- agent completions ---------------------------------------------------------------------------------
def agent_stream_events(
    *,
    job_id: str,
    name: str | None,
    description: str | None,
    temperature: float | None,
    chunks: Sequence[str],
    usage: AgentUsage,
    start: datetime,
    pacing: Pacing | None = None,
    latency: float = 0.0,
    error: str | None = None,
    fmt: AgentSSEFormat = "docs",
) -> list[SSEEvent]:
    """Events of a streamed ``/v1/agent/completions`` run.

    ``docs``: data-only metadata → ``start`` → ``chunk`` x N → ``usage`` → ``end`` → ``done``.
    ``legacy``: ``metadata`` → ``chunk`` x N → ``usage {tokens_used, cost}`` → ``done {status}``.
    With ``error`` (e.g. ``"AgentCompletionError: ..."``) the given ``chunks`` (those produced before the
    failure, possibly none) are followed by one ``error`` event instead of usage/end/done.
    """
    offsets = _chunk_offsets(chunks, pacing or Pacing(), latency)
    delays = _deltas(offsets)
    final = offsets[-1] if offsets else latency
    if fmt == "legacy":
        legacy_metadata: AgentSSELegacyMetadata = {"job_id": job_id, "name": name, "temperature": temperature}
        events = [SSEEvent("metadata", legacy_metadata)]
        events += [SSEEvent("chunk", _agent_chunk(c), d) for c, d in zip(chunks, delays, strict=True)]
        if error is not None:
            kind, _, detail = error.partition(": ")
            failed: AgentSSEError = {"error": kind, "message": detail or error}
            events.append(SSEEvent("error", failed, _final_gap(offsets, latency)))
            return events
        legacy_usage: AgentSSELegacyUsage = {
            "tokens_used": usage["total_tokens"],
            "cost": usage.get("total_cost"),
        }
        events.append(SSEEvent("usage", legacy_usage))
        legacy_done: AgentSSELegacyDone = {"status": "finished"}
        events.append(SSEEvent("done", legacy_done))
        return events

    metadata: AgentSSEMetadata = {
        "job_id": job_id,
        "success": error is None,
        "name": name,
        "description": description,
        "temperature": temperature,
        "timestamp": format_timestamp(start),
        "stream": True,
        "type": "metadata",
    }
    started: AgentSSEStart = {"message": "Starting agent processing..."}
    events = [SSEEvent(None, metadata), SSEEvent("start", started)]
    events += [
        SSEEvent("chunk", _agent_chunk(c, _at(start, o)), d)
        for c, o, d in zip(chunks, offsets, delays, strict=True)
    ]
    if error is not None:
        stopped: AgentSSEError = {"error": error, "timestamp": _at(start, final)}
        events.append(SSEEvent("error", stopped, _final_gap(offsets, latency)))
        return events
    usage_data: AgentUsage = {**usage}  # its own copy, not the completion body's object
    events.append(SSEEvent("usage", usage_data))
    end: AgentSSEEnd = {
        "job_id": job_id,
        "usage": usage_data,
        "timestamp": _at(start, final),
        "complete": True,
    }
    events.append(SSEEvent("end", end))
    finished: AgentSSEDone = {"message": "Agent processing complete"}
    events.append(SSEEvent("done", finished))
    return events


def _agent_chunk(content: str, timestamp: str | None = None) -> AgentSSEChunk:
    """A ``chunk`` frame: the legacy format has no ``timestamp``."""
    if timestamp is None:
        return {"content": content}
    return {"content": content, "timestamp": timestamp}


def _deltas(offsets: Sequence[float]) -> list[float]:
    previous = 0.0
    out = []
    for offset in offsets:
        out.append(max(0.0, offset - previous))
        previous = offset
    return out


def _final_gap(offsets: Sequence[float], latency: float) -> float:
    """Delay of an error event: the fixture latency when the failure comes before any chunk."""
    return 0.0 if offsets else latency


# -- swarm completions ---------------------------------------------------------------------------------
def swarm_stream_events(
    *,
    job_id: str,
    swarm_name: str | None,
    description: str | None,
    swarm_type: str,
    number_of_agents: int,
    service_tier: str | None,
    turns: Sequence[SwarmTurn],
    usage: SwarmUsage,
    execution_time: float,
    output: Any = None,
    input_tokens: int | None = None,
    per_token: bool | None = None,
    done: bool = True,
    error: str | None = None,
    status: str = "success",
    output_in_end: bool = False,
) -> list[SSEEvent]:
    """Events of a streamed ``/v1/swarm/completions`` run.

    Per-token (default for SequentialWorkflow / AgentRearrange): ``metadata``, ``start``, per agent
    ``agent_start`` / ``chunk {agent, content}`` / ``agent_end`` (agents of one phase interleave
    round-robin), ``usage``, ``end``. Coarse (other types): ``metadata``, ``start``, ``status``, one
    ``chunk {output}``, ``usage``, ``end``. Then ``done`` if ``done``. With ``error`` the stream ends with
    one ``error`` event after the turns given (pass those produced before the failure).
    ``output_in_end`` (an ``output_type`` was asked for): a per-token stream's ``end`` also carries the
    shaped ``output``, so every stream delivers what the JSON response would.
    """
    if per_token is None:
        per_token = swarm_type in PER_TOKEN_SWARM_TYPES
    metadata: SwarmSSEMetadata = {
        "job_id": job_id,
        "swarm_name": swarm_name,
        "description": description,
        "swarm_type": swarm_type,
        "number_of_agents": number_of_agents,
        "service_tier": service_tier,
        "status": "running",
    }
    started: SwarmSSEStart = {"status": "running", "message": "Starting swarm processing..."}
    events = [SSEEvent("metadata", metadata), SSEEvent("start", started)]
    if per_token:
        events += _per_token_events(turns)
    else:
        # One pause for the whole run: the coarse stream has nothing to show until the swarm finishes.
        pause = sum(_phase_durations(turns).values())
        message = f"Running {swarm_type} with {number_of_agents} agents"
        running: SwarmSSEStatus = {"message": message, "input_tokens": input_tokens}
        events.append(SSEEvent("status", running))
        if error is None:
            whole: SwarmSSECoarseChunk = {"output": output}
            events.append(SSEEvent("chunk", whole, pause))
        else:
            events.append(SSEEvent("error", _swarm_error(error), pause))
            return events
    if error is not None:
        events.append(SSEEvent("error", _swarm_error(error)))
        return events
    usage_data: SwarmSSEUsage = {**usage}  # its own copy, not the completion body's object
    events.append(SSEEvent("usage", usage_data))
    end: SwarmSSEEnd = {"execution_time": execution_time, "status": status}
    if per_token and output_in_end:
        end["output"] = output
    events.append(SSEEvent("end", end))
    if done:
        finished: SwarmSSEDone = {"message": "Swarm processing complete"}
        events.append(SSEEvent("done", finished))
    return events


def _swarm_error(error: str) -> SwarmSSEError:
    return {"error": error}


def _turn_offsets(turn: SwarmTurn) -> list[float]:
    return _chunk_offsets(turn.chunks, turn.pacing, turn.latency) or [turn.latency]


def _phase_durations(turns: Sequence[SwarmTurn]) -> dict[int, float]:
    durations: dict[int, float] = {}
    for turn in turns:
        durations[turn.phase] = max(durations.get(turn.phase, 0.0), _turn_offsets(turn)[-1])
    return durations


def _phases(turns: Sequence[SwarmTurn]) -> list[list[SwarmTurn]]:
    """Turns grouped by phase, phases and agents in order of first appearance."""
    groups: dict[int, list[SwarmTurn]] = {}
    for turn in turns:
        groups.setdefault(turn.phase, []).append(turn)
    return list(groups.values())


def _per_token_events(turns: Sequence[SwarmTurn]) -> list[SSEEvent]:
    events: list[SSEEvent] = []
    phase_start = 0.0  # simulated offset at which the current phase begins
    now = 0.0  # simulated offset of the last emitted event

    def emit(name: str, data: SwarmSSEAgentStart | SwarmSSEChunk | SwarmSSEAgentEnd, ready: float) -> None:
        nonlocal now
        delay = max(0.0, ready - now)
        now = max(now, ready)
        events.append(SSEEvent(name, data, delay))

    for group in _phases(turns):
        offsets = [_chunk_offsets(t.chunks, t.pacing, t.latency) for t in group]
        for turn in group:
            emit("agent_start", {"agent": turn.agent}, phase_start)
        # Round-robin over the agents of the phase: deterministic interleaving of parallel output.
        rounds = max((len(t.chunks) for t in group), default=0)
        ended: set[int] = set()
        for index in range(rounds):
            for k, turn in enumerate(group):
                if index < len(turn.chunks):
                    ready = phase_start + offsets[k][index]
                    emit("chunk", {"agent": turn.agent, "content": turn.chunks[index]}, ready)
                if index >= len(turn.chunks) - 1 and k not in ended:
                    ended.add(k)
                    emit(
                        "agent_end",
                        {"agent": turn.agent},
                        phase_start + (offsets[k][-1] if offsets[k] else turn.latency),
                    )
        for k, turn in enumerate(group):  # agents without chunks
            if k not in ended:
                emit("agent_end", {"agent": turn.agent}, phase_start + turn.latency)
        phase_start = now  # the next phase starts when this one's last agent has finished
    return events


# -- chat completions ----------------------------------------------------------------------------------
def chat_stream_events(
    *,
    completion_id: str,
    created: int,
    model: str,
    chunks: Sequence[str],
    pacing: Pacing | None = None,
    latency: float = 0.0,
    usage: ChatUsage | None = None,
    finish_reason: str = "stop",
    tool_calls: Sequence[Mapping[str, Any]] = (),
) -> list[SSEEvent]:
    """``chat.completion.chunk`` frames: role delta, content deltas, tool-call deltas as OpenAI streams
    them (``{"index", "id", "type", "function": {"name", "arguments": ""}}``, then one ``{"index",
    "function": {"arguments"}}`` per token), ``finish_reason``, then ``[DONE]``. With ``usage``
    (``stream_options.include_usage``) every chunk has ``"usage": null`` and an extra chunk with empty
    ``choices`` and the usage precedes ``[DONE]``, as OpenAI sends it."""

    def chunk(delta: ChatChunkDelta, finish_reason: str | None) -> ChatCompletionChunk:
        frame: ChatCompletionChunk = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
        }
        return frame if usage is None else {**frame, "usage": None}

    deltas: list[tuple[ChatChunkDelta, str]] = [({"content": c}, c) for c in chunks]  # (delta, its text)
    for i, call in enumerate(tool_calls):
        name, args = call["function"]["name"], call["function"]["arguments"]
        head: ChatChunkToolCall = {"index": i, "id": call["id"], "type": "function"}
        head["function"] = {"name": name, "arguments": ""}
        deltas.append(({"tool_calls": [head]}, name))
        deltas += [
            ({"tool_calls": [{"index": i, "function": {"arguments": a}}]}, a) for a in split_tokens(args)
        ]
    delays = _deltas(_chunk_offsets([text for _, text in deltas], pacing or Pacing(), latency))
    role: ChatChunkDelta = {"role": "assistant"}  # tool calls alone: "content": null, as OpenAI sends
    events = [SSEEvent(None, chunk({**role, "content": None} if tool_calls and not chunks else role, None))]
    events += [SSEEvent(None, chunk(delta, None), d) for (delta, _), d in zip(deltas, delays, strict=True)]
    events.append(SSEEvent(None, chunk({}, finish_reason), 0.0 if deltas else latency))
    if usage is not None:
        events.append(SSEEvent(None, {**chunk({}, None), "choices": [], "usage": usage}))
    events.append(SSEEvent(None, "[DONE]"))
    return events
