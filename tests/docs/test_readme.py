"""README.md stays true: its shell, Python and YAML snippets run as written.

Each fenced block of the README is found by its first line and run: shell commands through ``bash``
(``mockswarms serve`` on a free port instead of 8000 — the only change), Python through a fresh
interpreter or pytester, YAML through the loaders the simulator uses. Shown outputs are compared
with what the commands print. :data:`NOT_RUN` lists the blocks that are not run, each with its reason;
a block that is neither run nor listed fails :func:`test_every_snippet_is_run_or_has_a_reason`.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
README_PORT = "8000"


@dataclass(frozen=True)
class Block:
    lang: str
    text: str
    line: int

    @property
    def first(self) -> str:
        return self.text.splitlines()[0] if self.text else ""


def _blocks() -> list[Block]:
    text = README.read_text(encoding="utf-8")
    return [
        Block(m.group(1), m.group(2), text[: m.start()].count("\n") + 1)
        for m in re.finditer(r"^```(\w*)\n(.*?)^```", text, re.S | re.M)
    ]


def block(first_line_start: str) -> Block:
    found = [b for b in _blocks() if b.first.startswith(first_line_start)]
    assert len(found) == 1, f"README: {len(found)} blocks start with {first_line_start!r}"
    return found[0]


# First lines of the blocks the tests below run.
RUN = (
    "$ mockswarms serve --now",
    "accounts:",
    "rules:",
    '# A 500 from "the model"',
    "mockswarms serve --now 2026-07-15T21:00:00Z --config limits.yaml",
    "# limits.yaml",
    "for i in $(seq 6); do",
    "HTTP/1.1 429 Too Many Requests",
    "curl -s -X PUT localhost:8000/__mockswarms/clock",
    "import httpx, swarms_client",
    "curl -s -X PUT localhost:8000/__mockswarms/accounts/sk-almost-broke",
    "HTTP/1.1 402 Payment Required",
    'PAYLOAD = {"agent_config"',
    "def test_out_of_credit(mockswarms):",
    "import pytest\n\n\n@pytest.mark.mockswarms(now=",
    "def test_streaming(mockswarms):",
    "import pytest\n\n\ndef test_recovers_from_a_503",
    "mockswarms openapi ",
    "mockswarms verify --base-url",
    "from mockswarms.app import create_app",
    "mockswarms serve --port 8000 &",
    "from hypothesis import given",
    "faults:",
    "redis-server --port 6379",
    "name: drift",
)
# First lines of the blocks that are not run, and why.
NOT_RUN = {
    "pip install -e . && mockswarms serve": "installs into the interpreter under test; .ci/run installs "
    "the package (no extras, not editable) in a fresh venv and serves from it, and the first console "
    "block below runs `mockswarms serve`",
    'data: {"job_id"': "a sample of the SSE frames, not a command (tests/test_streaming*.py check them)",
    "# 1. proxy:": "needs the real API: network access and a paid key",
    "python benchmarks/run.py": "load tests of several minutes that need wrk; benchmarks/ is run on its own",
    "pip install -e '.[dev]'": "the CI's own steps: .ci/run installs, runs both suites, ruff and mypy",
    "# schemathesis.toml": "the Schemathesis CLI's config for the command below it",
    "st --config-file schemathesis.toml run": "a Schemathesis CLI run of the served contract: "
    "tests/contract/test_served_contract_st.py runs it (slow); not duplicated here",
}


def _first_lines(b: Block) -> str:
    return "\n".join(b.text.splitlines()[:4])


def test_every_snippet_is_run_or_has_a_reason() -> None:
    unknown = [
        f"README.md:{b.line}: {b.first}"
        for b in _blocks()
        if not any(_first_lines(b).startswith(p) for p in RUN)
        and not any(b.first.startswith(p) for p in NOT_RUN)
    ]
    assert unknown == [], "new README snippets: run them here or say in NOT_RUN why not"
    for prefix in RUN:
        assert sum(_first_lines(b).startswith(prefix) for b in _blocks()) == 1, prefix


# -- helpers ------------------------------------------------------------------------------------------------
def _local(command: str, port: int) -> str:
    """The README's command with the port the test server really listens on."""
    return command.replace(f":{README_PORT}", f":{port}").replace(f"--port {README_PORT}", f"--port {port}")


def _bash(script: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", "set -eo pipefail\n" + script],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=_env(),
    )


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MOCKSWARMS_", "SWARMS_"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


@contextmanager
def _serving(command: str, cwd: Path) -> Iterator[int]:
    """Run a README ``mockswarms serve …`` line (``&`` dropped) on a free port; yield that port."""
    args = command.strip().removeprefix("$ ").split("#", 1)[0].strip().removesuffix("&").split()
    assert args[:2] == ["mockswarms", "serve"], command
    if "--port" in args:
        args[args.index("--port") + 1] = "0"
    else:
        args += ["--port", "0"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "mockswarms", *args[1:], "--log-level", "warning"],
        cwd=cwd,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    try:
        assert proc.stderr is not None
        banner = proc.stderr.readline()
        found = re.search(r"on http://127\.0\.0\.1:(\d+) ", banner)
        assert found, banner + proc.stderr.read()
        yield int(found.group(1))
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _matches_shown_output(shown: str, actual: str) -> bool:
    """Equal but for white space (the README wraps long lines) and ``…`` (elided text)."""
    pattern = ".*?".join(re.escape(part) for part in _compact(shown).split("…"))
    return re.fullmatch(pattern, _compact(actual), re.S) is not None


def _http_block(shown: str, raw: str) -> None:
    """``curl -i`` output ``raw`` has the status line, every header and the body the README shows."""
    head_shown, _, body_shown = shown.partition("\n\n")
    head, _, body = raw.replace("\r\n", "\n").partition("\n\n")
    status_shown, *headers_shown = head_shown.splitlines()
    status, *headers = head.splitlines()
    assert status.split()[1:] == status_shown.split()[1:]
    actual = {h.split(":", 1)[0].lower(): h.split(":", 1)[1].strip() for h in headers}
    for line in headers_shown:
        name, value = line.split(":", 1)
        assert actual.get(name.lower()) == value.strip(), line
    assert body.strip() == body_shown.strip()


def _shell_lines(b: Block) -> list[str]:
    """The commands of a block, one per entry (``\\`` continuations joined)."""
    return b.text.replace("\\\n", " ").splitlines()


# -- the opening example -----------------------------------------------------------------------------------
def test_first_response_is_the_one_shown(tmp_path: Path) -> None:
    lines = block("$ mockswarms serve --now").text.replace("\\\n", "").splitlines()
    serve_line, curl_line, *shown = lines
    assert curl_line.startswith("$ curl")
    with _serving(serve_line, tmp_path) as port:
        result = _bash(_local(curl_line.removeprefix("$ "), port), tmp_path)
    assert result.returncode == 0, result.stderr
    assert _matches_shown_output("\n".join(shown), result.stdout), result.stdout


# -- accounts and fixtures as configuration ---------------------------------------------------------------
def test_accounts_example_keeps_the_built_ins_and_shares_the_tier(tmp_path: Path) -> None:
    from mockswarms.config import load_settings

    config = tmp_path / "sim.yaml"
    config.write_text(block("accounts:").text)
    accounts = {a.key: a for a in load_settings(config_file=config, environ={}).accounts}
    assert list(accounts) == [
        "sk-mock-free",
        "sk-mock-premium",
        "sk-mock-broke",
        "sk-team-a",
        "sk-team-b",
        "sk-tiny",
    ]
    assert accounts["sk-team-b"].tier == "premium"


def test_fixture_examples_load_and_count_to_three_streams_its_chunks(tmp_path: Path) -> None:
    from starlette.testclient import TestClient

    from mockswarms import create_app
    from mockswarms.engine.fixtures import check_dirs

    (tmp_path / "a.yaml").write_text(block("rules:").text)
    (tmp_path / "b.yaml").write_text(block('# A 500 from "the model"').text)
    rules, problems = check_dirs([tmp_path])
    assert [str(p) for p in problems] == []
    assert len(rules) == 6
    body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "Count to three"}], "stream": True}
    with (
        TestClient(create_app(fixtures=[tmp_path]), base_url="http://test") as client,
        client.stream(
            "POST", "/v1/chat/completions", json=body, headers={"x-api-key": "sk-mock-premium"}
        ) as r,
    ):
        data = [json.loads(line[6:]) for line in r.iter_lines() if line.startswith("data: {")]
    assert [
        c["choices"][0]["delta"].get("content") for c in data if c["choices"][0]["delta"].get("content")
    ] == [
        "One",
        ", two",
        ", three.",
    ]


def test_fault_example_is_a_valid_config(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import yaml, sys; print(len(yaml.safe_load(sys.stdin)['faults']))"],
        input=block("faults:").text,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "3"
    config = tmp_path / "faults.yaml"
    config.write_text(block("faults:").text)
    with _serving(f"mockswarms serve --config {config}", tmp_path) as port:  # bad entries: exit 2
        assert len(httpx.get(f"http://127.0.0.1:{port}/__mockswarms/faults").json()["faults"]) == 3


def test_ci_workflow_example_is_yaml() -> None:
    workflow = yaml.safe_load(block("name: drift").text)
    assert workflow["name"] == "drift"


# -- Testing your retry logic: one session, in the README's order -------------------------------------------
def test_retry_logic_walkthrough(tmp_path: Path) -> None:
    (tmp_path / "limits.yaml").write_text(block("# limits.yaml").text)
    with _serving(
        block("mockswarms serve --now 2026-07-15T21:00:00Z --config limits.yaml").text, tmp_path
    ) as port:
        loop = block("for i in $(seq 6); do")
        result = _bash(_local(loop.text, port), tmp_path)
        assert result.returncode == 0, result.stderr
        shown = loop.text.rsplit("#", 1)[1].split()
        assert result.stdout.split() == shown == ["200"] * 5 + ["429"]

        # "The sixth response": the same request again is refused the same way (429s are not counted).
        request = _shell_lines(loop)[1].strip().replace("-o /dev/null -w '%{http_code}\\n'", "-i")
        sixth = _bash(_local(request, port), tmp_path)
        _http_block(block("HTTP/1.1 429 Too Many Requests").text, sixth.stdout)

        clock = _bash(_local(block("curl -s -X PUT localhost:8000/__mockswarms/clock").text, port), tmp_path)
        assert json.loads(clock.stdout) == {"now": "2026-07-15T21:01:01.000000+00:00", "frozen": True}

        if importlib.util.find_spec("swarms_client") is None:
            pytest.skip("the SDK example needs swarms-client (the [dev] extra)")
        sdk = subprocess.run(
            [sys.executable, "-c", _local(block("import httpx, swarms_client").text, port)],
            capture_output=True,
            text=True,
            timeout=60,
            env=_env(),
        )
        assert sdk.returncode == 0, sdk.stderr

        broke = _bash(
            _local(block("curl -s -X PUT localhost:8000/__mockswarms/accounts/sk-almost").text, port),
            tmp_path,
        )
        assert broke.returncode == 0, broke.stderr
        put_body, _, response = broke.stdout.partition("HTTP/1.1")
        assert json.loads(put_body)["credit"] == 1.0
        _http_block(block("HTTP/1.1 402 Payment Required").text, "HTTP/1.1" + response)


# -- pytest ---------------------------------------------------------------------------------------------
MY_APP = """
import os
import time

import requests

sleep = time.sleep
BODY = {"agent_config": {"agent_name": "Summariser", "model_name": "gpt-4o"}}


def _post(task):
    return requests.post(
        f"{os.environ['SWARMS_CLIENT_BASE_URL']}/v1/agent/completions",
        headers={"x-api-key": os.environ["SWARMS_API_KEY"]},
        json={**BODY, "task": task},
        timeout=10,
    )


def summarise(text):
    response = _post(text)
    response.raise_for_status()
    return response.json()["outputs"][0]["content"]


def run_twice():
    for _ in range(2):
        response = _post("hi")
        while response.status_code == 429:
            sleep(int(response.headers["Retry-After"]))
            response = _post("hi")
        response.raise_for_status()


def parse_swarm_result(body):
    return body.get("output")
"""


def _pytester_run(pytester: pytest.Pytester, source: str, *args: str) -> pytest.RunResult:
    pytester.makepyfile(my_app=MY_APP, test_readme_snippets=source)
    pytester.syspathinsert()
    return pytester.runpytest("-p", "no:cacheprovider", "-p", "no:randomly", *args)


def test_pytest_examples_pass(pytester: pytest.Pytester) -> None:
    if importlib.util.find_spec("swarms_client") is None:
        pytest.skip("the examples use mockswarms.sdk(): swarms-client (the [dev] extra)")
    firsts = (
        'PAYLOAD = {"agent_config"',
        "def test_out_of_credit(mockswarms):",
        "import pytest\n\n\n@pytest.mark.mockswarms(now=",
        "def test_streaming(mockswarms):",
        "import pytest\n\n\ndef test_recovers_from_a_503",
    )
    blocks = [next(b for b in _blocks() if _first_lines(b).startswith(f)) for f in firsts]
    result = _pytester_run(pytester, "\n\n".join(b.text for b in blocks))
    result.assert_outcomes(passed=11)


@pytest.mark.slow
def test_strategies_example_runs(pytester: pytest.Pytester) -> None:
    source = block("from hypothesis import given").text
    result = _pytester_run(pytester, "import my_app\n" + source)
    result.assert_outcomes(passed=2)


# -- contract tools -------------------------------------------------------------------------------------
def test_openapi_commands(tmp_path: Path) -> None:
    lines = [line.split("#", 1)[0].strip() for line in _shell_lines(block("mockswarms openapi "))]
    assert lines[:4] == [
        "mockswarms openapi",
        "mockswarms openapi --full",
        "mockswarms openapi --check",
        "mockswarms openapi --write",
    ]
    printed = _bash(lines[0], REPO)
    assert printed.returncode == 0 and json.loads(printed.stdout)["openapi"].startswith("3.1")
    full = _bash(lines[1], REPO)
    assert len(json.loads(full.stdout)["paths"]) > len(json.loads(printed.stdout)["paths"])
    check = _bash(lines[2], REPO)
    assert check.returncode == 0, check.stdout + check.stderr
    # `--write` rewrites the committed contracts: --check above proves they are what it would write.
    with _serving("mockswarms serve", tmp_path) as port:
        served = _bash(_local(lines[4].replace("localhost", "127.0.0.1"), port), tmp_path)
    assert json.loads(served.stdout) == json.loads(printed.stdout)


@pytest.mark.slow
def test_verify_command_passes_against_the_simulator(tmp_path: Path) -> None:
    command = _shell_lines(block("mockswarms verify --base-url"))[0]
    with _serving("mockswarms serve", tmp_path) as port:
        result = _bash(_local(command, port), tmp_path, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert (tmp_path / "verify.xml").exists()


@pytest.mark.slow
def test_run_verification_example() -> None:
    result = subprocess.run(
        [sys.executable, "-c", block("from mockswarms.app import create_app").text],
        capture_output=True,
        text=True,
        timeout=900,
        env=_env(),
    )
    assert result.returncode == 0, result.stderr[-3000:]


def test_verify_client_walkthrough(tmp_path: Path) -> None:
    serve_line, pytest_line, verify_line = _shell_lines(block("mockswarms serve --port 8000 &"))
    assert pytest_line.startswith("pytest")  # "your suite": the user's own tests, not run here
    with _serving(serve_line, tmp_path) as port:
        result = _bash(_local(verify_line.split("#", 1)[0], port), tmp_path)
    assert result.returncode == 0, result.stderr
    assert "no contract violations recorded" in result.stdout


# -- scale-out --------------------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")
def test_redis_scale_out_commands(tmp_path: Path) -> None:
    redis_line, serve_line = _shell_lines(block("redis-server --port 6379"))
    with _free_socket() as redis_port:
        pass
    redis_cmd = redis_line.removesuffix("&").strip().replace("6379", str(redis_port)).split()
    redis = subprocess.Popen(
        [*redis_cmd, "--save", "", "--appendonly", "no"], cwd=tmp_path, stdout=subprocess.DEVNULL
    )
    try:
        assert "--bind 127.0.0.1" in redis_line
        _wait_for_port(redis_port)
        with _serving(serve_line.replace("6379", str(redis_port)), tmp_path) as port:
            # Four worker processes take a while to start on a busy 2-core machine: poll.
            assert _health(port, within=90) == {"status": "ok"}
    finally:
        redis.terminate()
        redis.wait(timeout=10)


@contextmanager
def _free_socket() -> Iterator[int]:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


def _wait_for_port(port: int) -> None:
    import socket
    import time

    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            assert time.monotonic() < deadline, f"nothing listens on {port}"
            time.sleep(0.05)


def _health(port: int, *, within: float) -> object:
    import time

    deadline = time.monotonic() + within
    while True:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/health", timeout=10).json()
        except httpx.TransportError:
            assert time.monotonic() < deadline, "no answer from /health"
            time.sleep(0.2)
