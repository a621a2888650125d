"""Run the seed documents' examples (tests/seeds/examples/) against a real simulator.

The example files are the documents' code, copied unchanged except for the base URL and the key,
which come from ``SWARMS_API_BASE_URL`` / ``SWARMS_API_KEY``. Python examples run in a subprocess
(the dev interpreter, or a cached venv holding ``swarms-client==0.1.6`` for document 000),
TypeScript/JavaScript ones through node, curl ones are replayed with httpx (method, URL, headers and
body parsed from the command line as a shell would).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import mockswarms
from mockswarms.testing.server import RunningServer

EXAMPLES = Path(__file__).parent / "examples"
DAY = "2026-03-01T20:00:00Z"  # noon in Los Angeles: no night discount in any profile
PREMIUM_KEY = "sk-mock-premium"
RUN_TIMEOUT = 120  # seconds per example; a healthy one takes about a second
CLIENT_016 = ["swarms-client==0.1.6", "python-dotenv", "pytz"]


def server(profile: str) -> Iterator[RunningServer]:
    with mockswarms.serve(profile=profile, seed=0, now=DAY) as running:
        yield running


def example_env(running: RunningServer, key: str = PREMIUM_KEY) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SWARMS_", "MOCKSWARMS_"))}
    env.update(SWARMS_API_BASE_URL=running.base_url, SWARMS_API_KEY=key, NO_PROXY="127.0.0.1")
    return env


def run_python(
    name: str, running: RunningServer, *, python: str | None = None, key: str = PREMIUM_KEY, cwd: Path
) -> subprocess.CompletedProcess[str]:
    """Run one example file as a script; ``cwd`` is an empty directory (no stray .env is read)."""
    return subprocess.run(
        [python or sys.executable, str(EXAMPLES / name)],
        env=example_env(running, key),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )


def run_node(
    source: str, running: RunningServer, *, cwd: Path, key: str = PREMIUM_KEY
) -> subprocess.CompletedProcess[str]:
    script = cwd / "example.mjs"
    script.write_text(source, encoding="utf-8")
    return subprocess.run(
        ["node", str(script)],
        env=example_env(running, key),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )


def transpile_ts(name: str, typescript_dir: Path) -> str:
    """TypeScript → JavaScript with the typescript package's own transpiler (types dropped only)."""
    driver = (
        "const ts = require(process.argv[1]);"
        "const src = require('fs').readFileSync(process.argv[2], 'utf8');"
        "process.stdout.write(ts.transpileModule(src, {compilerOptions: {target: 'es2022'}}).outputText);"
    )
    done = subprocess.run(
        ["node", "-e", driver, str(typescript_dir / "node_modules" / "typescript"), str(EXAMPLES / name)],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=True,
    )
    return done.stdout


def curl_request(name: str, running: RunningServer, key: str = PREMIUM_KEY) -> httpx.Response:
    """Replay a documented curl command with httpx: ``-X``, ``-H``, ``-d`` and the URL, shell-expanded."""
    text = (EXAMPLES / name).read_text(encoding="utf-8")
    command = " ".join(
        line.rstrip("\\").strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )
    env = {"SWARMS_API_BASE_URL": running.base_url, "SWARMS_API_KEY": key}
    words = shlex.split(command)
    assert words[0] == "curl", words
    method, url, headers, body = "GET", "", {}, None
    i = 1
    while i < len(words):
        word = words[i]
        if word == "-X":
            method, i = words[i + 1], i + 2
        elif word == "-H":
            header, value = words[i + 1].split(":", 1)
            headers[header.strip()] = _expand(value.strip(), env)
            i += 2
        elif word == "-d":
            body, method = words[i + 1], "POST" if method == "GET" else method
            i += 2
        else:
            url, i = _expand(word, env), i + 1
    return httpx.request(method, url, headers=headers, content=body, timeout=RUN_TIMEOUT)


def _expand(value: str, env: dict[str, str]) -> str:
    for name, replacement in env.items():
        value = value.replace("$" + name, replacement)
    return value


def lines(done: subprocess.CompletedProcess[str]) -> list[str]:
    assert done.returncode == 0, f"exit {done.returncode}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    return done.stdout.splitlines()


def _publish(built: Path, final: Path) -> None:
    """Move a finished install into place; under xdist another worker may have won the race."""
    try:
        built.rename(final)
    except OSError:
        shutil.rmtree(built, ignore_errors=True)
        if not final.exists():
            raise


def _bin_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def cached_venv(cache_dir: Path) -> str:
    """A venv with swarms-client 0.1.6 (document 000's client), built once per cache directory."""
    venv = cache_dir / "venv-swarms-client-0.1.6"
    if (venv / "installed.txt").exists():
        return str(_bin_python(venv))
    building = cache_dir / f"venv-building-{os.getpid()}"
    shutil.rmtree(building, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(building)], check=True, timeout=300)
    pip = subprocess.run(
        [str(_bin_python(building)), "-m", "pip", "install", "--quiet", *CLIENT_016],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if pip.returncode != 0:
        shutil.rmtree(building, ignore_errors=True)
        pytest.skip(
            f"cannot install {' '.join(CLIENT_016)} (package index unreachable?): {pip.stderr[-300:]}"
        )
    (building / "installed.txt").write_text("\n".join(CLIENT_016), encoding="utf-8")
    shutil.rmtree(venv, ignore_errors=True)  # a half-built one from an interrupted run
    _publish(building, venv)
    return str(_bin_python(venv))


def cached_typescript(cache_dir: Path) -> Path:
    """The typescript npm package (its transpiler only), installed once per cache directory."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node/npm are not on PATH: the TypeScript/JavaScript examples need them")
    target = cache_dir / "typescript"
    if (target / "node_modules" / "typescript" / "package.json").exists():
        return target
    building = cache_dir / f"typescript-building-{os.getpid()}"
    shutil.rmtree(building, ignore_errors=True)
    npm = subprocess.run(
        ["npm", "install", "--prefix", str(building), "typescript@5", "--no-audit", "--no-fund"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if npm.returncode != 0:
        shutil.rmtree(building, ignore_errors=True)
        pytest.skip(f"cannot install the typescript npm package (registry unreachable?): {npm.stderr[-300:]}")
    shutil.rmtree(target, ignore_errors=True)
    _publish(building, target)
    return target


def json_of(response: httpx.Response) -> Any:
    assert response.status_code == 200, (response.status_code, response.text)
    return response.json()
