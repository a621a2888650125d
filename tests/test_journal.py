from mockswarms.journal import MAX_BODY_CHARS, decode_body, journal_entry, mask_key


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
