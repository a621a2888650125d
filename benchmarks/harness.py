"""The pieces ``run.py`` is built from: inputs, wrk, and starting/stopping each server (simulator,
bare app, Prism, Redis). Split from ``run.py`` so each stays short; nothing here prints a report.

(Why ~500 lines: besides the servers, wrk with a rotating key and the memory rows' load loop, which
``run.py`` only formats.)"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
KEY = "sk-bench"
MANY_KEYS = 10_000  # accounts of the many-keys memory rows: bench_key(0 .. MANY_KEYS - 1)
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

PRISM_VERSION = "5.14"
CONTRACT = ROOT / "contracts" / "swarms-api.openapi.json"

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
    errors: int  # socket errors + non-2xx
    non2xx: int = 0


# Rotates x-api-key over ``keys`` accounts (KEY-00000, KEY-00001, ...): wrk thread t of T sends keys
# start+t, start+t+T, ... so the threads together make full passes; ``start`` carries the rotation on
# from one wrk run to the next.
ROTATE = """
local keys, start, threads, made = {keys}, {start}, 0, 0
setup = function(thread)
  thread:set("tid", threads)
  threads = threads + 1
  thread:set("nthreads", {threads})
end
request = function()
  local i = (start + tid + made * nthreads) % keys
  made = made + 1
  wrk.headers["x-api-key"] = string.format("{key}-%05d", i)
  return wrk.format(nil, nil, nil, nil)
end
"""


def bench_key(i: int) -> str:
    return f"{KEY}-{i:05d}"


def wrk(
    wrk_bin: str,
    url: str,
    method: str,
    body: dict[str, Any] | None,
    connections: int,
    seconds: float,
    workdir: Path,
    *,
    keys: int = 0,
    start: int = 0,
) -> Result:
    """``keys`` > 0: rotate over that many ``bench_key`` accounts from ``start`` (else KEY always)."""
    threads = 1 if connections == 1 else 2
    script = workdir / f"s{abs(hash((method, json.dumps(body), keys, start)))}.lua"
    body_lua = f"wrk.body = [==[{json.dumps(body)}]==]" if body is not None else ""
    if keys:
        body_lua += ROTATE.format(keys=keys, start=start, threads=threads, key=KEY)
    script.write_text(LUA.format(method=method, key=KEY, body=body_lua))
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
        non2xx=data["non2xx"],
    )


class Load:
    """Agent completions sent with wrk in runs of at most ``chunk`` seconds until a count is reached (wrk
    only knows durations: each run is sized from the last rate, so a count overshoots by < 1 s of
    requests). Keeps the running totals and carries the key rotation on from run to run."""

    def __init__(self, wrk_bin: str, url: str, workdir: Path, keys: int, rate: float, chunk: float = 20):
        self.wrk_bin, self.url, self.workdir, self.keys = wrk_bin, url, workdir, keys
        self.rate, self.chunk = rate, chunk
        self.done = self.non2xx = self.errors = 0
        self.busy = 0.0  # seconds spent in wrk

    def until(self, total: int) -> None:
        while self.done < total:
            seconds = min(self.chunk, max(1, round((total - self.done) / self.rate)))
            res = wrk(
                self.wrk_bin,
                self.url + "/v1/agent/completions",
                "POST",
                AGENT,
                64,
                seconds,
                self.workdir,
                keys=self.keys,
                start=self.done % self.keys if self.keys else 0,
            )
            if res.requests == 0:
                raise SystemExit(f"wrk completed no requests against {self.url} ({res.errors} errors)")
            self.done += res.requests
            self.non2xx += res.non2xx
            self.errors += res.errors - res.non2xx
            self.busy += res.requests / res.rps if res.rps else seconds
            self.rate = max(res.rps, 50.0)
        time.sleep(0.3)  # let the requests wrk left in flight finish before anyone reads memory


@dataclass
class MemoryRun:
    startup: float  # seconds to the first /health 200
    warmed: int  # warm-up requests
    measured: int  # requests after the warm-up
    rate: float  # req/s over the measured requests
    busy: float  # seconds of wrk, warm-up included
    rss: list[float]  # MB: after the warm-up, at 1/3, 2/3, end
    used: list[float]  # Redis used_memory, MB: before the warm-up, after it, 1/3, 2/3, end ([] in memory)
    non2xx: int
    errors: int  # socket errors


def memory_run(
    wrk_bin: str, config: Path, fixtures: Path, keys: int, on_redis: bool, requests: int, workdir: Path
) -> MemoryRun | None:
    """A fresh simulator (on a fresh redis-server if ``on_redis``; None if there is none): a warm-up of
    10 % of ``requests`` but at least 2 passes over the ``keys``, then ``requests`` agent completions at
    64 connections, reading RSS (and Redis ``used_memory``) after the warm-up and at each third."""
    redis = start_redis() if on_redis else None
    if on_redis and redis is None:
        return None
    store = redis[1] if redis else None
    used: list[float] = []
    try:
        sim, url, startup = start_simulator(config, fixtures, store=store, ready_timeout=180)
        try:
            load = Load(wrk_bin, url, workdir, keys, rate=800 if store else 1500)
            if store:
                used.append(redis_used_memory(store) / 2**20)
            load.until(max(requests // 10, 2 * max(keys, 1)))
            warmed, warm_busy = load.done, load.busy
            rss = [rss_mb(sim.pid)]
            for third in (1, 2, 3):
                if store:
                    used.append(redis_used_memory(store) / 2**20)
                load.until(warmed + requests * third // 3)
                rss.append(rss_mb(sim.pid))
            if store:
                used.append(redis_used_memory(store) / 2**20)
        finally:
            stop(sim)
    finally:
        if redis:
            stop(redis[0])
    measured = load.done - warmed
    return MemoryRun(
        startup=startup,
        warmed=warmed,
        measured=measured,
        rate=measured / (load.busy - warm_busy),
        busy=load.busy,
        rss=rss,
        used=used,
        non2xx=load.non2xx,
        errors=load.errors,
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


def write_many_accounts(workdir: Path, count: int) -> Path:
    """A config of ``count`` premium accounts ``bench_key(0..count-1)``, one user each, large credit."""
    config = workdir / f"bench-{count}.yaml"
    rows = (
        f'  - {{key: {bench_key(i)}, user_id: user-bench-{i:05d}, tier: premium, credit: "1000000000"}}\n'
        for i in range(count)
    )
    config.write_text('rate_limit_mode: "off"\naccounts:\n' + "".join(rows))
    return config


def start_simulator(
    config: Path,
    fixtures: Path,
    *,
    workers: int = 1,
    store: str | None = None,
    lag_file: Path | None = None,
    ready_timeout: float = 30,
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
    # Bytecode caching as a user's Python does it by default (some CI images switch it off, and then
    # every start-up compiles the whole package again: ~0.3 s of the start-up figure).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if lag_file:
        env["BENCH_LAG_FILE"] = str(lag_file)
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    wait_ready(url, proc, timeout=ready_timeout)
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


def _redis_info(url: str, section: str) -> dict[str, Any]:
    import redis

    client = redis.Redis.from_url(url)
    try:
        return dict(client.info(section))
    finally:
        client.close()


def redis_calls(url: str) -> int:
    """Commands Redis has executed so far (INFO commandstats), not counting INFO itself."""
    stats = _redis_info(url, "commandstats")
    return sum(int(v["calls"]) for k, v in stats.items() if k != "cmdstat_info")


def redis_traffic(url: str, during: Any) -> tuple[int, int]:
    """(commands, round trips) the workers sent Redis while ``during()`` ran, seen with MONITOR. Commands
    a Lua script runs (shown as ``lua``) are not sent by anyone and not counted; a round trip is a run of
    commands from one connection arriving within 0.2 ms of each other (a pipeline or MULTI/EXEC block)."""
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


def redis_used_memory(url: str) -> int:
    """redis-server's ``used_memory`` (INFO memory), in bytes."""
    return int(_redis_info(url, "memory")["used_memory"])


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
