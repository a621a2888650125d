"""Request validation against the contract (mockswarms.http.validation), unit level and through the app."""

from __future__ import annotations

import contextlib
import json
import threading
from typing import Any

import httpx
import pytest

from mockswarms.contract import CONTRACT_PATH, FULL_CONTRACT_PATH
from mockswarms.http.validation import RequestValidator, Violation, ViolationLog, violations_detail

CONTRACT: dict[str, Any] = json.loads(CONTRACT_PATH.read_text(encoding="utf-8"))
JSON = {"content-type": "application/json"}


@pytest.fixture(scope="module")
def validator() -> RequestValidator:
    return RequestValidator(CONTRACT)


def _post(
    v: RequestValidator, path: str, body: Any, headers: dict[str, str] | None = None
) -> list[Violation]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return v.validate("POST", path, headers if headers is not None else JSON, raw)


def test_valid_bodies_have_no_violations(validator: RequestValidator) -> None:
    # A batch item may be anything the SDK sends (it fails alone); the single run needs a named agent.
    assert _post(validator, "/v1/agent/batch/completions", [{}]) == []
    (unnamed,) = _post(validator, "/v1/agent/completions", {})
    assert (unnamed.location, unnamed.message) == (["body"], '"agent_config" is a required property')
    assert (
        _post(
            validator,
            "/v1/agent/completions",
            {"agent_config": {"agent_name": "Researcher", "model_name": "gpt-4o"}, "task": "X"},
        )
        == []
    )
    assert (
        _post(validator, "/v1/swarm/batch/completions", [{"task": "t", "swarm_type": "SequentialWorkflow"}])
        == []
    )
    assert (
        _post(
            validator, "/v1/chat/completions", {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
        )
        == []
    )
    assert validator.validate("GET", "/v1/swarm/logs", {}, b"") == []


def test_wrong_type_names_location_and_schema_path(validator: RequestValidator) -> None:
    violations = _post(
        validator,
        "/v1/agent/completions",
        {"agent_config": {"agent_name": "A", "max_tokens": "lots"}, "task": 5},
    )
    assert [(v.kind, v.location, v.blocking) for v in violations] == [
        ("body", ["body", "agent_config", "max_tokens"], True),
        ("body", ["body", "task"], True),
    ]
    assert (
        violations[0].schema_path == "/components/schemas/NamedAgentSpec/properties/max_tokens/anyOf/0/type"
    )
    assert violations[0].message == '"lots" is not of type "integer"'
    assert violations[0].operation == "runAgent"
    assert violations[1].schema_path == "/components/schemas/AgentRunRequest/properties/task/anyOf/0/type"


def test_enum_required_and_array_shape(validator: RequestValidator) -> None:
    runnable = {"task": "t", "agents": [{"agent_name": "A"}]}
    (bad_type,) = _post(validator, "/v1/swarm/completions", {**runnable, "swarm_type": "NotASwarm"})
    assert bad_type.location == ["body", "swarm_type"]
    assert bad_type.schema_path.endswith("/SwarmRunRequest/properties/swarm_type/anyOf/0/enum")
    (missing,) = _post(validator, "/v1/chat/completions", {"messages": [{"role": "user", "content": "hi"}]})
    assert missing.location == ["body"] and missing.message == '"model" is a required property'
    (not_array,) = _post(validator, "/v1/agent/batch/completions", {"task": "x"})
    assert (not_array.schema_path, not_array.message) == ("/type", '{"task":"x"} is not of type "array"')
    (too_long,) = _post(validator, "/v1/swarm/completions", {**runnable, "name": "n" * 101})
    assert too_long.location == ["body", "name"] and "maxLength" in too_long.schema_path


def test_malformed_json_and_missing_body_are_blocking(validator: RequestValidator) -> None:
    (bad,) = _post(validator, "/v1/agent/completions", b"{not json")
    assert (bad.kind, bad.location, bad.blocking) == ("json", ["body"], True)
    assert bad.message.startswith("malformed JSON")
    (missing,) = _post(validator, "/v1/agent/completions", b"")
    assert (missing.kind, missing.blocking) == ("missing-body", True)


def test_non_blocking_violations(validator: RequestValidator) -> None:
    (unknown,) = validator.validate("GET", "/v1/nope", {}, b"")
    assert (unknown.kind, unknown.blocking, unknown.operation) == ("unknown-path", False, None)
    (method,) = validator.validate("DELETE", "/v1/agent/completions", {}, b"")
    assert (method.kind, method.blocking) == ("method", False)
    assert method.message == "DELETE /v1/agent/completions is not in the contract (allowed: POST)"
    (ctype,) = _post(validator, "/v1/agent/batch/completions", [{}], {"Content-Type": "text/plain"})
    assert (ctype.kind, ctype.blocking, ctype.location) == ("content-type", False, ["header", "content-type"])
    # The control API and HEAD/OPTIONS are never checked.
    assert validator.validate("PUT", "/__mockswarms/clock", {}, b"{bad") == []
    assert validator.validate("OPTIONS", "/v1/agent/completions", {}, b"") == []


def test_templated_paths_in_the_full_contract() -> None:
    full = RequestValidator(json.loads(FULL_CONTRACT_PATH.read_text(encoding="utf-8")))
    assert full.validate("DELETE", "/v1/swarm/schedule/swarm_x_1", {}, b"") == []
    (method,) = full.validate("POST", "/v1/swarm/schedule/swarm_x_1", {}, b"{}")
    assert method.kind == "method"


def test_violations_detail_is_fastapi_style(validator: RequestValidator) -> None:
    named = {"agent_config": {"agent_name": "A"}}
    violations = _post(validator, "/v1/agent/completions", {**named, "task": 5}) + validator.validate(
        "GET", "/x", {}, b""
    )
    assert violations_detail(violations) == {
        "detail": [
            {
                "type": "contract_violation",
                "loc": ["body", "task"],
                "msg": '5 is not of type "string" (schema path '
                "/components/schemas/AgentRunRequest/properties/task/anyOf/0/type of runAgent)",
                "schema_path": "/components/schemas/AgentRunRequest/properties/task/anyOf/0/type",
            }
        ]
    }


def test_violation_log_is_bounded_and_thread_safe(validator: RequestValidator) -> None:
    log = ViolationLog(maxlen=5)
    one = _post(validator, "/v1/agent/completions", {"agent_config": {"agent_name": "A"}, "task": 5})

    def worker() -> None:
        for _ in range(50):
            log.record(one, at="2026-01-01T00:00:00.000000+00:00")

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    body = log.to_json()
    assert (body["total"], body["count"], len(log)) == (200, 5, 5)
    assert [e["seq"] for e in body["violations"]] == [196, 197, 198, 199, 200]
    assert body["violations"][0]["location"] == ["body", "task"]
    assert body["violations"][0]["at"] == "2026-01-01T00:00:00.000000+00:00"
    log.clear()
    assert log.to_json() == {"total": 0, "count": 0, "violations": []}


# -- through the simulator (client verification) ---------------------------------------------------------

MALFORMED = {"agent_config": {"agent_name": "A", "max_tokens": "lots"}, "task": "Summarize X"}


def _app(mode: str) -> Any:
    from mockswarms.http.app import create_app

    return create_app(request_validation=mode, seed=1, now="2026-03-01T12:00:00Z")


def test_strict_mode_refuses_a_malformed_request_with_422_via_httpx() -> None:
    from starlette.testclient import TestClient

    with TestClient(_app("strict")) as client:
        response = client.post(
            "/v1/agent/completions", json=MALFORMED, headers={"x-api-key": "sk-mock-premium"}
        )
        assert response.status_code == 422
        (item,) = response.json()["detail"]
        assert item["loc"] == ["body", "agent_config", "max_tokens"]
        assert item["schema_path"] == "/components/schemas/NamedAgentSpec/properties/max_tokens/anyOf/0/type"
        journal = client.get("/__mockswarms/violations").json()
        assert journal["count"] == 1 and journal["violations"][0]["kind"] == "body"


def test_report_mode_serves_and_records_via_httpx() -> None:
    from starlette.testclient import TestClient

    ok_body = {"agent_config": {"agent_name": "A"}, "task": "Summarize X", "unknown_extra": 1}
    with TestClient(_app("report")) as client:
        good = client.post("/v1/agent/completions", json=ok_body, headers={"x-api-key": "sk-mock-premium"})
        assert good.status_code == 200
        assert client.get("/__mockswarms/violations").json()["count"] == 0
        client.post(
            "/v1/agent/completions",
            json={"agent_config": {"agent_name": "A"}, "task": 7},
            headers={"x-api-key": "sk-mock-premium"},
        )
        journal = client.get("/__mockswarms/violations").json()
        assert journal["count"] == 1
        (entry,) = journal["violations"]
        assert (entry["method"], entry["path"], entry["location"]) == (
            "POST",
            "/v1/agent/completions",
            ["body", "task"],
        )


def test_sdk_malformed_request_caught_in_strict_and_report_modes() -> None:
    """The official swarms-client sends what its caller gives it; the simulator catches the bad type."""
    from swarms_client import SwarmsClient, UnprocessableEntityError

    from mockswarms.testing.server import serve

    for mode in ("strict", "report"):
        with serve(request_validation=mode, seed=1) as server:
            client = SwarmsClient(api_key="sk-mock-premium", base_url=server.base_url, max_retries=0)
            bad_config: Any = {"agent_name": "Analyst", "max_tokens": "many"}
            if mode == "strict":
                with pytest.raises(UnprocessableEntityError) as caught:
                    client.agent.run(agent_config=bad_config, task="Summarize X")
                assert caught.value.status_code == 422
            else:
                # The route's own parsing may also refuse it; the journal is what we check.
                with contextlib.suppress(UnprocessableEntityError):
                    client.agent.run(agent_config=bad_config, task="Summarize X")
            journal = httpx.get(server.url("/__mockswarms/violations")).json()
            locations = [v["location"] for v in journal["violations"]]
            assert locations == [["body", "agent_config", "max_tokens"]], mode


def test_report_mode_keeps_a_bounded_message_per_violation() -> None:
    # The log lives in the store (shared by workers): a huge wrong value must not be copied into it.
    from starlette.testclient import TestClient

    from mockswarms.http.validation import MAX_VIOLATION_MESSAGE

    huge = {"agent_config": {"agent_name": "A", "max_tokens": "9" * 200_000}, "task": "Summarize X"}
    with TestClient(_app("report")) as client:
        client.post("/v1/agent/completions", json=huge, headers={"x-api-key": "sk-mock-premium"})
        (entry,) = client.get("/__mockswarms/violations").json()["violations"]
    assert entry["location"] == ["body", "agent_config", "max_tokens"]
    assert len(entry["message"]) == MAX_VIOLATION_MESSAGE
    assert entry["message"].endswith("…") and entry["message"].startswith('"9999')
