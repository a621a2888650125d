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

KEY = "sk-mock-premium"


def _start(
    args: list[str], banner: str, probe: str = "/health"
) -> tuple[subprocess.Popen[str], str, re.Match[str]]:
    """Run ``python -m mockswarms ARGS``; wait for its banner (stderr) and for it to answer."""
    process = subprocess.Popen(
        [sys.executable, "-m", "mockswarms", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert process.stderr is not None
    line = process.stderr.readline()  # printed once the socket is bound
    match = re.fullmatch(banner, line)
    if match is None:
        process.terminate()
        raise AssertionError(line + process.communicate(timeout=10)[1])
    base = f"http://127.0.0.1:{match.group(1)}"
    deadline = time.monotonic() + 20
    while True:
        try:
            httpx.get(base + probe, timeout=1)
            return process, base, match
        except httpx.TransportError:
            assert process.poll() is None and time.monotonic() < deadline, "did not start"
            time.sleep(0.1)


def _stop(process: subprocess.Popen[str]) -> str:
    process.terminate()  # only processes this test started
    out, err = process.communicate(timeout=10)
    return out + err


SERVE = r"mockswarms \S+: serving the Swarms API on http://127\.0\.0\.1:(\d+) .*\n"
PROXY = (
    r"mockswarms proxy: forwarding http://127\.0\.0\.1:(\d+) -> (\S+) "
    r"\(drift against profile docs, recording to (\S+)\)\n"
)
REQUESTS = [
    {"agent_config": {"agent_name": "Writer", "model_name": "gpt-4.1"}, "task": "Hello"},
    {
        "agent_config": {"agent_name": "Writer", "model_name": "gpt-4.1", "streaming_on": True},
        "task": "Hello",
    },
]


def test_the_three_commands_proxy_record_replay_and_the_report(tmp_path: Path) -> None:
    record = tmp_path / "rec"
    upstream, upstream_url, _ = _start(
        ["serve", "--port", "0", "--seed", "1", "--log-level", "warning"], SERVE
    )
    try:
        proxy, proxy_url, match = _start(
            [
                "proxy",
                "--upstream",
                upstream_url,
                "--port",
                "0",
                "--record",
                str(record),
                "--log-level",
                "debug",
            ],
            PROXY,
            probe="/__mockswarms/drift",  # answered by the proxy itself: neither forwarded nor recorded
        )
        try:
            assert match.group(2) == upstream_url and match.group(3) == str(record)
            recorded = []
            for body in REQUESTS:
                response = httpx.post(
                    proxy_url + "/v1/agent/completions", headers={"Authorization": f"Bearer {KEY}"}, json=body
                )
                assert response.status_code == 200
                assert response.headers["x-mockswarms-drift"] == "0"
                recorded.append(response.content)
            report = subprocess.run(
                [sys.executable, "-m", "mockswarms", "drift-report", "--url", proxy_url, "--fail-on-drift"],
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert (report.returncode, report.stdout) == (0, "0 drift finding(s) in 2 exchange(s)\n")
        finally:
            proxy_output = _stop(proxy)
    finally:
        _stop(upstream)
    assert KEY not in proxy_output  # not even at log level debug
    assert len(list(record.glob("*.yaml"))) == 2

    replay, replay_url, _ = _start(
        ["serve", "--port", "0", "--seed", "9", "--fixtures", str(record), "--log-level", "warning"], SERVE
    )
    try:
        for body, expected in zip(REQUESTS, recorded, strict=True):
            response = httpx.post(replay_url + "/v1/agent/completions", headers={"x-api-key": KEY}, json=body)
            assert response.content == expected
    finally:
        _stop(replay)


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
