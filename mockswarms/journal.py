"""The request journal: what each request was and what came back, with API keys masked.

Entries are plain dicts so any store backend can hold them. The journal is a bounded ring buffer
(``settings.journal_size``); bodies over ``MAX_BODY_CHARS`` are cut so a flood of large requests
cannot grow memory without bound.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import orjson

__all__ = [
    "MAX_BODY_CHARS",
    "MAX_EVENTS",
    "SECRET_FIELDS",
    "JournalRecord",
    "decode_body",
    "journal_entry",
    "mask_key",
    "mask_url",
    "may_hold_secrets",
    "presented_key",
    "redact",
    "redacted",
    "sse_events",
]

MAX_BODY_CHARS = 16_384
MAX_EVENTS = 500  # SSE events kept per streamed entry (from its first MAX_BODY_CHARS bytes)


def mask_key(key: str | None) -> str | None:
    """``sk-mock-premium`` → ``…mium``: one fixed mask that shows at most the last 4 characters (none
    of a key shorter than 12), enough to tell keys apart, never enough to use one."""
    if not key:
        return None
    return f"…{key[-4:]}" if len(key) >= 12 else "…"


def presented_key(headers: Iterable[tuple[bytes, bytes]]) -> str | None:
    """The key a request presents, unmasked, from its raw ASGI headers: the first ``x-api-key``,
    else the first ``Authorization`` when it is a bearer token (what the journal records and fault
    rules match on, whatever the auth settings)."""
    key = auth = None
    for name, value in headers:
        if name == b"x-api-key":
            if key is None:
                key = value.decode("latin-1")
        elif name == b"authorization" and auth is None:
            auth = value.decode("latin-1")
    if key:
        return key
    if auth and auth.lower().startswith("bearer "):
        return auth[7:].strip() or None
    return None


def mask_url(url: str) -> str:
    """``redis://:pw@host:6379/0`` → ``redis://:***@host:6379/0``: a URL safe to show."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port is not None else "")
    return urlunsplit(parts._replace(netloc=netloc))


# Body fields that hold credentials (MCP connections, agent tool configs): shown masked everywhere.
SECRET_FIELDS = frozenset(
    {"authorization_token", "api_key", "x-api-key", "authorization", "token", "password"}
)
_REDACT_DEPTH = 64


def _masked(value: Any) -> Any:
    if isinstance(value, str) and not value.startswith("…"):  # already masked values stay as they are
        return mask_key(value)
    return value


def redact(value: Any, depth: int = 0) -> Any:
    """A copy of parsed JSON with every ``SECRET_FIELDS`` value and every value of a ``headers``
    object masked (``mask_key``). Deeper than 64 levels is left as is (bodies that deep are refused)."""
    if depth > _REDACT_DEPTH:
        return value
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            lowered = key.lower() if isinstance(key, str) else key
            if lowered in SECRET_FIELDS:
                out[key] = _masked(item)
            elif lowered == "headers" and isinstance(item, dict):
                out[key] = {k: _masked(v) for k, v in item.items()}
            else:
                out[key] = redact(item, depth + 1)
        return out
    if isinstance(value, list):
        return [redact(item, depth + 1) for item in value]
    return value


# A secret (or ``headers``) key can only come from its quoted name in the bytes of a body, unless an
# escape or non-ASCII text spells it another way (``\u0074oken``, a Kelvin sign lowering to "k").
# One pattern, not one search per name: 4x faster on an agent config's ~300 bytes.
_SECRET_KEY_MARK = re.compile(
    b"|".join(re.escape(f'"{name}"'.encode()) for name in sorted({*SECRET_FIELDS, "headers"}))
)


def may_hold_secrets(raw: bytes) -> bool:
    """False only when ``redact(decode_body(raw))`` is certainly ``decode_body(raw)`` unchanged: most
    bodies, so the journal skips walking them (a third of a cheap request's cost)."""
    if not raw.isascii() or b"\\" in raw:
        return True
    return _SECRET_KEY_MARK.search(raw.lower()) is not None


def redacted(value: Any) -> Any:
    """``redact(value)``, or ``value`` itself when its JSON shows that nothing would be masked (an
    agent config usually): serialising with orjson and searching the bytes is ~15x cheaper than the
    walk. The caller must own ``value``: unlike ``redact``, this may not return a copy."""
    try:
        raw = orjson.dumps(value)
    except TypeError:  # not plain JSON (an integer over 64 bits, a non-string key): walk it
        return redact(value)
    return redact(value) if may_hold_secrets(raw) else value


def _redacted_body(raw: bytes) -> Any:
    decoded = decode_body(raw)
    return redact(decoded) if may_hold_secrets(raw) else decoded


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
        "body": _redacted_body(request_body),
        "response": None if streamed or response_body is None else _redacted_body(response_body),
        "streamed": streamed,
        "received_at": received_at,
        "simulated_at": simulated_at,
        "duration_ms": round(duration_ms, 3),
        "fault_rule": fault_rule,
    } | ({"events": sse_events((response_body or b"")[:MAX_BODY_CHARS])} if streamed else {})


@dataclass(slots=True)
class JournalRecord:
    """A request's journal entry as raw parts, built into :func:`journal_entry`'s dict (plus
    ``retry_after`` and ``cost``) only when read — ``state.base.DeferredEntry``. Every part is
    immutable (bytes, str, numbers), so the late dict is the one an early build would give.
    Not keyword-only: the capture builds one per request, positionally (4x cheaper)."""

    method: str
    path: str
    query: str
    status: int
    api_key: str | None
    request_body: bytes
    response_body: bytes | None
    streamed: bool
    received_at: float
    simulated_at: str
    duration_ms: float
    fault_rule: str | None
    retry_after: int | None
    cost: str | None

    def as_dict(self) -> dict[str, Any]:
        entry = journal_entry(
            entry_id=0,  # the store numbers it
            method=self.method,
            path=self.path,
            query=self.query,
            status=self.status,
            api_key=self.api_key,
            request_body=self.request_body,
            response_body=self.response_body,
            streamed=self.streamed,
            received_at=self.received_at,
            simulated_at=self.simulated_at,
            duration_ms=self.duration_ms,
            fault_rule=self.fault_rule,
        )
        entry["retry_after"] = self.retry_after
        entry["cost"] = self.cost
        return entry
