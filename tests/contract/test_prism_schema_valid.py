"""The ``prism`` profile answers 2xx, with a body valid against the contract, to every schema-valid
request of every operation of the served contract: Hypothesis draws the bodies from the contract's own
strategies (``mockswarms.contract.strategies``), so no semantic check may leak into prism.

Not even the work bound: a run over ``MAX_MODEL_CALLS`` simulated calls stops at the bound and answers
what it produced (tests/engine/test_work_cap_truncation.py)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

import jsonschema_rs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from mockswarms.contract import strategies
from mockswarms.contract.openapi import OPERATIONS, Operation
from mockswarms.http.app import create_app

SERVED = [op for op in OPERATIONS if op.optional is None and op.path != "/openapi.json"]
POSTS = [op for op in SERVED if op.request is not None]
GETS = [op for op in SERVED if op.request is None]
KEY = {"x-api-key": "any-key-prism-accepts"}


def _key(op: Operation) -> str:
    return f"{op.method} {op.path}"


@cache
def _response_validator(key: str) -> jsonschema_rs.Validator:
    return jsonschema_rs.validator_for(strategies.operation_response_schema(key))


@pytest.fixture(scope="module")
def prism() -> Iterator[TestClient]:
    with TestClient(create_app(profile="prism", seed=7)) as client:
        yield client


def _assert_answered(op: Operation, status: int, content_type: str, body: Any) -> None:
    assert 200 <= status < 300, f"{_key(op)} answered {status}: {str(body)[:500]}"
    assert content_type.startswith("application/json")  # prism never streams
    errors = [e.message for e in _response_validator(_key(op)).iter_errors(body)]
    assert errors == [], f"{_key(op)} answered a body outside the contract: {errors[:3]}"


def _check_body(client: TestClient, op: Operation, payload: Any) -> None:
    response = client.post(op.path, json=payload, headers=KEY)
    _assert_answered(op, response.status_code, response.headers["content-type"], response.json())


@pytest.mark.parametrize("op", GETS, ids=_key)
def test_prism_answers_every_get_operation(prism: TestClient, op: Operation) -> None:
    response = prism.get(op.path, headers=KEY)
    _assert_answered(op, response.status_code, response.headers["content-type"], response.json())


def _drive(client: TestClient, op: Operation, examples: int) -> None:
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(payload=strategies.request_strategy(_key(op)))
    def check(payload: Any) -> None:
        _check_body(client, op, payload)

    check()


@pytest.mark.parametrize("op", POSTS, ids=_key)
def test_prism_answers_schema_valid_bodies_with_2xx(prism: TestClient, op: Operation) -> None:
    _drive(prism, op, examples=6)


@pytest.mark.slow
@pytest.mark.parametrize("op", POSTS, ids=_key)
def test_prism_answers_schema_valid_bodies_deep(prism: TestClient, op: Operation) -> None:
    _drive(prism, op, examples=150)


def test_prism_answers_the_rule_cases_that_docs_refuse(prism: TestClient) -> None:
    """Bodies the server rules refuse in docs (the SDKs' ``{}``, undeclared flow agents) are 2xx here."""
    swarm = next(op for op in POSTS if op.path == "/v1/swarm/completions")
    flow = {
        "swarm_type": "AgentRearrange",
        "task": "t",
        "agents": [{"agent_name": "A"}, {"agent_name": "B"}],
        "rearrange_flow": "rearrange_flow",
    }
    for payload in ({}, flow, {**flow, "rearrange_flow": "A -> -> B"}):
        _check_body(prism, swarm, payload)
    graph = next(op for op in POSTS if op.path == "/v1/graph-workflow/completions")
    _check_body(prism, graph, {"agents": [{"agent_name": "A"}], "edges": [{"source": "A", "target": "Z"}]})
    chat = next(op for op in POSTS if op.path == "/v1/chat/completions")
    _check_body(prism, chat, {"model": "gpt-4o", "messages": [{"role": "system", "content": "x"}], "n": 3})
    reasoning = next(op for op in POSTS if op.path == "/v1/reasoning-agent/completions")
    _check_body(prism, reasoning, {"swarm_type": "", "task": "t"})


def test_strategies_cover_every_post_operation() -> None:
    assert {_key(op) for op in POSTS} <= set(strategies.requests)
    assert all(isinstance(strategies.requests[_key(op)], st.SearchStrategy) for op in POSTS)
