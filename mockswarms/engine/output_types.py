"""``output_type`` of a swarm: the shape of ``output`` (reference §b.0 SwarmSpec, §g; seeds 002, 003).

A swarm's conversation is a list of ``{"role": agent name, "content": text}`` messages. The request's
``output_type`` (or the ``default_output_type`` setting when the request has none) turns it into:

==========================================  ===========================================================
``list`` (and no output_type at all)        the messages themselves (list of ``{role, content}``)
``dict`` / ``dictionary``                   an object ``{agent name: text}``; an agent that speaks more
                                            than once (``max_loops`` > 1) keeps its last message
``str`` / ``string`` / ``all`` / ``.txt``   one string, ``"Role: content"`` per message, blank-line
/ ``.md``                                   separated
``final`` / ``last``                        the last message's text
``json`` / ``.json``                        the messages serialised as a JSON text (a string)
``yaml`` / ``.yaml``                        the messages serialised as a YAML text (a string)
``xml``                                     ``<conversation><message role="…">…</message>…</conversation>``
``dict-all-except-first``                   the messages without the first
``str-all-except-first``                    the string form without the first message
``dict-final``                              ``{last agent: its text}``
``list-final``                              a list holding the last message
==========================================  ===========================================================

Multi-task runs (``tasks``) shape each task's conversation separately. Runs whose output is not a
conversation (BatchedGridWorkflow rows, ``return_history: false`` text) are left as they are.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import yaml

from mockswarms.shapes.requests import SWARM_OUTPUT_TYPES

__all__ = ["SWARM_OUTPUT_TYPES", "shape_conversation"]

Messages = Sequence[dict[str, Any]]


def _role(message: dict[str, Any]) -> str:
    # Architectures that report per-agent rows (SpreadSheetSwarm) use agent_name/result.
    return str(message.get("role", message.get("agent_name", "")))


def _text(message: dict[str, Any]) -> Any:
    return message.get("content", message.get("result", ""))


def _as_list(messages: Messages) -> list[dict[str, Any]]:
    return [dict(m) for m in messages]


def _as_dict(messages: Messages) -> dict[str, Any]:
    return {_role(m): _text(m) for m in messages}


def _as_str(messages: Messages) -> str:
    return "\n\n".join(f"{_role(m)}: {_text(m)}" for m in messages)


def _final(messages: Messages) -> Any:
    return _text(messages[-1]) if messages else ""


def _as_json(messages: Messages) -> str:
    return json.dumps(_as_list(messages), ensure_ascii=False)


def _as_yaml(messages: Messages) -> str:
    return yaml.safe_dump(_as_list(messages), sort_keys=False, allow_unicode=True)


def _as_xml(messages: Messages) -> str:
    items = "".join(
        f"<message role={quoteattr(_role(m))}>{escape(str(_text(m)))}</message>" for m in messages
    )
    return f"<conversation>{items}</conversation>"


_SHAPES: dict[str, Callable[[Messages], Any]] = {
    "list": _as_list,
    "dict": _as_dict,
    "dictionary": _as_dict,
    "str": _as_str,
    "string": _as_str,
    "all": _as_str,
    ".txt": _as_str,
    ".md": _as_str,
    "final": _final,
    "last": _final,
    "json": _as_json,
    ".json": _as_json,
    "yaml": _as_yaml,
    ".yaml": _as_yaml,
    "xml": _as_xml,
    "dict-all-except-first": lambda ms: _as_list(ms[1:]),
    "str-all-except-first": lambda ms: _as_str(ms[1:]),
    "dict-final": lambda ms: _as_dict(ms[-1:]),
    "list-final": lambda ms: _as_list(ms[-1:]),
}
# Every accepted value has a shape (the request schema's enum and this table cannot drift apart).
assert set(_SHAPES) == set(SWARM_OUTPUT_TYPES), set(_SHAPES) ^ set(SWARM_OUTPUT_TYPES)


def shape_conversation(messages: Messages, output_type: str | None) -> Any:
    """``messages`` in the shape ``output_type`` names (None = unchanged list)."""
    if output_type is None:
        return list(messages)
    return _SHAPES[output_type](messages)
