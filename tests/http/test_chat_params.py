"""/v1/chat/completions parameters as the OpenAI API checks them (docs profile), ``finish_reason``
``"length"`` when ``max_tokens`` cut the answer, and the prism profile staying lenient.

Each refused body is answered 400 in OpenAI's format, naming the param, before anything is charged; the
served contract says the same (schema-invalid iff refused)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import jsonschema_rs
import orjson
import pytest
from starlette.testclient import TestClient

from mockswarms.contract import CONTRACT_PATH
from mockswarms.http.app import create_app

NOW = "2026-03-01T20:00:00Z"
PREMIUM = {"x-api-key": "sk-mock-premium"}
CHAT = "/v1/chat/completions"
USER = [{"role": "user", "content": "What is a qubit?"}]


def client(profile: str = "docs") -> TestClient:
    return TestClient(create_app(profile=profile, now=NOW, seed=1))


def credits(c: TestClient) -> Decimal:
    return Decimal(str(c.get("/v1/account/credits", headers=PREMIUM).json()["total_credits"]))


def body(**fields: Any) -> dict[str, Any]:
    return {"model": "gpt-4o", "messages": USER, **fields}


REFUSED: list[tuple[dict[str, Any], str, str, str]] = [
    (
        body(max_tokens=0),
        "max_tokens",
        "integer_below_min_value",
        "Invalid 'max_tokens': integer below minimum value. Expected a value >= 1, but got 0 instead.",
    ),
    (
        body(max_tokens=-1),
        "max_tokens",
        "integer_below_min_value",
        "Invalid 'max_tokens': integer below minimum value. Expected a value >= 1, but got -1 instead.",
    ),
    (
        body(max_tokens=-100),
        "max_tokens",
        "integer_below_min_value",
        "Invalid 'max_tokens': integer below minimum value. Expected a value >= 1, but got -100 instead.",
    ),
    (
        body(max_completion_tokens=0),
        "max_completion_tokens",
        "integer_below_min_value",
        "Invalid 'max_completion_tokens': integer below minimum value. Expected a value >= 1, but got 0 "
        "instead.",
    ),
    (
        body(temperature=1e308),
        "temperature",
        "decimal_above_max_value",
        "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 1e+308 instead.",
    ),
    (
        body(temperature=2.5),
        "temperature",
        "decimal_above_max_value",
        "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 2.5 instead.",
    ),
    (
        body(temperature=-0.1),
        "temperature",
        "decimal_below_min_value",
        "Invalid 'temperature': decimal below minimum value. Expected a value >= 0, but got -0.1 instead.",
    ),
    (
        body(top_p=1.5),
        "top_p",
        "decimal_above_max_value",
        "Invalid 'top_p': decimal above maximum value. Expected a value <= 1, but got 1.5 instead.",
    ),
    (
        body(presence_penalty=-2.5),
        "presence_penalty",
        "decimal_below_min_value",
        "Invalid 'presence_penalty': decimal below minimum value. Expected a value >= -2, but got -2.5 "
        "instead.",
    ),
    (
        body(frequency_penalty=3.0),
        "frequency_penalty",
        "decimal_above_max_value",
        "Invalid 'frequency_penalty': decimal above maximum value. Expected a value <= 2, but got 3.0 "
        "instead.",
    ),
    (
        body(n=0),
        "n",
        "integer_below_min_value",
        "Invalid 'n': integer below minimum value. Expected a value >= 1, but got 0 instead.",
    ),
    (body(model=""), "model", "invalid_request", "you must provide a model parameter"),
]
ACCEPTED: list[dict[str, Any]] = [
    body(max_tokens=1),
    body(max_tokens=None),
    body(max_completion_tokens=1),
    body(temperature=0),
    body(temperature=2),
    body(temperature=None),
    body(top_p=0, presence_penalty=-2, frequency_penalty=2),
    body(top_p=1, presence_penalty=2, frequency_penalty=-2),
    body(n=1),
]


def _contract_validator() -> jsonschema_rs.Validator:
    contract = json.loads(CONTRACT_PATH.read_text(encoding="utf-8"))
    schema = contract["paths"][CHAT]["post"]["requestBody"]["content"]["application/json"]["schema"]
    return jsonschema_rs.validator_for({**schema, "components": contract["components"]})


@pytest.mark.parametrize(("payload", "param", "code", "message"), REFUSED, ids=[r[1] for r in REFUSED])
def test_out_of_range_params_are_openai_400s_naming_the_param(
    payload: dict[str, Any], param: str, code: str, message: str
) -> None:
    c = client()
    before = credits(c)
    r = c.post(CHAT, json=payload, headers=PREMIUM)
    assert r.status_code == 400, r.text
    assert r.json() == {
        "error": {"message": message, "type": "invalid_request_error", "code": code, "param": param}
    }
    assert credits(c) == before  # refused before anything is charged
    assert not _contract_validator().is_valid(payload)  # the contract says so too


@pytest.mark.parametrize("payload", ACCEPTED, ids=[json.dumps(a)[60:110] for a in ACCEPTED])
def test_in_range_params_are_accepted_and_schema_valid(payload: dict[str, Any]) -> None:
    r = client().post(CHAT, json=payload, headers=PREMIUM)
    assert r.status_code == 200, r.text
    assert _contract_validator().is_valid(payload)


@pytest.mark.parametrize(("payload", "param", "code", "message"), REFUSED, ids=[r[1] for r in REFUSED])
def test_prism_stays_lenient(payload: dict[str, Any], param: str, code: str, message: str) -> None:
    r = client("prism").post(CHAT, json=payload, headers={"x-api-key": "anything"})
    assert r.status_code == 200, r.text
    assert r.json()["object"] == "chat.completion"


def test_an_answer_cut_by_max_tokens_finishes_with_length() -> None:
    c = client()
    full = c.post(CHAT, json=body(), headers=PREMIUM).json()
    assert full["choices"][0]["finish_reason"] == "stop"
    assert full["usage"]["completion_tokens"] > 1
    cut = c.post(CHAT, json=body(max_tokens=1), headers=PREMIUM).json()
    assert cut["usage"]["completion_tokens"] == 1
    assert cut["choices"][0]["finish_reason"] == "length"
    assert full["choices"][0]["message"]["content"].startswith(cut["choices"][0]["message"]["content"])
    # max_completion_tokens wins over max_tokens, for the cut and for finish_reason
    tokens = full["usage"]["completion_tokens"]
    wide = c.post(CHAT, json=body(max_tokens=1, max_completion_tokens=tokens + 1), headers=PREMIUM).json()
    assert wide["choices"][0]["finish_reason"] == "stop"
    assert wide["usage"]["completion_tokens"] == tokens


def _last_finish_reason(stream_text: str) -> str | None:
    frames = [line[len("data: ") :] for line in stream_text.splitlines() if line.startswith("data: {")]
    reasons = [c["finish_reason"] for f in frames for c in orjson.loads(f)["choices"]]
    return [r for r in reasons if r is not None][-1]


def test_a_stream_cut_by_max_tokens_finishes_with_length_too() -> None:
    c = client()
    cut = c.post(CHAT, json=body(max_tokens=1, stream=True), headers=PREMIUM)
    full = c.post(CHAT, json=body(stream=True), headers=PREMIUM)
    assert (_last_finish_reason(cut.text), _last_finish_reason(full.text)) == ("length", "stop")
