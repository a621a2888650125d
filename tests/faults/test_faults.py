"""Fault injection over real HTTP: uvicorn on a free port serving a small Starlette app (JSON and SSE
endpoints) wrapped by FaultMiddleware; what httpx, requests and the official SDK actually see."""

from __future__ import annotations

import asyncio
import itertools
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson
import pytest
import requests
import uvicorn
from sse_starlette import EventSourceResponse
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mockswarms.clock import Clock
from mockswarms.entropy import Entropy
from mockswarms.errors import ValidationFailed
from mockswarms.faults import (
    ErrorAction,
    FaultEngine,
    FaultMiddleware,
    LatencyAction,
    SseStallAction,
    endpoint_family,
    parse_header,
)
from mockswarms.state.memory import MemoryStore

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
AGENT_BODY = {
    "job_id": "agent-1",
    "success": True,
    "name": "Researcher",
    "description": None,
    "temperature": 0.5,
    "outputs": "o" * 400,
    "usage": {"input_tokens": 3, "output_tokens": 4},
    "timestamp": "2026-01-01T12:00:00.000000+00:00",
}
EVENTS = 5


# -- the app under test ----------------------------------------------------------------------------
async def agent(request: Request) -> Response:
    await request.body()
    return Response(orjson.dumps(AGENT_BODY), media_type="application/json")


async def health(request: Request) -> Response:
    return Response(b'{"status":"ok"}', media_type="application/json")


async def stream(request: Request) -> EventSourceResponse:
    async def events() -> AsyncIterator[dict[str, str]]:
        for i in range(EVENTS - 1):
            yield {"event": "chunk", "data": orjson.dumps({"content": f"c{i}"}).decode()}
        yield {"event": "done", "data": '{"message": "Agent processing complete"}'}

    return EventSourceResponse(events())


class Holder:
    engine: FaultEngine | None = None
    seen_rules: list[str | None] = []


class StateRecorder:
    """Outermost middleware, like the lead's journal: reads the fault rule id after the call."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            if scope["type"] == "http":
                Holder.seen_rules.append(scope.get("state", {}).get("fault_rule"))


inner = Starlette(
    routes=[
        Route("/v1/agent/completions", agent, methods=["POST"]),
        Route("/v1/swarm/completions", agent, methods=["POST"]),
        Route("/v1/chat/completions", agent, methods=["POST"]),
        Route("/health", health),
        Route("/stream", stream, methods=["GET", "POST"]),
        Route("/__mockswarms/clock", health),
    ]
)
APP = StateRecorder(FaultMiddleware(inner, engine_getter=lambda scope: Holder.engine))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(APP, host="127.0.0.1", port=port, log_level="critical", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def engine() -> Iterator[FaultEngine]:
    Holder.engine = FaultEngine(Clock(T0), Entropy(7), MemoryStore(), header_enabled=True)
    Holder.seen_rules = []
    yield Holder.engine
    Holder.engine = None


@pytest.fixture
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=5) as c:
        yield c


def assert_seen(expected: list[str | None]) -> None:
    """The server records the rule id after the response went out: wait for it, then compare."""
    deadline = time.monotonic() + 3
    while len(Holder.seen_rules) < len(expected) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert expected == Holder.seen_rules


def post_agent(client: httpx.Client, **kwargs: Any) -> httpx.Response:
    body = {"agent_config": {"agent_name": "Researcher", "model_name": "gpt-4o"}, "task": "t"}
    return client.post("/v1/agent/completions", json=body, headers={"x-api-key": "sk-a"}, **kwargs)


# -- rules: validation and management --------------------------------------------------------------
def test_add_rule_validates_and_assigns_stable_ids(engine: FaultEngine) -> None:
    rule = engine.add_rule({"action": {"type": "error", "status": 503}})
    assert rule["id"].startswith("fault-") and len(rule["id"]) == len("fault-") + 8
    # the same rule content gives the same id
    assert engine.add_rule({"action": {"type": "error", "status": 503}})["id"] == rule["id"]
    assert len(engine.rules) == 1
    with pytest.raises(ValidationFailed) as info:
        engine.add_rule({"id": "x", "action": {"type": "error", "status": 418}})
    assert info.value.status == 422
    assert info.value.body["detail"][0]["loc"][:3] == ["body", "action", "error"]
    with pytest.raises(ValidationFailed):
        engine.add_rule({"id": "x", "match": {"colour": "red"}, "action": {"type": "reset"}})
    with pytest.raises(ValidationFailed):
        engine.add_rule({"id": "x", "selector": {"probability": 1.5}, "action": {"type": "reset"}})
    assert engine.list_rules() == [
        {
            "id": rule["id"],
            "match": {},
            "selector": {},
            "action": {"type": "error", "status": 503, "retry_after": 1},
        }
    ]
    assert engine.get_rule(rule["id"]) is engine.rules[0]
    assert engine.delete_rule(rule["id"]) and not engine.delete_rule(rule["id"])
    engine.load([{"id": "a", "action": {"type": "reset"}}, {"id": "b", "action": {"type": "empty"}}])
    assert [r["id"] for r in engine.list_rules()] == ["a", "b"]
    with pytest.raises(ValidationFailed) as info:
        engine.load([{"id": "a", "action": {"type": "reset"}}, {"action": {"type": "nope"}}])
    assert info.value.body["detail"][0]["loc"][:2] == ["faults", 1]
    engine.clear()
    assert engine.list_rules() == []


def test_endpoint_families() -> None:
    assert [
        endpoint_family(p)
        for p in (
            "/health",
            "/",
            "/v1/agent/completions",
            "/v1/agent/batch/completions",
            "/v1/swarm/completions",
            "/v1/chat/completions",
            "/v1/models",
            "/v1/account/credits",
            "/v1/nothing",
        )
    ] == ["health", "health", "agent", "agent_batch", "swarm", "chat", "models", "account", "other"]


def test_parse_header_syntax() -> None:
    assert parse_header("status=503") == ErrorAction.model_validate({"type": "error", "status": 503})
    assert parse_header("status=429; retry_after=2").retry_after == 2
    assert parse_header("latency=uniform:0.1:0.3") == LatencyAction.model_validate(
        {"type": "latency", "distribution": "uniform", "low": 0.1, "high": 0.3}
    )
    assert parse_header("chunk_latency=0.01").apply_to == "chunk"
    assert parse_header("sse_stall=2:0.5") == SseStallAction(type="sse_stall", event=2, seconds=0.5)
    assert parse_header('{"type": "truncate", "fraction": 0.25}').fraction == 0.25
    for bad in ("", "status=999", "wobble", "latency=uniform:1", '{"type": "nope"}', "[1]"):
        with pytest.raises(ValidationFailed) as info:
            parse_header(bad)
        assert info.value.body["detail"][0]["loc"][:2] == ["header", "x-mockswarms-fault"]


# -- errors ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("status", "detail"),
    [
        (500, "An unexpected error occurred: Internal Server Error"),
        (502, "Bad Gateway"),
        (503, "Service Unavailable"),
        (504, "Gateway Timeout"),
        (408, "Request Timeout"),
        (
            402,
            "Insufficient credits. Please add more credits to continue using the API. Visit "
            "https://swarms.world/platform/account to purchase additional credits and ensure "
            "uninterrupted service.",
        ),
    ],
)
def test_error_statuses_have_the_api_bodies(
    engine: FaultEngine, client: httpx.Client, status: int, detail: str
) -> None:
    engine.add_rule({"id": "e", "action": {"type": "error", "status": status}})
    response = post_agent(client)
    assert response.status_code == status
    assert response.json() == {"detail": detail}
    assert response.headers["content-type"] == "application/json"
    assert "retry-after" not in response.headers
    assert_seen(["e"])


def test_429_has_rate_limit_headers_and_openai_shape_on_chat(
    engine: FaultEngine, client: httpx.Client
) -> None:
    engine.add_rule({"id": "rl", "action": {"type": "error", "status": 429, "retry_after": 7}})
    response = post_agent(client)
    assert response.status_code == 429
    assert response.json()["detail"].startswith("Rate limit exceeded for minute window(s).")
    assert {
        k: response.headers[k]
        for k in ("retry-after", "x-ratelimit-remaining-minute", "x-ratelimit-reset", "x-ratelimit-tier")
    } == {
        "retry-after": "7",
        "x-ratelimit-remaining-minute": "0",
        "x-ratelimit-reset": str(int(T0.timestamp()) + 7),
        "x-ratelimit-tier": "free",
    }
    chat = client.post("/v1/chat/completions", json={"model": "gpt-4o", "messages": []})
    assert chat.status_code == 429
    assert chat.json()["error"]["type"] == "rate_limit_error"


def test_custom_detail_and_control_paths_are_never_faulted(engine: FaultEngine, client: httpx.Client) -> None:
    engine.add_rule({"id": "e", "action": {"type": "error", "status": 500, "detail": "boom"}})
    assert client.get("/__mockswarms/clock").status_code == 200
    assert client.get("/health").json() == {"detail": "boom"}


# -- match -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("match", "expected"),
    [
        ({"path": "/v1/agent/*"}, [503, 200, 200, 200]),
        ({"method": "get"}, [200, 200, 503, 200]),
        ({"key": "sk-a"}, [503, 200, 200, 200]),
        ({"user": "user-a*"}, [503, 200, 200, 200]),
        ({"endpoint": "swarm"}, [200, 503, 200, 200]),
        ({"swarm_type": "Sequential*"}, [200, 503, 200, 200]),
        ({"model": "gpt-4o"}, [503, 200, 200, 503]),
        ({"agent_name": "Writer"}, [200, 503, 200, 200]),
        ({"model": "claude-*", "endpoint": "swarm"}, [200, 503, 200, 200]),
    ],
)
async def test_match_fields(
    engine: FaultEngine, client: httpx.Client, match: dict[str, str], expected: list[int]
) -> None:
    from mockswarms.state.base import AccountRecord

    await engine.store.put_account(AccountRecord("sk-a", "user-a"))
    engine.add_rule({"id": "m", "match": match, "action": {"type": "error", "status": 503}})
    swarm = {
        "swarm_type": "SequentialWorkflow",
        "agents": [
            {"agent_name": "Reader", "model_name": "gpt-4.1"},
            {"agent_name": "Writer", "model_name": "claude-x"},
        ],
    }
    statuses = [
        post_agent(client).status_code,
        client.post("/v1/swarm/completions", json=swarm, headers={"x-api-key": "sk-b"}).status_code,
        client.get("/health").status_code,
        client.post("/v1/chat/completions", json={"model": "gpt-4o"}).status_code,
    ]
    assert statuses == expected


# -- selectors -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("selector", "faulted"),
    [
        ({"every_nth": 3}, [3, 6]),
        ({"first_n": 2}, [1, 2]),
        ({"after_n": 5}, [6, 7]),
        ({"every_nth": 2, "after_n": 2}, [4, 6]),
        ({"first_n": 0}, []),
    ],
)
def test_count_selectors(
    engine: FaultEngine, client: httpx.Client, selector: dict[str, int], faulted: list[int]
) -> None:
    engine.add_rule(
        {
            "id": "s",
            "selector": selector,
            "match": {"path": "/health"},
            "action": {"type": "error", "status": 502},
        }
    )
    statuses = []
    for _ in range(7):
        statuses.append(client.get("/health").status_code)
        post_agent(client)  # not matched: does not move the counter
    assert [i + 1 for i, s in enumerate(statuses) if s == 502] == faulted


def test_clock_window_selector(engine: FaultEngine, client: httpx.Client) -> None:
    engine.add_rule(
        {
            "id": "w",
            "selector": {"from": "2026-01-01T12:00:00Z", "until": "2026-01-01T12:05:00Z"},
            "action": {"type": "error", "status": 504},
        }
    )
    assert client.get("/health").status_code == 504  # at T0 (from is inclusive)
    engine.clock.advance(299)
    assert client.get("/health").status_code == 504
    engine.clock.advance(1)  # until is exclusive
    assert client.get("/health").status_code == 200
    engine.clock.set(datetime(2026, 1, 1, 11, 59, 59, tzinfo=UTC))
    assert client.get("/health").status_code == 200


def _faulted_indices(base_url: str, seed: int) -> list[int]:
    Holder.engine = FaultEngine(Clock(T0), Entropy(seed), MemoryStore())
    Holder.engine.add_rule(
        {"id": "p", "selector": {"probability": 0.3}, "action": {"type": "error", "status": 500}}
    )
    with httpx.Client(base_url=base_url) as c:
        return [i for i in range(60) if c.get("/health").status_code == 500]


def test_probability_is_deterministic_per_seed(base_url: str, engine: FaultEngine) -> None:
    first = _faulted_indices(base_url, seed=1)
    assert first == _faulted_indices(base_url, seed=1)
    assert 8 <= len(first) <= 30  # about 30 % of 60
    assert first != _faulted_indices(base_url, seed=2)
    # The draw is entropy.derive("fault", rule_id, match_index): computable without HTTP.
    expected = [i - 1 for i in range(1, 61) if Entropy(1).derive("fault", "p", i).random() < 0.3]
    assert first == expected


def test_first_firing_rule_wins_and_all_matching_rules_count(
    engine: FaultEngine, client: httpx.Client
) -> None:
    engine.add_rule({"id": "a", "selector": {"every_nth": 2}, "action": {"type": "error", "status": 502}})
    engine.add_rule({"id": "b", "selector": {"every_nth": 3}, "action": {"type": "error", "status": 503}})
    assert [client.get("/health").status_code for _ in range(6)] == [200, 502, 503, 502, 200, 502]
    assert_seen([None, "a", "b", "a", None, "a"])


# -- latency ---------------------------------------------------------------------------------------
def test_fixed_latency_delays_the_first_byte(engine: FaultEngine, client: httpx.Client) -> None:
    engine.add_rule({"id": "l", "action": {"type": "latency", "seconds": 0.3}})
    started = time.monotonic()
    response = post_agent(client)
    assert time.monotonic() - started >= 0.3
    assert response.json() == AGENT_BODY


def test_latency_beyond_the_client_timeout(engine: FaultEngine, client: httpx.Client) -> None:
    engine.add_rule({"id": "l", "action": {"type": "latency", "seconds": 1.0}})
    with pytest.raises(httpx.ReadTimeout):
        post_agent(client, timeout=0.2)


def test_latency_draws_are_seeded(engine: FaultEngine) -> None:
    from mockswarms.faults import RequestInfo

    async def draws(seed: int, action: dict[str, Any]) -> list[float]:
        e = FaultEngine(Clock(T0), Entropy(seed), MemoryStore())
        e.add_rule({"id": "l", "action": action})
        out = []
        for _ in range(5):
            decision = await e.decide(RequestInfo("GET", "/health", None, None))
            assert decision is not None
            out.append(decision.action.draw(decision.rng()))
        return out

    uniform = {"type": "latency", "distribution": "uniform", "low": 0.1, "high": 0.2}
    lognormal = {
        "type": "latency",
        "distribution": "lognormal",
        "median": 0.05,
        "sigma": 1.0,
        "max_seconds": 0.3,
    }
    a = asyncio.run(draws(1, uniform))
    assert a == asyncio.run(draws(1, uniform)) and a != asyncio.run(draws(2, uniform))
    assert all(0.1 <= x <= 0.2 for x in a) and len(set(a)) == 5
    b = asyncio.run(draws(1, lognormal))
    assert b == asyncio.run(draws(1, lognormal)) and all(0 < x <= 0.3 for x in b)


def test_per_chunk_latency_on_a_stream(engine: FaultEngine, client: httpx.Client) -> None:
    engine.add_rule(
        {
            "id": "c",
            "match": {"path": "/stream"},
            "action": {"type": "latency", "seconds": 0.05, "apply_to": "chunk"},
        }
    )
    started = time.monotonic()
    text = client.get("/stream").text
    assert time.monotonic() - started >= 0.05 * EVENTS
    assert text.count("event: ") == EVENTS


# -- transport faults ------------------------------------------------------------------------------
def test_reset_before_the_response(engine: FaultEngine, client: httpx.Client, base_url: str) -> None:
    engine.add_rule({"id": "r", "selector": {"first_n": 3}, "action": {"type": "reset"}})
    with pytest.raises(httpx.ReadError, match="reset"):  # a real TCP RST: "Connection reset by peer"
        client.get("/health")
    with pytest.raises(requests.exceptions.ConnectionError, match="reset"):
        requests.get(base_url + "/health", timeout=5)
    # httpcore writes a POST's head and body separately; when the RST lands between the two writes it
    # reports "Server disconnected without sending a response" instead of the read error.
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
        post_agent(client)
    assert client.get("/health").status_code == 200  # the rule only fires on the first 3 requests
    assert_seen(["r", "r", "r", None])


def test_empty_response(engine: FaultEngine, client: httpx.Client) -> None:
    engine.add_rule({"id": "e", "selector": {"first_n": 1}, "action": {"type": "empty"}})
    with pytest.raises(httpx.RemoteProtocolError, match="without sending"):
        post_agent(client)
    assert post_agent(client).json() == AGENT_BODY


def test_truncated_body(engine: FaultEngine, client: httpx.Client, base_url: str) -> None:
    engine.add_rule({"id": "t", "action": {"type": "truncate", "fraction": 0.5}})
    full = len(orjson.dumps(AGENT_BODY))
    with client.stream("POST", "/v1/agent/completions", json={}) as response:
        assert response.status_code == 200
        assert response.headers["content-length"] == str(full)
        received = b""
        with pytest.raises(httpx.RemoteProtocolError, match="without sending complete message body"):
            for chunk in response.iter_raw():
                received += chunk
    assert received == orjson.dumps(AGENT_BODY)[: full // 2]
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        requests.post(base_url + "/v1/agent/completions", json={}, timeout=5)


def test_malformed_json(engine: FaultEngine, client: httpx.Client) -> None:
    engine.add_rule({"id": "j", "action": {"type": "malformed_json"}})
    response = post_agent(client)
    assert response.status_code == 200
    assert int(response.headers["content-length"]) == len(response.content)
    with pytest.raises(ValueError):
        response.json()


def test_slow_drip(engine: FaultEngine, client: httpx.Client) -> None:
    engine.add_rule({"id": "d", "action": {"type": "drip", "chunk_bytes": 100, "interval": 0.03}})
    pieces = []
    started = time.monotonic()
    with client.stream("POST", "/v1/agent/completions", json={}) as response:
        pieces = list(response.iter_raw())
    body = b"".join(pieces)
    assert orjson.loads(body) == AGENT_BODY
    assert len(pieces) >= 4 and time.monotonic() - started >= 0.03 * (len(body) // 100)


# -- SSE frame faults ------------------------------------------------------------------------------
def _events(text: str) -> list[str]:
    return [frame for frame in text.replace("\r\n", "\n").split("\n\n") if "data:" in frame]


def test_clean_stream_baseline(engine: FaultEngine, client: httpx.Client) -> None:
    events = _events(client.get("/stream").text)
    assert len(events) == EVENTS and events[-1].startswith("event: done")


def test_sse_disconnect_after_n_events(engine: FaultEngine, client: httpx.Client) -> None:
    engine.add_rule({"id": "x", "action": {"type": "sse_disconnect", "after_events": 2}})
    received = ""
    with client.stream("GET", "/stream") as response, pytest.raises(httpx.RemoteProtocolError):
        for text in response.iter_text():
            received += text
    assert [e.splitlines()[1] for e in _events(received)] == [
        'data: {"content":"c0"}',
        'data: {"content":"c1"}',
    ]


def test_sse_malformed_event(engine: FaultEngine, client: httpx.Client) -> None:
    engine.add_rule({"id": "x", "action": {"type": "sse_malformed", "event": 2}})
    events = _events(client.get("/stream").text)
    assert len(events) == EVENTS
    data = [e.split("data: ", 1)[1] for e in events]
    assert orjson.loads(data[0]) == {"content": "c0"}
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(data[1])


def test_sse_duplicated_event(engine: FaultEngine, client: httpx.Client) -> None:
    engine.add_rule({"id": "x", "action": {"type": "sse_duplicate", "event": 3}})
    events = _events(client.get("/stream").text)
    assert [e.split("data: ", 1)[1] for e in events][:4] == [
        '{"content":"c0"}',
        '{"content":"c1"}',
        '{"content":"c2"}',
        '{"content":"c2"}',
    ]
    assert len(events) == EVENTS + 1


def test_sse_missing_terminal_event(engine: FaultEngine, client: httpx.Client) -> None:
    engine.add_rule({"id": "x", "action": {"type": "sse_drop_terminal"}})
    response = client.get("/stream")
    assert response.status_code == 200  # a clean end of stream, just without the last event
    events = _events(response.text)
    assert len(events) == EVENTS - 1 and all("event: chunk" in e for e in events)


def test_sse_stall_then_continue(engine: FaultEngine, client: httpx.Client) -> None:
    engine.add_rule({"id": "x", "action": {"type": "sse_stall", "event": 3, "seconds": 0.4}})
    stamps: list[float] = []
    with client.stream("GET", "/stream") as response:
        buffer = ""
        for text in response.iter_text():
            buffer += text
            while len(_events(buffer)) > len(stamps) and buffer.endswith("\n\n"):
                stamps.append(time.monotonic())
    assert len(_events(buffer)) == EVENTS
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    assert max(gaps) >= 0.35 and gaps.index(max(gaps)) == 1  # between event 2 and event 3
    with pytest.raises(httpx.ReadTimeout):  # a client with a short read timeout gives up during the stall
        client.get("/stream", timeout=0.15).read()


def test_sse_fault_leaves_json_responses_alone(engine: FaultEngine, client: httpx.Client) -> None:
    engine.add_rule({"id": "x", "action": {"type": "sse_disconnect", "after_events": 0}})
    assert client.get("/health").json() == {"status": "ok"}


# -- the header source -----------------------------------------------------------------------------
def test_fault_header(engine: FaultEngine, client: httpx.Client) -> None:
    r = client.get("/health", headers={"X-Mockswarms-Fault": "status=503"})
    assert (r.status_code, r.json()) == (503, {"detail": "Service Unavailable"})
    assert_seen(["header"])
    r = client.get("/health", headers={"X-Mockswarms-Fault": "status=418"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][:2] == ["header", "x-mockswarms-fault"]
    with pytest.raises(httpx.RemoteProtocolError):
        client.get("/health", headers={"X-Mockswarms-Fault": "empty"})
    events = _events(client.get("/stream", headers={"X-Mockswarms-Fault": "sse_drop_terminal"}).text)
    assert len(events) == EVENTS - 1
    engine.header_enabled = False  # off (the default): the header is ignored
    assert client.get("/health", headers={"X-Mockswarms-Fault": "status=503"}).status_code == 200


# -- what the official SDK sees --------------------------------------------------------------------
def _sdk(base_url: str, **kwargs: Any) -> Any:
    from swarms_client import SwarmsClient

    return SwarmsClient(api_key="sk-a", base_url=base_url, **kwargs)


def test_sdk_retries_5xx_then_succeeds(engine: FaultEngine, base_url: str) -> None:
    engine.add_rule(
        {
            "id": "s",
            "match": {"endpoint": "agent"},
            "selector": {"first_n": 2},
            "action": {"type": "error", "status": 503},
        }
    )
    result = _sdk(base_url).agent.run(agent_config={"agent_name": "Researcher"}, task="t")
    assert result["job_id"] == "agent-1"  # AgentRunResponse is a plain dict in swarms-client 0.8.0
    assert_seen(["s", "s", None])  # two faulted attempts, then the default 2 retries succeed


def test_sdk_gives_up_after_max_retries(engine: FaultEngine, base_url: str) -> None:
    from swarms_client import APIStatusError, InternalServerError

    engine.add_rule({"id": "s", "action": {"type": "error", "status": 500}})
    with pytest.raises(InternalServerError) as info:
        _sdk(base_url, max_retries=1).agent.run(task="t")
    assert info.value.status_code == 500 and info.value.body == {
        "detail": "An unexpected error occurred: Internal Server Error"
    }
    assert_seen(["s", "s"])
    engine.clear()
    engine.add_rule({"id": "p", "action": {"type": "error", "status": 402}})
    Holder.seen_rules = []
    with pytest.raises(APIStatusError) as status_info:  # 402 is not retried
        _sdk(base_url).agent.run(task="t")
    assert status_info.value.status_code == 402
    assert_seen(["p"])


def test_sdk_honours_retry_after_on_429(engine: FaultEngine, base_url: str) -> None:
    engine.add_rule(
        {"id": "r", "selector": {"first_n": 1}, "action": {"type": "error", "status": 429, "retry_after": 1}}
    )
    started = time.monotonic()
    assert _sdk(base_url).agent.run(task="t")["success"] is True
    assert 0.95 <= time.monotonic() - started < 3


def test_sdk_retries_connection_resets_and_timeouts(engine: FaultEngine, base_url: str) -> None:
    from swarms_client import APIConnectionError, APITimeoutError

    engine.add_rule({"id": "r", "selector": {"first_n": 1}, "action": {"type": "reset"}})
    assert _sdk(base_url).agent.run(task="t")["job_id"] == "agent-1"
    assert_seen(["r", None])
    engine.clear()
    engine.add_rule({"id": "t", "action": {"type": "truncate"}})
    with pytest.raises(APIConnectionError):
        _sdk(base_url, max_retries=0).agent.run(task="t")
    # The server records the truncated request after the client already saw the cut: wait for it
    # before starting afresh, or it lands in the next list (a race seen under a loaded machine).
    assert_seen(["r", None, "t"])
    engine.clear()
    engine.add_rule({"id": "l", "action": {"type": "latency", "seconds": 0.5}})
    Holder.seen_rules = []
    with pytest.raises(APITimeoutError):
        _sdk(base_url, max_retries=1, timeout=0.1).agent.run(task="t")
    time.sleep(0.5)
    assert_seen(["l", "l"])


def test_sdk_on_malformed_json(engine: FaultEngine, base_url: str) -> None:
    from swarms_client import APIResponseValidationError

    engine.add_rule({"id": "j", "action": {"type": "malformed_json"}})
    with pytest.raises((APIResponseValidationError, ValueError)):
        _sdk(base_url, _strict_response_validation=True).agent.run(task="t")


# -- rules shared by several workers ---------------------------------------------------------------
async def test_rules_and_counters_are_shared_through_the_store(engine: FaultEngine) -> None:
    from mockswarms.faults import RequestInfo

    store = MemoryStore()
    a = FaultEngine(Clock(T0), Entropy(0), store, shared=True)
    b = FaultEngine(Clock(T0), Entropy(0), store, shared=True)
    a.add_rule({"id": "n", "selector": {"every_nth": 2}, "action": {"type": "error", "status": 500}})
    await a.save()
    await b.sync()
    assert b.list_rules() == a.list_rules()
    request = RequestInfo("GET", "/health", None, None)
    hits = [await x.decide(request) for x in (a, b, a, b)]
    assert [h.rule_id if h else None for h in hits] == [None, "n", None, "n"]
    a.clear()
    await a.save()
    await b.sync()
    assert b.list_rules() == []
