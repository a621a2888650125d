"""Hypothesis strategies of the contract: schema-valid, complete, reproducible."""

from __future__ import annotations

from typing import Any

import jsonschema_rs
import pytest
from hypothesis import HealthCheck, given, settings

from mockswarms.contract import strategies
from mockswarms.contract.openapi import OPERATIONS

FAST = settings(max_examples=8, database=None, deadline=None, suppress_health_check=list(HealthCheck))
REQUEST_OPS = [f"{op.method} {op.path}" for op in OPERATIONS if op.request is not None]
RESPONSE_OPS = [f"{op.method} {op.path}" for op in OPERATIONS if op.responses]


def test_tables_cover_every_model_and_operation() -> None:
    assert set(REQUEST_OPS) <= set(strategies.requests)
    assert {"AgentCompletion", "SwarmSpec", "ChatCompletionRequest", "GraphWorkflowRequest"} <= set(
        strategies.requests
    )
    assert set(RESPONSE_OPS) <= set(strategies.responses)
    assert {"AgentCompletionOutput", "SwarmBatchItemError", "ErrorDetail", "SwarmSSEChunk"} <= set(
        strategies.responses
    )
    with pytest.raises(KeyError):
        strategies.requests["NoSuchModel"]
    with pytest.raises(KeyError):
        strategies.response_strategy("GET /v1/nope")


@pytest.mark.parametrize("operation", REQUEST_OPS)
def test_request_strategies_are_schema_valid(operation: str) -> None:
    validator = jsonschema_rs.validator_for(strategies.operation_request_schema(operation))

    @FAST
    @given(strategies.requests[operation])
    def check(body: Any) -> None:
        assert validator.is_valid(body)

    check()


@pytest.mark.parametrize("operation", RESPONSE_OPS)
def test_response_strategies_are_schema_valid(operation: str) -> None:
    validator = jsonschema_rs.validator_for(strategies.operation_response_schema(operation))

    @FAST
    @given(strategies.responses[operation])
    def check(body: Any) -> None:
        assert validator.is_valid(body)

    check()


@FAST
@given(strategies.swarm_completion_responses(), strategies.agent_batch_responses())
def test_named_helpers_draw_the_sdk_shapes(swarm: Any, batch: Any) -> None:
    assert isinstance(swarm, dict)
    assert "output" in swarm or "metadata" in swarm  # current or legacy layout
    assert isinstance(batch, (dict, list))  # envelope (current) or bare list (legacy)


@FAST
@given(strategies.rate_limits_responses())
def test_rate_limit_responses_have_every_window(body: dict[str, Any]) -> None:
    assert set(body["rate_limits"]) >= {"minute", "hour", "day"}
    for window in ("minute", "hour", "day"):
        assert {"count", "exceeded", "limit", "remaining", "reset_time"} <= set(body["rate_limits"][window])


@pytest.mark.parametrize(
    "operation",
    [
        "POST /v1/agent/completions",
        "POST /v1/swarm/batch/completions",
        "GET /v1/rate/limits",
        "GET /v1/auto-swarm-builder/execution-types",
    ],
)
def test_fuzz_response_is_seeded_reproducible_and_valid(operation: str) -> None:
    validator = jsonschema_rs.validator_for(strategies.operation_response_schema(operation))
    first = [strategies.fuzz_response(operation, seed=7, index=i) for i in range(4)]
    again = [strategies.fuzz_response(operation, seed=7, index=i) for i in range(4)]
    other_seed = [strategies.fuzz_response(operation, seed=8, index=i) for i in range(4)]
    assert first == again
    assert all(validator.is_valid(body) for body in first + other_seed)
    assert len({repr(b) for b in first}) > 1  # successive indexes differ
    assert first != other_seed


def test_fuzz_response_unknown_operation() -> None:
    with pytest.raises(KeyError, match="unknown operation"):
        strategies.fuzz_response("GET /v1/nope", 0, 0)
