"""The request journal: what each request was and what came back, with API keys masked.

Entries are plain dicts so any store backend can hold them. The journal is a bounded ring buffer
(``settings.journal_size``); bodies over ``MAX_BODY_CHARS`` are cut — at capture (``kept``), not
only when shown — so a flood of large requests cannot grow memory without bound. Secrets are masked
wherever the journal shows them: the key, secret body fields, ``headers`` values, and secret query
parameters and passwords in the query string and in URLs inside bodies.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus, urlsplit, urlunsplit

import orjson

__all__ = [
    "MAX_BODY_CHARS",
    "MAX_EVENTS",
    "MAX_KEPT",
    "QUERY_SECRETS",
    "SECRET_FIELDS",
    "JournalRecord",
    "decode_body",
    "journal_entry",
    "kept",
    "mask_key",
    "mask_query",
    "mask_text",
    "mask_url",
    "may_hold_secrets",
    "presented_key",
    "redact",
    "redacted",
    "sse_events",
]

MAX_BODY_CHARS = 16_384
MAX_EVENTS = 500  # SSE events kept per streamed entry (from its first MAX_BODY_CHARS bytes)
# Bytes of each body an entry holds: all the journal ever shows (the first MAX_BODY_CHARS) plus one
# to tell that there was more (the "…"). With two bodies per entry, an entry holds at most ~32 KiB.
MAX_KEPT = MAX_BODY_CHARS + 1


def kept(raw: bytes) -> bytes:
    """The part of a body an entry keeps: the entry it gives shows exactly what ``raw`` would."""
    return raw[:MAX_KEPT]  # the same object when short (no copy)


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


def _masked(value: Any, depth: int = 0) -> Any:
    """A secret field's value masked: a string, or every string inside an object or list."""
    if isinstance(value, str) and not value.startswith("…"):  # already masked values stay as they are
        return mask_key(value)
    if depth > _REDACT_DEPTH:
        return value
    if isinstance(value, dict):
        return {k: _masked(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v, depth + 1) for v in value]
    return value


def redact(value: Any, depth: int = 0, *, urls: bool = False) -> Any:
    """A copy of parsed JSON with every ``SECRET_FIELDS`` value and every value of a ``headers``
    object masked (``mask_key``); with ``urls`` (the journal, not the API's own echoes) also the
    secrets in URL-like strings (``mask_text``). Deeper than 64 levels is left as is (bodies that
    deep are refused)."""
    if depth > _REDACT_DEPTH:
        return value
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            lowered = key.lower() if isinstance(key, str) else key
            if lowered in SECRET_FIELDS or (lowered == "headers" and isinstance(item, dict)):
                out[key] = _masked(item, depth)
            else:
                out[key] = redact(item, depth + 1, urls=urls)
        return out
    if isinstance(value, list):
        return [redact(item, depth + 1, urls=urls) for item in value]
    if urls and isinstance(value, str):
        return mask_text(value)
    return value


# Query parameters whose values are credentials (``?api_key=…``, an MCP URL's ``?token=…``).
QUERY_SECRETS = SECRET_FIELDS | {"access_token", "apikey", "api-key", "key", "secret", "client_secret"}
_PARAM = re.compile(r"(?<=[?&;])([^=&?#;\s\"'<>\\]+)=([^&#;\s\"'<>\\]*)")
_USERINFO = re.compile(r"(://[^/?#@\s\"'\\:]*):([^/?#@\s\"'\\]+)@")
# In a cut (unparsed) JSON body: a secret field's string value, and a flat ``headers`` object.
_FIELD = re.compile(
    r'("(?:' + "|".join(re.escape(n) for n in sorted(SECRET_FIELDS)) + r')"\s*:\s*")((?:[^"\\]|\\.)*)',
    re.IGNORECASE,
)
_HEADERS = re.compile(r'("headers"\s*:\s*\{)([^{}]*)', re.IGNORECASE)
_HEADER_VALUE = re.compile(r'("(?:[^"\\]|\\.)*"\s*:\s*")((?:[^"\\]|\\.)*)')


def _param(match: re.Match[str]) -> str:
    name, value = match.group(1), match.group(2)
    if not value or value.startswith("…") or unquote_plus(name).lower() not in QUERY_SECRETS:
        return match.group(0)
    return f"{name}={mask_key(unquote_plus(value))}"


def _field(match: re.Match[str]) -> str:
    value = match.group(2)
    return match.group(1) + (value if not value or value.startswith("…") else str(mask_key(value)))


def mask_text(text: str) -> str:
    """``text`` with the secret query parameters (``QUERY_SECRETS``, names decoded) and URL passwords
    it holds masked: ``https://u:pw@h/sse?token=sk-secret-1234`` → ``https://u:***@h/sse?token=…1234``."""
    if "=" in text:
        text = _PARAM.sub(_param, text)
    if "@" in text:
        text = _USERINFO.sub(r"\1:***@", text)
    return text


def mask_query(query: str) -> str:
    """A request's query string (``api_key=sk-…&limit=5``) with its secret parameters masked."""
    return mask_text("?" + query)[1:] if "=" in query else query


def _mask_cut(text: str) -> str:
    """A cut body shown as text (too long to parse): the secrets ``redact`` and ``mask_text`` would
    mask, found by pattern (a key spelled with escapes, or a headers object holding objects, is not)."""
    text = _HEADERS.sub(lambda m: m.group(1) + _HEADER_VALUE.sub(_field, m.group(2)), text)
    return mask_query(_FIELD.sub(_field, text))


# A secret (or ``headers``) key can only come from its quoted name in the bytes of a body, unless an
# escape or non-ASCII text spells it another way (``\u0074oken``, a Kelvin sign lowering to "k").
# One pattern, not one search per name: 4x faster on an agent config's ~300 bytes.
_SECRET_KEY_MARK = re.compile(
    b"|".join(re.escape(f'"{name}"'.encode()) for name in sorted({*SECRET_FIELDS, "headers"}))
)


# What the journal's masking may change: a secret query parameter (or one with an encoded name), also
# at the start of a text body (a form), or a URL password.
_URL_SECRET_MARK = re.compile(
    rb"(?:^|[?&;])(?:"
    + b"|".join(re.escape(name.encode()) for name in sorted(QUERY_SECRETS))
    + rb")=|(?:^|[?&;])[^=&?#;\s\"%]*%[^=&?#;\s\"]*=|://[^/?#@\s\":]*:[^/?#@\s\"]*@"
)


def may_hold_secrets(raw: bytes, *, urls: bool = False) -> bool:
    """False only when ``redact(decode_body(raw), urls=urls)`` is certainly ``decode_body(raw)``
    unchanged: most bodies, so the journal skips walking them (a third of a cheap request's cost)."""
    if not raw.isascii() or b"\\" in raw:
        return True
    lowered = raw.lower()
    if _SECRET_KEY_MARK.search(lowered) is not None:
        return True
    return urls and _URL_SECRET_MARK.search(lowered) is not None


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
    if not may_hold_secrets(raw, urls=True):
        return decoded
    if not isinstance(decoded, str):
        return redact(decoded, urls=True)
    cut = len(raw) > MAX_BODY_CHARS  # its "…" stays after a secret cut short
    return _mask_cut(decoded[:-1]) + "…" if cut else _mask_cut(decoded)


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
        event["data"] = _redacted_body("\n".join(data).encode())
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
        "query": mask_query(query),
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
