"""The fake LLM: fixture rules first, otherwise seeded Faker text. Deterministic and fast.

Why ~450 lines: the answers and the JSON-schema instance builder structured answers need
(:func:`schema_instance`, ~150 lines); that builder is the seam to split off into its own module.

Generated text (no rule, or a rule that only sets latency/pacing/token counts):

- Seed: ``entropy.derive("fake-llm", seen_digest, model, agent_name, call_index)`` — what the agent sees
  (``seen.seen_digest``: a digest of its parts, so long conversations are not re-hashed every turn),
  which model, which agent, and the call's position within the run. Transport flags (``stream``,
  ``streaming_on``) are not part of it, so they never change the text.
- Size rule: 3-7 sentences of 6-14 words each, drawn from Faker's English word list with the seeded
  derived RNG (about 25-110 tokens), then capped to ``max_tokens`` tokens when ``max_tokens >= 1``.
  Fixture text is never capped (it is what the user asked for).

Structured answers (no rule): a call whose ``tool_choice`` forces a tool (``required``: the first of
``tools``; a named function: that one) answers with one call to it, its arguments an instance of the
tool's JSON-schema ``parameters``; ``response_format`` ``json_object`` answers ``{"answer": <generated
text>}`` and ``json_schema`` an instance of its schema (:func:`schema_instance`). Both are seeded like
generated text, so the same request gives the same bytes.

Token counts use :mod:`mockswarms.tokenizer`: input = ``count_tokens(call.seen_text())`` (computed part
by part, ``seen.seen_tokens``), output =
``count_tokens(text)`` plus the tokens of any tool call (name + JSON arguments); a rule may override
either. Chunks are ``split_tokens(text)`` unless the rule lists its own.

Generated text is built and tokenised once per (seed, seen digest, model, agent, call index,
max_tokens) and kept in a bounded LRU (``GENERATED_CACHE`` answers: ~16 MB when full of uncapped
answers, measured): a load test repeating one request pays for the words and the tokenizer once.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import random
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson

from mockswarms.engine.fixtures import FixtureRegistry, FixtureRule, render_arguments
from mockswarms.engine.llm import LLMCall, LLMError, LLMResult, Pacing
from mockswarms.engine.seen import seen
from mockswarms.entropy import Entropy
from mockswarms.tokenizer import count_tokens, split_capped, split_tokens

__all__ = ["FakeLLM", "forced_tool", "generated_text", "schema_instance"]

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
        if rule is None and (call.tool_choice is not None or call.response_format is not None):
            structured = self._structured(seen_digest, call)
            if structured is not None:
                text, tool_calls = structured
                return LLMResult(
                    text=text,
                    chunks=tuple(split_tokens(text)) if text else (),
                    input_tokens=seen_tokens,
                    output_tokens=count_tokens(text) + _tool_call_tokens(tool_calls),
                    tool_calls=tool_calls,
                    pacing=self.pacing_for(call.model),
                )
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
            output_tokens = count_tokens(text) + _tool_call_tokens(tool_calls)
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

    def _structured(self, seen: str, call: LLMCall) -> tuple[str, tuple[dict[str, Any], ...]] | None:
        """(content, tool calls) of a forced tool call or a JSON answer; None: answer prose as usual."""
        tool = forced_tool(call)
        if tool is not None:
            rng = self.entropy.derive("fake-llm-tool", seen, call.model, call.agent_name, call.call_index)
            parameters = tool.get("parameters")
            schema = parameters if isinstance(parameters, Mapping) else {"type": "object"}
            arguments = schema_instance(schema, rng, self._words)
            call_id = "call_" + "".join(rng.choice(_ALNUM) for _ in range(24))
            function = {"name": tool["name"], "arguments": _dumps(arguments)}
            return "", ({"id": call_id, "type": "function", "function": function},)
        kind = _at(call.response_format, "type")
        if kind == "json_object":
            return _dumps({"answer": self._generate(seen, call)[0]}), ()
        if kind == "json_schema":
            schema = _at(call.response_format, "json_schema", "schema")
            rng = self.entropy.derive("fake-llm-json", seen, call.model, call.agent_name, call.call_index)
            instance = schema_instance(schema if isinstance(schema, Mapping) else {}, rng, self._words)
            return _dumps(instance), ()
        return None


def _dumps(value: Any) -> str:
    """Compact JSON, as the model writes it (json for integers past 64 bits, which orjson refuses)."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _tool_call_tokens(tool_calls: Sequence[Mapping[str, Any]]) -> int:
    """Output tokens of tool calls: each one's name and JSON arguments."""
    return sum(
        count_tokens(tc["function"]["name"]) + count_tokens(tc["function"]["arguments"]) for tc in tool_calls
    )


def _at(value: Any, *keys: str) -> Any:
    """``value[k1][k2]…``, None where a level is missing or not an object (prism passes any JSON)."""
    for key in keys:
        value = value.get(key) if isinstance(value, Mapping) else None
    return value


def forced_tool(call: LLMCall) -> Mapping[str, Any] | None:
    """The function (``{"name", "parameters"?}``) OpenAI's ``tool_choice`` makes the call answer with:
    ``required`` the first of ``tools``, ``{"type": "function", "function": {"name"}}`` that one,
    ``allowed_tools`` in mode ``required`` the first allowed; None for ``auto``, ``none`` or no tools."""
    functions: dict[str, Mapping[str, Any]] = {}
    for tool in call.tools:
        function = _at(tool, "function")
        if isinstance(_at(function, "name"), str):
            functions.setdefault(function["name"], function)
    choice = call.tool_choice
    if not functions or choice is None or choice in ("auto", "none"):
        return None
    if choice == "required":
        return next(iter(functions.values()))
    kind = _at(choice, "type")
    if kind == "function":
        return functions.get(str(_at(choice, "function", "name")))
    allowed = _at(choice, "allowed_tools")
    if kind == "allowed_tools" and _at(allowed, "mode") == "required":
        names = [_at(t, "function", "name") for t in _at(allowed, "tools") or () if isinstance(t, Mapping)]
        return next((functions[n] for n in names if isinstance(n, str) and n in functions), None)
    return None


# -- an instance of a JSON schema ----------------------------------------------------------------------
_SHALLOW = 4  # deeper: only required properties, minItems items (recursive schemas end)
_DEEPEST = 32  # deeper still ($ref loops): null
_BUDGET = 10_000  # values built per instance; then arrays stay empty (absurd minItems nests end)
_MAX_LENGTH = 10_000  # minLength honoured up to this
_CHAR_BUDGET = 64 * 1024  # minLength padding per instance: absurd minItems x minLength nests end short
_KINDS = ("object", "array", "string", "integer", "number", "boolean", "null")


def schema_instance(schema: Mapping[str, Any], rng: random.Random, words: Sequence[str]) -> Any:
    """A JSON value valid against ``schema`` (the subset structured outputs use), drawn from ``rng``:
    ``type`` (or lists of types), ``properties`` (all, then only ``required`` ones past depth 4),
    ``additionalProperties``, ``items`` / ``prefixItems`` with ``minItems``/``maxItems``, ``enum``,
    ``const``, ``anyOf``/``oneOf`` (the first non-null branch), ``allOf`` (merged), local ``$ref``
    (``#/$defs/…``), string ``format`` (date-time, date, time, email, uri, uuid, ipv4, hostname,
    duration) and ``minLength``/``maxLength``, number bounds (exclusive too) and ``multipleOf``.
    ``pattern`` is not honoured."""
    return _Instance(schema, rng, words).build(schema, 0)


class _Instance:
    def __init__(self, root: Mapping[str, Any], rng: random.Random, words: Sequence[str]) -> None:
        self.root, self.rng, self.words = root, rng, words
        self.budget = _BUDGET
        self.chars = _CHAR_BUDGET

    def text(self, count: int) -> str:
        return " ".join(self.rng.choice(self.words) for _ in range(count))

    def build(self, schema: Any, depth: int) -> Any:
        if not isinstance(schema, Mapping):
            return None if schema is False else self.text(1)  # `true` / anything: any value
        self.budget -= 1
        if depth > _DEEPEST:
            return None
        rest = {k: v for k, v in schema.items() if k not in ("$ref", "anyOf", "oneOf", "allOf")}
        ref = schema.get("$ref")
        if isinstance(ref, str):
            return self.build({**self.resolve(ref), **rest}, depth + 1)
        for key in ("anyOf", "oneOf"):
            options = schema.get(key)
            branches = [b for b in options if isinstance(b, Mapping)] if isinstance(options, list) else []
            if branches:
                branch = next((b for b in branches if b.get("type") != "null"), branches[0])
                return self.build({**rest, **branch}, depth)
        if isinstance(schema.get("allOf"), list):
            return self.build(self.merge(rest, schema["allOf"]), depth)
        if "const" in schema:
            return schema["const"]
        enum = schema.get("enum")
        if isinstance(enum, list) and enum:
            return enum[self.rng.randrange(len(enum))]
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "null")
        if kind is None:
            kind = "object" if "properties" in schema else "array" if "items" in schema else "string"
        return getattr(self, f"_{kind}")(schema, depth) if kind in _KINDS else self.text(1)

    def resolve(self, ref: str) -> Mapping[str, Any]:
        target: Any = self.root
        for part in ref.removeprefix("#").strip("/").split("/") if ref.startswith("#") else [None]:
            if part is None or not isinstance(target, Mapping):
                return {}
            if part:
                target = target.get(part.replace("~1", "/").replace("~0", "~"))
        return target if isinstance(target, Mapping) else {}

    @staticmethod
    def merge(rest: Mapping[str, Any], parts: list[Any]) -> dict[str, Any]:
        merged: dict[str, Any] = dict(rest)
        for part in (p for p in parts if isinstance(p, Mapping)):
            properties = {**_mapping(merged.get("properties")), **_mapping(part.get("properties"))}
            required = [*_names(merged.get("required")), *_names(part.get("required"))]
            merged.update(part)
            merged["properties"], merged["required"] = properties, required
        return merged

    def _object(self, schema: Mapping[str, Any], depth: int) -> dict[str, Any]:
        properties, required = _mapping(schema.get("properties")), _names(schema.get("required"))
        out = {
            name: self.build(sub, depth + 1)
            for name, sub in properties.items()
            if depth < _SHALLOW or name in required
        }
        for name in required:
            out.setdefault(name, self.text(1))
        extra = schema.get("additionalProperties")
        if not properties and isinstance(extra, Mapping) and depth < _SHALLOW:
            out[self.rng.choice(self.words)] = self.build(extra, depth + 1)
        return out

    def _array(self, schema: Mapping[str, Any], depth: int) -> list[Any]:
        low, high = schema.get("minItems"), schema.get("maxItems")
        low = low if isinstance(low, int) else 0
        high = high if isinstance(high, int) else low + 3
        count = low if depth >= _SHALLOW else min(max(1 + self.rng.randrange(3), low), high)
        count = count if self.budget > count else 0
        prefix = schema.get("prefixItems")
        prefix = [p for p in prefix if isinstance(p, Mapping)] if isinstance(prefix, list) else []
        out = [self.build(p, depth + 1) for p in prefix[:count]]
        unique, items = bool(schema.get("uniqueItems")), schema.get("items", {})
        for _ in range(count * 4 if unique else count):
            if len(out) >= count:
                break
            value = self.build(items, depth + 1)
            if not unique or value not in out:
                out.append(value)
        return out

    def _string(self, schema: Mapping[str, Any], depth: int) -> str:
        rng, fmt = self.rng, schema.get("format")
        if fmt == "date-time":
            value = f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:00:00Z"
        elif fmt == "date":
            value = f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        elif fmt == "time":
            value = f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00Z"
        elif fmt in ("email", "idn-email"):
            value = f"{rng.choice(self.words)}.{rng.choice(self.words)}@example.com"
        elif fmt in ("uri", "url", "iri", "uri-reference", "iri-reference"):
            value = f"https://example.com/{rng.choice(self.words)}"
        elif fmt == "uuid":
            value = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        elif fmt == "ipv4":
            value = f"192.0.2.{rng.randint(1, 254)}"
        elif fmt in ("hostname", "idn-hostname"):
            value = f"{rng.choice(self.words)}.example.com"
        elif fmt == "duration":
            value = f"P{rng.randint(1, 30)}D"
        else:
            value = self.text(1 + rng.randrange(4))
        low, high = schema.get("minLength"), schema.get("maxLength")
        if isinstance(low, int) and len(value) < low:
            # Padded to minLength within what this instance may still write (``_CHAR_BUDGET``).
            goal = min(low, _MAX_LENGTH, len(value) + max(self.chars, 0))
            parts, length = [value], len(value)
            while length < goal:
                word = " " + rng.choice(self.words)
                parts.append(word)
                length += len(word)
            self.chars -= length - len(value)
            value = "".join(parts)
        return value[:high] if isinstance(high, int) else value

    def _integer(self, schema: Mapping[str, Any], depth: int) -> int:
        (low, low_open), (high, high_open) = _bounds(schema)
        first = None if low is None else math.floor(low) + 1 if low_open else math.ceil(low)
        last = None if high is None else math.ceil(high) - 1 if high_open else math.floor(high)
        start, end = _span(first, last, 100)
        value = self.rng.randint(int(start), int(end))
        step = schema.get("multipleOf")
        if isinstance(step, int) and step > 0 and value % step:
            value = -(-int(start) // step) * step  # the first multiple from the lower end
        return value

    def _number(self, schema: Mapping[str, Any], depth: int) -> float:
        (low, low_open), (high, high_open) = _bounds(schema)
        start, end = _span(low, high, 100.0)
        value = round(self.rng.uniform(start, end), 2)
        above = low is None or (value > low if low_open else value >= low)
        below = high is None or (value < high if high_open else value <= high)
        if not (above and below):
            value = (start + end) / 2
        step = schema.get("multipleOf")
        if isinstance(step, (int, float)) and step > 0:
            with contextlib.suppress(OverflowError, ValueError):  # absurd steps: left as drawn
                value = math.ceil(start / step) * step
        return float(value)

    def _boolean(self, schema: Mapping[str, Any], depth: int) -> bool:
        return self.rng.random() < 0.5

    def _null(self, schema: Mapping[str, Any], depth: int) -> None:
        return None


def _bounds(schema: Mapping[str, Any]) -> tuple[tuple[float | None, bool], tuple[float | None, bool]]:
    """((lower, exclusive), (upper, exclusive)) of a number schema; None where unbounded."""

    def number(key: str) -> float | None:
        value = schema.get(key)
        return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None

    lows = [
        (v, open_)
        for v, open_ in ((number("minimum"), False), (number("exclusiveMinimum"), True))
        if v is not None
    ]
    highs = [
        (v, open_)
        for v, open_ in ((number("maximum"), False), (number("exclusiveMaximum"), True))
        if v is not None
    ]
    return (max(lows) if lows else (None, False)), (
        min(highs, key=lambda h: (h[0], not h[1])) if highs else (None, False)
    )


def _span(low: float | None, high: float | None, width: float) -> tuple[float, float]:
    """A range from optional bounds: the missing side ``width`` away (0-``width`` when both are)."""
    if low is None:
        return (0, width) if high is None else (high - width, high)
    return (low, low + width) if high is None else (low, max(low, high))


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _names(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
