"""SSE streams (reference §f): exact bytes, event order, pacing, pings, disconnects, real HTTP clients."""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from typing import Any

import openai
import pytest
import requests
import uvicorn
from sse_helpers import docs_loop
from sse_starlette.event import ServerSentEvent
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mockswarms.clock import parse_instant
from mockswarms.engine.llm import Pacing
from mockswarms.http.sse import (
    PING_FRAME,
    SSEEvent,
    SwarmTurn,
    agent_stream_events,
    chat_stream_events,
    encode_event,
    render_events,
    sse_response,
    swarm_stream_events,
)
from mockswarms.tokenizer import count_tokens

USAGE = {
    "input_tokens": 45,
    "output_tokens": 120,
    "total_tokens": 165,
    "img_cost": 0.0,
    "total_cost": 0.002735,
}
START = parse_instant("2026-02-05T00:58:15.121915+00:00")

# Reference §f, [DOCS] examples/streaming.mdx, verbatim.
DOCS_AGENT_EXAMPLE = (
    'data: {"job_id": "abc123", "success": true, "name": "Creative Writer", "description": "A creative'
    ' writing specialist", "temperature": 0.8, "timestamp": "2026-02-05T00:58:15.121915+00:00",'
    ' "stream": true, "type": "metadata"}\n\n'
    "event: start\n"
    'data: {"message": "Starting agent processing..."}\n\n'
    "event: chunk\n"
    'data: {"content": "Once upon a time", "timestamp": "2026-02-05T00:58:15.200000+00:00"}\n\n'
    "event: chunk\n"
    'data: {"content": ", in a workshop filled with", "timestamp": "2026-02-05T00:58:15.250000+00:00"}\n\n'
    "event: usage\n"
    'data: {"input_tokens": 45, "output_tokens": 120, "total_tokens": 165, "img_cost": 0.0, "total_cost":'
    " 0.002735}\n\n"
    "event: end\n"
    'data: {"job_id": "abc123", "usage": {"input_tokens": 45, "output_tokens": 120, "total_tokens": 165,'
    ' "img_cost": 0.0, "total_cost": 0.002735}, "timestamp": "2026-02-05T00:58:16.000000+00:00",'
    ' "complete": true}\n\n'
    "event: done\n"
    'data: {"message": "Agent processing complete"}\n\n'
)


def names(events: list[SSEEvent]) -> list[str | None]:
    return [e.event for e in events]


def docs_agent(**overrides: Any) -> list[SSEEvent]:
    args: dict[str, Any] = {
        "job_id": "abc123",
        "name": "Creative Writer",
        "description": "A creative writing specialist",
        "temperature": 0.8,
        "chunks": ["Once upon a time", ", in a workshop filled with"],
        "usage": USAGE,
        "start": START,
    }
    args.update(overrides)
    return agent_stream_events(**args)


# -- builders -------------------------------------------------------------------------------------------
def test_agent_stream_reproduces_docs_example_bytes() -> None:
    # 4 tokens then 6 tokens at 120 tok/s: chunk 1 at +0.078085 s, chunk 2 50 ms later (the docs' times).
    tail = " and" * 90  # 90 more tokens: the stream ends at +0.878085 s, i.e. 16.000000
    pacing = Pacing(time_to_first_token=0.078085 - 4 / 120, tokens_per_second=120)
    events = docs_agent(chunks=["Once upon a time", ", in a workshop filled with", tail], pacing=pacing)
    third = (
        b'event: chunk\ndata: {"content": "'
        + tail.encode()
        + b'", "timestamp": "2026-02-05T00:58:16.000000+00:00"}\n\n'
    )
    expected = DOCS_AGENT_EXAMPLE.encode().replace(b"event: usage", third + b"event: usage")
    assert render_events(events) == expected
    assert [round(e.delay, 6) for e in events] == [0.0, 0.0, 0.078085, 0.05, 0.75, 0.0, 0.0, 0.0]


def test_agent_stream_order_and_concatenation_without_pacing() -> None:
    chunks = ["Hello", " wor", "ld\n", "again"]
    events = docs_agent(chunks=chunks)
    assert names(events) == [None, "start", "chunk", "chunk", "chunk", "chunk", "usage", "end", "done"]
    chunk_data = [e.data for e in events if e.event == "chunk"]
    assert "".join(d["content"] for d in chunk_data if isinstance(d, dict)) == "Hello world\nagain"
    assert all(e.delay == 0.0 for e in events)
    # Without pacing every timestamp is the start instant.
    assert {d["timestamp"] for d in chunk_data if isinstance(d, dict)} == {"2026-02-05T00:58:15.121915+00:00"}
    # The newline inside a chunk is JSON-escaped: one data line per frame.
    assert b'"ld\\n"' in render_events(events)


def test_agent_stream_error_replaces_usage_end_done() -> None:
    pacing = Pacing(time_to_first_token=0.5, tokens_per_second=10)
    events = docs_agent(chunks=["one two"], error="AgentCompletionError: model overloaded", pacing=pacing)
    assert names(events) == [None, "start", "chunk", "error"]
    assert events[0].data["success"] is False  # type: ignore[index]
    assert events[-1].data == {
        "error": "AgentCompletionError: model overloaded",
        "timestamp": "2026-02-05T00:58:15.821915+00:00",
    }
    # Failing before any chunk: the fixture latency is the pause before the error.
    early = docs_agent(chunks=[], error="AgentCompletionError: boom", latency=2.0)
    assert names(early) == [None, "start", "error"]
    assert early[-1].delay == 2.0
    assert early[-1].data["timestamp"] == "2026-02-05T00:58:17.121915+00:00"  # type: ignore[index]


def test_agent_stream_legacy_format_bytes() -> None:
    events = docs_agent(fmt="legacy", usage={**USAGE, "total_tokens": 150, "total_cost": 0.003})
    assert render_events(events) == (
        b'event: metadata\ndata: {"job_id": "abc123", "name": "Creative Writer", "temperature": 0.8}\n\n'
        b'event: chunk\ndata: {"content": "Once upon a time"}\n\n'
        b'event: chunk\ndata: {"content": ", in a workshop filled with"}\n\n'
        b'event: usage\ndata: {"tokens_used": 150, "cost": 0.003}\n\n'
        b'event: done\ndata: {"status": "finished"}\n\n'
    )
    failed = docs_agent(fmt="legacy", chunks=[], error="AgentCompletionError: model overloaded")
    assert render_events(failed) == (
        b'event: metadata\ndata: {"job_id": "abc123", "name": "Creative Writer", "temperature": 0.8}\n\n'
        b'event: error\ndata: {"error": "AgentCompletionError", "message": "model overloaded"}\n\n'
    )


def test_decimal_usage_renders_as_json_number() -> None:
    usage = {"total_tokens": 3, "total_cost": Decimal("0.002735"), "img_cost": Decimal("0.000000")}
    frame = encode_event(SSEEvent("usage", usage))
    assert frame == b'event: usage\ndata: {"total_tokens": 3, "total_cost": 0.002735, "img_cost": 0.0}\n\n'


@pytest.mark.parametrize(
    "event",
    [
        SSEEvent("chunk", {"content": "a\nb", "n": 1.5, "u": "é"}),
        SSEEvent(None, {"x": [1, None, True]}),
        SSEEvent(None, "[DONE]"),
        SSEEvent("note", "line one\nline two\r\nthree"),
    ],
)
def test_encode_event_matches_sse_starlette_framing(event: SSEEvent) -> None:
    data = event.data if isinstance(event.data, str) else json.dumps(event.data)
    assert encode_event(event) == ServerSentEvent(data, event=event.event, sep="\n").encode()


def test_agent_pacing_sums_to_model_duration() -> None:
    chunks = ["The quick", " brown fox", " jumps over", " the lazy dog."]
    pacing = Pacing(time_to_first_token=0.25, tokens_per_second=40)
    events = docs_agent(chunks=chunks, pacing=pacing, latency=1.0)
    tokens = sum(count_tokens(c) for c in chunks)
    assert sum(e.delay for e in events) == pytest.approx(1.0 + pacing.duration(tokens))
    stamps = [e.data["timestamp"] for e in events if e.event == "chunk"]  # type: ignore[index]
    assert stamps == sorted(stamps) and len(set(stamps)) == 4
    assert events[-2].data["timestamp"] == stamps[-1]  # type: ignore[index]  # end = last chunk


def sequential_turns() -> list[SwarmTurn]:
    return [
        SwarmTurn("Researcher", ["Facts ", "about ", "bees."], phase=0),
        SwarmTurn("Writer", ["Bees ", "make ", "honey."], phase=1),
    ]


def swarm(turns: list[SwarmTurn], swarm_type: str = "SequentialWorkflow", **overrides: Any) -> list[SSEEvent]:
    args: dict[str, Any] = {
        "job_id": "swarms-abc",
        "swarm_name": "Bee team",
        "description": "Writes about bees",
        "swarm_type": swarm_type,
        "number_of_agents": len(turns),
        "service_tier": "standard",
        "turns": turns,
        "usage": {
            "input_tokens": 10,
            "output_tokens": 6,
            "total_tokens": 16,
            "billing_info": {"total_cost": 0.5},
        },
        "execution_time": 1.25,
        "output": [{"role": t.agent, "content": "".join(t.chunks)} for t in turns],
        "input_tokens": 10,
    }
    args.update(overrides)
    return swarm_stream_events(**args)


def test_sequential_swarm_per_token_stream() -> None:
    events = swarm(sequential_turns(), done=False)
    assert names(events) == [
        "metadata", "start",
        "agent_start", "chunk", "chunk", "chunk", "agent_end",
        "agent_start", "chunk", "chunk", "chunk", "agent_end",
        "usage", "end",
    ]  # fmt: skip
    assert events[0].data == {
        "job_id": "swarms-abc",
        "swarm_name": "Bee team",
        "description": "Writes about bees",
        "swarm_type": "SequentialWorkflow",
        "number_of_agents": 2,
        "service_tier": "standard",
        "status": "running",
    }
    assert events[3].data == {"agent": "Researcher", "content": "Facts "}
    assert events[6].data == {"agent": "Researcher"}
    assert events[-2].data == {
        "input_tokens": 10,
        "output_tokens": 6,
        "total_tokens": 16,
        "billing_info": {"total_cost": 0.5},
    }
    assert events[-1].data == {"execution_time": 1.25, "status": "success"}
    assert names(swarm(sequential_turns()))[-1] == "done"
    texts: dict[str, str] = {}
    for e in events:
        if e.event == "chunk" and isinstance(e.data, dict):
            texts[e.data["agent"]] = texts.get(e.data["agent"], "") + e.data["content"]
    assert texts == {"Researcher": "Facts about bees.", "Writer": "Bees make honey."}


def test_agent_rearrange_parallel_phase_interleaves_round_robin() -> None:
    turns = [
        SwarmTurn("A", ["a1", "a2", "a3"], phase=0),
        SwarmTurn("B", ["b1", "b2", "b3", "b4"], phase=0),
        SwarmTurn("C", ["c1"], phase=1),
    ]
    events = swarm(turns, swarm_type="AgentRearrange", done=False)
    flat = [(e.event, e.data.get("agent"), e.data.get("content")) for e in events if isinstance(e.data, dict)]
    assert flat[2:-2] == [
        ("agent_start", "A", None), ("agent_start", "B", None),
        ("chunk", "A", "a1"), ("chunk", "B", "b1"),
        ("chunk", "A", "a2"), ("chunk", "B", "b2"),
        ("chunk", "A", "a3"), ("agent_end", "A", None), ("chunk", "B", "b3"),
        ("chunk", "B", "b4"), ("agent_end", "B", None),
        ("agent_start", "C", None), ("chunk", "C", "c1"), ("agent_end", "C", None),
    ]  # fmt: skip
    agents = [a for (name, a, _) in flat if name == "chunk"]
    flips = sum(1 for x, y in itertools.pairwise(agents) if x != y)
    assert flips >= 3  # the docs' own interleaving check
    assert render_events(events) == render_events(swarm(turns, swarm_type="AgentRearrange", done=False))


def test_parallel_phase_pacing_is_monotonic_and_bounded() -> None:
    slow, fast = Pacing(0.0, 10), Pacing(0.0, 100)
    turns = [
        SwarmTurn("A", ["x y", " z"], 0, slow),
        SwarmTurn("B", ["p q", " r"], 0, fast),
        SwarmTurn("C", ["w"], 1, fast),
    ]
    events = swarm(turns, swarm_type="AgentRearrange")
    assert all(e.delay >= 0 for e in events)
    # Phase 0 lasts as long as its slowest agent (3 tokens at 10/s), then C needs 1 token at 100/s.
    assert sum(e.delay for e in events) == pytest.approx(0.3 + 0.01)


def test_coarse_swarm_stream_and_error() -> None:
    turns = [SwarmTurn("A", ["one"], 0, Pacing(0.0, 10)), SwarmTurn("B", ["two three"], 0, Pacing(0.0, 10))]
    events = swarm(turns, swarm_type="ConcurrentWorkflow")
    assert names(events) == ["metadata", "start", "status", "chunk", "usage", "end", "done"]
    assert events[2].data == {"message": "Running ConcurrentWorkflow with 2 agents", "input_tokens": 10}
    assert events[3].data == {
        "output": [{"role": "A", "content": "one"}, {"role": "B", "content": "two three"}]
    }
    assert events[3].delay == pytest.approx(0.2)  # the whole (parallel) run before the single chunk
    failed = swarm(turns, swarm_type="MixtureOfAgents", error="SwarmExecutionError: boom")
    assert names(failed) == ["metadata", "start", "status", "error"]
    assert failed[-1].data == {"error": "SwarmExecutionError: boom"}
    failed_seq = swarm(turns[:1], error="SwarmExecutionError: boom")
    assert names(failed_seq) == ["metadata", "start", "agent_start", "chunk", "agent_end", "error"]


def test_chat_stream_structure() -> None:
    events = chat_stream_events(
        completion_id="chatcmpl-1", created=1711300000, model="gpt-4.1", chunks=["Hi", " there"]
    )
    head = (
        b'data: {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1711300000,'
        b' "model": "gpt-4.1"'
    )
    assert render_events(events) == (
        head
        + b', "choices": [{"index": 0, "delta": {"role": "assistant"}, "finish_reason": null}]}\n\n'
        + head
        + b', "choices": [{"index": 0, "delta": {"content": "Hi"}, "finish_reason": null}]}\n\n'
        + head
        + b', "choices": [{"index": 0, "delta": {"content": " there"}, "finish_reason": null}]}\n\n'
        + head
        + b', "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}\n\n'
        + b"data: [DONE]\n\n"
    )


# -- the response, in process ---------------------------------------------------------------------------
class FakeSleep:
    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


async def drive(
    response: Response, disconnect_after: int | None = None
) -> tuple[dict[str, Any], list[bytes]]:
    """Run an ASGI response; the client disconnects after ``disconnect_after`` body frames."""
    start: dict[str, Any] = {}
    bodies: list[bytes] = []
    gone = asyncio.Event()

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
        elif message.get("body"):
            bodies.append(message["body"])
            if disconnect_after is not None and len(bodies) >= disconnect_after:
                gone.set()

    async def receive() -> dict[str, Any]:
        await gone.wait()
        return {"type": "http.disconnect"}

    scope = {"type": "http", "method": "GET", "path": "/", "headers": []}
    await response(scope, receive, send)  # type: ignore[arg-type]
    return start, bodies


def foreign_tasks(before: set[asyncio.Task[Any]]) -> list[str]:
    """Tasks created since ``before``, ignoring sse-starlette's one per-thread shutdown watcher."""
    return [
        t.get_coro().__qualname__  # type: ignore[union-attr]
        for t in asyncio.all_tasks() - before
        if not t.done() and "_shutdown_watcher" not in t.get_coro().__qualname__  # type: ignore[union-attr]
    ]


async def test_response_bytes_headers_and_on_close_completed() -> None:
    events = docs_agent()
    calls: list[tuple[int, bool]] = []

    async def on_close(sent: int, completed: bool) -> None:
        calls.append((sent, completed))

    sleep = FakeSleep()
    start, bodies = await drive(sse_response(events, ping_interval=15, sleep=sleep, on_close=on_close))
    assert start["status"] == 200
    headers = {k.decode(): v.decode() for k, v in start["headers"]}
    assert headers["content-type"] == "text/event-stream; charset=utf-8"
    assert headers["cache-control"] == "no-cache"
    assert headers["x-accel-buffering"] == "no"
    assert "content-encoding" not in headers
    assert bodies == [encode_event(e) for e in events]  # one flushed message per event
    assert b"".join(bodies) == render_events(events)
    assert calls == [(len(events), True)]
    assert sleep.calls == []  # zero pacing: no sleeping at all


async def test_pings_only_during_long_pauses() -> None:
    events = [
        SSEEvent("a", {"i": 0}),
        SSEEvent("b", {"i": 1}, delay=35),
        SSEEvent("c", {"i": 2}, delay=0.5),
        SSEEvent("d", {"i": 3}, delay=15),
    ]
    sleep = FakeSleep()
    _, bodies = await drive(sse_response(events, ping_interval=15, sleep=sleep))
    e = [encode_event(x) for x in events]
    assert bodies == [e[0], PING_FRAME, PING_FRAME, e[1], e[2], e[3]]
    assert sleep.calls == [15, 15, 5, 0.5, 15]
    # Same stream with short pauses only: byte-exact, no ping.
    _, quiet = await drive(
        sse_response([SSEEvent("a", {}, 1.0), SSEEvent("b", {}, 2.0)], ping_interval=15, sleep=FakeSleep())
    )
    assert PING_FRAME not in b"".join(quiet)


async def test_async_source_and_disconnect_mid_stream_in_process() -> None:
    before = asyncio.all_tasks()
    closed = asyncio.Event()
    calls: list[tuple[int, bool]] = []

    async def source() -> AsyncIterator[SSEEvent]:
        try:
            for i in range(10):
                yield SSEEvent("chunk", {"i": i}, delay=30.0 if i == 3 else 0.0)
        finally:
            closed.set()

    async def on_close(sent: int, completed: bool) -> None:
        calls.append((sent, completed))

    t0 = time.monotonic()
    _, bodies = await drive(sse_response(source(), ping_interval=60, on_close=on_close), disconnect_after=3)
    assert time.monotonic() - t0 < 2.0  # the 30 s pause was abandoned, not waited out
    assert len(bodies) == 3
    assert calls == [(3, False)]
    assert closed.is_set()
    await asyncio.sleep(0)
    assert foreign_tasks(before) == []


def test_sse_response_rejects_zero_ping_interval() -> None:
    with pytest.raises(ValueError):
        sse_response([], ping_interval=0)


# -- over real HTTP (uvicorn on 127.0.0.1) ----------------------------------------------------------------
class ServerState:
    def __init__(self) -> None:
        self.closes: list[tuple[int, bool]] = []
        self.closed = threading.Event()
        self.source_closed = threading.Event()


def build_app(state: ServerState) -> Starlette:
    async def agent(request: Request) -> Response:
        body = await request.json()
        return sse_response(docs_agent(chunks=body["chunks"]), ping_interval=15)

    async def chat(request: Request) -> Response:
        body = await request.json()
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        usage = {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7} if include_usage else None
        events = chat_stream_events(
            completion_id="chatcmpl-abc",
            created=1711300000,
            model=body["model"],
            chunks=["Qu", "antum", " bits."],
            usage=usage,
        )
        return sse_response(events, ping_interval=15)

    async def slow(request: Request) -> Response:
        def source() -> Iterator[SSEEvent]:
            try:
                for i in range(10):
                    yield SSEEvent("chunk", {"i": i}, delay=30.0 if i == 3 else 0.0)
            finally:
                state.source_closed.set()

        async def on_close(sent: int, completed: bool) -> None:
            state.closes.append((sent, completed))
            state.closed.set()

        return sse_response(source(), ping_interval=60, on_close=on_close)

    async def tasks(request: Request) -> Response:
        current = asyncio.current_task()
        names = sorted(t.get_coro().__qualname__ for t in asyncio.all_tasks() if t is not current)  # type: ignore[union-attr]
        return JSONResponse(names)

    routes = [
        Route("/agent", agent, methods=["POST"]),
        Route("/v1/chat/completions", chat, methods=["POST"]),
        Route("/slow", slow),
        Route("/tasks", tasks),
    ]
    return Starlette(routes=routes)


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, ServerState]]:
    state = ServerState()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    config = uvicorn.Config(
        build_app(state), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.01)
    assert srv.started
    yield f"http://127.0.0.1:{port}", state
    srv.should_exit = True
    thread.join(timeout=10)


def test_docs_parsing_loop_over_http(server: tuple[str, ServerState]) -> None:
    base, _ = server
    chunks = ["Once", " upon", " a time"]
    headers = {"Connection": "keep-alive", "X-Accel-Buffering": "no"}
    with requests.post(
        f"{base}/agent", json={"chunks": chunks}, headers=headers, stream=True, timeout=10
    ) as resp:
        assert resp.status_code == 200
        assert resp.headers["content-type"] == "text/event-stream; charset=utf-8"
        parsed = docs_loop(resp)
    assert [name for name, _ in parsed] == [
        "message",
        "start",
        "chunk",
        "chunk",
        "chunk",
        "usage",
        "end",
        "done",
    ]
    assert parsed[0][1]["type"] == "metadata"
    assert (
        "".join(d["content"] for name, d in parsed if name == "chunk" and "content" in d)
        == "Once upon a time"
    )
    assert parsed[-2][1]["complete"] is True
    # Raw bytes over the wire are exactly the rendered stream.
    raw = requests.post(f"{base}/agent", json={"chunks": chunks}, timeout=10).content
    assert raw == render_events(docs_agent(chunks=chunks))


def test_chat_stream_with_openai_sdk(server: tuple[str, ServerState]) -> None:
    base, _ = server
    client = openai.OpenAI(base_url=f"{base}/v1", api_key="sk-mock-premium", max_retries=0)
    stream = client.chat.completions.create(
        model="gpt-4.1", messages=[{"role": "user", "content": "Explain qubits"}], stream=True
    )
    chunks = list(stream)
    assert [c.choices[0].delta.role for c in chunks] == ["assistant", None, None, None, None]
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "Quantum bits."
    assert [c.choices[0].finish_reason for c in chunks][-1] == "stop"
    assert {c.id for c in chunks} == {"chatcmpl-abc"} and {c.created for c in chunks} == {1711300000}
    assert {c.object for c in chunks} == {"chat.completion.chunk"}
    with_usage = list(
        client.chat.completions.create(
            model="gpt-4.1",
            messages=[{"role": "user", "content": "Explain qubits"}],
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    assert with_usage[-1].choices == []
    assert with_usage[-1].usage is not None and with_usage[-1].usage.total_tokens == 7


def test_client_disconnect_over_http(server: tuple[str, ServerState]) -> None:
    base, state = server
    with requests.get(f"{base}/slow", stream=True, timeout=10) as warmup:  # starts sse-starlette's watcher
        warmup.close()
    assert state.closed.wait(5)
    state.closed.clear()
    state.closes.clear()
    state.source_closed.clear()
    baseline = requests.get(f"{base}/tasks", timeout=10).json()

    resp = requests.get(f"{base}/slow", stream=True, timeout=10)
    seen = 0
    for line in resp.iter_lines():
        if line.startswith(b"data: "):
            seen += 1
            if seen == 3:
                break
    t0 = time.monotonic()
    resp.close()
    assert state.closed.wait(5)
    assert time.monotonic() - t0 < 2.0
    assert state.closes == [(3, False)]
    assert state.source_closed.is_set()
    deadline = time.monotonic() + 3
    while (
        now := requests.get(f"{base}/tasks", timeout=10).json()
    ) != baseline and time.monotonic() < deadline:
        time.sleep(0.05)
    assert now == baseline  # no task left behind by the abandoned stream
