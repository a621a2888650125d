"""The fake LLM: deterministic generated text, fixture answers, token accounting."""

from __future__ import annotations

from typing import Any

import pytest

from mockswarms.engine.fakellm import FakeLLM
from mockswarms.engine.fixtures import FixtureRegistry
from mockswarms.engine.llm import LLMCall, LLMError, Message, Pacing
from mockswarms.engine.workflows import run_agent
from mockswarms.entropy import Entropy
from mockswarms.shapes.requests import AgentCompletion
from mockswarms.tokenizer import count_tokens

PACING = Pacing(0.25, 100.0)


def make_llm(rules: list[dict[str, Any]] | None = None, *, seed: int = 7) -> FakeLLM:
    registry = FixtureRegistry([], watch=False)
    if rules:
        registry.add_rules(rules)
    return FakeLLM(Entropy(seed), registry, lambda model: PACING)


def call(**kw: Any) -> LLMCall:
    base: dict[str, Any] = {
        "endpoint": "agent",
        "agent_name": "Researcher",
        "model": "gpt-4.1",
        "task": "Summarize X",
    }
    base.update(kw)
    return LLMCall(**base)


def test_generated_text_is_deterministic_per_seed_and_content() -> None:
    a, b = make_llm(seed=1), make_llm(seed=1)
    assert a.complete(call()).text == b.complete(call()).text
    assert make_llm(seed=2).complete(call()).text != a.complete(call()).text
    assert a.complete(call(call_index=1)).text != a.complete(call()).text
    assert a.complete(call(task="Summarize Y")).text != a.complete(call()).text
    assert a.complete(call(agent_name="Writer")).text != a.complete(call()).text
    assert a.complete(call(model="gpt-4o")).text != a.complete(call()).text
    # Fields the agent does not see and that are not in the seed do not change the text.
    assert a.complete(call(temperature=0.9, endpoint="swarm")).text == a.complete(call()).text


def test_generated_text_size_rule_and_accounting() -> None:
    llm = make_llm()
    seen = call(system_prompt="You are careful.", history=(Message("user", "earlier"),))
    result = llm.complete(seen)
    sentences = result.text.count(".")
    assert 3 <= sentences <= 7
    assert result.input_tokens == count_tokens("You are careful.\nearlier\nSummarize X")
    assert result.output_tokens == count_tokens(result.text)
    assert "".join(result.chunks) == result.text
    assert len(result.chunks) == result.output_tokens
    assert result.pacing == PACING and result.rule is None and result.error is None


def test_max_tokens_caps_generated_text() -> None:
    llm = make_llm()
    full = llm.complete(call())
    capped = llm.complete(call(max_tokens=5))
    assert capped.output_tokens == 5
    assert full.text.startswith(capped.text)
    assert llm.complete(call(max_tokens=0)).text == full.text  # 0/None = no cap


def test_stream_flags_do_not_change_text() -> None:
    llm = make_llm()
    plain = AgentCompletion.model_validate({"agent_config": {"agent_name": "A"}, "task": "t"})
    streamed = AgentCompletion.model_validate(
        {"agent_config": {"agent_name": "A", "streaming_on": True}, "task": "t", "stream": True}
    )
    first = run_agent(plain, llm, default_model="gpt-4.1", strict=True)
    second = run_agent(streamed, llm, default_model="gpt-4.1", strict=True)
    assert first.output == second.output


def test_fixture_text_template_and_tokens() -> None:
    llm = make_llm(
        [
            {
                "id": "t",
                "match": {"agent_name": "Researcher"},
                "respond": {
                    "text": "{{ agent_name }} on {{ task }} after {{ previous_agent }}: {{ previous_output }}"
                },
            },
        ]
    )
    result = llm.complete(call(history=(Message("Planner", "plan A"),)))
    assert result.text == "Researcher on Summarize X after Planner: plan A"
    assert result.rule == "t"
    assert result.output_tokens == count_tokens(result.text)


def test_fixture_chunks_explicit_tokens_latency_and_pacing() -> None:
    llm = make_llm(
        [
            {
                "match": {"task": {"contains": "stream"}},
                "respond": {
                    "chunks": ["Hel", "lo ", "world"],
                    "input_tokens": 11,
                    "output_tokens": 3,
                    "latency": 1.5,
                    "pacing": {"time_to_first_token": 0.1, "tokens_per_second": 10},
                },
            },
        ]
    )
    result = llm.complete(call(task="please stream"))
    assert result.chunks == ("Hel", "lo ", "world") and result.text == "Hello world"
    assert (result.input_tokens, result.output_tokens) == (11, 3)
    assert result.latency == 1.5 and result.pacing == Pacing(0.1, 10.0)


def test_fixture_latency_only_rule_keeps_generated_text() -> None:
    plain = make_llm().complete(call())
    slow = make_llm([{"id": "slow", "match": {"model": "gpt-4.1"}, "respond": {"latency": 2}}]).complete(
        call()
    )
    assert slow.text == plain.text and slow.latency == 2.0 and slow.rule == "slow"


def test_fixture_tool_call_shape() -> None:
    llm = make_llm(
        [
            {
                "match": {"agent_name": "Researcher"},
                "respond": {"tool_call": {"name": "get_weather", "arguments": {"city": "Paris"}}},
            },
        ]
    )
    result = llm.complete(call())
    assert result.text == ""
    (tool,) = result.tool_calls
    assert tool["type"] == "function"
    assert tool["function"] == {"name": "get_weather", "arguments": '{"city":"Paris"}'}
    assert tool["id"].startswith("call_") and len(tool["id"]) == 29
    assert result.output_tokens == count_tokens("get_weather") + count_tokens('{"city":"Paris"}')
    assert llm.complete(call()).tool_calls == result.tool_calls  # deterministic id


def test_fixture_error() -> None:
    llm = make_llm(
        [
            {
                "match": {"agent_name": "Researcher"},
                "respond": {"error": {"status": 500, "detail": "model {{ model }} overloaded"}},
            }
        ]
    )
    result = llm.complete(call())
    assert result.error == LLMError(500, "model gpt-4.1 overloaded")
    assert (
        result.output_tokens == 0 and result.text == "" and result.input_tokens == count_tokens("Summarize X")
    )


@pytest.mark.parametrize("n", [1])
def test_performance_budget(n: int) -> None:
    import time

    llm = make_llm()
    history = tuple(Message("A", "word " * 100) for _ in range(3))
    start = time.process_time()
    for i in range(300):
        llm.complete(call(call_index=i, history=history))
    per_call = (time.process_time() - start) / 300
    assert per_call < 0.002 * n  # generous CI bound; typically ~40 µs


def test_tool_call_arguments_are_templated_and_json_escaped() -> None:
    llm = make_llm(
        [
            {
                "match": {"agent_name": "Researcher"},
                "respond": {
                    "tool_call": {"name": "f", "arguments": {"q": "{{ task }}", "n": [1, "{{ model }}"]}}
                },
            }
        ]
    )
    (tool,) = llm.complete(call(task='say "hi"')).tool_calls
    assert tool["function"]["arguments"] == '{"q":"say \\"hi\\"","n":[1,"gpt-4.1"]}'


def test_shipped_pipeline_fixtures_drive_a_sequential_swarm() -> None:
    from pathlib import Path

    from mockswarms.engine.architectures import run_swarm
    from mockswarms.shapes.requests import SwarmSpec

    registry = FixtureRegistry([Path(__file__).resolve().parents[2] / "fixtures"], watch=False)
    llm = FakeLLM(Entropy(0), registry, lambda model: PACING)
    spec = SwarmSpec.model_validate(
        {
            "swarm_type": "SequentialWorkflow",
            "task": "solar power",
            "agents": [{"agent_name": n} for n in ("Researcher", "Writer", "Editor")],
        }
    )
    run = run_swarm(
        spec,
        llm,
        default_model="gpt-4.1",
        strict=True,
        reject_misspelled_hierarchical=False,
        legacy_swarm_types=True,
    )
    assert [o["content"] for o in run.output] == [
        "Research notes on solar power: three key facts were found.",
        "Draft based on Researcher's notes -> Research notes on solar power: three key facts were found.",
        "Final edit of the draft (2 calls so far).",
    ]


def test_generated_answer_is_built_once_and_follows_the_seed() -> None:
    from mockswarms.engine.fakellm import generated_text
    from mockswarms.engine.seen import seen_digest
    from mockswarms.tokenizer import split_tokens, truncate_tokens

    llm = make_llm(seed=7)
    first = llm.complete(call(max_tokens=12))
    rng = llm.entropy.derive("fake-llm", seen_digest(call(max_tokens=12)), "gpt-4.1", "Researcher", 0)
    expected = truncate_tokens(generated_text(llm._words, rng), 12)
    assert (first.text, first.chunks, first.output_tokens) == (expected, tuple(split_tokens(expected)), 12)
    assert llm.complete(call(max_tokens=12)) == first
    assert llm._generated.cache_info().hits == 1  # the second answer came from the cache
    llm.entropy.reset(seed=8)  # a new seed is a new key, never a stale answer
    assert llm.complete(call(max_tokens=12)).text != first.text
    llm.entropy.reset(seed=7)
    assert llm.complete(call(max_tokens=12)) == first


def test_the_word_list_is_fakers_en_us_lorem_list() -> None:
    """Generated text draws from a copy of Faker's list (no Faker import at start-up); the copy must
    stay the list Faker has, word for word and in order (the seeded draws index into it)."""
    from faker import Faker

    from mockswarms.engine.fakellm import faker_words

    assert faker_words() == tuple(Faker("en_US").get_words_list())
    assert len(faker_words()) == 971


def test_a_hostile_json_schema_builds_a_bounded_instance_quickly() -> None:
    """100 required arrays of 1,000 arrays of 1,000 strings of minLength 1,000 (a response_format any
    chat client may send) took 5.4 s and built 9 MB; the instance is now bounded by values and text."""
    import random
    import time

    from mockswarms.engine.fakellm import schema_instance

    leaf = {"type": "string", "minLength": 1000}
    inner = {"type": "array", "minItems": 1000, "items": {"type": "array", "minItems": 1000, "items": leaf}}
    schema = {
        "type": "object",
        "properties": {f"p{i}": inner for i in range(100)},
        "required": [f"p{i}" for i in range(100)],
    }
    started = time.process_time()
    instance = schema_instance(schema, random.Random(1), ["alpha", "beta"])
    assert time.process_time() - started < 1.0
    assert len(str(instance)) < 400_000
    # A sane schema still gets its minLength in full.
    assert len(schema_instance(leaf, random.Random(1), ["alpha", "beta"])) >= 1000
