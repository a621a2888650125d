"""Issue #13 item 6: secrets are masked everywhere they are shown — one fixed mask revealing at most the
last 4 characters: keys in the journal and logs, the admin token and Redis password in the settings
endpoint and the start-up lines, keys in access-log paths, MCP tokens and header values."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import httpx

from mockswarms.config import load_settings
from mockswarms.http.control import _settings_json
from mockswarms.journal import mask_key
from mockswarms.testing.server import serve

NOW = "2026-07-15T21:00:00Z"
MCP_TOKEN = "tok-very-secret-123"
MCP_HEADER = "hdr-secret-value-999"


def test_the_mask_reveals_at_most_four_characters() -> None:
    assert mask_key("sk-mock-premium") == "…mium"
    assert mask_key("sk-t-am-a") == "…"  # a short key shows nothing
    assert mask_key("") is None
    for key in ("sk-0123456789abcdef", "x" * 12, "abcdefghijk"):
        shown = mask_key(key) or ""
        assert len(shown.replace("…", "")) <= 4


def test_settings_endpoint_masks_the_admin_token_and_the_redis_password() -> None:
    settings = load_settings(
        {"store": "redis://:hunter2-pass@127.0.0.1:6379/0", "admin_token": "adm-0123456789"}, environ={}
    )
    shown = _settings_json(settings)
    assert shown["store"] == "redis://:***@127.0.0.1:6379/0"
    assert shown["admin_token"] == "…6789"
    with serve(now=NOW, admin_token="adm-0123456789") as server, httpx.Client(base_url=server.base_url) as c:
        auth = {"Authorization": "Bearer adm-0123456789"}
        body = c.get("/__mockswarms/settings", headers=auth).json()
        assert body["admin_token"] == "…6789"
        # Sending the masked value back (a settings editor round trip) keeps the real token.
        assert c.put("/__mockswarms/settings", json=body | {"seed": 5}, headers=auth).status_code == 200
        assert c.get("/__mockswarms/clock", headers=auth).status_code == 200


def test_mcp_tokens_and_header_values_are_masked_in_journal_and_agent_list() -> None:
    agent = {
        "agent_name": "Tooled",
        "model_name": "gpt-4o-mini",
        "mcp_config": {
            "url": "https://mcp.example/x",
            "authorization_token": MCP_TOKEN,
            "headers": {"X-Key": MCP_HEADER},
        },
    }
    with serve(now=NOW) as server, httpx.Client(base_url=server.base_url) as c:
        key = {"x-api-key": "sk-mock-premium"}
        assert (
            c.post(
                "/v1/agent/completions", json={"agent_config": agent, "task": "t"}, headers=key
            ).status_code
            == 200
        )
        listed = c.get("/v1/agents/list", headers=key).text
        journal = c.get("/__mockswarms/journal").text
    for shown in (listed, journal):
        assert MCP_TOKEN not in shown and MCP_HEADER not in shown
        assert "…-123" in shown and "…-999" in shown


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_access_log_lines_never_carry_a_full_key() -> None:
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mockswarms",
            "serve",
            "--port",
            str(port),
            "--log-level",
            "info",
            "--now",
            NOW,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(base + "/health")
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.1)
        response = httpx.put(base + "/__mockswarms/accounts/sk-secret-key-123456", json={"credit": "5"})
        assert response.status_code == 200
    finally:
        proc.terminate()
        output = proc.communicate(timeout=10)[0]
    assert "sk-secret-key-123456" not in output
    assert "/__mockswarms/accounts/…3456" in output


def test_a_redis_password_never_reaches_the_start_up_line() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "mockswarms",
            "serve",
            "--port",
            "0",
            "--store",
            "redis://:hunter2-pass@127.0.0.1:1/0",
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 2
    assert "hunter2-pass" not in proc.stdout + proc.stderr
    assert "redis://:***@127.0.0.1:1/0" in proc.stderr
