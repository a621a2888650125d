"""The ``mockswarms proxy`` command as a user runs it: a real process on loopback."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from mockswarms.cli import main
from mockswarms.testing.server import serve

KEY = "sk-mock-premium"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_proxy_command_forwards_records_and_never_logs_the_key(tmp_path: Path) -> None:
    port = _free_port()
    with serve(seed=1) as upstream:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "mockswarms",
                "proxy",
                "--upstream",
                upstream.base_url,
                "--port",
                str(port),
                "--record",
                str(tmp_path / "rec"),
                "--log-level",
                "debug",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 20
            while True:
                try:
                    httpx.get(base + "/__mockswarms/drift", timeout=1)
                    break
                except httpx.TransportError:
                    assert process.poll() is None and time.monotonic() < deadline, "proxy did not start"
                    time.sleep(0.1)
            body = {"agent_config": {"agent_name": "Writer", "model_name": "gpt-4.1"}, "task": "Hello"}
            response = httpx.post(
                base + "/v1/agent/completions", headers={"Authorization": f"Bearer {KEY}"}, json=body
            )
            assert response.status_code == 200
            assert response.headers["x-mockswarms-drift"] == "0"
        finally:
            process.terminate()  # only the process this test started
            out, err = process.communicate(timeout=10)
    assert f"mockswarms proxy: forwarding http://127.0.0.1:{port} -> {upstream.base_url}" in err
    assert KEY not in out + err
    assert len(list((tmp_path / "rec").glob("*.yaml"))) == 1


def test_bad_upstream_url_is_one_line_exit_2(capsys: object) -> None:
    assert main(["proxy", "--upstream", "api.swarms.world"]) == 2
    err = capsys.readouterr().err  # type: ignore[attr-defined]
    assert err == "mockswarms: error: --upstream: not an http(s) URL: 'api.swarms.world'\n"


def test_serve_refuses_a_broken_recording_with_exit_2(tmp_path: Path, capsys: object) -> None:
    (tmp_path / "bad.yaml").write_text(
        "exchanges:\n  - match: {method: POST}\n    response: {status: 200, body: x}\n"
    )
    assert main(["serve", "--fixtures", str(tmp_path), "--port", "0"]) == 2
    err = capsys.readouterr().err  # type: ignore[attr-defined]
    assert err == (
        "mockswarms: error: bad fixtures:\n"
        f"{tmp_path / 'bad.yaml'}:1: exchanges[0]: 'match' needs at least 'method' and 'path'\n"
    )
