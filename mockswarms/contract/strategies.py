"""Hypothesis strategies for every request and response body of the contract.

Built from the JSON schemas of the generated contract with Schemathesis' JSON-Schema → Hypothesis
engine, so every drawn value is valid against the contract (and therefore parses with the official
SDKs). Use them to property-test your own code::

    from hypothesis import given
    from mockswarms.contract import strategies

    @given(strategies.swarm_completion_responses())
    def test_my_parser_never_crashes(body):
        my_parser(body)

Lookup tables: ``strategies.requests["SwarmSpec"]`` / ``strategies.requests["POST /v1/swarm/completions"]``,
``strategies.responses["AgentCompletionOutput"]`` / ``strategies.responses["GET /v1/rate/limits"]``.
:func:`fuzz_response` draws one seeded, reproducible response for the response-fuzz setting.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

from hypothesis import strategies as st
from hypothesis.control import BuildContext
from hypothesis.errors import HypothesisException, StopTest
from hypothesis.internal.conjecture.data import ConjectureData

try:
    from schemathesis.generation.jsonschema.builder import build
except ImportError:  # a base install: say which extra, in one line
    raise ImportError(
        "mockswarms.contract.strategies needs schemathesis: pip install 'mockswarms[contract]'"
    ) from None

from mockswarms.contract.openapi import OPERATIONS, Operation, build_openapi

__all__ = [
    "agent_batch_requests",
    "agent_batch_responses",
    "agent_completion_requests",
    "agent_completion_responses",
    "chat_completion_requests",
    "chat_completion_responses",
    "fuzz_response",
    "graph_workflow_requests",
    "graph_workflow_responses",
    "operation_request_schema",
    "operation_response_schema",
    "rate_limits_responses",
    "request_strategy",
    "requests",
    "response_strategy",
    "responses",
    "swarm_batch_requests",
    "swarm_batch_responses",
    "swarm_completion_requests",
    "swarm_completion_responses",
]

_DRAFT_2020_12 = 20  # jsonschema_rs canonicalize's draft number
SearchStrategy = st.SearchStrategy


@cache
def _document() -> dict[str, Any]:
    return build_openapi(include_optional=True)


def _operation(key: str) -> Operation:
    method, _, path = key.strip().partition(" ")
    for op in OPERATIONS:
        if op.method == method.upper() and op.path == path:
            return op
    raise KeyError(f"unknown operation {key!r} (expected e.g. 'POST /v1/agent/completions')")


def _rooted(schema: dict[str, Any]) -> dict[str, Any]:
    """A self-contained schema: component refs resolve against the embedded ``components``."""
    return {**schema, "components": {"schemas": _document()["components"]["schemas"]}}


def operation_request_schema(key: str) -> dict[str, Any]:
    """The JSON schema of an operation's request body (``{}`` schema-less operations raise KeyError)."""
    op = _operation(key)
    body = _document()["paths"][op.path][op.method.lower()].get("requestBody")
    if body is None:
        raise KeyError(f"{key} has no request body")
    return _rooted(body["content"]["application/json"]["schema"])


def operation_response_schema(key: str, status: str = "200") -> dict[str, Any]:
    """The JSON schema of an operation's JSON response for ``status``."""
    op = _operation(key)
    document = _document()
    response = document["paths"][op.path][op.method.lower()]["responses"][status]
    if "$ref" in response:
        response = document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return _rooted(response["content"]["application/json"]["schema"])


def _model_schema(name: str) -> dict[str, Any]:
    if name not in _document()["components"]["schemas"]:
        raise KeyError(f"unknown model {name!r}")
    return _rooted({"$ref": f"#/components/schemas/{name}"})


@cache
def _strategy(kind: str, key: str) -> SearchStrategy[Any]:
    if " " in key:
        schema = operation_request_schema(key) if kind == "request" else operation_response_schema(key)
    else:
        schema = _model_schema(key)
    return build(schema, draft=_DRAFT_2020_12, formats={})


def request_strategy(key: str) -> SearchStrategy[Any]:
    """Schema-valid request bodies for a model name (``"SwarmSpec"``) or ``"POST /path"``."""
    return _strategy("request", key)


def response_strategy(key: str) -> SearchStrategy[Any]:
    """Schema-valid response bodies for a model name or ``"GET /path"`` (all 200 variants)."""
    return _strategy("response", key)


class _StrategyTable(Mapping[str, SearchStrategy[Any]]):
    """Lazy mapping: strategies are built on first access."""

    def __init__(self, kind: str) -> None:
        self._kind = kind

    def _keys(self) -> list[str]:
        keys: list[str] = []
        for op in OPERATIONS:
            if self._kind == "request" and op.request is not None:
                keys += [op.request.__name__, f"{op.method} {op.path}"]
            elif self._kind == "response" and op.responses:
                keys += [m.__name__ for m in op.responses] + [f"{op.method} {op.path}"]
        if self._kind == "response":
            keys += [name for name in _document()["components"]["schemas"] if name not in keys]
        return list(dict.fromkeys(keys))

    def __getitem__(self, key: str) -> SearchStrategy[Any]:
        if key not in self._keys():
            raise KeyError(key)
        return _strategy(self._kind, key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys())

    def __len__(self) -> int:
        return len(self._keys())


requests: Mapping[str, SearchStrategy[Any]] = _StrategyTable("request")
responses: Mapping[str, SearchStrategy[Any]] = _StrategyTable("response")


# Named helpers for the most used bodies.
def agent_completion_requests() -> SearchStrategy[Any]:
    return request_strategy("POST /v1/agent/completions")


def agent_completion_responses() -> SearchStrategy[Any]:
    return response_strategy("POST /v1/agent/completions")


def agent_batch_requests() -> SearchStrategy[Any]:
    return request_strategy("POST /v1/agent/batch/completions")


def agent_batch_responses() -> SearchStrategy[Any]:
    return response_strategy("POST /v1/agent/batch/completions")


def swarm_completion_requests() -> SearchStrategy[Any]:
    return request_strategy("POST /v1/swarm/completions")


def swarm_completion_responses() -> SearchStrategy[Any]:
    return response_strategy("POST /v1/swarm/completions")


def swarm_batch_requests() -> SearchStrategy[Any]:
    return request_strategy("POST /v1/swarm/batch/completions")


def swarm_batch_responses() -> SearchStrategy[Any]:
    return response_strategy("POST /v1/swarm/batch/completions")


def chat_completion_requests() -> SearchStrategy[Any]:
    return request_strategy("POST /v1/chat/completions")


def chat_completion_responses() -> SearchStrategy[Any]:
    return response_strategy("POST /v1/chat/completions")


def graph_workflow_requests() -> SearchStrategy[Any]:
    return request_strategy("POST /v1/graph-workflow/completions")


def graph_workflow_responses() -> SearchStrategy[Any]:
    return response_strategy("POST /v1/graph-workflow/completions")


def rate_limits_responses() -> SearchStrategy[Any]:
    return response_strategy("GET /v1/rate/limits")


_MAX_CHOICES = 20_000
_ATTEMPTS = 16


def fuzz_response(operation: str, seed: int, index: int) -> Any:
    """One schema-valid 200 body for ``operation`` (``"POST /v1/agent/completions"``).

    Reproducible: the same (operation, seed, index) always gives the same value. ``index`` is the
    request's position (e.g. a per-operation counter), so successive calls differ.
    """
    strategy = response_strategy(operation)
    for attempt in range(_ATTEMPTS):
        rng = random.Random(f"{operation}|{seed}|{index}|{attempt}")
        data = ConjectureData(random=rng, prefix=[], max_choices=_MAX_CHOICES)
        try:
            # Drawing outside a Hypothesis test needs a build context of our own.
            with BuildContext(data, is_final=True, wrapped_test=fuzz_response):
                return data.draw(strategy)
        except (StopTest, HypothesisException):
            continue  # overran or rejected: try the next derived stream, deterministically
    raise RuntimeError(f"could not draw a response for {operation} (seed {seed}, index {index})")
