"""Recordings: secrets the journal masks never reach a recording (dashed header names, ``headers``
values, URL passwords, secret query parameters), redaction at any depth, and a recording broken
while serving is logged once."""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import Any

import pytest

from mockswarms import journal
from mockswarms.engine import recordings
from mockswarms.engine.recordings import REDACTED, load_recordings, redact, redact_json, request_match

TOOLED: dict[str, Any] = {
    "agent_config": {
        "agent_name": "Tooler",
        "model_name": "gpt-4o",
        "mcp_url": "https://bob:hunter2pass@mcp.example/sse?token=abc123&mode=fast",
        "mcp_config": {
            "url": "https://mcp.example/api?client_secret=cs-998877&page=2",
            "headers": {
                "x-api-key": "mcpkey-7f3a9c2e5b1d",
                "X-Auth-Token": "authtok-19e8d7c6b5a4",
                "Cookie": "session=cookie-5e4d3c2b1a",
                "Nested": {"deeper": ["list-secret-1"]},
            },
        },
        "X-Api-Key": "xapikey-1234567",
        "api-key": "apikey-7654321",
        "password": ["pw-one", "pw-two"],
    },
    "task": "use the tools",
    "usage": {"total_tokens": 3, "max_tokens": 5},
}


def test_redact_json_masks_dashed_names_headers_url_passwords_and_query_secrets() -> None:
    assert redact_json(TOOLED) == {
        "agent_config": {
            "agent_name": "Tooler",
            "model_name": "gpt-4o",
            "mcp_url": f"https://bob:{REDACTED}@mcp.example/sse?token={REDACTED}&mode=fast",
            "mcp_config": {
                "url": f"https://mcp.example/api?client_secret={REDACTED}&page=2",
                "headers": {
                    "x-api-key": REDACTED,
                    "X-Auth-Token": REDACTED,
                    "Cookie": REDACTED,
                    "Nested": {"deeper": [REDACTED]},
                },
            },
            "X-Api-Key": REDACTED,
            "api-key": REDACTED,
            "password": [REDACTED, REDACTED],
        },
        "task": "use the tools",
        "usage": {"total_tokens": 3, "max_tokens": 5},
    }


@pytest.mark.parametrize(
    ("body", "secrets"),
    [
        (
            TOOLED,
            [
                "hunter2pass",
                "abc123",
                "cs-998877",
                "mcpkey-7f3a9c2e5b1d",
                "authtok-19e8d7c6b5a4",
                "cookie-5e4d3c2b1a",
                "list-secret-1",
                "pw-one",
            ],
        ),
        ({"mcp_config": {"headers": {"Proxy-Authorization": "Basic dXNlcjpwYXNz"}}}, ["dXNlcjpwYXNz"]),
        (
            {"mcp_url": "https://u:p4ssw0rd-long@h.example/x?api-key=k-abcdef&x-api-key=k-ghijkl"},
            ["p4ssw0rd-long", "k-abcdef", "k-ghijkl"],
        ),
        (
            {
                "tools": [
                    {"url": "https://h.example/x?access_token=at-1xyz&key=k2xyz&apikey=k3xyz&secret=s4xyz"}
                ]
            },
            ["at-1xyz", "k2xyz", "k3xyz", "s4xyz"],
        ),
        ({"x": "see https://h.example/x?api%5Fkey=encoded-name-secret"}, ["encoded-name-secret"]),
        (
            {
                "Authorization": "Basic abcdef",
                "TOKEN": "t-1xyz",
                "Api_Key": "k-xyz",
                "authorization_token": "a-xyz",
            },
            ["abcdef", "t-1xyz", "k-xyz", "a-xyz"],
        ),
    ],
)
def test_every_secret_the_journal_masks_is_absent_from_a_recording(body: Any, secrets: list[str]) -> None:
    shown = json.dumps(journal.redact(body, urls=True))
    recorded = json.dumps(redact_json(body))
    assert [s for s in secrets if s in shown] == []  # the journal masks every one of them
    assert [s for s in secrets if s in recorded] == []


def test_redact_text_masks_dashed_fields_headers_objects_and_url_passwords() -> None:
    text = (
        '{"x-api-key": "k1", "X-Auth-Token": "t2", "total_tokens": 3, '
        '"headers": {"Cookie": "c3", "Accept": "text/plain"}, '
        '"mcp_url": "https://bob:hunter2pass@mcp.example/sse?api-key=k4"}'
    )
    assert redact(text) == (
        f'{{"x-api-key": "{REDACTED}", "X-Auth-Token": "{REDACTED}", "total_tokens": 3, '
        f'"headers": {{"Cookie": "{REDACTED}", "Accept": "{REDACTED}"}}, '
        f'"mcp_url": "https://bob:{REDACTED}@mcp.example/sse?api-key={REDACTED}"}}'
    )


def test_redaction_is_deterministic_and_idempotent() -> None:
    once = redact_json(TOOLED)
    assert json.dumps(redact_json(TOOLED)) == json.dumps(once)
    assert redact_json(once) == once
    text = json.dumps(TOOLED)
    assert redact(redact(text)) == redact(text)


def test_a_query_string_is_redacted_from_its_first_parameter() -> None:
    match, _ = request_match("GET", "/v1/swarm/logs", "api_key=abc123secret&limit=5", b"")
    assert match == {"method": "GET", "path": "/v1/swarm/logs", "query": f"api_key={REDACTED}&limit=5"}


def _nested(depth: int, leaf: Any) -> Any:
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


def test_redact_json_survives_any_depth() -> None:
    depth = 100_000
    value = _nested(depth, {"api_key": "plain", "note": "sk-live-ABCdef123456"})
    result = redact_json(value)
    for _ in range(depth):
        assert isinstance(result, list) and len(result) == 1
        result = result[0]
    assert result == {"api_key": REDACTED, "note": REDACTED}


def test_a_deeply_nested_body_matches_as_text_without_recursion_error() -> None:
    depth = 900  # json.loads follows it; a recursive walk did not
    body = ('{"task": "t", "x": ' + "[" * depth + "]" * depth + "}").encode()
    match, decoded = request_match("POST", "/v1/agent/completions", "", body)
    assert decoded is None
    assert set(match) == {"method", "path", "request_sha256"}
    assert (
        match["request_sha256"]
        == request_match("POST", "/v1/agent/completions", "", body)[0]["request_sha256"]
    )


def _write(path: Path, text: str, bump: float) -> None:
    path.write_text(text)
    os.utime(path, (time.time() + bump, time.time() + bump))


GOOD = (
    "exchanges:\n"
    "- match: {method: GET, path: /v1/models/available}\n"
    '  response: {status: 200, content_type: application/json, body: \'{"recorded":"a"}\'}\n'
)
BROKEN = (
    "exchanges:\n"
    "- match: {method: GET, path: /v1/models/available, bogus: 1}\n"
    "  response: {status: 200, body: 'x'}\n"
)


def test_a_recording_broken_while_serving_is_logged_once_and_the_old_set_stays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(recordings, "RELOAD_INTERVAL", 0.0)
    path = tmp_path / "a.yaml"
    _write(path, GOOD, 0)
    found = load_recordings([tmp_path])
    assert found.problems == ()
    request = {"method": "GET", "path": "/v1/models/available"}
    _write(path, BROKEN, 5)
    with caplog.at_level(logging.WARNING, logger="mockswarms"):
        for _ in range(3):  # three requests: one line
            found.maybe_reload()
    message = f"{path}:2: exchanges[0]: unknown match key 'bogus'"
    assert [(r.name, r.levelname, r.getMessage()) for r in caplog.records] == [
        (
            "mockswarms.recordings",
            "WARNING",
            f"recordings not reloaded, the previous recordings stay active: {message}",
        )
    ]
    assert [str(p) for p in found.problems] == [message]
    hit = found.find(request)
    assert hit is not None and hit.body == '{"recorded":"a"}'

    caplog.clear()
    _write(path, GOOD.replace('"a"', '"b"'), 10)  # fixed: reloaded, nothing logged, no problems
    with caplog.at_level(logging.WARNING, logger="mockswarms"):
        found.maybe_reload()
    assert caplog.records == []
    assert found.problems == ()
    hit = found.find(request)
    assert hit is not None and hit.body == '{"recorded":"b"}'


def test_the_control_api_reports_a_recording_broken_while_serving(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``GET /__mockswarms/fixtures`` and the reload said ``ok`` while ``fixtures check`` refused the file."""
    from starlette.testclient import TestClient

    from mockswarms import create_app

    monkeypatch.setattr(recordings, "RELOAD_INTERVAL", 0.0)
    path = tmp_path / "a.yaml"
    _write(path, GOOD, 0)
    app = create_app(now="2026-03-01T12:00:00Z", fixtures=[str(tmp_path)])
    with TestClient(app, base_url="http://test", client=("127.0.0.1", 5555)) as client:
        assert client.get("/__mockswarms/fixtures").json()["last_reload"]["ok"] is True
        _write(path, BROKEN, 5)
        message = f"{path}:2: exchanges[0]: unknown match key 'bogus'"
        report = client.get("/__mockswarms/fixtures").json()["last_reload"]
        assert (report["ok"], report["errors"]) == (False, [message])
        reload = client.post("/__mockswarms/fixtures/reload")
        assert (reload.status_code, reload.json()["ok"], reload.json()["errors"]) == (422, False, [message])
        # The last good recordings still answer.
        assert client.get("/v1/models/available").content == b'{"recorded":"a"}'
        _write(path, GOOD, 10)
        assert client.post("/__mockswarms/fixtures/reload").status_code == 200
