"""Record through the proxy, replay with ``serve --fixtures DIR``: the same bytes, no secret on disk."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import yaml

from mockswarms.cli import main
from mockswarms.config import load_settings
from mockswarms.proxy.server import ProxyConfig, create_proxy_app
from mockswarms.testing.server import serve
from tests.proxy.conftest import run_app

KEY = "sk-mock-premium"
MCP_TOKEN = "mcp-secret-4f9a8b7c6d5e"
W = {"agent_name": "Writer", "model_name": "gpt-4.1"}
E = {"agent_name": "Editor", "model_name": "gpt-4.1"}
TOOLED = {
    **W,
    "mcp_url": f"https://mcp.example.com/sse?token={MCP_TOKEN}",
    "mcp_config": {"url": "https://mcp.example.com/mcp", "authorization_token": MCP_TOKEN},
}
REQUESTS: list[tuple[str, str, dict[str, str], Any]] = [
    ("POST", "/v1/agent/completions", {"x-api-key": KEY}, {"agent_config": TOOLED, "task": "Use the tool"}),
    (
        "POST",
        "/v1/agent/completions",
        {"authorization": f"Bearer {KEY}"},
        {"agent_config": W, "task": "Plain"},
    ),
    (
        "POST",
        "/v1/agent/completions",
        {"x-api-key": KEY},
        {"agent_config": {**W, "streaming_on": True}, "task": "Plain"},
    ),
    (
        "POST",
        "/v1/swarm/completions",
        {"x-api-key": KEY},
        {"swarm_type": "SequentialWorkflow", "agents": [W, E], "task": "Go"},
    ),
    (
        "POST",
        "/v1/swarm/completions",
        {"x-api-key": KEY},
        {"swarm_type": "SequentialWorkflow", "agents": [W, E], "task": "Go", "stream": True},
    ),
    (
        "POST",
        "/v1/chat/completions",
        {"x-api-key": KEY},
        {"model": "gpt-4.1", "messages": [{"role": "user", "content": "Hi"}]},
    ),
    (
        "POST",
        "/v1/chat/completions",
        {"x-api-key": KEY},
        {"model": "gpt-4.1", "messages": [{"role": "user", "content": "Hi"}], "stream": True},
    ),
    ("GET", "/v1/models/available", {}, None),
]


def _send(base: str, method: str, path: str, headers: dict[str, str], body: Any) -> httpx.Response:
    return httpx.request(method, base + path, headers=headers, json=body, timeout=30)


def _record(directory: Path) -> list[bytes]:
    # Upstream clock at noon in Los Angeles: day prices, like the replay's agent billing below.
    with serve(seed=1, now="2026-03-02T20:00:00Z") as upstream:
        config = ProxyConfig(
            upstream=upstream.base_url, settings=load_settings({}, environ={}), record_dir=directory
        )
        with run_app(create_proxy_app(config)) as proxy:
            answers = []
            for method, path, headers, body in REQUESTS:
                response = _send(proxy, method, path, headers, body)
                assert response.status_code == 200, response.text
                answers.append(response.content)
    return answers


def test_record_then_replay_gives_byte_identical_bodies(tmp_path: Path) -> None:
    recorded = _record(tmp_path / "rec")
    files = sorted(p.name for p in (tmp_path / "rec").iterdir())
    assert len(files) == len(REQUESTS)
    assert "post-v1-agent-completions--writer--plain--stream--" in " ".join(files)
    assert all(name.endswith(".yaml") for name in files)
    # A different seed and the real clock: only the recordings can make the bytes equal.
    with serve(seed=99, fixtures=[tmp_path / "rec"]) as replay:
        for (method, path, headers, body), expected in zip(REQUESTS, recorded, strict=True):
            response = _send(replay.base_url, method, path, headers, body)
            assert response.status_code == 200
            assert response.content == expected, (method, path)
        # Not recorded: the simulator's own answer.
        other = _send(
            replay.base_url,
            "POST",
            "/v1/agent/completions",
            {"x-api-key": KEY},
            {"agent_config": W, "task": "new"},
        )
        assert other.status_code == 200 and other.content not in recorded


def test_replay_keeps_the_simulators_gates_and_bills_the_recorded_answers(tmp_path: Path) -> None:
    recorded = _record(tmp_path / "rec")

    def cost(index: int) -> Decimal:
        usage = httpx.Response(200, content=recorded[index]).json()["usage"]
        return Decimal(str(usage.get("billing_info", usage)["total_cost"]))

    # The same instant as the recording: the same side of the night discount.
    with serve(seed=99, now="2026-03-02T20:00:00Z", fixtures=[tmp_path / "rec"]) as replay:
        method, path, headers, body = REQUESTS[1]
        bad_key = _send(replay.base_url, method, path, {"x-api-key": "sk-not-a-key"}, body)
        assert bad_key.status_code == 403 and bad_key.json() == {"detail": "Invalid API Key"}
        credits = replay.url("/v1/account/credits")
        for index in (1, 3):  # an agent completion (recorded token counts), a swarm (recorded texts)
            method, path, headers, body = REQUESTS[index]
            before = Decimal(str(httpx.get(credits, headers={"x-api-key": KEY}).json()["credit"]))
            assert _send(replay.base_url, method, path, headers, body).content == recorded[index]
            after = Decimal(str(httpx.get(credits, headers={"x-api-key": KEY}).json()["credit"]))
            assert before - after == cost(index) > 0, path


def test_no_key_or_token_is_written_under_the_record_directory(tmp_path: Path) -> None:
    _record(tmp_path / "rec")
    texts = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "rec").rglob("*") if p.is_file()}
    assert texts
    for name, text in texts.items():
        for secret in (KEY, MCP_TOKEN, f"Bearer {KEY}"):
            assert secret not in text, (name, secret)
    tooled = next(text for name, text in texts.items() if "use-the-tool" in name)
    request = yaml.safe_load(tooled)["exchanges"][0]["request"]["body"]["agent_config"]
    assert request["mcp_url"] == "https://mcp.example.com/sse?token=[REDACTED]"
    assert request["mcp_config"]["authorization_token"] == "[REDACTED]"


def test_recorded_files_pass_fixtures_check(tmp_path: Path, capsys: Any) -> None:
    _record(tmp_path / "rec")
    assert main(["fixtures", "check", str(tmp_path / "rec")]) == 0
    # A fake-LLM rule per agent completion (text and token counts) and per agent of the two swarms.
    assert capsys.readouterr().out == "OK: 7 rule(s), 8 recorded exchange(s) in 8 file(s)\n"
