import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from mockswarms.cli import build_parser, main


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_starts_quickly_and_answers(tmp_path: Path) -> None:
    port = _free_port()
    started = time.monotonic()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mockswarms",
            "serve",
            "--port",
            str(port),
            "--now",
            "2026-03-01T12:00:00Z",
            "--seed",
            "5",
            "--log-level",
            "warning",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = started + 10
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/health", timeout=0.5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.05)
        assert response.json() == {"status": "ok"}
        body = {"agent_config": {"agent_name": "Researcher", "model_name": "gpt-4o"}, "task": "Summarize X"}
        reply = httpx.post(
            f"http://127.0.0.1:{port}/v1/agent/completions",
            json=body,
            headers={"x-api-key": "sk-mock-premium"},
        )
        assert reply.status_code == 200
        assert set(reply.json()) == {
            "job_id",
            "success",
            "name",
            "description",
            "temperature",
            "outputs",
            "usage",
            "timestamp",
        }
        assert reply.json()["timestamp"] == "2026-03-01T12:00:00.000000+00:00"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_bad_config_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "sim.yaml"
    config.write_text("rate_limit_scale: -1\n")
    assert main(["serve", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert err.strip().count("\n") == 0
    assert err.startswith(f"mockswarms: error: {config}: rate_limit_scale:")
    assert "Traceback" not in err


def test_bad_option_values_are_reported_without_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--now", "not-a-date"]) == 2
    assert "now" in capsys.readouterr().err
    assert main(["serve", "--workers", "2"]) == 2
    assert "shared store" in capsys.readouterr().err


def test_parser_lists_the_commands() -> None:
    help_text = build_parser().format_help()
    for command in ("serve", "openapi", "verify", "fixtures"):
        assert command in help_text


def test_no_command_prints_help_and_fails(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "usage: mockswarms" in capsys.readouterr().err


def test_bad_fixtures_stop_the_server_with_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.yaml").write_text(
        'rules:\n  - id: x\n    match: {agent_name: {regex: "("}}\n    respond: {text: hi}\n'
    )
    assert main(["serve", "--fixtures", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mockswarms: error: bad fixtures:\n")
    assert f"{tmp_path / 'a.yaml'}:3: match.agent_name.regex: invalid regular expression" in err
    assert "serving" not in err
