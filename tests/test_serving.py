"""``mockswarms serve`` start-up, through a real subprocess: the banner, the port it shows, and the
one-line errors (exit 2, no banner, no traceback) for everything that can fail before serving."""

from __future__ import annotations

import asyncio
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from mockswarms.serving import mask_url

BANNER = re.compile(
    r"^mockswarms \S+: serving the Swarms API on http://127\.0\.0\.1:(\d+) "
    r"\(profile docs, seed 0, store memory\)$"
)
SERVE = [sys.executable, "-m", "mockswarms", "serve"]


def _run(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*SERVE, *args], capture_output=True, text=True, timeout=timeout)


def _closed_port() -> int:
    """A port nothing listens on (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _serving(*args: str) -> Iterator[tuple[int, subprocess.Popen[str]]]:
    """The served port and the process (stopped and waited for when the block ends)."""
    proc = subprocess.Popen(
        [*SERVE, "--log-level", "warning", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert proc.stderr is not None
        banner = proc.stderr.readline().rstrip("\n")  # blocks until the banner (or exit)
        match = BANNER.match(banner)
        assert match, banner + proc.stderr.read()
        yield int(match.group(1)), proc
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_port_zero_banner_shows_the_bound_port_which_answers_at_once() -> None:
    with _serving("--port", "0", "--now", "2026-03-01T12:00:00Z") as (port, _):
        assert port != 0
        base = f"http://127.0.0.1:{port}"
        # No retry loop: the socket listens before the banner is printed.
        assert httpx.get(base + "/health").json() == {"status": "ok"}
        reply = httpx.post(
            base + "/v1/agent/completions",
            headers={"x-api-key": "sk-mock-premium"},
            json={"agent_config": {"agent_name": "A", "model_name": "gpt-4o"}, "task": "hi"},
        )
        assert reply.status_code == 200
        assert reply.json()["timestamp"] == "2026-03-01T12:00:00.000000+00:00"
        assert httpx.get(base + "/openapi.json").json()["openapi"].startswith("3.1")


def test_port_in_use_is_one_line_and_exit_2_without_banner() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = _run("--port", str(port))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"mockswarms: error: cannot listen on 127.0.0.1:{port}: "
        "address already in use (another server is running there; try --port 0)\n"
    )


@pytest.mark.parametrize("workers", ["1", "4"])
def test_unreachable_redis_is_one_line_and_exit_2_for_any_worker_count(workers: str) -> None:
    port = _closed_port()
    result = _run("--port", "0", "--workers", workers, "--store", f"redis://:hunter2@127.0.0.1:{port}/0")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"mockswarms: error: cannot reach Redis at redis://:***@127.0.0.1:{port}/0: connection refused\n"
    )


def test_bad_faults_entry_in_the_config_file_names_file_and_key(tmp_path: Path) -> None:
    config = tmp_path / "sim.yaml"
    config.write_text(
        "faults:\n"
        "  - {match: {path: /v1/agent/completions}, action: {type: latency, seconds: 1}}\n"
        "  - {match: {path: /v1/swarm/*}, action: {type: error, status: 200}}\n"
    )
    result = _run("--port", "0", "--config", str(config))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"mockswarms: error: {config}: faults[1].action.error.status: "
        "Input should be 402, 408, 429, 500, 502, 503 or 504\n"
    )


def test_bad_faults_entry_in_the_environment_names_the_variable() -> None:
    result = subprocess.run(
        [*SERVE, "--port", "0"],
        capture_output=True,
        text=True,
        timeout=30,
        env={**_env(), "MOCKSWARMS_FAULTS": '[{"action": {"type": "nonsense"}}]'},
    )
    assert result.returncode == 2
    assert result.stderr.startswith("mockswarms: error: environment MOCKSWARMS_FAULTS: faults[0].action")
    assert result.stderr.count("\n") == 1


def _env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("MOCKSWARMS_")}


def test_serve_help_says_every_option_is_a_variable_and_a_config_key() -> None:
    result = subprocess.run([*SERVE, "--help"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    assert "Every option is also a setting: a key of the --config file" in text
    assert "MOCKSWARMS_<NAME> environment variable" in text
    assert "--log-level {critical,error,warning,info,debug} server log verbosity" in text
    assert "state is lost on restart" in text


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("redis://:pw@127.0.0.1:6379/0", "redis://:***@127.0.0.1:6379/0"),
        ("redis://user:pw@redis.example:6380/1", "redis://user:***@redis.example:6380/1"),
        ("rediss://user:pw@[::1]/2", "rediss://user:***@[::1]/2"),
        ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),
        ("memory", "memory"),
    ],
)
def test_mask_url_hides_only_the_password(url: str, masked: str) -> None:
    assert mask_url(url) == masked


def test_response_fuzz_without_the_contract_extra_is_one_line() -> None:
    code = (
        "import sys\n"
        "sys.modules['schemathesis'] = None  # as on a base install\n"
        "from mockswarms.cli import main\n"
        "sys.exit(main(['serve', '--port', '0']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=30,
        env={**_env(), "MOCKSWARMS_RESPONSE_FUZZ": "true"},
    )
    assert result.returncode == 2
    assert result.stderr == (
        "mockswarms: error: environment MOCKSWARMS_RESPONSE_FUZZ: response_fuzz: "
        "needs schemathesis: pip install 'mockswarms[contract]'\n"
    )


def test_a_burst_of_connections_is_answered_and_the_server_stops_cleanly() -> None:
    # One worker accepts a burst at once (mockswarms.http.accepting); stopping closes that acceptor.
    with _serving("--port", "0") as (port, proc):

        async def burst() -> list[int]:
            limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits) as client:
                replies = await asyncio.gather(*(client.get("/health") for _ in range(100)))
            return [r.status_code for r in replies]

        assert asyncio.run(burst()) == [200] * 100
    assert proc.stderr is not None
    assert proc.stderr.read() == ""  # no traceback from closing the acceptor
    assert proc.returncode in (0, -signal.SIGTERM)  # uvicorn re-raises the signal it stopped on
