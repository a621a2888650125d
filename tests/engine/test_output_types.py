"""engine.output_types: one expected shape per output_type value, written out by hand."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from mockswarms.engine.output_types import shape_conversation
from mockswarms.shapes.requests import SWARM_OUTPUT_TYPES

CONVERSATION = [
    {"role": "Writer", "content": "First draft."},
    {"role": "Editor", "content": "Cut & <tightened>."},
    {"role": "Writer", "content": "Final text."},
]
STRING = "Writer: First draft.\n\nEditor: Cut & <tightened>.\n\nWriter: Final text."
EXPECTED: dict[str, Any] = {
    "list": CONVERSATION,
    "dict": {"Writer": "Final text.", "Editor": "Cut & <tightened>."},
    "dictionary": {"Writer": "Final text.", "Editor": "Cut & <tightened>."},
    "str": STRING,
    "string": STRING,
    "all": STRING,
    ".txt": STRING,
    ".md": STRING,
    "final": "Final text.",
    "last": "Final text.",
    "xml": (
        '<conversation><message role="Writer">First draft.</message>'
        '<message role="Editor">Cut &amp; &lt;tightened&gt;.</message>'
        '<message role="Writer">Final text.</message></conversation>'
    ),
    "dict-all-except-first": CONVERSATION[1:],
    "str-all-except-first": "Editor: Cut & <tightened>.\n\nWriter: Final text.",
    "dict-final": {"Writer": "Final text."},
    "list-final": [{"role": "Writer", "content": "Final text."}],
}


@pytest.mark.parametrize("output_type", sorted(EXPECTED))
def test_each_output_type_has_its_documented_shape(output_type: str) -> None:
    assert shape_conversation(CONVERSATION, output_type) == EXPECTED[output_type]


@pytest.mark.parametrize("output_type", ["json", ".json"])
def test_json_is_the_conversation_as_json_text(output_type: str) -> None:
    text = shape_conversation(CONVERSATION, output_type)
    assert isinstance(text, str) and json.loads(text) == CONVERSATION


@pytest.mark.parametrize("output_type", ["yaml", ".yaml"])
def test_yaml_is_the_conversation_as_yaml_text(output_type: str) -> None:
    text = shape_conversation(CONVERSATION, output_type)
    assert isinstance(text, str) and text.startswith("- role: Writer\n")
    assert yaml.safe_load(text) == CONVERSATION


def test_every_accepted_value_is_covered_here() -> None:
    assert set(EXPECTED) | {"json", ".json", "yaml", ".yaml"} == set(SWARM_OUTPUT_TYPES)


def test_none_keeps_the_list_and_empty_conversations_stay_empty() -> None:
    assert shape_conversation(CONVERSATION, None) == CONVERSATION
    assert shape_conversation([], "final") == ""
    assert shape_conversation([], "dict") == {}
    assert shape_conversation([], "str") == ""
