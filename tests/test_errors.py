"""Every error class of the docs profile: auth matrix and its switches, 404/405, 422 (malformed JSON and
schema), semantic 400s with the reference's texts, 413, premium 403, 402, 429 — and a seeded fuzz sweep
over every POST endpoint that must never produce a 500 or a traceback."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockswarms.http.app import create_app

NOW = "2026-03-01T20:00:00Z"
PREMIUM = {"x-api-key": "sk-mock-premium"}
FREE = {"x-api-key": "sk-mock-free"}
AGENT = {"agent_config": {"agent_name": "Analyst", "model_name": "gpt-4o"}, "task": "Summarize X"}
WRITER = {"agent_name": "Writer", "model_name": "gpt-4o-mini"}
INSUFFICIENT = (
    "Insufficient credits. Please add more credits to continue using the API. Visit "
    "https://swarms.world/platform/account to purchase additional credits and ensure uninterrupted "
    "service."
)
PREMIUM_BATCH_BODY = {
    "error": {
        "type": "premium_access_required",
        "message": "Premium subscription required",
        "detail": "Access to Batch Agent Completions requires a premium subscription. This feature allows "
        "you to process multiple agent tasks concurrently in a single request. Your current account is on "
        "the "
        "free tier, which does not include access to premium features. To unlock this and other premium "
        "capabilities, please upgrade your account at https://swarms.world/platform/account. Premium "
        "subscriptions provide access to high-throughput batch processing, concurrent execution, advanced "
        "reasoning agents, and enterprise-scale workflow orchestration.",
        "status_code": 403,
        "upgrade_url": "https://swarms.world/platform/account",
        "documentation": "https://docs.swarms.ai",
    }
}


def client(**settings: Any) -> TestClient:
    return TestClient(create_app(now=NOW, seed=1, **settings), raise_server_exceptions=False)


def no_rate_headers(response: Any) -> bool:
    return not [name for name in response.headers if name.lower().startswith("x-ratelimit")]


def credits(c: TestClient, headers: dict[str, str] = PREMIUM) -> Any:
    return c.get("/v1/account/credits", headers=headers).json()


# -- authentication --------------------------------------------------------------------------------
MISSING = (401, {"detail": "API key is required"})
INVALID = (403, {"detail": "Invalid API Key"})


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"x-api-key": "sk-mock-premium"}, 200),
        ({"Authorization": "Bearer sk-mock-premium"}, 200),
        ({"authorization": "bearer sk-mock-premium"}, 200),
        ({}, MISSING),
        ({"x-api-key": ""}, MISSING),
        ({"x-api-key": "   "}, MISSING),
        ({"Authorization": "Basic c2stbW9jay1wcmVtaXVt"}, MISSING),
        ({"Authorization": "Bearer "}, MISSING),
        ({"x-api-key": "sk-unknown"}, INVALID),
        ({"Authorization": "Bearer sk-unknown"}, INVALID),
        # x-api-key is looked at first.
        ({"x-api-key": "sk-mock-premium", "Authorization": "Bearer sk-unknown"}, 200),
        ({"x-api-key": "sk-unknown", "Authorization": "Bearer sk-mock-premium"}, INVALID),
    ],
)
@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("GET", "/v1/tools/available", None),
        ("POST", "/v1/agent/completions", AGENT),
        ("GET", "/v1/swarm/logs", None),
    ],
)
def test_auth_matrix(headers: dict[str, str], expected: Any, method: str, path: str, payload: Any) -> None:
    r = client().request(method, path, headers=headers, json=payload)
    if expected == 200:
        assert r.status_code == 200
        return
    assert (r.status_code, r.json()) == expected
    assert no_rate_headers(r)


def test_auth_switches() -> None:
    r = client(auth_missing_mode="422").get("/v1/tools/available")
    assert r.status_code == 422
    assert r.json() == {
        "detail": [
            {"type": "missing", "loc": ["header", "x-api-key"], "msg": "Field required", "input": None}
        ]
    }
    r = client(auth_invalid_status=401).get("/v1/tools/available", headers={"x-api-key": "sk-nope"})
    assert (r.status_code, r.json()) == (401, {"detail": "Invalid API Key"})
    c = client(bearer_enabled=False)
    r = c.get("/v1/tools/available", headers={"Authorization": "Bearer sk-mock-premium"})
    assert (r.status_code, r.json()) == MISSING
    assert c.get("/v1/tools/available", headers=PREMIUM).status_code == 200


def test_openai_routes_answer_auth_errors_in_openai_format() -> None:
    c = client()
    body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}
    r = c.post("/v1/chat/completions", json=body)
    assert r.status_code == 401
    assert r.json() == {
        "error": {
            "message": "API key is required",
            "type": "authentication_error",
            "code": "invalid_api_key",
            "param": None,
        }
    }
    r = c.get("/v1/models", headers={"Authorization": "Bearer sk-unknown"})
    assert r.status_code == 403
    assert r.json()["error"]["type"] == "permission_error"


@pytest.mark.parametrize("path", ["/", "/health", "/v1/swarms/available", "/v1/models/available"])
def test_public_endpoints_need_no_key_and_ignore_a_bad_one(path: str) -> None:
    c = client()
    assert c.get(path).status_code == 200
    assert c.get(path, headers={"x-api-key": "sk-unknown"}).status_code == 200


def test_public_discovery_switch_off_requires_a_key() -> None:
    c = client(public_discovery=False)
    for path in ("/v1/swarms/available", "/v1/models/available"):
        assert (c.get(path).status_code, c.get(path).json()) == MISSING
        assert c.get(path, headers=PREMIUM).status_code == 200


# -- routing ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/nope"),
        ("POST", "/v1/agent/completion"),
        ("GET", "/v2/health"),
        ("GET", "/v1/marketplace/agents/list"),
        ("POST", "/v1/agents/completions"),
        ("GET", "/v1/swarm/cost"),
    ],
)
def test_unknown_path_is_404_not_found(method: str, path: str) -> None:
    c = client()
    for headers in ({}, PREMIUM):
        r = c.request(method, path, headers=headers)
        assert (r.status_code, r.json()) == (404, {"detail": "Not Found"})
        assert r.headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("GET", "/v1/agent/completions", "POST"),
        ("PUT", "/v1/swarm/completions", "POST"),
        ("DELETE", "/health", "GET"),
        ("POST", "/v1/swarm/logs", "GET"),
        ("GET", "/v1/marketplace/agents", "POST"),
        ("PATCH", "/v1/rate/limits", "GET"),
    ],
)
def test_wrong_method_is_405(method: str, path: str, allowed: str) -> None:
    r = client().request(method, path, headers=PREMIUM)
    assert (r.status_code, r.json()) == (405, {"detail": "Method Not Allowed"})
    assert allowed in r.headers["allow"]


# -- 422 -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("raw", [b"{bad", b'{"task": }', b"[1,", b"\xff\xfe", b"nul"])
def test_malformed_json_is_a_fastapi_422(raw: bytes) -> None:
    r = client().post(
        "/v1/agent/completions", content=raw, headers={**PREMIUM, "content-type": "application/json"}
    )
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert isinstance(detail, list) and len(detail) == 1
    assert detail[0]["type"] == "json_invalid" and detail[0]["msg"] == "JSON decode error"
    assert detail[0]["loc"][0] == "body" and isinstance(detail[0]["loc"][1], int)


def test_empty_body_is_a_missing_body_422() -> None:
    r = client().post("/v1/swarm/completions", headers=PREMIUM)
    assert (r.status_code, r.json()) == (
        422,
        {"detail": [{"type": "missing", "loc": ["body"], "msg": "Field required", "input": None}]},
    )


@pytest.mark.parametrize(
    ("path", "payload", "loc", "error_type"),
    [
        (
            "/v1/agent/completions",
            {"agent_config": {"agent_name": "x" * 101}, "task": "t"},
            ["body", "agent_config", "agent_name"],
            "string_too_long",
        ),
        (
            "/v1/agent/completions",
            {"agent_config": {"agent_name": "a", "temperature": "hot"}, "task": "t"},
            ["body", "agent_config", "temperature"],
            "float_type",
        ),  # strict: a string is never a number
        (
            "/v1/agent/completions",
            {"agent_config": "Analyst", "task": "t"},
            ["body", "agent_config"],
            "model_type",
        ),
        ("/v1/agent/completions", [AGENT], ["body"], "model_attributes_type"),
        (
            "/v1/swarm/completions",
            {"swarm_type": "SwarmOfBees", "task": "t"},
            ["body", "swarm_type"],
            "literal_error",
        ),
        ("/v1/swarm/completions", {"name": "n" * 101, "task": "t"}, ["body", "name"], "string_too_long"),
        ("/v1/swarm/completions", {"max_loops": "3", "task": "t"}, ["body", "max_loops"], "int_type"),
        ("/v1/swarm/completions", {"stream": 1, "task": "t"}, ["body", "stream"], "bool_type"),
        ("/v1/swarm/batch/completions", {"name": "x"}, ["body"], "list_type"),
        (
            "/v1/swarm/batch/completions",
            [{"task": "t"}, {"swarm_type": 3}],
            ["body", 1, "swarm_type"],
            "literal_error",
        ),
        (
            "/v1/graph-workflow/completions",
            {"agents": [WRITER], "edges": [["Writer", "Writer"]], "task": "t"},
            ["body", "edges", 0],
            "model_type",
        ),
        (
            "/v1/graph-workflow/completions",
            {"agents": [WRITER], "edges": ["Writer->Writer"], "task": "t"},
            ["body", "edges", 0],
            "model_type",
        ),
        (
            "/v1/reasoning-agent/completions",
            {"swarm_type": "reasoning_duo", "task": "t"},
            ["body", "swarm_type"],
            "literal_error",
        ),
        ("/v1/advanced-research/completions", {"task": "t"}, ["body", "config"], "missing"),
        ("/v1/marketplace/agents", {"number_of_items": 101}, ["body", "number_of_items"], "less_than_equal"),
    ],
)
def test_schema_violations_are_422_with_loc_msg_type(
    path: str, payload: Any, loc: list[Any], error_type: str
) -> None:
    c = client()
    before = credits(c)
    r = c.post(path, headers=PREMIUM, json=payload)
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert isinstance(detail, list) and detail
    first = detail[0]
    assert {"type", "loc", "msg"} <= set(first)
    assert (first["loc"], first["type"]) == (loc, error_type)
    assert isinstance(first["msg"], str) and first["msg"]
    assert credits(c) == before


# -- semantic 400s ---------------------------------------------------------------------------------
NO_TASK = (
    "There is no task or tasks or messages provided. Please provide a valid task description to proceed."
)


@pytest.mark.parametrize(
    ("path", "payload", "detail"),
    [
        (
            "/v1/swarm/completions",
            {"name": "S", "swarm_type": "SequentialWorkflow", "agents": [WRITER]},
            NO_TASK,
        ),
        (
            "/v1/agent/completions",
            {"agent_config": {"model_name": "gpt-4o"}, "task": "t"},
            "Agent name is required",
        ),
        (
            "/v1/agent/batch/completions",
            [AGENT] * 11,
            "ERROR: BATCH SIZE EXCEEDED - You can only run up to 10 batch agents at a time.",
        ),
        (
            "/v1/batched-grid-workflow/completions",
            {"agent_completions": [WRITER], "tasks": ["a"]},
            "max_loops is required and must be a positive integer (>= 1).",
        ),
        (
            "/v1/batched-grid-workflow/completions",
            {"agent_completions": [WRITER], "tasks": ["a"], "max_loops": 0},
            "max_loops is required and must be a positive integer (>= 1).",
        ),
    ],
)
def test_semantic_errors_are_400_with_exact_texts(path: str, payload: Any, detail: str) -> None:
    c = client()
    before = credits(c)
    r = c.post(path, headers=PREMIUM, json=payload)
    assert (r.status_code, r.json()) == (400, {"detail": detail})
    assert r.headers["x-ratelimit-tier"] == "premium"  # the limiter ran before validation
    assert credits(c) == before


def test_prompt_too_long_is_400_with_the_tier_limit() -> None:
    c = client(prompt_limit_free=2000)
    r = c.post(
        "/v1/agent/completions",
        headers=FREE,
        json={"agent_config": {"agent_name": "A", "model_name": "gpt-4o"}, "task": "word " * 3000},
    )
    assert (r.status_code, r.json()) == (
        400,
        {"detail": "Prompt is too long. Please provide a prompt that is less than 2,000 tokens."},
    )
    assert credits(c, FREE)["total_credits"] == 20.0
    ok = c.post(
        "/v1/agent/completions",
        headers=PREMIUM,
        json={"agent_config": {"agent_name": "A", "model_name": "gpt-4o"}, "task": "word " * 3000},
    )
    assert ok.status_code == 200


def test_advanced_research_error_codes() -> None:
    c = client()
    r = c.post(
        "/v1/advanced-research/completions",
        headers=PREMIUM,
        json={"config": {"worker_model_name": None}, "task": "t"},
    )
    assert r.status_code == 422
    assert r.json()["detail"]["error_code"] == "ADVANCED_RESEARCH_MISSING_WORKER_MODEL_NAME"
    r = c.post(
        "/v1/advanced-research/completions", headers=PREMIUM, json={"config": {"max_loops": 0}, "task": "t"}
    )
    assert r.json()["detail"]["error_code"] == "ADVANCED_RESEARCH_INVALID_MAX_LOOPS"


# -- 413 -------------------------------------------------------------------------------------------
def test_body_over_the_cap_is_413() -> None:
    c = client(max_body_bytes=256)
    big = {**AGENT, "task": "x" * 300}
    r = c.post("/v1/agent/completions", headers=PREMIUM, json=big)
    assert (r.status_code, r.json()) == (413, {"detail": "Request body too large: the limit is 256 bytes"})
    assert c.post("/v1/agent/completions", headers=PREMIUM, json=AGENT).status_code == 200

    def chunks() -> Any:  # no Content-Length: the cap applies while the body streams in
        yield b'{"task": "'
        for _ in range(10):
            yield b"y" * 50
        yield b'"}'

    r = c.post(
        "/v1/agent/completions", headers={**PREMIUM, "content-type": "application/json"}, content=chunks()
    )
    assert (r.status_code, r.json()) == (413, {"detail": "Request body too large: the limit is 256 bytes"})


def test_default_cap_is_ten_mebibytes() -> None:
    c = client()
    r = c.post(
        "/v1/agent/completions",
        headers={**PREMIUM, "content-type": "application/json"},
        content=b" " * (10 * 1024 * 1024 + 1),
    )
    assert r.status_code == 413
    assert r.json() == {"detail": f"Request body too large: the limit is {10 * 1024 * 1024} bytes"}


# -- premium, credits, limits ----------------------------------------------------------------------
def test_premium_endpoint_403_exact_body_without_rate_headers() -> None:
    c = client()
    r = c.post("/v1/agent/batch/completions", headers=FREE, json=[AGENT])
    assert (r.status_code, r.json()) == (403, PREMIUM_BATCH_BODY)
    assert no_rate_headers(r)
    for path, payload in (
        ("/v1/swarm/batch/completions", [{"task": "t"}]),
        ("/v1/reasoning-agent/completions", {"task": "t"}),
        ("/v1/batched-grid-workflow/completions", {"tasks": ["t"], "max_loops": 1}),
        ("/v1/graph-workflow/completions", {"task": "t"}),
    ):
        r = c.post(path, headers=FREE, json=payload)
        assert r.status_code == 403
        assert r.json()["error"]["type"] == "premium_access_required"
        assert r.json()["error"]["detail"].startswith("Access to ")
    assert credits(c, FREE)["total_credits"] == 20.0


def test_premium_model_403_for_free_tier_including_the_default_model() -> None:
    c = client()
    for config in (
        {"agent_name": "A", "model_name": "gpt-4.1"},
        {"agent_name": "A"},
        {"agent_name": "A", "model_name": "groq/llama-3.1-8b-instant"},
    ):
        r = c.post("/v1/agent/completions", headers=FREE, json={"agent_config": config, "task": "t"})
        assert r.status_code == 403
        error = r.json()["error"]
        assert error["type"] == "premium_access_required" and error["status_code"] == 403
        assert error["model"] == config.get("model_name", "gpt-4.1")
        assert no_rate_headers(r)
    assert c.post("/v1/agent/completions", headers=FREE, json=AGENT).status_code == 200


def test_402_exact_body_before_any_work() -> None:
    c = client(
        accounts=[
            {"key": "sk-low", "tier": "premium", "credit": "1.00"},
            {"key": "sk-ok", "tier": "premium", "credit": "1.000001"},
            {"key": "sk-mock-broke", "tier": "free"},
        ]
    )
    for headers in ({"x-api-key": "sk-mock-broke"}, {"x-api-key": "sk-low"}):
        r = c.post("/v1/agent/completions", headers=headers, json=AGENT)
        assert (r.status_code, r.json()) == (402, {"detail": INSUFFICIENT})
        assert no_rate_headers(r)
    assert c.get("/v1/swarm/logs", headers={"x-api-key": "sk-low"}).json()["logs"] == []
    assert c.post("/v1/agent/completions", headers={"x-api-key": "sk-ok"}, json=AGENT).status_code == 200
    # Non-billable GETs stay available to broke accounts.
    assert c.get("/v1/account/credits", headers={"x-api-key": "sk-mock-broke"}).status_code == 200
    chat = c.post(
        "/v1/chat/completions",
        headers={"x-api-key": "sk-low"},
        json={"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]},
    )
    assert chat.status_code == 402
    assert chat.json()["error"]["message"] == INSUFFICIENT


def test_429_after_the_minute_limit_with_headers_and_docs_body() -> None:
    c = client(accounts=[{"key": "sk-tight", "tier": "free", "free_credit": "20", "limits": {"minute": 2}}])
    h = {"x-api-key": "sk-tight"}
    for _ in range(2):
        assert c.post("/v1/agent/completions", headers=h, json=AGENT).status_code == 200
    before = credits(c, h)
    r = c.post("/v1/agent/completions", headers=h, json=AGENT)
    assert r.status_code == 429
    assert r.json() == {
        "detail": "Rate limit exceeded for minute window(s). Upgrade to Premium for increased "
        "limits (2,000/min, 10,000/hour, 100,000/day) at "
        "https://swarms.world/platform/account for just $99/month."
    }
    assert r.headers["x-ratelimit-limit-minute"] == "2" and r.headers["x-ratelimit-remaining-minute"] == "0"
    assert r.headers["x-ratelimit-tier"] == "free"
    assert r.headers["retry-after"] == "60"
    assert r.headers["x-ratelimit-reset"] == str(1772395200 + 60)
    assert credits(c, h) == before
    # Limits apply on every authenticated call, GETs included; the window slides with the clock.
    assert c.get("/v1/tools/available", headers=h).status_code == 429
    c.put("/__mockswarms/clock", json={"advance_seconds": 61})
    assert c.post("/v1/agent/completions", headers=h, json=AGENT).status_code == 200


# -- fuzz: never a 500, never a traceback ----------------------------------------------------------
POST_BODIES: dict[str, Any] = {
    "/v1/agent/completions": {
        **AGENT,
        "history": [{"role": "user", "content": "hi"}],
        "img": "x",
        "stream": False,
    },
    "/v1/agent/batch/completions": [AGENT, AGENT],
    "/v1/swarm/completions": {
        "name": "S",
        "swarm_type": "AgentRearrange",
        "agents": [WRITER, {**WRITER, "agent_name": "B"}],
        "rearrange_flow": "Writer -> B",
        "task": "t",
        "max_loops": 1,
    },
    "/v1/swarm/batch/completions": [
        {"name": "S", "swarm_type": "GroupChat", "agents": [WRITER], "task": "t"}
    ],
    "/v1/chat/completions": {
        "model": "gpt-4o",
        "messages": [{"role": "user", "content": "hi"}],
        "max_tokens": 20,
    },
    "/v1/reasoning-agent/completions": {"swarm_type": "ire", "task": "t", "max_loops": 1, "num_samples": 2},
    "/v1/auto-swarm-builder/completions": {"task": "t", "execution_type": "return-agents", "max_loops": 1},
    "/v1/advanced-research/completions": {"config": {"max_loops": 1}, "task": "t"},
    "/v1/advanced-research/batch/completions": {"input_schemas": [{"config": None, "task": "t"}]},
    "/v1/marketplace/agents": {"number_of_items": 2},
    "/v1/batched-grid-workflow/completions": {"agent_completions": [WRITER], "tasks": ["a"], "max_loops": 1},
    "/v1/graph-workflow/completions": {
        "agents": [WRITER, {**WRITER, "agent_name": "B"}],
        "edges": [{"source": "Writer", "target": "B"}],
        "task": "t",
    },
}
# Integers stay small: loop counts are unbounded in the simulator (see the report: max_loops=10**6 runs a
# million fake-LLM calls synchronously), so huge ints would only measure that.
ODD_VALUES: list[Any] = [
    None,
    "",
    " ",
    0,
    -1,
    1.5,
    -1e308,
    3.0,
    True,
    [],
    {},
    [None],
    {"": None},
    "\u0000",
    "é\u202e😀",
    "x" * 500,
    ["a", 1],
    {"role": "user"},
    "->",
    ",",
    "auto",
    "NaN",
]


def _random_json(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(7 if depth < 3 else 4)
    if kind == 0:
        return rng.choice(ODD_VALUES)
    if kind == 1:
        return rng.randint(-5, 40)
    if kind == 2:
        return "".join(chr(rng.randrange(32, 0x2FF)) for _ in range(rng.randrange(12)))
    if kind == 3:
        return rng.choice([True, False, None, 0.0])
    if kind in (4, 5):
        return {
            rng.choice(
                [
                    "task",
                    "agents",
                    "agent_config",
                    "name",
                    "swarm_type",
                    "model",
                    "messages",
                    "edges",
                    "config",
                    "tasks",
                    "max_loops",
                    "stream",
                    "history",
                    "zz",
                ]
            ): _random_json(rng, depth + 1)
            for _ in range(rng.randrange(4))
        }
    return [_random_json(rng, depth + 1) for _ in range(rng.randrange(4))]


def _mutate(rng: random.Random, value: Any, depth: int = 0) -> Any:
    """Replace, drop or retype one part of a realistic body (recursively)."""
    if isinstance(value, dict) and value and depth < 4:
        out = dict(value)
        key = rng.choice(list(out))
        action = rng.randrange(4)
        if action == 0:
            del out[key]
        elif action == 1:
            out[key] = rng.choice(ODD_VALUES) if rng.random() < 0.6 else _random_json(rng)
        else:
            out[key] = _mutate(rng, out[key], depth + 1)
        return out
    if isinstance(value, list) and value and depth < 4:
        out_list = list(value)
        index = rng.randrange(len(out_list))
        if rng.random() < 0.3:
            out_list.append(rng.choice(ODD_VALUES))
        else:
            out_list[index] = _mutate(rng, out_list[index], depth + 1)
        return out_list
    return rng.choice(ODD_VALUES) if rng.random() < 0.7 else _random_json(rng)


def _fuzz_bodies(rng: random.Random, base: Any, count: int) -> list[bytes]:
    bodies: list[bytes] = []
    for index in range(count):
        choice = index % 10
        if choice == 0:
            bodies.append(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40))))
        elif choice == 1:
            bodies.append(json.dumps(_random_json(rng)).encode())
        else:
            body = base
            for _ in range(rng.randint(1, 3)):
                body = _mutate(rng, body)
            bodies.append(json.dumps(body).encode())
    return bodies


@pytest.mark.parametrize("profile", ["docs", "prism"])
@pytest.mark.parametrize("path", sorted(POST_BODIES))
def test_fuzz_never_500_never_traceback(path: str, profile: str) -> None:
    rng = random.Random(f"{path}:{profile}")
    c = client(profile=profile, rate_limit_mode="off", journal_size=0)
    for raw in _fuzz_bodies(rng, POST_BODIES[path], 150):
        r = c.post(path, content=raw, headers={**PREMIUM, "content-type": "application/json"})
        assert r.status_code < 500, (raw[:300], r.status_code, r.text[:500])
        assert r.status_code in (200, 400, 402, 403, 404, 422), (raw[:300], r.status_code, r.text[:300])
        assert "Traceback" not in r.text and 'File "' not in r.text
        if r.headers.get("content-type", "").startswith("application/json"):
            body = r.json()
            if r.status_code >= 400:
                assert "detail" in body or "error" in body
