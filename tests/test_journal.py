import json

from hypothesis import given, settings
from hypothesis import strategies as st

from mockswarms.journal import (
    MAX_BODY_CHARS,
    MAX_KEPT,
    decode_body,
    journal_entry,
    kept,
    mask_key,
    mask_query,
    mask_text,
    may_hold_secrets,
    redact,
    redacted,
)


def test_mask_key_never_reveals_the_whole_key() -> None:
    assert mask_key("sk-mock-premium") == "…mium"
    assert mask_key("short") == "…"
    assert mask_key(None) is None


def test_decode_body() -> None:
    assert decode_body(b"") is None
    assert decode_body(b'{"a": 1}') == {"a": 1}
    assert decode_body(b"not json") == "not json"
    big = b"x" * (MAX_BODY_CHARS + 10)
    assert decode_body(big) == "x" * MAX_BODY_CHARS + "…"


def test_stream_responses_are_not_stored() -> None:
    entry = journal_entry(
        entry_id=1,
        method="POST",
        path="/p",
        query="",
        status=200,
        api_key="sk-mock-free",
        request_body=b"{}",
        response_body=b"data: x\n\n",
        streamed=True,
        received_at=1.0,
        simulated_at="t",
        duration_ms=1.23456,
        fault_rule=None,
    )
    assert entry["response"] is None and entry["streamed"] is True
    assert entry["api_key"] == "…free" and entry["duration_ms"] == 1.235


_KEYS = [
    "a",
    "task",
    "max_tokens",
    "token",
    "Token",
    "API_KEY",
    "x-api-key",
    "password",
    "headers",
    "Headers",
]
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.sampled_from(["v", "token", "sk-secret-value-123", "é"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(_KEYS), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=400)
@given(_JSON, st.booleans())
def test_skipping_the_walk_never_changes_what_the_journal_keeps(value: object, escaped: bool) -> None:
    raw = json.dumps(value, ensure_ascii=escaped).encode()
    entry = journal_entry(
        entry_id=1,
        method="POST",
        path="/p",
        query="",
        status=200,
        api_key=None,
        request_body=raw,
        response_body=raw,
        streamed=False,
        received_at=0.0,
        simulated_at="",
        duration_ms=0.0,
        fault_rule=None,
    )
    assert entry["body"] == entry["response"] == redact(decode_body(raw))


@settings(max_examples=400)
@given(_JSON | st.dictionaries(st.sampled_from([*_KEYS, "ẞ", "k\u212a", "t\x00"]), _JSON, max_size=4))
def test_redacted_is_redact(value: object) -> None:
    assert redacted(value) == redact(value)


def test_redacted_walks_what_orjson_cannot_serialise() -> None:
    huge = {"token": "sk-secret-value-123", "n": 2**70}
    assert redacted(huge) == {"token": "…-123", "n": 2**70}
    clean = {"agent_name": "A", "max_tokens": 5}
    assert redacted(clean) is clean


def test_secret_keys_spelled_any_way_are_still_masked() -> None:
    escaped = b'{"\\u0074oken": "sk-secret-value-123", "nested": [{"HEADERS": {"x": "sk-secret-value-456"}}]}'
    assert may_hold_secrets(escaped) and redact(decode_body(escaped)) == {
        "token": "…-123",
        "nested": [{"HEADERS": {"x": "…-456"}}],
    }
    assert may_hold_secrets(b'{"Api_Key": "x"}')
    assert not may_hold_secrets(b'{"max_tokens": 5, "task": "token talk"}')  # no secret key: no walk


async def test_a_deferred_entry_reads_as_the_dict_built_at_once() -> None:
    """JournalRecord keeps raw parts; the memory store numbers it and builds the dict on first read
    (the same dict an eager build gives: masked key, redacted bodies), then keeps that dict."""
    from mockswarms.journal import JournalRecord
    from mockswarms.state.memory import MemoryStore

    parts = {
        "method": "POST",
        "path": "/v1/agent/completions",
        "query": "",
        "status": 200,
        "api_key": "sk-mock-premium",
        "request_body": b'{"agent_config": {"mcp_config": {"authorization_token": "secret-token-1234"}}}',
        "response_body": b'{"ok": true}',
        "streamed": False,
        "received_at": 1.5,
        "simulated_at": "2026-01-01T00:00:00.000000+00:00",
        "duration_ms": 1.23456,
        "fault_rule": None,
    }
    store = MemoryStore()
    record = JournalRecord(**parts, retry_after=None, cost="0.01")
    assert await store.journal_add(record, 10) == 1
    [entry] = await store.journal_list()
    assert entry == {**journal_entry(entry_id=1, **parts), "retry_after": None, "cost": "0.01"}
    assert entry["api_key"] == "…mium"
    assert entry["body"]["agent_config"]["mcp_config"]["authorization_token"] == "…1234"
    assert (await store.journal_list())[0] is entry  # built once


_URLISH = st.sampled_from(
    [
        "https://mcp.example/sse?token=URLTOKEN-1122",
        "https://u:pw-secret-99@h/x?v=1&API_KEY=sk-secret-value-123#f",
        "https://h/x?api%5Fkey=sk-secret-value-456&a=b",
        "a=b&key=k",
        "https://h/x?tokens=not-a-secret-value",
        "50% off?x=1",
    ]
)
_URL_JSON = st.recursive(
    st.none() | st.integers() | _URLISH,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(_KEYS), inner, max_size=4),
    max_leaves=8,
)


def _entry(raw: bytes, streamed: bool = False, query: str = "") -> dict[str, object]:
    return journal_entry(
        entry_id=1,
        method="POST",
        path="/p",
        query=query,
        status=200,
        api_key=None,
        request_body=raw,
        response_body=raw,
        streamed=streamed,
        received_at=0.0,
        simulated_at="",
        duration_ms=0.0,
        fault_rule=None,
    )


@settings(max_examples=300)
@given(_URL_JSON, st.booleans())
def test_skipping_the_url_walk_never_changes_what_the_journal_keeps(value: object, escaped: bool) -> None:
    raw = json.dumps([value], ensure_ascii=escaped).encode()  # a text body is masked as text (below)
    entry = _entry(raw)
    assert entry["body"] == entry["response"] == redact(decode_body(raw), urls=True)
    assert not any(s in json.dumps(entry) for s in ("URLTOKEN", "pw-secret", "sk-secret-value"))


def test_url_secrets_are_masked_for_the_journal_only() -> None:
    config = {"mcp_url": "https://mcp.example/sse?token=URLTOKEN-1122"}
    assert redacted(config) is config  # /v1/agents/list echoes the user's config as the API does
    assert redact(config, urls=True) == {"mcp_url": "https://mcp.example/sse?token=…1122"}
    assert mask_text("https://h/x?tokens=abcdefghijkl&key=&b=1") == "https://h/x?tokens=abcdefghijkl&key=&b=1"
    assert mask_query("a=1&access_token=abcdefghijkl") == "a=1&access_token=…ijkl"
    assert mask_query("api_key") == "api_key"
    form = _entry(b"key=abcdefghijkl&token=short&a=1")  # not JSON: shown (and masked) as text
    assert form["body"] == form["response"] == "key=…ijkl&token=…&a=1"


@settings(max_examples=200)
@given(
    st.integers(0, 3 * MAX_BODY_CHARS),
    st.booleans(),
    st.sampled_from([b'{"a": "x', b"data: {}\n\n", b"\xe2\x80\xa6"]),
)
def test_an_entry_kept_in_part_shows_what_the_whole_body_shows(
    size: int, streamed: bool, unit: bytes
) -> None:
    raw = (unit * (size // len(unit) + 1))[:size]
    assert len(kept(raw)) <= MAX_KEPT
    assert _entry(kept(raw), streamed) == _entry(raw, streamed)


def test_a_cut_body_shown_as_text_has_its_secrets_masked() -> None:
    body = {
        "agent_config": {
            "mcp_config": {
                "Authorization_Token": "MCPTOKEN-c4n4ry-998877",
                "headers": {"X-Api-Key": "HDR-5566-secret"},
            },
            "mcp_url": "https://mcp.example/sse?token=URLTOKEN-1122",
        },
        "task": "t" * MAX_BODY_CHARS,
    }
    shown = _entry(json.dumps(body).encode())["body"]
    assert isinstance(shown, str) and shown.endswith("t…")
    assert '"Authorization_Token": "…8877"' in shown and '{"X-Api-Key": "…cret"}' in shown
    assert "token=…1122" in shown
    # a secret cut at the end is masked too, as far as it goes
    cut = ('{"task": "' + "t" * (MAX_BODY_CHARS - 45) + '", "token": "sk-secret-value-1234567890').encode()
    assert _entry(cut)["body"].endswith('"token": "…3456…')


def test_masking_hostile_text_stays_linear() -> None:
    import time

    for text in (
        "?" + "%" * MAX_BODY_CHARS,
        "://" + ":" * MAX_BODY_CHARS,
        "&a" * MAX_BODY_CHARS,
        '"' * MAX_BODY_CHARS,
    ):
        started = time.perf_counter()
        _entry((text * 2).encode())
        _entry(json.dumps([text]).encode())
        assert time.perf_counter() - started < 0.5, text[:5]
