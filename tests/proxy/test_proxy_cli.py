"""The ``mockswarms proxy`` command as a user runs it: a real process on loopback."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from mockswarms.cli import main
from mockswarms.testing.server import serve

KEY = "sk-mock-premium"


def test_proxy_command_forwards_records_and_never_logs_the_key(tmp_path: Path) -> None:
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
                "0",
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
            assert process.stderr is not None
            banner = process.stderr.readline()  # printed once the socket is bound
            match = re.fullmatch(
                r"mockswarms proxy: forwarding http://127\.0\.0\.1:(\d+) -> (\S+) "
                r"\(drift against profile docs, recording to (\S+)\)\n",
                banner,
            )
            assert match is not None, banner
            assert match.group(2) == upstream.base_url and match.group(3) == str(tmp_path / "rec")
            base = f"http://127.0.0.1:{match.group(1)}"
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
    assert KEY not in banner + out + err
    assert len(list((tmp_path / "rec").glob("*.yaml"))) == 1


def test_a_busy_port_is_one_line_exit_2(capsys: object) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        assert main(["proxy", "--upstream", "http://127.0.0.1:9", "--port", str(port)]) == 2
    err = capsys.readouterr().err  # type: ignore[attr-defined]
    assert err == f"mockswarms: error: --port: cannot listen on 127.0.0.1:{port}: address already in use\n"


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
        f"{tmp_path / 'bad.yaml'}:2: exchanges[0]: 'match' needs at least 'method' and 'path'\n"
    )
