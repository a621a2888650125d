"""``mockswarms verify`` / ``verify-client`` as a user runs them: a real subprocess, its exit code and
its output — a dead URL fails fast in one line, ``--max-examples`` bounds the cases, and a base
install (no ``[contract]`` extra) gets a one-line hint instead of a traceback."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time

import pytest

from mockswarms.testing.server import serve

CLI = [sys.executable, "-m", "mockswarms"]

# Runs the CLI with the contract extra hidden, as on `pip install mockswarms` without extras.
WITHOUT_EXTRA = """
import sys
sys.modules.update({"rich": None, "schemathesis": None})  # what find_spec and import see when absent
from mockswarms.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _closed_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def _run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("command", ["verify", "verify-client"])
def test_dead_url_fails_at_once_in_one_line(command: str) -> None:
    url = _closed_url()
    started = time.monotonic()
    result = _run(command, "--base-url", url, timeout=30)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"mockswarms: error: cannot reach {url}: connection refused (is the server running?)\n"
    )
    assert time.monotonic() - started < 10


@pytest.mark.parametrize(
    ("command", "args"),
    [
        ("verify", ["--base-url", "http://127.0.0.1:9"]),
        ("verify-client", ["--base-url", "http://127.0.0.1:9"]),
    ],
)
def test_base_install_names_the_extra_in_one_line(command: str, args: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_EXTRA, command, *args], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert result.stderr == (
        f"mockswarms: error: '{command}' needs schemathesis, rich: pip install 'mockswarms[contract]'\n"
    )


def test_max_examples_bounds_the_cases_per_operation() -> None:
    with serve(seed=1) as server:
        result = _run(
            "verify",
            "--base-url",
            server.base_url,
            "--max-examples",
            "3",
            "--no-stateful",
            "--include-path",
            "^/v1/agent/completions$",
        )
    assert result.returncode == 0, result.stdout + result.stderr
    row = re.search(r"POST /v1/agent/completions\s*│\s*(\d+)\s*│", result.stdout)
    assert row, result.stdout
    # examples + positive + negative fuzzing, each at most --max-examples (was ~930 with coverage on)
    assert 1 <= int(row.group(1)) <= 9


def test_verify_client_takes_base_url_and_the_old_journal_name() -> None:
    with serve(request_validation="report") as server:
        for flag in ("--base-url", "--journal"):
            result = _run("verify-client", flag, server.base_url, "--json", timeout=30)
            assert result.returncode == 0, result.stderr
            assert '"violations": []' in result.stdout
