"""The request journal: what each request was and what came back, with API keys masked.

Entries are plain dicts so any store backend can hold them. The journal is a bounded ring buffer
(``settings.journal_size``); bodies over ``MAX_BODY_CHARS`` are cut so a flood of large requests
cannot grow memory without bound.
"""

from __future__ import annotations

from typing import Any

import orjson

__all__ = ["MAX_BODY_CHARS", "MAX_EVENTS", "decode_body", "journal_entry", "mask_key", "sse_events"]

MAX_BODY_CHARS = 16_384
MAX_EVENTS = 500  # SSE events kept per streamed entry (from its first MAX_BODY_CHARS bytes)


def mask_key(key: str | None) -> str | None:
    """``sk-mock-premium`` → ``sk-m…mium``: enough to tell keys apart, never the whole secret."""
    if not key:
        return None
    if len(key) <= 8:
        return key[:2] + "…"
    return f"{key[:4]}…{key[-4:]}"


def decode_body(raw: bytes) -> Any:
    """Parsed JSON when the body is JSON, else the (cut) text, else None for an empty body."""
    if not raw:
        return None
    try:
        if len(raw) <= MAX_BODY_CHARS:
            return orjson.loads(raw)
    except orjson.JSONDecodeError:
        pass
    text = raw[:MAX_BODY_CHARS].decode("utf-8", errors="replace")
    return text + ("…" if len(raw) > MAX_BODY_CHARS else "")


def sse_events(raw: bytes) -> list[dict[str, Any]]:
    """The complete events of a (captured part of an) SSE stream: ``{"event", "id"?, "data"}`` with
    ``data`` parsed when it is JSON; comments (pings) and a frame cut by the capture limit are left out."""
    events: list[dict[str, Any]] = []
    text = raw.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
    for frame in text.split("\n\n")[:-1]:  # the last piece is unterminated (or empty)
        event: dict[str, Any] = {"event": "message"}
        data: list[str] = []
        for line in frame.split("\n"):
            if not line or line.startswith(":"):
                continue
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "data":
                data.append(value)
            elif field in ("event", "id"):
                event[field] = value
        if not data and "id" not in event and event["event"] == "message":
            continue  # a comment-only frame (keep-alive ping)
        event["data"] = decode_body("\n".join(data).encode())
        events.append(event)
        if len(events) >= MAX_EVENTS:
            break
    return events


def journal_entry(
    *,
    entry_id: int,
    method: str,
    path: str,
    query: str,
    status: int,
    api_key: str | None,
    request_body: bytes,
    response_body: bytes | None,
    streamed: bool,
    received_at: float,
    simulated_at: str,
    duration_ms: float,
    fault_rule: str | None,
) -> dict[str, Any]:
    return {
        "id": entry_id,
        "method": method,
        "path": path,
        "query": query,
        "status": status,
        "api_key": mask_key(api_key),
        "body": decode_body(request_body),
        "response": None if streamed or response_body is None else decode_body(response_body),
        "streamed": streamed,
        "received_at": received_at,
        "simulated_at": simulated_at,
        "duration_ms": round(duration_ms, 3),
        "fault_rule": fault_rule,
    } | ({"events": sse_events((response_body or b"")[:MAX_BODY_CHARS])} if streamed else {})
