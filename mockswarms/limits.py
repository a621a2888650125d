"""Bounds on the work one request can ask for (README "Reliability"). Foundation: imports nothing.

The real API documents almost none of these; the simulator needs them so that no request can hold a
worker for long or break a store. Each is enforced where the input first arrives:

- ``MAX_JSON_DEPTH``: request bodies nested deeper are refused while parsing (422 / OpenAI 400), so no
  later step (contract check, pydantic, orjson in the Redis store — its limit is 254) meets them.
- ``MAX_AGENTS``, ``MAX_LOOPS``, ``MAX_TASKS``, ``MAX_EDGES``: schema constraints in the request shapes
  (422 naming the field).
- ``MAX_IMAGES``: images are billed $0.25 each (one agent call with 100,000 ``imgs`` once cost $25,000):
  ``imgs`` of agent runs, agent batch items and grids is a schema constraint (422 naming the field);
  chat counts ``image_url`` parts over all messages (OpenAI 400, docs/legacy profiles).
- ``MAX_LIST_ITEMS``: every other list in a request body (chat ``messages``, ``history``, tool lists,
  a batch's items …): pydantic builds one error per bad item, so 100,000 wrong items held the event
  loop for seconds; with a cap it stops at the first item past it.
- ``MAX_MODEL_CALLS``: simulated model calls of one run (agents x loops x tasks x samples ...); the run
  stops with a 400 before anything is charged. ``MAX_REQUEST_MODEL_CALLS`` bounds all runs of one
  request together (a batch); items charged before it is reached are refunded.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "MAX_AGENTS",
    "MAX_EDGES",
    "MAX_IMAGES",
    "MAX_JSON_DEPTH",
    "MAX_LIST_ITEMS",
    "MAX_LOOPS",
    "MAX_MODEL_CALLS",
    "MAX_MODEL_CALLS_DETAIL",
    "MAX_REQUEST_MODEL_CALLS",
    "MAX_REQUEST_MODEL_CALLS_DETAIL",
    "MAX_TASKS",
    "may_nest_deeper",
    "too_deep",
]

MAX_JSON_DEPTH = 64
MAX_AGENTS = 100
MAX_LOOPS = 100
MAX_TASKS = 100
MAX_EDGES = 1_000
MAX_IMAGES = 100  # images of one request (billed $0.25 each): `imgs` items, chat image_url parts
MAX_LIST_ITEMS = 2_048  # any other list in a request body, a batch's items included
MAX_MODEL_CALLS = 1_000
MAX_REQUEST_MODEL_CALLS = 10_000  # all runs of one request together (batches)

MAX_MODEL_CALLS_DETAIL = (
    f"This request would make more than {MAX_MODEL_CALLS:,} simulated model calls (agents x loops x "
    "tasks x samples). Reduce agents, max_loops, num_samples or tasks."
)
MAX_REQUEST_MODEL_CALLS_DETAIL = (
    f"This request would make more than {MAX_REQUEST_MODEL_CALLS:,} simulated model calls in all. "
    "Send fewer or smaller batch items."
)


def may_nest_deeper(raw: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """False when JSON text ``raw`` certainly nests no more than ``limit`` levels: it has no more
    opening brackets than that (counted in C; most bodies, so :func:`too_deep` is skipped)."""
    return raw.count(b"{") + raw.count(b"[") > limit


def too_deep(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether parsed JSON nests containers more than ``limit`` levels (``[]`` is 1, ``[[]]`` 2).

    Iterative, so it never raises RecursionError itself, whatever the input."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False
