"""``engine.seen``: input tokens equal the tokenizer's count of the whole seen text, digests follow what
the call sees, and a long run's cost grows with its output, not with turns squared."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockswarms.config import load_settings
from mockswarms.engine import architectures
from mockswarms.engine.llm import LLMCall, Message
from mockswarms.engine.seen import seen_digest, seen_tokens
from mockswarms.engine.simulator import Simulator
from mockswarms.shapes.requests import SwarmSpec
from mockswarms.tokenizer import count_tokens

texts = st.text(alphabet=st.sampled_from("ab1 \n\t.,-'\"é_"), max_size=30)


def call(system: str, history: list[str], task: str) -> LLMCall:
    return LLMCall(
        endpoint="swarm",
        agent_name="A",
        model="gpt-4o",
        task=task,
        system_prompt=system,
        history=tuple(Message("x", h) for h in history),
    )


@given(texts, st.lists(texts, max_size=6), texts)
def test_seen_tokens_equal_the_count_of_the_joined_text(system: str, history: list[str], task: str) -> None:
    c = call(system, history, task)
    assert seen_tokens(c) == count_tokens(c.seen_text())


def test_seen_tokens_of_a_history_extending_a_remembered_one() -> None:
    base = [f"answer {i}: word, word." for i in range(50)]
    first = call("sys", base, "task")
    longer = call("sys", [*base, "one more line\n"], "task")
    assert seen_tokens(first) == count_tokens(first.seen_text())
    assert seen_tokens(longer) == count_tokens(longer.seen_text())


def test_digest_follows_what_is_seen() -> None:
    assert seen_digest(call("s", ["a", "b"], "t")) == seen_digest(call("s", ["a", "b"], "t"))
    others = {
        seen_digest(call("s", ["a", "b"], "u")),
        seen_digest(call("s2", ["a", "b"], "t")),
        seen_digest(call("s", ["a", "c"], "t")),
        seen_digest(call("s", ["b", "a"], "t")),
        seen_digest(call("s", ["a"], "t")),
        seen_digest(call("s", ["a", "b"], "t")),
    }
    assert len(others) == 6


def _sequential_seconds(n: int) -> float:
    sim = Simulator(load_settings({}, environ={}))
    spec = SwarmSpec.model_validate(
        {
            "swarm_type": "SequentialWorkflow",
            "task": f"t{n}",
            "max_loops": n,
            "agents": [{"agent_name": f"a{i}", "model_name": "gpt-4o-mini"} for i in range(n)],
        }
    )
    started = time.thread_time()  # CPU of this thread: a busy machine does not count
    run = architectures.run_swarm(
        spec,
        sim.llm,
        default_model="gpt-4o-mini",
        strict=True,
        reject_misspelled_hierarchical=False,
        legacy_swarm_types=True,
    )
    assert len(run.turns) == n * n
    return time.thread_time() - started


def test_a_sequential_run_of_900_turns_takes_well_under_a_second_of_cpu() -> None:
    # Re-reading the whole conversation every turn made this 30x30 run take ~19 s of CPU.
    _sequential_seconds(8)  # warm-up (Faker word list)
    assert _sequential_seconds(30) < 1.0


def test_a_body_sized_task_is_read_once_for_many_calls(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A 5 MB task run by 100 agents was tokenised 100 times (34 s): parts over 1 MiB were never
    remembered. Any part a request body can carry (10 MiB) is now remembered like a small one."""
    from mockswarms.engine import seen as seen_module

    counted: list[int] = []

    def counting(text: str) -> int:
        counted.append(len(text))
        return count_tokens(text)

    monkeypatch.setattr(seen_module, "count_tokens", counting)
    task = "word " * 1_000_001  # 5,000,005 characters: unique to this test
    expected = count_tokens(call("sys", [], task).seen_text())  # the unpatched count
    tokens = {seen_tokens(call("sys", [], task)) for _ in range(100)}
    assert tokens == {expected}
    assert counted.count(len(task)) == 1
    assert seen_module.MAX_MEMO_PART >= 10 * 1024 * 1024  # the body cap (max_body_bytes' default)
