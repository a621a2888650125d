"""One-command benchmark: the simulator against a bare Starlette + pydantic baseline and Prism, with wrk.

    python benchmarks/run.py                      # about 6-7 minutes on 2 cores
    python benchmarks/run.py --quick              # about 2 minutes (1 s per measurement)
    python benchmarks/run.py --only headline,redis  # parts: see --help

Parts (``--only``, comma separated; default all): ``headline`` (the issue's table: simulator vs the bare
app vs Prism, and every target checked), ``throughput`` (4 endpoints x 1/16/64 connections, both
apps), ``streams`` (SSE events/s), ``startup``, ``rss``, ``lag`` (event-loop lag under load),
``redis`` (1 worker in memory vs 2 workers on Redis, and Redis round trips per completion).

Prism: ``@stoplight/prism-cli`` 5.14 is installed with npm into ``--cache`` (default
``~/.cache/mockswarms-bench``) on first use and run with ``-v error`` on the simulator's own contract
(``contracts/swarms-api.openapi.json``); without node/npm the Prism row says so and the rest runs.

Needs ``wrk`` (Debian/Ubuntu: ``apt-get install wrk``; macOS: ``brew install wrk``) and, for the
2-workers-on-Redis row, ``redis-server`` (``apt-get install redis-server``; skipped when missing).
Writes ``benchmarks/RESULTS.md`` (tables + a description of the machine) and prints the tables.

What it measures (the simulator runs with rate limiting off and one rich premium account, so every
request does the full pipeline: auth, gates, fake LLM, billing, settle, log, journal):
- requests/s, p50 and p99 for ``/health``, an agent completion, a 3-agent SequentialWorkflow swarm and
  an agent stream of 200 chunks, at 1, 16 and 64 connections, for both apps, and the ratio;
- SSE events/s with 1 and 32 concurrent streams of 200 chunks against a bare sse-starlette stream;
- start-up time (process start to the first 200 from ``/health``);
- RSS growth of the simulator over N agent completions;
- 2 uvicorn workers sharing Redis against 1 worker in memory (agent completion, 64 connections).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
KEY = "sk-bench"
CHUNKS = 200
CHUNK_TEXT = "token "
NOW = "2026-01-01T12:00:00Z"  # frozen daytime clock: no night discount, deterministic bodies

AGENT = {
    "agent_config": {"agent_name": "Researcher", "model_name": "gpt-4o", "max_tokens": 400},
    "task": "Summarize the state of battery recycling in three paragraphs.",
}
SWARM = {
    "name": "Pipeline",
    "swarm_type": "SequentialWorkflow",
    "task": "Write a short market brief.",
    "agents": [
        {"agent_name": name, "model_name": "gpt-4o", "max_tokens": 300}
        for name in ("Researcher", "Analyst", "Writer")
    ],
}
STREAM = {
    "agent_config": {"agent_name": "Streamer", "model_name": "gpt-4o"},
    "task": "Stream please.",
    "stream": True,
}

PARTS = ("headline", "throughput", "streams", "startup", "rss", "lag", "redis")
PRISM_VERSION = "5.14"
KEEP_MARKER = "<!-- analysis: kept by run.py -->"
CONTRACT = ROOT / "contracts" / "swarms-api.openapi.json"
sys.path.insert(0, str(HERE))
from baseline_app import CHAT_REQUEST  # noqa: E402  (the bare app's reference body)

SCENARIOS = [  # (name, method, path, body)
    ("/health", "GET", "/health", None),
    ("agent completion", "POST", "/v1/agent/completions", AGENT),
    ("3-agent SequentialWorkflow", "POST", "/v1/swarm/completions", SWARM),
    ("agent stream (200 chunks)", "POST", "/v1/agent/completions", STREAM),
]


# -- helpers ---------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http(url: str, body: dict[str, Any] | None = None, timeout: float = 10) -> bytes:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url,
        data=data,
        method="POST" if data else "GET",
        headers={"content-type": "application/json", "x-api-key": KEY},
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return bytes(response.read())


def wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 30) -> float:
    started = time.monotonic()
    while True:
        try:
            http(url + "/health", timeout=1)
            return time.monotonic() - started
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(f"server exited with {proc.returncode}: {url}") from None
            if time.monotonic() - started > timeout:
                raise SystemExit(f"server not ready after {timeout}s: {url}") from None
            time.sleep(0.005)


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its children (uvicorn workers), in MB."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


LUA = """
wrk.method = "{method}"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["x-api-key"] = "{key}"
{body}
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT {{\\"requests\\": %d, \\"duration_us\\": %d, "
    .. "\\"errors\\": %d, \\"non2xx\\": %d, "
    .. "\\"p50_us\\": %d, \\"p99_us\\": %d}}\\n", summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout, e.status, latency:percentile(50), latency:percentile(99)))
end
"""


@dataclass
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


def wrk(
    wrk_bin: str,
    url: str,
    method: str,
    body: dict[str, Any] | None,
    connections: int,
    seconds: float,
    workdir: Path,
) -> Result:
    script = workdir / f"s{abs(hash((method, json.dumps(body))))}.lua"
    body_lua = f"wrk.body = [==[{json.dumps(body)}]==]" if body is not None else ""
    script.write_text(LUA.format(method=method, key=KEY, body=body_lua))
    threads = 1 if connections == 1 else 2
    cmd = [
        wrk_bin,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(int(seconds), 1)}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        url,
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    match = re.search(r"RESULT (\{.*\})", out)
    if not match:
        raise SystemExit(f"could not parse wrk output:\n{out}")
    data = json.loads(match.group(1))
    secs = data["duration_us"] / 1e6
    return Result(
        rps=data["requests"] / secs,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        requests=data["requests"],
        errors=data["errors"] + data["non2xx"],
    )


# -- servers ---------------------------------------------------------------------------------------
def write_inputs(workdir: Path) -> tuple[Path, Path]:
    config = workdir / "bench.yaml"
    config.write_text(
        'rate_limit_mode: "off"\n'
        "accounts:\n"
        f'  - {{key: {KEY}, user_id: user-bench, tier: premium, credit: "1000000000"}}\n'
    )
    fixtures = workdir / "fixtures"
    fixtures.mkdir()
    chunks = json.dumps([CHUNK_TEXT] * CHUNKS)
    (fixtures / "stream.yaml").write_text(
        "rules:\n  - id: bench-stream\n    match: {agent_name: Streamer}\n"
        f"    respond:\n      chunks: {chunks}\n"
    )
    return config, fixtures


def start_simulator(
    config: Path,
    fixtures: Path,
    *,
    workers: int = 1,
    store: str | None = None,
    lag_file: Path | None = None,
) -> tuple[subprocess.Popen[bytes], str, float]:
    port = free_port()
    entry = [str(HERE / "looplag.py")] if lag_file else ["-m", "mockswarms"]
    cmd = [
        sys.executable,
        *entry,
        "serve",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--config",
        str(config),
        "--fixtures",
        str(fixtures),
        "--now",
        NOW,
    ]
    if workers > 1:
        cmd += ["--workers", str(workers)]
    if store:
        cmd += ["--store", store]
    env = {**os.environ, "MOCKSWARMS_RATE_LIMIT_MODE": "off", "PYTHONPATH": str(ROOT)}
    if lag_file:
        env["BENCH_LAG_FILE"] = str(lag_file)
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    wait_ready(url, proc)
    return proc, url, time.monotonic() - started


def start_baseline(sizes: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, **sizes}
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "baseline_app.py"), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    wait_ready(url, proc)
    return proc, url


def start_prism(cache: Path) -> tuple[subprocess.Popen[bytes], str] | str:
    """Prism mocking the simulator's contract, or why it could not run."""
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        return "node/npm not found: Prism skipped (install Node.js 18+)"
    home = cache / f"prism-{PRISM_VERSION}"
    binary = home / "node_modules" / ".bin" / "prism"
    if not binary.exists():
        home.mkdir(parents=True, exist_ok=True)
        print(f"installing @stoplight/prism-cli@{PRISM_VERSION} into {home} ...", flush=True)
        done = subprocess.run(
            [
                npm,
                "install",
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
                "--prefix",
                str(home),
                f"@stoplight/prism-cli@{PRISM_VERSION}",
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0 or not binary.exists():
            return f"npm install of Prism failed: {done.stderr.strip()[-200:]}"
    port = free_port()
    proc = subprocess.Popen(
        [str(binary), "mock", "-h", "127.0.0.1", "-p", str(port), "-v", "error", str(CONTRACT)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    wait_ready(url, proc, timeout=90)  # Prism compiles the contract first: ~10 s on this class of machine
    return proc, url


def redis_calls(url: str) -> int:
    """Commands Redis has executed so far (INFO commandstats), not counting INFO itself."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        stats = client.info("commandstats")
    finally:
        client.close()
    return sum(int(v["calls"]) for k, v in stats.items() if k != "cmdstat_info")


def redis_traffic(url: str, during: Any) -> tuple[int, int]:
    """(commands, round trips) the workers sent Redis while ``during()`` ran, seen with MONITOR. Commands
    a Lua script runs (shown as ``lua``) are not sent by anyone and not counted; a round trip is a run of
    commands from one connection arriving within 0.2 ms of each other (a pipeline or MULTI/EXEC block)."""
    import threading

    import redis

    seen: list[tuple[str, float]] = []
    ready = threading.Event()
    stop_word = "mockswarms-bench-stop"

    def watch() -> None:
        with redis.Redis.from_url(url).monitor() as monitor:
            ready.set()
            for command in monitor.listen():
                if stop_word in command["command"]:
                    return
                if command["client_type"] != "lua":
                    seen.append((command["client_port"], command["time"]))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    ready.wait(5)
    during()
    redis.Redis.from_url(url).echo(stop_word)
    watcher.join(10)
    trips = 0
    last: dict[str, float] = {}
    for port, at in seen:
        if port not in last or at - last[port] > 0.0002:
            trips += 1
        last[port] = at
    return len(seen), trips


def start_redis() -> tuple[subprocess.Popen[bytes], str] | None:
    binary = shutil.which("redis-server")
    if binary is None:
        return None
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.02)
    stop(proc)
    return None


# -- report ----------------------------------------------------------------------------------------
def machine() -> list[str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.1f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.splitlines()[:1]
    import pydantic
    import starlette
    import uvicorn

    return [
        f"- CPU: {cpu}, {os.cpu_count()} logical cores; {mem}",
        f"- OS: {platform.platform()}",
        f"- Python {platform.python_version()}; uvicorn {uvicorn.__version__}, "
        f"starlette {starlette.__version__}, "
        f"pydantic {pydantic.__version__}",
        f"- Load generator: {wrk_version[0] if wrk_version else 'wrk'} on the same machine "
        "(it competes for the "
        "same cores; 1 thread at 1 connection, 2 threads otherwise)",
    ]


def median_result(runs: list[Result]) -> Result:
    """The run with the median throughput (its own p50/p99 kept, so the row is one real run)."""
    ordered = sorted(runs, key=lambda r: r.rps)
    return ordered[(len(ordered) - 1) // 2]


def check(ok: bool) -> str:
    return "met" if ok else "**not met**"


def headline(
    wrk_bin: str,
    sim_url: str,
    base_url: str,
    prism: tuple[Any, str] | str,
    seconds: float,
    repeat: int,
    workdir: Path,
) -> list[str]:
    """The issue's table: every cell measured ``repeat`` times, interleaved, median kept."""
    prism_url = prism[1] if isinstance(prism, tuple) else None
    cells: dict[str, tuple[str, str, dict[str, Any] | None, int]] = {
        "sim agent c64": (sim_url + "/v1/agent/completions", "POST", AGENT, 64),
        "sim agent c1": (sim_url + "/v1/agent/completions", "POST", AGENT, 1),
        "bare chat c64": (base_url + "/v1/chat/completions", "POST", CHAT_REQUEST, 64),
        "sim swarm c64": (sim_url + "/v1/swarm/completions", "POST", SWARM, 64),
        "sim health c64": (sim_url + "/health", "GET", None, 64),
        "bare health c64": (base_url + "/health", "GET", None, 64),
    }
    if prism_url:
        cells["prism agent c64"] = (prism_url + "/v1/agent/completions", "POST", AGENT, 64)
    runs: dict[str, list[Result]] = {name: [] for name in cells}
    for url, method, body, conns in cells.values():  # JIT (Prism), caches, connection pools
        wrk(wrk_bin, url, method, body, conns, 1, workdir)
    for _ in range(repeat):
        for name, (url, method, body, conns) in cells.items():
            runs[name].append(wrk(wrk_bin, url, method, body, conns, seconds, workdir))
    r = {name: median_result(found) for name, found in runs.items()}
    agent, bare = r["sim agent c64"], r["bare chat c64"]

    def row(target: str, res: Result, ratio: str = "") -> str:
        errors = f" (errors: {res.errors})" if res.errors else ""
        return f"| {target}{errors} | {res.rps:,.0f} | {res.p50_ms:.2f} | {res.p99_ms:.2f} | {ratio} |"

    lines = [
        "## The issue's table (1 uvicorn worker each, 64 connections)",
        "",
        f"{seconds:g} s x {repeat} per cell, interleaved; the median run is shown. Simulator: premium key, "
        "docs profile, journal on.",
        "",
        "| target | req/s | p50 ms | p99 ms | simulator agent ÷ this |",
        "|---|---:|---:|---:|---:|",
        row("mockswarms `POST /v1/agent/completions`", agent),
        row(
            "bare Starlette + pydantic + orjson, 1 KB chat completion, 21 fields",
            bare,
            f"{agent.rps / bare.rps:.0%}",
        ),
    ]
    if prism_url:
        lines.append(
            row(
                f"Prism {PRISM_VERSION} (`-v error`), the simulator's contract, same agent body",
                r["prism agent c64"],
                f"{agent.rps / r['prism agent c64'].rps:.2f}x",
            )
        )
    else:
        lines.append(f"| Prism {PRISM_VERSION}: {prism} | | | | |")
    swarm, health, bare_health, c1 = (
        r["sim swarm c64"],
        r["sim health c64"],
        r["bare health c64"],
        r["sim agent c1"],
    )
    lines += [
        row("mockswarms 3-agent SequentialWorkflow", swarm, f"swarm ÷ bare chat: {swarm.rps / bare.rps:.0%}"),
        row("mockswarms `GET /health`", health, f"÷ bare GET: {health.rps / bare_health.rps:.0%}"),
        row("bare Starlette `GET /health`", bare_health),
        row("mockswarms agent completion, 1 connection", c1, f"c64 ÷ c1: {agent.rps / c1.rps:.0%}"),
        "",
        "| target | measured | |",
        "|---|---:|---|",
        f"| agent ≥ 50 % of the bare app | {agent.rps / bare.rps:.0%} | "
        f"{check(agent.rps >= 0.5 * bare.rps)} |",
    ]
    if prism_url:
        prism_rps = r["prism agent c64"].rps
        lines.append(
            f"| agent ≥ 3x Prism | {agent.rps / prism_rps:.2f}x | {check(agent.rps >= 3 * prism_rps)} |"
        )
    lines += [
        f"| agent p99 ≤ 20 ms at 64 connections | {agent.p99_ms:.1f} ms | {check(agent.p99_ms <= 20)} |",
        f"| agent at 64 connections ≥ 90 % of 1 connection | {agent.rps / c1.rps:.0%} | "
        f"{check(agent.rps >= 0.9 * c1.rps)} |",
        f"| 3-agent SequentialWorkflow ≥ 35 % of the bare app | {swarm.rps / bare.rps:.0%} | "
        f"{check(swarm.rps >= 0.35 * bare.rps)} |",
        f"| /health ≥ 80 % of a bare Starlette GET | {health.rps / bare_health.rps:.0%} | "
        f"{check(health.rps >= 0.8 * bare_health.rps)} |",
        "",
    ]
    return lines


def throughput(
    wrk_bin: str, sim_url: str, base_url: str, seconds: float, sizes: str, workdir: Path
) -> list[str]:
    lines = [
        "## Throughput and latency (1 uvicorn worker each)",
        "",
        f"{sizes} {seconds:g} s per cell.",
        "",
        "| endpoint | conns | simulator req/s | p50 ms | p99 ms | baseline req/s | p50 ms | p99 ms "
        "| sim/base |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, method, path, body in SCENARIOS:
        for conns in (1, 16, 64):
            s = wrk(wrk_bin, sim_url + path, method, body, conns, seconds, workdir)
            b = wrk(wrk_bin, base_url + path, method, body, conns, seconds, workdir)
            flag = f" (errors: {s.errors}/{b.errors})" if s.errors or b.errors else ""
            lines.append(
                f"| {name}{flag} | {conns} | {s.rps:,.0f} | {s.p50_ms:.2f} | {s.p99_ms:.2f} | "
                f"{b.rps:,.0f} | {b.p50_ms:.2f} | {b.p99_ms:.2f} | {s.rps / b.rps:.0%} |"
            )
            print(lines[-1], flush=True)
    return [*lines, ""]


def streams(
    wrk_bin: str, sim_url: str, base_url: str, seconds: float, events: int, workdir: Path
) -> list[str]:
    lines = [
        "## SSE events per second (streams of 200 chunks)",
        "",
        "| concurrent streams | simulator events/s | bare sse-starlette events/s | sim/bare |",
        "|---:|---:|---:|---:|",
    ]
    for conns in (1, 32):
        s = wrk(wrk_bin, sim_url + "/v1/agent/completions", "POST", STREAM, conns, seconds, workdir)
        b = wrk(wrk_bin, base_url + "/stream", "GET", None, conns, seconds, workdir)
        lines.append(f"| {conns} | {s.rps * events:,.0f} | {b.rps * events:,.0f} | {s.rps / b.rps:.0%} |")
        print(lines[-1], flush=True)
    return [*lines, ""]


def rss_growth(wrk_bin: str, sim: subprocess.Popen[bytes], sim_url: str, requests: int, workdir: Path) -> str:
    before = rss_mb(sim.pid)
    done = 0
    while done < requests:
        done += wrk(wrk_bin, sim_url + "/v1/agent/completions", "POST", AGENT, 64, 5, workdir).requests
    after = rss_mb(sim.pid)
    return (
        f"- RSS over {done:,} agent completions at 64 connections: {before:.1f} MB → {after:.1f} MB "
        f"(**{after - before:+.1f} MB**)"
    )


def loop_lag(wrk_bin: str, config: Path, fixtures: Path, seconds: float, workdir: Path) -> list[str]:
    lag_file = workdir / "lag.json"
    sim, url, _ = start_simulator(config, fixtures, lag_file=lag_file)
    try:
        wrk(wrk_bin, url + "/v1/agent/completions", "POST", AGENT, 64, 1, workdir)  # warm-up
        os.kill(sim.pid, signal.SIGUSR1)  # forget the warm-up's samples
        res = wrk(wrk_bin, url + "/v1/agent/completions", "POST", AGENT, 64, seconds, workdir)
        time.sleep(0.7)  # the probe writes every 0.5 s
        lag = json.loads(lag_file.read_text())
    finally:
        stop(sim)
    return [
        "## Event-loop lag under load (agent completion, 64 connections)",
        "",
        f"A 5 ms sleep on the serving loop, repeated while wrk ran {seconds:g} s ({res.rps:,.0f} req/s, "
        f"p99 {res.p99_ms:.1f} ms): how late each wake-up came ({lag['samples']:,} samples).",
        "",
        "| p50 ms | p99 ms | max ms |",
        "|---:|---:|---:|",
        f"| {lag['p50_ms']:.2f} | {lag['p99_ms']:.2f} | {lag['max_ms']:.2f} |",
        "",
    ]


def scale_out(wrk_bin: str, config: Path, fixtures: Path, seconds: float, workdir: Path) -> list[str]:
    lines = ["## Scale-out: 2 workers + Redis vs 1 worker in memory (agent completion)", ""]
    redis = start_redis()
    if redis is None:
        return [*lines, "redis-server not found: skipped (apt-get install redis-server).", ""]
    rproc, rurl = redis
    try:
        one, one_url, _ = start_simulator(config, fixtures)
        try:
            mem64 = wrk(wrk_bin, one_url + "/v1/agent/completions", "POST", AGENT, 64, seconds, workdir)
        finally:
            stop(one)
        two, two_url, _ = start_simulator(config, fixtures, workers=2, store=rurl)
        try:
            for _ in range(20):  # both workers warm (settings, scripts, connections)
                http(two_url + "/v1/agent/completions", AGENT)
            counted = 200
            before = redis_calls(rurl)

            def completions() -> None:
                for _ in range(counted):
                    http(two_url + "/v1/agent/completions", AGENT)

            sent, trips = redis_traffic(rurl, completions)
            per_completion = (redis_calls(rurl) - before) / counted
            red64 = wrk(wrk_bin, two_url + "/v1/agent/completions", "POST", AGENT, 64, seconds, workdir)
        finally:
            stop(two)
    finally:
        stop(rproc)
    lines += [
        "| setup | conns | req/s | p50 ms | p99 ms |",
        "|---|---:|---:|---:|---:|",
        f"| 1 worker, memory | 64 | {mem64.rps:,.0f} | {mem64.p50_ms:.2f} | {mem64.p99_ms:.2f} |",
        f"| 2 workers, Redis | 64 | {red64.rps:,.0f} | {red64.p50_ms:.2f} | {red64.p99_ms:.2f} |",
        "",
        f"Ratio 2 workers on Redis / 1 worker in memory: {red64.rps / mem64.rps:.0%} (target ≥ 130 %).",
        "",
        f"Per agent completion ({counted} sequential completions on the 2-worker setup): "
        f"**{trips / counted:.2f} round trips** (target ≤ 2), {sent / counted:.2f} commands sent "
        f"(MONITOR), {per_completion:.2f} commands executed including those inside Lua scripts "
        "(INFO commandstats before/after, INFO not counted).",
        "",
    ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick", action="store_true", help="1 s per measurement, 1 repeat, fewer RSS requests"
    )
    parser.add_argument("--only", default=",".join(PARTS), help=f"comma-separated parts: {', '.join(PARTS)}")
    parser.add_argument("--seconds", type=float, help="seconds per measurement (default 4, quick 1)")
    parser.add_argument("--repeat", type=int, help="runs per headline cell, median kept (default 2, quick 1)")
    parser.add_argument("--rss-requests", type=int, help="agent completions for the RSS row (default 60000)")
    parser.add_argument(
        "--cache",
        default=str(Path.home() / ".cache" / "mockswarms-bench"),
        help="where Prism is installed with npm",
    )
    parser.add_argument("--output", default=str(HERE / "RESULTS.md"))
    args = parser.parse_args()
    parts = {p.strip() for p in args.only.split(",") if p.strip()}
    if unknown := parts - set(PARTS):
        parser.error(f"unknown part(s): {', '.join(sorted(unknown))}; choose from {', '.join(PARTS)}")
    seconds = args.seconds or (1.0 if args.quick else 4.0)
    repeat = args.repeat or (1 if args.quick else 2)
    rss_requests = args.rss_requests or (5000 if args.quick else 60000)
    wrk_bin = shutil.which("wrk")
    if wrk_bin is None:
        raise SystemExit(
            "wrk not found. Install it: apt-get install wrk (Debian/Ubuntu) or brew install wrk (macOS)."
        )
    began = time.monotonic()
    load_before = os.getloadavg()[0]
    lines: list[str] = []

    def emit(new: list[str]) -> None:
        lines.extend(new)
        print("\n".join(new), flush=True)

    with tempfile.TemporaryDirectory(prefix="mockswarms-bench-") as tmp:
        workdir = Path(tmp)
        config, fixtures = write_inputs(workdir)
        startups = []
        if "startup" in parts:
            for _ in range(3):
                sim, _url, startup = start_simulator(config, fixtures)
                startups.append(startup)
                stop(sim)
        prism = start_prism(Path(args.cache)) if "headline" in parts else "not run"
        sim, sim_url, _ = start_simulator(config, fixtures)
        agent_bytes = len(http(sim_url + "/v1/agent/completions", AGENT))
        swarm_bytes = len(http(sim_url + "/v1/swarm/completions", SWARM))
        stream_body = http(sim_url + "/v1/agent/completions", STREAM)
        assert stream_body.count(b"event: chunk") == CHUNKS, "the fixture did not produce 200 chunks"
        base, base_url = start_baseline(
            {
                "BENCH_AGENT_BYTES": str(agent_bytes),
                "BENCH_SWARM_BYTES": str(swarm_bytes),
                "BENCH_CHUNKS": str(CHUNKS),
                "BENCH_CHUNK_TEXT": CHUNK_TEXT,
            }
        )
        rss_line = ""
        try:
            if "headline" in parts:
                emit(headline(wrk_bin, sim_url, base_url, prism, seconds, repeat, workdir))
            if "throughput" in parts:
                sizes = (
                    f"Response sizes: agent {agent_bytes} B, swarm {swarm_bytes} B, stream "
                    f"{len(stream_body)} B ({CHUNKS} chunk events)."
                )
                emit(throughput(wrk_bin, sim_url, base_url, seconds, sizes, workdir))
            if "streams" in parts:
                emit(streams(wrk_bin, sim_url, base_url, seconds, stream_body.count(b"\n\n"), workdir))
            if "rss" in parts:
                rss_line = rss_growth(wrk_bin, sim, sim_url, rss_requests, workdir)
        finally:
            stop(sim)
            stop(base)
            if isinstance(prism, tuple):
                stop(prism[0])
        if startups or rss_line:
            emit(["## Start-up and memory", ""])
            if startups:
                emit(
                    [
                        "- Start-up (process start → first `/health` 200), best of 3: "
                        f"**{min(startups):.2f} s** "
                        f"(all: {', '.join(f'{x:.2f}' for x in startups)})"
                    ]
                )
            if rss_line:
                emit([rss_line])
            emit([""])
        for part, measure in (("lag", loop_lag), ("redis", scale_out)):
            if part in parts:
                try:
                    emit(measure(wrk_bin, config, fixtures, seconds, workdir))
                except (Exception, SystemExit) as exc:  # one broken part must not lose the others
                    emit([f"## {part}: failed", "", f"`{type(exc).__name__}: {exc}`", ""])

    elapsed = time.monotonic() - began
    load = f"- 1-minute load average: {load_before:.1f} at start, {os.getloadavg()[0]:.1f} at end"
    if max(load_before, os.getloadavg()[0]) > (os.cpu_count() or 1):
        load += (
            " — **the machine was busy with other work: absolute numbers are noisy; compare ratios "
            "measured back to back in this run**"
        )
    only = "" if parts == set(PARTS) else f" --only {','.join(p for p in PARTS if p in parts)}"
    header = [
        "# Benchmark results",
        "",
        f"`python benchmarks/run.py{' --quick' if args.quick else ''}{only}` — "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, took {elapsed:.0f} s.",
        "",
        "## Machine",
        "",
        *machine(),
        load,
        "",
        "Baseline: `benchmarks/baseline_app.py` (Starlette + pydantic request/response models, same sizes; "
        "a bare sse-starlette generator for streams; a 1 KB chat completion validating 21 fields). "
        "Simulator: `python -m mockswarms serve` with `MOCKSWARMS_RATE_LIMIT_MODE=off`, one premium "
        "account, frozen clock, journal on (default size).",
        "",
    ]
    output = Path(args.output)
    kept = ""  # hand-written analysis below the marker survives a re-run
    if output.exists() and KEEP_MARKER in (previous := output.read_text(encoding="utf-8")):
        kept = "\n" + previous[previous.index(KEEP_MARKER) :]
    output.write_text("\n".join(header + lines) + "\n" + kept, encoding="utf-8")
    print(f"\nwrote {args.output} in {elapsed:.0f} s")


if __name__ == "__main__":
    main()
