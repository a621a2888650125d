"""One-command benchmark: the simulator against a bare Starlette + pydantic baseline, with wrk.

    python benchmarks/run.py            # about 4-5 minutes on 2 cores
    python benchmarks/run.py --quick    # under a minute (1 s per measurement, fewer RSS requests)

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
    config: Path, fixtures: Path, *, workers: int = 1, store: str | None = None
) -> tuple[subprocess.Popen[bytes], str, float]:
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "mockswarms",
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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="1 s per measurement, fewer RSS requests")
    parser.add_argument("--seconds", type=float, help="seconds per measurement (default 4, quick 1)")
    parser.add_argument("--rss-requests", type=int, help="agent completions for the RSS row (default 60000)")
    parser.add_argument("--output", default=str(HERE / "RESULTS.md"))
    args = parser.parse_args()
    seconds = args.seconds or (1.0 if args.quick else 4.0)
    rss_requests = args.rss_requests or (5000 if args.quick else 60000)
    wrk_bin = shutil.which("wrk")
    if wrk_bin is None:
        raise SystemExit(
            "wrk not found. Install it: apt-get install wrk (Debian/Ubuntu) or brew install wrk (macOS)."
        )
    began = time.monotonic()
    load_before = os.getloadavg()[0]
    lines: list[str] = []

    with tempfile.TemporaryDirectory(prefix="mockswarms-bench-") as tmp:
        workdir = Path(tmp)
        config, fixtures = write_inputs(workdir)
        startups = []
        for _ in range(3):
            sim, sim_url, startup = start_simulator(config, fixtures)
            startups.append(startup)
            stop(sim)
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
        try:
            lines += [
                "## Throughput and latency (1 uvicorn worker each)",
                "",
                f"Response sizes: agent {agent_bytes} B, swarm {swarm_bytes} B, stream {len(stream_body)} B "
                f"({CHUNKS} chunk events). {seconds:g} s per cell.",
                "",
                "| endpoint | conns | simulator req/s | p50 ms | p99 ms | baseline req/s | p50 ms | p99 ms "
                "| sim/base |",
                "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
            ]
            rows: dict[tuple[str, int], tuple[Result, Result]] = {}
            for name, method, path, body in SCENARIOS:
                for conns in (1, 16, 64):
                    s = wrk(wrk_bin, sim_url + path, method, body, conns, seconds, workdir)
                    b = wrk(wrk_bin, base_url + path, method, body, conns, seconds, workdir)
                    rows[(name, conns)] = (s, b)
                    flag = f" (errors: {s.errors}/{b.errors})" if s.errors or b.errors else ""
                    lines.append(
                        f"| {name}{flag} | {conns} | {s.rps:,.0f} | {s.p50_ms:.2f} | {s.p99_ms:.2f} | "
                        f"{b.rps:,.0f} | {b.p50_ms:.2f} | {b.p99_ms:.2f} | {s.rps / b.rps:.0%} |"
                    )
                    print(lines[-1], flush=True)

            lines += [
                "",
                "## SSE events per second (streams of 200 chunks)",
                "",
                "| concurrent streams | simulator events/s | bare sse-starlette events/s | sim/bare |",
                "|---:|---:|---:|---:|",
            ]
            events_per_stream = stream_body.count(b"\n\n")
            for conns in (1, 32):
                s = wrk(wrk_bin, sim_url + "/v1/agent/completions", "POST", STREAM, conns, seconds, workdir)
                b = wrk(wrk_bin, base_url + "/stream", "GET", None, conns, seconds, workdir)
                lines.append(
                    f"| {conns} | {s.rps * events_per_stream:,.0f} | {b.rps * events_per_stream:,.0f} | "
                    f"{s.rps / b.rps:.0%} |"
                )
                print(lines[-1], flush=True)

            before = rss_mb(sim.pid)
            done = 0
            while done < rss_requests:
                chunk_seconds = max(
                    1.0, min(10.0, (rss_requests - done) / max(rows[("agent completion", 64)][0].rps, 1))
                )
                done += wrk(
                    wrk_bin, sim_url + "/v1/agent/completions", "POST", AGENT, 64, chunk_seconds, workdir
                ).requests
            after = rss_mb(sim.pid)
        finally:
            stop(sim)
            stop(base)

        lines += [
            "",
            "## Start-up and memory",
            "",
            f"- Start-up (process start → first `/health` 200), best of 3: **{min(startups):.2f} s** "
            f"(all: {', '.join(f'{x:.2f}' for x in startups)})",
            f"- RSS over {done:,} agent completions at 64 connections: {before:.1f} MB → {after:.1f} MB "
            f"(**{after - before:+.1f} MB**)",
        ]
        print("\n".join(lines[-3:]), flush=True)

        redis = start_redis()
        lines += ["", "## Scale-out: 2 workers + Redis vs 1 worker in memory (agent completion)", ""]
        if redis is None:
            lines.append("redis-server not found: skipped (apt-get install redis-server).")
        else:
            rproc, rurl = redis
            try:
                one, one_url, _ = start_simulator(config, fixtures)
                try:
                    mem64 = wrk(
                        wrk_bin, one_url + "/v1/agent/completions", "POST", AGENT, 64, seconds, workdir
                    )
                finally:
                    stop(one)
                two, two_url, _ = start_simulator(config, fixtures, workers=2, store=rurl)
                try:
                    red64 = wrk(
                        wrk_bin, two_url + "/v1/agent/completions", "POST", AGENT, 64, seconds, workdir
                    )
                finally:
                    stop(two)
                lines += [
                    "| setup | conns | req/s | p50 ms | p99 ms |",
                    "|---|---:|---:|---:|---:|",
                    f"| 1 worker, memory | 64 | {mem64.rps:,.0f} | {mem64.p50_ms:.2f} | {mem64.p99_ms:.2f} |",
                    f"| 2 workers, Redis | 64 | {red64.rps:,.0f} | {red64.p50_ms:.2f} | {red64.p99_ms:.2f} |",
                    "",
                    f"Ratio 2 workers on Redis / 1 worker in memory: {red64.rps / mem64.rps:.0%}.",
                ]
                print("\n".join(lines[-5:]), flush=True)
            finally:
                stop(rproc)

    elapsed = time.monotonic() - began
    load = f"- 1-minute load average: {load_before:.1f} at start, {os.getloadavg()[0]:.1f} at end"
    if max(load_before, os.getloadavg()[0]) > (os.cpu_count() or 1):
        load += (
            " — **the machine was busy with other work: absolute numbers are noisy; compare ratios "
            "measured back to back in this run**"
        )
    header = [
        "# Benchmark results",
        "",
        f"`python benchmarks/run.py{' --quick' if args.quick else ''}` — "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, took {elapsed:.0f} s.",
        "",
        "## Machine",
        "",
        *machine(),
        load,
        "",
        "Baseline: `benchmarks/baseline_app.py` (Starlette + pydantic request/response models, same sizes; "
        "a bare sse-starlette generator for streams). Simulator: `python -m mockswarms serve` with "
        "`MOCKSWARMS_RATE_LIMIT_MODE=off`, one premium account, frozen clock, journal on (default size).",
        "",
    ]
    Path(args.output).write_text("\n".join(header + lines) + "\n", encoding="utf-8")
    print(f"\nwrote {args.output} in {elapsed:.0f} s")


if __name__ == "__main__":
    main()
