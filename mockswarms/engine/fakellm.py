"""The fake LLM: fixture rules first, otherwise seeded Faker text. Deterministic and fast.

Generated text (no rule, or a rule that only sets latency/pacing/token counts):

- Seed: ``entropy.derive("fake-llm", seen_digest, model, agent_name, call_index)`` — what the agent sees
  (``seen.seen_digest``: a digest of its parts, so long conversations are not re-hashed every turn),
  which model, which agent, and the call's position within the run. Transport flags (``stream``,
  ``streaming_on``) are not part of it, so they never change the text.
- Size rule: 3-7 sentences of 6-14 words each, drawn from Faker's English word list with the seeded
  derived RNG (about 25-110 tokens), then capped to ``max_tokens`` tokens when ``max_tokens >= 1``.
  Fixture text is never capped (it is what the user asked for).

Token counts use :mod:`mockswarms.tokenizer`: input = ``count_tokens(call.seen_text())`` (computed part
by part, ``seen.seen_tokens``), output =
``count_tokens(text)`` plus the tokens of any tool call (name + JSON arguments); a rule may override
either. Chunks are ``split_tokens(text)`` unless the rule lists its own.

Generated text is built and tokenised once per (seed, seen digest, model, agent, call index,
max_tokens) and kept in a bounded LRU (``GENERATED_CACHE`` answers: ~16 MB when full of uncapped
answers, measured): a load test repeating one request pays for the words and the tokenizer once.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import orjson

from mockswarms.engine.fixtures import FixtureRegistry, FixtureRule, render_arguments
from mockswarms.engine.llm import LLMCall, LLMError, LLMResult, Pacing
from mockswarms.engine.seen import seen
from mockswarms.entropy import Entropy
from mockswarms.tokenizer import count_tokens, split_capped, split_tokens

__all__ = ["FakeLLM", "generated_text"]

_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
GENERATED_CACHE = 4096  # generated answers kept per FakeLLM (~4 KB each with their token tuple)


WORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "en_us_words.txt"


@functools.cache
def faker_words() -> tuple[str, ...]:
    """Faker's en_US lorem word list, from a copy in ``data/`` (the tests check it equals Faker's):
    importing Faker cost ~150 ms of every start-up, and the copy keeps generated text the same
    whatever Faker version is installed."""
    return tuple(WORDS_FILE.read_text(encoding="utf-8").splitlines())


def generated_text(words: tuple[str, ...], rng: random.Random) -> str:
    """The size rule applied with ``rng`` drawing from Faker's word list (see module docstring)."""
    sentences = []
    for _ in range(3 + rng.randrange(5)):
        picked = rng.choices(words, k=6 + rng.randrange(9))
        sentences.append(" ".join(picked).capitalize() + ".")
    return " ".join(sentences)


class FakeLLM:
    """Implements :class:`mockswarms.engine.llm.LLM`. One instance per simulator."""

    def __init__(
        self, entropy: Entropy, fixtures: FixtureRegistry, pacing_for: Callable[[str], Pacing]
    ) -> None:
        self.entropy = entropy
        self.fixtures = fixtures
        self.pacing_for = pacing_for
        self._words = faker_words()
        # lru_cache is thread-safe; runs execute in worker threads.
        self._generated = functools.lru_cache(maxsize=GENERATED_CACHE)(self._build_generated)

    def _build_generated(
        self, seed: int, seen: str, model: str, agent_name: str, call_index: int, max_tokens: int | None
    ) -> tuple[str, tuple[str, ...]]:
        # ``seed`` is part of the cache key only: ``derive`` reads the entropy's current seed.
        rng = self.entropy.derive("fake-llm", seen, model, agent_name, call_index)
        return split_capped(generated_text(self._words, rng), max_tokens)

    def _generate(self, seen: str, call: LLMCall) -> tuple[str, tuple[str, ...]]:
        """(text, chunks) of the generated answer; the chunks are its tokens."""
        return self._generated(
            self.entropy.seed, seen, call.model, call.agent_name, call.call_index, call.max_tokens
        )

    def complete(self, call: LLMCall) -> LLMResult:
        # The digest stands for seen_text in seeds: O(parts), not O(characters).
        seen_tokens, seen_digest = seen(call)
        rule = self.fixtures.match(call)
        if rule is None:
            text, chunks = self._generate(seen_digest, call)
            return LLMResult(
                text=text,
                chunks=chunks,
                input_tokens=seen_tokens,
                output_tokens=len(chunks),
                pacing=self.pacing_for(call.model),
            )
        return self._answer(rule, call, seen_digest, seen_tokens)

    def _answer(self, rule: FixtureRule, call: LLMCall, seen: str, seen_tokens: int) -> LLMResult:
        answer = rule.answer
        input_tokens = answer.input_tokens if answer.input_tokens is not None else seen_tokens
        pacing = answer.pacing or self.pacing_for(call.model)
        if answer.error_status is not None:
            detail = answer.error_detail.render(call) if answer.error_detail else ""
            return LLMResult(
                text="",
                chunks=(),
                input_tokens=input_tokens,
                output_tokens=0,
                pacing=pacing,
                error=LLMError(answer.error_status, detail),
                rule=rule.id,
                latency=answer.latency,
            )
        if answer.chunks is not None:
            chunks = tuple(c.render(call) for c in answer.chunks)
            text = "".join(chunks)
        else:
            if answer.text is not None:
                text = answer.text.render(call)
            elif answer.generates_text:
                text = self._generate(seen, call)[0]
            else:
                text = ""  # tool-call-only answer
            chunks = tuple(split_tokens(text)) if text else ()
        tool_calls = tuple(self._tool_call(rule, call, seen, i, tc) for i, tc in enumerate(answer.tool_calls))
        if answer.output_tokens is not None:
            output_tokens = answer.output_tokens
        else:
            output_tokens = count_tokens(text) + sum(
                count_tokens(tc["function"]["name"]) + count_tokens(tc["function"]["arguments"])
                for tc in tool_calls
            )
        return LLMResult(
            text=text,
            chunks=chunks,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            tool_calls=tool_calls,
            pacing=pacing,
            rule=rule.id,
            latency=answer.latency,
        )

    def _tool_call(
        self, rule: FixtureRule, call: LLMCall, seen: str, index: int, spec: Mapping[str, Any]
    ) -> dict[str, Any]:
        """OpenAI function-call shape: ``{"id", "type": "function", "function": {"name", "arguments"}}``."""
        arguments = spec.get("arguments", {})
        if not isinstance(arguments, str):
            arguments = orjson.dumps(render_arguments(arguments, call)).decode()
        call_id = spec.get("id")
        if not call_id:
            rng = self.entropy.derive("tool-call", rule.id, seen, call.agent_name, call.call_index, index)
            call_id = "call_" + "".join(rng.choice(_ALNUM) for _ in range(24))
        return {"id": call_id, "type": "function", "function": {"name": spec["name"], "arguments": arguments}}
