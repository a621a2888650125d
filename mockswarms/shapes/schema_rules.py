"""JSON Schema fragments for the rules the server enforces beyond the SDK shapes.

The SDK shapes (``requests.py``) keep nearly every field optional: the official SDKs send ``{}`` for
minimal calls and the ``prism`` profile answers them. The ``docs`` and ``legacy`` profiles refuse some of
those bodies (400/422, ``semantic_validation``); these fragments write the same rules into the contract,
so that a schema-valid body is an accepted one. They only shape the JSON Schema (pydantic
``json_schema_extra``): parsing stays lenient and the domain enforces each rule when
``semantic_validation`` is on. Rules JSON Schema cannot say (a flow or an edge naming a declared agent)
are written in the operation's description instead.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["NON_EMPTY_STRING", "JsonSchema", "any_of", "present", "rule", "with_rules"]

JsonSchema = dict[str, Any]

NON_EMPTY_STRING: JsonSchema = {"type": "string", "minLength": 1}


def present(key: str, schema: JsonSchema) -> JsonSchema:
    """``key`` must be there and match ``schema`` (``null`` is not allowed unless ``schema`` says so)."""
    return {"required": [key], "properties": {key: copy.deepcopy(schema)}}


def any_of(branches: Sequence[JsonSchema]) -> JsonSchema:
    return {"anyOf": [copy.deepcopy(branch) for branch in branches]}


def rule(description: str, fragment: JsonSchema) -> JsonSchema:
    """One named rule: the text says what the server answers when it is broken."""
    return {"description": description, **copy.deepcopy(fragment)}


def with_rules(*rules: JsonSchema) -> Callable[[JsonSchema], None]:
    """A ``json_schema_extra`` that adds every rule to the model's schema as one ``allOf`` entry."""

    def add(schema: JsonSchema) -> None:
        schema.setdefault("allOf", []).extend(copy.deepcopy(r) for r in rules)

    return add
