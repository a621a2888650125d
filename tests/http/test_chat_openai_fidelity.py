"""/v1/chat/completions and /v1/models as the official ``openai`` SDK uses them: usage chunks, streamed
tool calls, ``tool_choice``, ``response_format`` (``json_object``, ``json_schema`` / ``.parse``),
``models.retrieve`` and message roles. Same seed + same request = same bytes; prism stays lenient."""

from __future__ import annotations

import enum
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import jsonschema
import openai
import pytest
from pydantic import BaseModel
from starlette.testclient import TestClient

from mockswarms.http.app import create_app
from mockswarms.testing.control import FREE_KEY, PREMIUM_KEY, SimulatorControl
from mockswarms.testing.server import RunningServer, serve
from mockswarms.tokenizer import count_tokens

NOW = "2026-01-01T12:00:00Z"
SEED = 11
CHAT = "/v1/chat/completions"
PREMIUM = {"x-api-key": PREMIUM_KEY}
USER: Any = [{"role": "user", "content": "What is the weather in Paris?"}]
JSON_USER: Any = [{"role": "user", "content": "What is the weather in Paris? Answer in JSON."}]
WEATHER_RULE = {
    "id": "weather",  # named: the tool-call id derives from the rule id
    "match": {"endpoint": "chat", "last_message": {"contains": "weather"}},
    "respond": {"tool_call": {"name": "get_weather", "arguments": {"city": "Paris"}}},
}
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather in a city",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                "days": {"type": "integer", "minimum": 1, "maximum": 7},
            },
            "required": ["city", "unit"],
            "additionalProperties": False,
        },
    },
}
TIME_TOOL = {
    "type": "function",
    "function": {
        "name": "get_time",
        "parameters": {
            "type": "object",
            "properties": {"zone": {"type": "string"}, "precise": {"type": "boolean"}},
            "required": ["zone", "precise"],
        },
    },
}
TOOLS: Any = [WEATHER_TOOL, TIME_TOOL]


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[RunningServer, SimulatorControl]]:
    with serve(seed=SEED, now=NOW) as running:
        yield running, running.control()


@pytest.fixture
def sdk(server: tuple[RunningServer, SimulatorControl]) -> Iterator[openai.OpenAI]:
    running, ctl = server
    ctl.reset(seed=SEED, now=NOW)
    with openai.OpenAI(base_url=running.url("/v1"), api_key=PREMIUM_KEY, max_retries=0) as client:
        yield client
    ctl.reset(seed=SEED, now=NOW)


def fresh(ctl: SimulatorControl, *rules: dict[str, Any]) -> Decimal:
    """Back to the start (same seed, clock, ids), with ``rules``; the balance before the call."""
    ctl.reset(seed=SEED, now=NOW)
    if rules:
        ctl.add_fixture(*rules)
    return ctl.balance()


def client(profile: str = "docs") -> TestClient:
    return TestClient(create_app(profile=profile, now=NOW, seed=SEED))


def openai_400(response: Any, param: str) -> dict[str, Any]:
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert set(error) == {"message", "type", "code", "param"}
    assert (error["type"], error["param"]) == ("invalid_request_error", param)
    return dict(error)


# -- 1. stream_options.include_usage -----------------------------------------------------------------
def test_include_usage_ends_the_stream_with_the_json_usage(
    server: tuple[RunningServer, SimulatorControl], sdk: openai.OpenAI
) -> None:
    _, ctl = server
    before = fresh(ctl)
    full = sdk.chat.completions.create(model="gpt-4o", messages=USER)
    charged = before - ctl.balance()
    before = fresh(ctl)
    chunks = list(
        sdk.chat.completions.create(
            model="gpt-4o", messages=USER, stream=True, stream_options={"include_usage": True}
        )
    )
    assert before - ctl.balance() == charged > 0
    last = chunks[-1]
    assert last.choices == [] and last.usage is not None
    assert full.usage is not None
    assert last.usage.model_dump() == full.usage.model_dump()
    assert all(c.usage is None for c in chunks[:-1])
    assert chunks[-2].choices[0].finish_reason == "stop"
    assert "".join(c.choices[0].delta.content or "" for c in chunks[:-1]) == full.choices[0].message.content


def test_without_include_usage_no_chunk_carries_usage(sdk: openai.OpenAI) -> None:
    chunks = list(sdk.chat.completions.create(model="gpt-4o", messages=USER, stream=True))
    assert all(c.usage is None and c.choices for c in chunks)
    false = list(
        sdk.chat.completions.create(
            model="gpt-4o", messages=USER, stream=True, stream_options={"include_usage": False}
        )
    )
    assert all(c.usage is None and c.choices for c in false)


# -- 2. tool calls in streams ------------------------------------------------------------------------
def test_a_fixture_tool_call_streams_as_tool_call_deltas(
    server: tuple[RunningServer, SimulatorControl], sdk: openai.OpenAI
) -> None:
    _, ctl = server
    before = fresh(ctl, WEATHER_RULE)
    full = sdk.chat.completions.create(model="gpt-4o", messages=USER)
    charged = before - ctl.balance()
    assert full.choices[0].finish_reason == "tool_calls"
    [expected] = full.choices[0].message.tool_calls or []
    assert expected.type == "function"

    before = fresh(ctl, WEATHER_RULE)
    chunks = list(
        sdk.chat.completions.create(
            model="gpt-4o", messages=USER, stream=True, stream_options={"include_usage": True}
        )
    )
    assert before - ctl.balance() == charged > 0
    deltas = [d for c in chunks if c.choices for d in c.choices[0].delta.tool_calls or []]
    head, *pieces = deltas
    assert (head.index, head.id, head.type) == (0, expected.id, "function")
    assert head.function is not None
    assert (head.function.name, head.function.arguments) == (expected.function.name, "")
    assert pieces and all(p.index == 0 and p.id is None and p.type is None for p in pieces)
    assert all(p.function is not None and p.function.name is None for p in pieces)
    assert "".join(p.function.arguments or "" for p in pieces if p.function) == expected.function.arguments
    assert chunks[-2].choices[0].finish_reason == "tool_calls"
    assert chunks[-1].usage is not None and full.usage is not None
    assert chunks[-1].usage.model_dump() == full.usage.model_dump()

    # The SDK's own accumulation rebuilds the very call.
    fresh(ctl, WEATHER_RULE)
    with sdk.chat.completions.stream(model="gpt-4o", messages=USER) as stream:
        final = stream.get_final_completion()
    [rebuilt] = final.choices[0].message.tool_calls or []
    assert (rebuilt.id, rebuilt.function.name, rebuilt.function.arguments) == (
        expected.id,
        expected.function.name,
        expected.function.arguments,
    )
    assert final.choices[0].finish_reason == "tool_calls"


# -- 3. tool_choice ----------------------------------------------------------------------------------
def _arguments(completion: Any, tool: dict[str, Any]) -> dict[str, Any]:
    [call] = completion.choices[0].message.tool_calls or []
    assert call.type == "function" and call.id.startswith("call_")
    assert call.function.name == tool["function"]["name"]
    arguments = json.loads(call.function.arguments)
    jsonschema.validate(arguments, tool["function"]["parameters"])
    return dict(arguments)


def test_tool_choice_required_calls_the_first_tool_with_schema_valid_arguments(
    server: tuple[RunningServer, SimulatorControl], sdk: openai.OpenAI
) -> None:
    _, ctl = server
    fresh(ctl)
    first = sdk.chat.completions.create(model="gpt-4o", messages=USER, tools=TOOLS, tool_choice="required")
    assert first.choices[0].finish_reason == "tool_calls"
    assert set(_arguments(first, WEATHER_TOOL)) == {"city", "unit", "days"}
    assert first.usage is not None and first.usage.completion_tokens > 0
    fresh(ctl)
    again = sdk.chat.completions.create(model="gpt-4o", messages=USER, tools=TOOLS, tool_choice="required")
    assert again.model_dump() == first.model_dump()  # deterministic


def test_tool_choice_naming_a_function_calls_that_one(sdk: openai.OpenAI) -> None:
    named = sdk.chat.completions.create(
        model="gpt-4o",
        messages=USER,
        tools=TOOLS,
        tool_choice={"type": "function", "function": {"name": "get_time"}},
    )
    assert named.choices[0].finish_reason == "tool_calls"
    assert isinstance(_arguments(named, TIME_TOOL)["precise"], bool)


@pytest.mark.parametrize("stream", [False, True])
def test_a_tool_call_without_text_has_null_content(stream: bool) -> None:
    """OpenAI sends ``"content": null`` beside tool calls when the model wrote no text (clients test
    ``message.content is None``); a fixture's text beside its tool call stays."""
    c = client()
    body = {"model": "gpt-4o", "messages": USER, "tools": TOOLS, "tool_choice": "required"}
    if not stream:
        message = c.post(CHAT, json=body, headers=PREMIUM).json()["choices"][0]["message"]
        assert message["content"] is None and message["tool_calls"]
        return
    frames = c.post(CHAT, json={**body, "stream": True}, headers=PREMIUM).text.split("\n\n")
    deltas = [json.loads(f[6:])["choices"][0]["delta"] for f in frames if f.startswith("data: {")]
    assert deltas[0] == {"role": "assistant", "content": None}
    assert all("content" not in d or d["content"] is None for d in deltas)


@pytest.mark.parametrize("choice", ["none", "auto", None])
def test_tool_choice_none_and_auto_answer_prose(sdk: openai.OpenAI, choice: Any) -> None:
    extra: dict[str, Any] = {} if choice is None else {"tool_choice": choice}
    reply = sdk.chat.completions.create(model="gpt-4o", messages=USER, tools=TOOLS, **extra)
    assert reply.choices[0].finish_reason == "stop"
    assert not reply.choices[0].message.tool_calls
    assert reply.choices[0].message.content


def test_a_required_tool_call_streams_the_same_call_and_charge(
    server: tuple[RunningServer, SimulatorControl], sdk: openai.OpenAI
) -> None:
    _, ctl = server
    before = fresh(ctl)
    full = sdk.chat.completions.create(model="gpt-4o", messages=USER, tools=TOOLS, tool_choice="required")
    charged = before - ctl.balance()
    before = fresh(ctl)
    with sdk.chat.completions.stream(
        model="gpt-4o", messages=USER, tools=TOOLS, tool_choice="required"
    ) as stream:
        final = stream.get_final_completion()
    assert before - ctl.balance() == charged > 0
    [expected] = full.choices[0].message.tool_calls or []
    [rebuilt] = final.choices[0].message.tool_calls or []
    assert (rebuilt.id, rebuilt.function.name, rebuilt.function.arguments) == (
        expected.id,
        expected.function.name,
        expected.function.arguments,
    )


BAD_TOOL_CHOICES: list[tuple[str, dict[str, Any], str]] = [
    (
        "unknown name",
        {"tools": TOOLS, "tool_choice": {"type": "function", "function": {"name": "nope"}}},
        "tool_choice",
    ),
    ("without tools", {"tool_choice": "required"}, "tool_choice"),
    ("auto without tools", {"tool_choice": "auto", "tools": []}, "tool_choice"),
    (
        "named without tools",
        {"tool_choice": {"type": "function", "function": {"name": "get_weather"}}},
        "tool_choice",
    ),
    ("unknown value", {"tools": TOOLS, "tool_choice": "sometimes"}, "tool_choice"),
    (
        "no function",
        {"tools": TOOLS, "tool_choice": {"type": "function", "name": "get_weather"}},
        "tool_choice.function",
    ),
    (
        "no name",
        {"tools": TOOLS, "tool_choice": {"type": "function", "function": {}}},
        "tool_choice.function.name",
    ),
]
BAD_FORMATS: list[tuple[str, dict[str, Any], str]] = [
    ("unknown type", {"response_format": {"type": "yaml"}}, "response_format.type"),
    ("no schema", {"response_format": {"type": "json_schema"}}, "response_format.json_schema"),
    (
        "unnamed schema",
        {"response_format": {"type": "json_schema", "json_schema": {"schema": {}}}},
        "response_format.json_schema.name",
    ),
]
REFUSED = BAD_TOOL_CHOICES + BAD_FORMATS


@pytest.mark.parametrize(("extra", "param"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_an_invalid_tool_choice_or_response_format_is_an_openai_400(
    extra: dict[str, Any], param: str
) -> None:
    c = client()
    before = c.get("/v1/account/credits", headers=PREMIUM).json()
    r = c.post(CHAT, json={"model": "gpt-4o", "messages": USER, **extra}, headers=PREMIUM)
    openai_400(r, param)
    assert c.get("/v1/account/credits", headers=PREMIUM).json() == before


def test_the_sdk_raises_bad_request_for_an_unknown_tool(sdk: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        sdk.chat.completions.create(
            model="gpt-4o",
            messages=USER,
            tools=TOOLS,
            tool_choice={"type": "function", "function": {"name": "nope"}},
        )
    assert caught.value.param == "tool_choice" and "nope" in caught.value.message


@pytest.mark.parametrize("extra", [r[1] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_prism_stays_lenient_about_tool_choice_and_response_format(extra: dict[str, Any]) -> None:
    r = client("prism").post(CHAT, json={"model": "gpt-4o", "messages": USER, **extra}, headers=PREMIUM)
    assert r.status_code == 200, r.text


# -- 4. response_format ------------------------------------------------------------------------------
class Colour(enum.Enum):
    RED = "red"
    GREEN = "green"


class Address(BaseModel):
    street: str
    number: int


@pytest.mark.parametrize(
    "messages",
    [
        JSON_USER,
        [{"role": "system", "content": "Reply with a json object."}, *USER],
        [{"role": "user", "content": [{"type": "text", "text": "Give me JSON please"}]}],
    ],
    ids=["user", "system", "content-part"],
)
def test_json_object_needs_the_word_json_in_the_messages(messages: Any) -> None:
    """OpenAI refuses ``json_object`` unless a message says "json" (any case): without it, models
    could stream whitespace until the token limit."""
    c = client()
    fmt = {"response_format": {"type": "json_object"}}
    refused = c.post(CHAT, json={"model": "gpt-4o", "messages": USER, **fmt}, headers=PREMIUM)
    error = openai_400(refused, "messages")
    assert error["message"] == (
        "'messages' must contain the word 'json' in some form, to use 'response_format' of type "
        "'json_object'."
    )
    assert error["code"] is None
    accepted = c.post(CHAT, json={"model": "gpt-4o", "messages": messages, **fmt}, headers=PREMIUM)
    assert accepted.status_code == 200, accepted.text
    assert isinstance(json.loads(accepted.json()["choices"][0]["message"]["content"]), dict)
    lenient = client("prism").post(CHAT, json={"model": "gpt-4o", "messages": USER, **fmt}, headers=PREMIUM)
    assert lenient.status_code == 200


class Person(BaseModel):
    name: str
    age: int
    height: float
    member: bool
    colour: Colour
    tags: list[str]
    address: Address
    nickname: str | None
    previous: list[Address]


def test_json_object_answers_a_json_object(sdk: openai.OpenAI) -> None:
    reply = sdk.chat.completions.create(
        model="gpt-4o", messages=JSON_USER, response_format={"type": "json_object"}
    )
    content = reply.choices[0].message.content or ""
    assert isinstance(json.loads(content), dict) and json.loads(content)
    assert reply.choices[0].finish_reason == "stop"
    assert reply.usage is not None and reply.usage.completion_tokens == count_tokens(content)


def test_parse_with_a_pydantic_model_gives_a_parsed_instance(
    server: tuple[RunningServer, SimulatorControl], sdk: openai.OpenAI
) -> None:
    _, ctl = server
    fresh(ctl)
    parsed = sdk.chat.completions.parse(model="gpt-4o", messages=USER, response_format=Person)
    person = parsed.choices[0].message.parsed
    assert isinstance(person, Person) and isinstance(person.address, Address)
    content = parsed.choices[0].message.content or ""
    assert parsed.usage is not None and parsed.usage.completion_tokens == count_tokens(content)
    fresh(ctl)
    again = sdk.chat.completions.parse(model="gpt-4o", messages=USER, response_format=Person)
    assert again.choices[0].message.content == content  # deterministic


SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "when": {"type": "string", "format": "date-time"},
        "day": {"type": "string", "format": "date"},
        "email": {"type": "string", "format": "email"},
        "code": {"type": "string", "minLength": 12, "maxLength": 14},
        "score": {"type": "number", "minimum": 0.5, "exclusiveMaximum": 0.75},
        "count": {"type": "integer", "exclusiveMinimum": 10, "maximum": 11},
        "level": {"const": "high"},
        "kind": {"enum": [3, "x", None]},
        "items": {
            "type": "array",
            "minItems": 4,
            "maxItems": 4,
            "items": {"$ref": "#/$defs/item"},
        },
        "either": {"anyOf": [{"type": "null"}, {"type": "integer"}]},
        "both": {"allOf": [{"type": "object", "properties": {"a": {"type": "boolean"}}, "required": ["a"]}]},
        "tree": {"$ref": "#/$defs/node"},
    },
    "required": ["id", "when", "day", "email", "code", "score", "count", "level", "kind", "items", "tree"],
    "additionalProperties": False,
    "$defs": {
        "item": {
            "type": "object",
            "properties": {"n": {"type": ["integer", "null"]}, "t": {"type": "array", "items": {}}},
            "required": ["n", "t"],
        },
        "node": {
            "type": "object",
            "properties": {"children": {"type": "array", "items": {"$ref": "#/$defs/node"}}},
            "required": ["children"],
        },
    },
}


def test_json_schema_answers_an_instance_of_the_schema(sdk: openai.OpenAI) -> None:
    reply = sdk.chat.completions.create(
        model="gpt-4o",
        messages=USER,
        response_format={"type": "json_schema", "json_schema": {"name": "record", "schema": SCHEMA}},
    )
    instance = json.loads(reply.choices[0].message.content or "")
    jsonschema.validate(instance, SCHEMA, format_checker=jsonschema.FormatChecker())


def test_a_json_schema_answer_streams_the_same_content(sdk: openai.OpenAI) -> None:
    fmt: Any = {"type": "json_schema", "json_schema": {"name": "record", "schema": SCHEMA}}
    full = sdk.chat.completions.create(model="gpt-4o", messages=USER, response_format=fmt)
    chunks = list(
        sdk.chat.completions.create(model="gpt-4o", messages=USER, response_format=fmt, stream=True)
    )
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == full.choices[0].message.content


def test_structured_answers_are_byte_identical_across_runs() -> None:
    bodies = []
    for _ in range(2):
        c = client()
        bodies.append(
            [
                c.post(
                    CHAT, json={"model": "gpt-4o", "messages": JSON_USER, **extra}, headers=PREMIUM
                ).content
                for extra in (
                    {"response_format": {"type": "json_object"}},
                    {
                        "response_format": {
                            "type": "json_schema",
                            "json_schema": {"name": "r", "schema": SCHEMA},
                        }
                    },
                    {"tools": TOOLS, "tool_choice": "required"},
                    {"tools": TOOLS, "tool_choice": "required", "stream": True},
                )
            ]
        )
    assert bodies[0] == bodies[1]


# -- 5. models.retrieve ------------------------------------------------------------------------------
def test_models_retrieve_answers_the_listed_model_object(sdk: openai.OpenAI) -> None:
    listed = {m.id: m for m in sdk.models.list()}
    for name in ("gpt-4o", "groq/openai/gpt-oss-120b"):
        model = sdk.models.retrieve(name)
        assert model.model_dump() == listed[name].model_dump()


def test_models_retrieve_of_an_unknown_model_is_an_openai_404(sdk: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        sdk.models.retrieve("gpt-17")
    assert caught.value.body == {
        "message": "The model 'gpt-17' does not exist",
        "type": "invalid_request_error",
        "param": "model",
        "code": "model_not_found",
    }


def test_models_retrieve_keeps_the_auth_and_tier_rules_of_the_list() -> None:
    c = client()
    anonymous = c.get("/v1/models/gpt-4o")
    assert anonymous.status_code == 401
    assert anonymous.json() == c.get("/v1/models").json()
    free = {m["id"] for m in c.get("/v1/models", headers={"x-api-key": FREE_KEY}).json()["data"]}
    assert "gpt-4o-mini" in free and "groq/openai/gpt-oss-120b" not in free
    assert c.get("/v1/models/gpt-4o-mini", headers={"x-api-key": FREE_KEY}).status_code == 200
    hidden = c.get("/v1/models/groq/openai/gpt-oss-120b", headers={"x-api-key": FREE_KEY})
    assert hidden.status_code == 404 and hidden.json()["error"]["code"] == "model_not_found"


# -- 6. message roles --------------------------------------------------------------------------------
def test_an_unknown_role_is_an_openai_400_naming_the_message() -> None:
    c = client()
    messages = [{"role": "user", "content": "hi"}, {"role": "wizard", "content": "abracadabra"}]
    r = c.post(CHAT, json={"model": "gpt-4o", "messages": messages}, headers=PREMIUM)
    error = openai_400(r, "messages[1].role")
    assert "'wizard'" in error["message"]


def test_every_openai_role_is_accepted() -> None:
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "developer", "content": "Answer in English."},
        {"role": "user", "content": "What is the weather in Paris?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "Sunny"},
        {"role": "function", "name": "get_weather", "content": "Sunny"},
        {"role": "user", "content": "Thanks"},
    ]
    r = client().post(CHAT, json={"model": "gpt-4o", "messages": messages}, headers=PREMIUM)
    assert r.status_code == 200, r.text


def test_prism_stays_lenient_about_roles() -> None:
    messages = [{"role": "wizard", "content": "abracadabra"}, {"role": "user", "content": "hi"}]
    r = client("prism").post(CHAT, json={"model": "gpt-4o", "messages": messages}, headers=PREMIUM)
    assert r.status_code == 200, r.text


def test_prism_answers_models_retrieve_for_any_id() -> None:
    r = client("prism").get("/v1/models/anything-at-all", headers={"x-api-key": "any-key"})
    assert r.status_code == 200, r.text
    assert r.json() == {"id": "anything-at-all", "object": "model", "created": 0, "owned_by": "swarms"}
