"""The checked-in OpenAPI contract: valid, generated from the models, complete, served."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from openapi_spec_validator import validate
from pydantic import TypeAdapter

from mockswarms.contract import CONTRACT_PATH, FULL_CONTRACT_PATH
from mockswarms.contract import openapi as contract_openapi
from mockswarms.contract.openapi import OPERATIONS, add_parser, build_openapi, render
from mockswarms.shapes import requests as rq
from mockswarms.shapes import responses as rs

CONTRACT: dict[str, Any] = json.loads(CONTRACT_PATH.read_text(encoding="utf-8"))
FULL: dict[str, Any] = json.loads(FULL_CONTRACT_PATH.read_text(encoding="utf-8"))
METHODS = {"get", "post", "put", "delete", "patch"}


@pytest.mark.parametrize("document", [CONTRACT, FULL], ids=["default", "full"])
def test_contract_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    validate(document)
    assert document["openapi"] == "3.1.0"


def test_checked_in_files_match_the_models() -> None:
    assert CONTRACT_PATH.read_text(encoding="utf-8") == render(build_openapi())
    assert FULL_CONTRACT_PATH.read_text(encoding="utf-8") == render(
        build_openapi(include_control=True, include_optional=True)
    )
    assert render(build_openapi()).endswith("}\n")
    assert render(build_openapi()) == render(build_openapi())  # deterministic


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers())
    args = parser.parse_args(["openapi", *argv])
    result: int = args.handler(args)
    return result


def test_openapi_check_detects_drift(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _run("--check") == 0
    drifted = tmp_path / "swarms-api.openapi.json"
    drifted.write_text(render(build_openapi()).replace('"runAgent"', '"runAgentX"'), encoding="utf-8")
    monkeypatch.setattr(contract_openapi, "CONTRACT_PATH", drifted)
    assert _run("--check") == 1
    missing = tmp_path / "absent.json"
    monkeypatch.setattr(contract_openapi, "CONTRACT_PATH", missing)
    assert _run("--check") == 1


def test_openapi_command_prints_and_writes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run() == 0
    assert json.loads(capsys.readouterr().out) == CONTRACT
    out = tmp_path / "c.json"
    assert _run("--output", str(out), "--full") == 0
    assert json.loads(out.read_text(encoding="utf-8")) == FULL


def test_every_component_comes_from_a_model() -> None:
    names = set(CONTRACT["components"]["schemas"])
    for model in (
        rq.AgentCompletion,
        rq.SwarmSpec,
        rq.ChatCompletionRequest,
        rs.AgentCompletionOutput,
        rs.SwarmCompletionOutput,
        rs.RateLimitsResponse,
        rs.ErrorDetail,
        rs.PremiumErrorResponse,
    ):
        assert model.__name__ in names
        generated = TypeAdapter(model).json_schema(ref_template="#/components/schemas/{model}")
        generated.pop("$defs", None)
        assert CONTRACT["components"]["schemas"][model.__name__] == generated


def test_operations_security_errors_and_headers() -> None:
    paths = CONTRACT["paths"]
    assert CONTRACT["components"]["securitySchemes"] == {
        "ApiKeyAuth": {"type": "apiKey", "in": "header", "name": "x-api-key"},
        "BearerAuth": {"type": "http", "scheme": "bearer", "description": "The API key as a bearer token"},
    }
    agent = paths["/v1/agent/completions"]["post"]
    assert sorted(agent["responses"]) == [
        "200",
        "400",
        "401",
        "402",
        "403",
        "404",
        "413",
        "422",
        "429",
        "500",
    ]
    assert agent["responses"]["429"] == {"$ref": "#/components/responses/Error429"}
    error429 = CONTRACT["components"]["responses"]["Error429"]
    assert error429["headers"]["Retry-After"] == {"$ref": "#/components/headers/Retry-After"}
    assert CONTRACT["components"]["headers"]["Retry-After"]["required"] is True
    assert set(agent["responses"]["200"]["headers"]) == {
        "X-RateLimit-Limit-Minute",
        "X-RateLimit-Remaining-Minute",
        "X-RateLimit-Limit-Day",
        "X-RateLimit-Remaining-Day",
        "X-RateLimit-Reset",
        "X-RateLimit-Tier",
    }
    assert set(agent["responses"]["200"]["content"]) == {"application/json", "text/event-stream"}
    assert paths["/health"]["get"]["security"] == [{}, {"ApiKeyAuth": []}, {"BearerAuth": []}]
    assert "security" not in paths["/v1/swarm/logs"]["get"]  # the global one: a key is required
    chat = paths["/v1/chat/completions"]["post"]
    assert chat["responses"]["400"] == {"$ref": "#/components/responses/OpenAIError400"}
    premium = CONTRACT["components"]["responses"]["Error403"]["content"]["application/json"]["schema"]
    assert premium == {
        "anyOf": [
            {"$ref": "#/components/schemas/ErrorDetail"},
            {"$ref": "#/components/schemas/PremiumErrorResponse"},
        ]
    }
    swarm_types = CONTRACT["components"]["schemas"]["SwarmSpec"]["properties"]["swarm_type"]["anyOf"][0][
        "enum"
    ]
    assert swarm_types == list(rq.SWARM_TYPES)


def test_switch_enabled_and_control_endpoints_only_in_the_full_contract() -> None:
    for path in (
        "/v1/swarm/schedule",
        "/v1/usage/report",
        "/v1/agents/auto-generate",
        "/__mockswarms/violations",
    ):
        assert path not in CONTRACT["paths"]
        assert path in FULL["paths"]
    link = FULL["paths"]["/v1/swarm/schedule"]["post"]["responses"]["200"]["links"]["CancelScheduledSwarm"]
    assert link == {"operationId": "cancelScheduledSwarm", "parameters": {"job_id": "$response.body#/job_id"}}


def _event_validator(path: str) -> Any:
    schema = CONTRACT["paths"][path]["post"]["responses"]["200"]["content"]["text/event-stream"]["schema"]
    return schema


def test_sse_event_schemas_name_every_event() -> None:
    branches = _event_validator("/v1/swarm/completions")["anyOf"]
    names = [b["properties"]["event"]["const"] for b in branches]
    assert names == [
        "metadata",
        "start",
        "agent_start",
        "chunk",
        "agent_end",
        "status",
        "usage",
        "end",
        "done",
        "error",
    ]
    chunk = branches[3]["properties"]["data"]
    assert chunk["contentMediaType"] == "application/json"
    assert chunk["contentSchema"] == {
        "anyOf": [
            {"$ref": "#/components/schemas/SwarmSSEChunk"},
            {"$ref": "#/components/schemas/SwarmSSECoarseChunk"},
        ]
    }
    chat = _event_validator("/v1/chat/completions")["anyOf"]
    assert chat[0]["properties"]["event"] == {"const": "message"}
    assert chat[0]["properties"]["data"]["anyOf"][0] == {"const": "[DONE]"}


# -- response models against the reference's documented examples and the SDK's requirements ---------------


def _schema(shape: Any) -> dict[str, Any]:
    """The JSON Schema of a response shape (a TypedDict or a RootModel), as the contract has it."""
    return TypeAdapter(shape).json_schema()


DOCUMENTED: list[tuple[Any, Any]] = [
    (shape, example)
    for shape in (getattr(rs, name) for name in rs.__all__)
    for example in (_schema(shape).get("examples") or [])
]


@pytest.mark.parametrize(("model", "example"), DOCUMENTED, ids=[m.__name__ for m, _ in DOCUMENTED])
def test_documented_examples_parse_and_match_the_schema(model: Any, example: Any) -> None:
    TypeAdapter(model).validate_python(example)
    assert jsonschema_rs.validator_for(_schema(model)).is_valid(example)


def test_rate_limits_example_from_reference_section_d() -> None:
    example = {
        "success": True,
        "rate_limits": {
            w: {
                "count": 5,
                "limit": 100,
                "exceeded": False,
                "remaining": 95,
                "reset_time": "2024-01-15T10:30:00Z",
            }
            for w in ("minute", "hour", "day")
        },
        "limits": {
            "maximum_requests_per_minute": 100,
            "maximum_requests_per_hour": 350,
            "maximum_requests_per_day": 1200,
            "tokens_per_agent": 200000,
        },
        "tier": "free",
        "timestamp": "2024-01-15T10:29:30Z",
    }
    TypeAdapter(rs.RateLimitsResponse).validate_python(example)
    broken = json.loads(json.dumps(example))
    del broken["rate_limits"]["hour"]["reset_time"]  # the SDK requires every window key
    with pytest.raises(ValueError, match="reset_time"):
        TypeAdapter(rs.RateLimitsResponse).validate_python(broken)


def test_sdk_shapes_objects_and_arrays() -> None:
    """swarms-client parses these as Dict[str, object] / List[...] (reference §h): envelopes vs arrays."""
    object_schema = TypeAdapter(dict[str, object]).json_schema()
    array_schema = TypeAdapter(list[dict[str, object]]).json_schema()
    assert _schema(rs.AgentBatchEnvelope)["type"] == object_schema["type"] == "object"
    assert _schema(rs.SwarmBatchResponse)["type"] == array_schema["type"] == "array"
    assert _schema(rs.AdvancedResearchBatchResponse)["type"] == "array"
    assert _schema(rs.AutoSwarmBuilderExecutionTypes)["type"] == "array"
    assert "output" in _schema(rs.SwarmCompletionOutput)["required"]
    assert _schema(rs.AutoSwarmBuilderOutput)["required"] == ["success"]
    assert set(_schema(rs.BatchedGridWorkflowOutput)["required"]) == {
        "job_id",
        "name",
        "description",
        "status",
        "outputs",
        "usage",
        "timestamp",
    }


# -- the app serves exactly the contract ------------------------------------------------------------------


def _app_routes() -> set[tuple[str, str]]:
    from starlette.routing import Route

    from mockswarms.http.app import create_app

    routes: set[tuple[str, str]] = set()
    for route in create_app().routes:
        if isinstance(route, Route):
            for method in route.methods or ():
                if method.lower() in METHODS:
                    # ``{model:path}``: the contract names the parameter without its convertor.
                    routes.add((method.lower(), re.sub(r":\w+}", "}", route.path)))
    return routes


def _contract_routes(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {(m, p) for p, item in document["paths"].items() for m in item if m in METHODS}


def test_every_route_the_app_serves_is_in_the_full_contract() -> None:
    served = _app_routes()
    assert served - _contract_routes(FULL) == set()
    assert _contract_routes(CONTRACT) - served == set()
    assert {(op.method.lower(), op.path) for op in OPERATIONS} <= served


def test_the_app_serves_the_checked_in_contract() -> None:
    from starlette.testclient import TestClient

    from mockswarms.http.app import create_app

    with TestClient(create_app()) as client:
        response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == CONTRACT
