"""Test helper: the SSE parsing loop published in the Swarms API docs (shared by the streaming tests)."""

from __future__ import annotations

import json
from typing import Any

import requests


def docs_loop(response: requests.Response) -> list[tuple[str, Any]]:
    """The docs' reading loop: ``iter_lines()``; ``event:`` names the next ``data:`` line."""
    out: list[tuple[str, Any]] = []
    current_event = "message"
    for line in response.iter_lines():
        if not line:
            continue
        text = line.decode("utf-8")
        if text.startswith("event: "):
            current_event = text[7:]
        elif text.startswith("data: "):
            out.append((current_event, json.loads(text[6:])))
            current_event = "message"
    return out
