"""Recorded exchanges: redaction, what a request matches on, loading and reloading."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from mockswarms.engine import recordings
from mockswarms.engine.fixtures import FixtureError
from mockswarms.engine.recordings import REDACTED, load_recordings, redact, redact_json, request_match


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("key sk-live-ABCdef123456 here", f"key {REDACTED} here"),
        ("Authorization: Bearer abc.def-123", f"Authorization: Bearer {REDACTED}"),
        ("https://mcp.example/sse?token=s3cr3t&x=1", f"https://mcp.example/sse?token={REDACTED}&x=1"),
        ("https://h/p?api_key=k1", f"https://h/p?api_key={REDACTED}"),
        ("jwt eyJhbGciOi.eyJzdWIiOi.SflKxwRJSM", f"jwt {REDACTED}"),
        ("gh ghp_abcdefghijklmnop", f"gh {REDACTED}"),
        (
            '{"api_key": "plain", "total_tokens": 12, "token": "t"}',
            f'{{"api_key": "{REDACTED}", "total_tokens": 12, "token": "{REDACTED}"}}',
        ),
        ("nothing secret: total_tokens input_tokens", "nothing secret: total_tokens input_tokens"),
    ],
)
def test_redact_replaces_anything_that_looks_like_a_key(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_redact_replaces_the_callers_own_key_whatever_it_looks_like() -> None:
    assert redact("my key is abc123", ["abc123"]) == f"my key is {REDACTED}"


def test_redact_json_uses_field_names_but_keeps_token_counts() -> None:
    body = {
        "mcp_config": {"authorization_token": "x", "headers": {"Authorization": "y"}},
        "usage": {"total_tokens": 3},
    }
    assert redact_json(body) == {
        "mcp_config": {"authorization_token": REDACTED, "headers": {"Authorization": REDACTED}},
        "usage": {"total_tokens": 3},
    }


def test_request_match_names_endpoint_model_agent_task_and_stream() -> None:
    body = json.dumps(
        {
            "agent_config": {"agent_name": "Writer", "model_name": "gpt-4.1", "streaming_on": True},
            "task": "Hi",
        }
    )
    match, decoded = request_match("post", "/v1/agent/completions", "", body.encode())
    assert decoded["task"] == "Hi"
    digest = match.pop("request_sha256")
    assert len(digest) == 64
    assert match == {
        "method": "POST",
        "path": "/v1/agent/completions",
        "model": "gpt-4.1",
        "agent_name": "Writer",
        "task": "Hi",
        "stream": True,
    }
    # Key order and whitespace do not change the digest; a different body does.
    same = json.dumps(
        {
            "task": "Hi",
            "agent_config": {"streaming_on": True, "model_name": "gpt-4.1", "agent_name": "Writer"},
        },
        indent=2,
    )
    assert request_match("POST", "/v1/agent/completions", "", same.encode())[0]["request_sha256"] == digest
    other = body.replace("Hi", "Ho").encode()
    assert request_match("POST", "/v1/agent/completions", "", other)[0]["request_sha256"] != digest


def test_request_match_for_swarms_chat_and_gets() -> None:
    swarm = {
        "agents": [{"agent_name": "A", "model_name": "m1"}, {"agent_name": "B", "model_name": "m2"}],
        "task": "t",
        "swarm_type": "SequentialWorkflow",
    }
    match, _ = request_match("POST", "/v1/swarm/completions", "", json.dumps(swarm).encode())
    assert (match["agent_name"], match["model"], match["swarm_type"], match["stream"]) == (
        "A, B",
        "m1, m2",
        "SequentialWorkflow",
        False,
    )
    chat = {
        "model": "gpt-4.1",
        "messages": [{"role": "user", "content": "first"}, {"role": "user", "content": "last"}],
    }
    assert request_match("POST", "/v1/chat/completions", "", json.dumps(chat).encode())[0]["task"] == "last"
    assert request_match("GET", "/v1/swarm/logs", "limit=5", b"") == (
        {"method": "GET", "path": "/v1/swarm/logs", "query": "limit=5"},
        None,
    )


def _write(path: Path, status: int) -> None:
    path.write_text(
        "exchanges:\n"
        "  - match: {method: GET, path: /v1/models/available}\n"
        f"    response: {{status: {status}, content_type: application/json, body: '{{\"n\": {status}}}'}}\n"
    )


def test_first_matching_recording_wins_and_changes_are_reloaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path / "a.yaml", 200)
    _write(tmp_path / "b.yaml", 201)
    found = load_recordings([tmp_path])
    request = {"method": "GET", "path": "/v1/models/available"}
    hit = found.find(request)
    assert hit is not None and (hit.status, hit.body, hit.source) == (
        200,
        '{"n": 200}',
        str(tmp_path / "a.yaml"),
    )
    assert found.find({"method": "GET", "path": "/v1/other"}) is None

    monkeypatch.setattr(recordings, "RELOAD_INTERVAL", 0.0)
    _write(tmp_path / "a.yaml", 202)
    os.utime(tmp_path / "a.yaml", (time.time() + 5, time.time() + 5))
    found.maybe_reload()
    hit = found.find(request)
    assert hit is not None and hit.status == 202

    (tmp_path / "a.yaml").write_text("exchanges: {}\n")  # broken: the previous set stays
    os.utime(tmp_path / "a.yaml", (time.time() + 10, time.time() + 10))
    found.maybe_reload()
    hit = found.find(request)
    assert hit is not None and hit.status == 202


@pytest.mark.parametrize(
    ("exchange", "message"),
    [
        (
            "- match: {method: GET}\n  response: {status: 200, body: x}",
            "'match' needs at least 'method' and 'path'",
        ),
        (
            "- match: {method: GET, path: /, colour: red}\n  response: {status: 200, body: x}",
            "unknown match key 'colour'",
        ),
        (
            "- match: {method: GET, path: /}\n  response: {status: ok, body: x}",
            "'response' needs an integer 'status'",
        ),
        (
            "- match: {method: GET, path: /}\n  response: {status: 200}",
            "'response' needs exactly one of 'body' or 'frames'",
        ),
        (
            "- match: {method: GET, path: /}\n  response: {status: 200, frames: [{at: -1, text: x}]}",
            "'at' must be a non-negative number of seconds",
        ),
    ],
)
def test_bad_recordings_are_reported_with_file_and_reason(
    tmp_path: Path, exchange: str, message: str
) -> None:
    (tmp_path / "bad.yaml").write_text(
        "exchanges:\n" + "\n".join("  " + line for line in exchange.splitlines()) + "\n"
    )
    with pytest.raises(FixtureError) as caught:
        load_recordings([tmp_path])
    assert str(caught.value).splitlines() == [f"{tmp_path / 'bad.yaml'}:2: exchanges[0]: {message}"]


def test_fixtures_check_reports_bad_recordings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from mockswarms.cli import main

    (tmp_path / "bad.yaml").write_text(
        "exchanges:\n  - match: {method: GET, path: /}\n    response: {status: 200}\n"
    )
    assert main(["fixtures", "check", str(tmp_path)]) == 1
    assert capsys.readouterr().out == (
        f"{tmp_path / 'bad.yaml'}:2: exchanges[0]: 'response' needs exactly one of 'body' or 'frames'\n"
    )
