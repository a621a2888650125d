"""One-command benchmark: the simulator against a bare Starlette + pydantic baseline and Prism, with wrk.

(Why ~520 lines: one function per part of the report below; servers and wrk live in ``harness.py``.)

    python benchmarks/run.py                      # about 20-25 minutes on 2 cores (15 of them ``rss``)
    python benchmarks/run.py --quick              # about 4 minutes (1 s per measurement, 5,000 RSS requests)
    python benchmarks/run.py --only headline,redis  # parts: see --help

Parts (``--only``, comma separated; default all): ``headline`` (the issue's table: simulator vs the bare
app vs Prism, and every target checked), ``throughput`` (4 endpoints x 1/16/64 connections, both
apps), ``streams`` (SSE events/s), ``startup``, ``rss`` (RSS over ``--rss-requests`` completions, 1 and
10,000 keys in memory, 10,000 on Redis), ``lag`` (event-loop lag under load), ``redis`` (1 worker in
memory vs 2 workers on Redis, and Redis round trips per completion).

Prism: ``@stoplight/prism-cli`` 5.14 is installed with npm into ``--cache`` (default
``~/.cache/mockswarms-bench``) on first use and run with ``-v error`` on the simulator's own contract
(``contracts/swarms-api.openapi.json``); without node/npm the Prism row says so and the rest runs.

Needs ``wrk`` (Debian/Ubuntu: ``apt-get install wrk``; macOS: ``brew install wrk``) and, for the
Redis rows, ``redis-server`` (``apt-get install redis-server``; skipped when missing).
Writes ``benchmarks/RESULTS.md`` (tables + a description of the machine) and prints the tables.

What it measures (the simulator runs with rate limiting off and one rich premium account — 10,000 in two
RSS rows — so every request does the full pipeline: auth, gates, fake LLM, billing, settle, log, journal):
- requests/s, p50 and p99 for ``/health``, an agent completion, a 3-agent SequentialWorkflow swarm and
  an agent stream of 200 chunks, at 1, 16 and 64 connections, for both apps, and the ratio;
- SSE events/s with 1 and 32 concurrent streams of 200 chunks against a bare sse-starlette stream;
- start-up time (process start to the first 200 from ``/health``);
- RSS of the simulator over N agent completions (default 300,000) after a warm-up (10 % of N, at least 2
  passes over the keys), read at 1/3, 2/3 and the end: 1 key and 10,000 keys in memory, 10,000 keys on
  Redis (1 worker; redis-server's ``used_memory`` too);
- 2 uvicorn workers sharing Redis against 1 worker in memory (agent completion, 64 connections).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from baseline_app import CHAT_REQUEST
from harness import (
    AGENT,
    CHUNK_TEXT,
    CHUNKS,
    HERE,
    MANY_KEYS,
    PRISM_VERSION,
    SCENARIOS,
    STREAM,
    SWARM,
    MemoryRun,
    Result,
    bench_key,
    http,
    memory_run,
    redis_calls,
    redis_traffic,
    start_baseline,
    start_prism,
    start_redis,
    start_simulator,
    stop,
    write_inputs,
    write_many_accounts,
    wrk,
)

PARTS = ("headline", "throughput", "streams", "startup", "rss", "lag", "redis")
KEEP_MARKER = "<!-- analysis: kept by run.py -->"


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


def memory_row(label: str, run: MemoryRun) -> tuple[str, list[str]]:
    """One row of the memory table (and notes: timing, Redis ``used_memory``)."""
    rss, used = run.rss, run.used
    problems = f"**{run.non2xx:,}**" if run.non2xx else "0"
    if run.errors:
        problems += f", **{run.errors:,} socket errors**"
    row = (
        f"| {label} | {run.warmed:,} | {run.measured:,} | {run.rate:,.0f} | "
        + " | ".join(f"{x:.1f}" for x in rss)
        + f" | **{rss[-1] - rss[0]:+.1f}** | {problems} |"
    )
    total = run.warmed + run.measured
    notes = [
        f"- {label}: start-up {run.startup:.1f} s; {total:,} requests in {run.busy:.0f} s of wrk "
        f"({total / run.busy:,.0f} req/s overall)."
    ]
    if used:
        notes.append(
            f"- {label}: redis-server `used_memory` (INFO memory), MB: {used[0]:.1f} before the warm-up, "
            f"{used[1]:.1f} after it, {used[2]:.1f} at 1/3, {used[3]:.1f} at 2/3, {used[4]:.1f} at the "
            f"end (**{used[4] - used[1]:+.1f} MB** over the {run.measured:,} measured requests)."
        )
    return row, notes


def memory(wrk_bin: str, config: Path, fixtures: Path, requests: int, workdir: Path) -> list[str]:
    """RSS over ``requests`` agent completions: 1 key in memory, 10,000 keys in memory, 10,000 on Redis."""
    many = write_many_accounts(workdir, MANY_KEYS)
    lines = [
        f"## Memory over {requests:,} requests (agent completion, 64 connections)",
        "",
        "Each row is a fresh simulator process (1 uvicorn worker, rate limiting off, premium accounts with "
        f"large credit). {MANY_KEYS:,} keys: accounts `{bench_key(0)}`…`{bench_key(MANY_KEYS - 1)}`, one "
        "user each, the `x-api-key` rotated per request (wrk Lua). Warm-up first, not counted: 10 % of the "
        "requests but at least 2 passes over the keys, so one-time growth (per-key structures filling "
        "their caps) is left out; then RSS (VmRSS of the server process) after the warm-up, at 1/3, 2/3 "
        "and the end. non-2xx counts the warm-up too.",
        "",
        "| setup | warm-up | requests | req/s | RSS after warm-up MB | at 1/3 | at 2/3 | end | growth MB "
        "| non-2xx |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    notes: list[str] = []
    for label, cfg, keys, on_redis in (
        ("memory store, 1 key", config, 0, False),
        (f"memory store, {MANY_KEYS:,} keys", many, MANY_KEYS, False),
        (f"Redis store (1 worker), {MANY_KEYS:,} keys", many, MANY_KEYS, True),
    ):
        try:
            run = memory_run(wrk_bin, cfg, fixtures, keys, on_redis, requests, workdir)
            row, more = memory_row(label, run) if run else (f"| {label}: no redis-server, skipped |", [])
        except (Exception, SystemExit) as exc:  # one broken row must not lose the others
            row, more = f"| {label}: failed: `{type(exc).__name__}: {exc}` |", []
        lines.append(row)
        notes += more
        print(row, flush=True)
    return [*lines, "", *notes, ""]


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
    parser.add_argument("--rss-requests", type=int, help="measured requests per RSS row (default 300000)")
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
    rss_requests = args.rss_requests or (5000 if args.quick else 300_000)
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
        finally:
            stop(sim)
            stop(base)
            if isinstance(prism, tuple):
                stop(prism[0])
        if startups:
            every = ", ".join(f"{x:.2f}" for x in startups)
            best = f"best of 3: **{min(startups):.2f} s** (all: {every})"
            emit(["## Start-up", "", f"- Start-up (process start → first `/health` 200), {best}", ""])
        for part, measure in (
            ("rss", lambda: memory(wrk_bin, config, fixtures, rss_requests, workdir)),
            ("lag", lambda: loop_lag(wrk_bin, config, fixtures, seconds, workdir)),
            ("redis", lambda: scale_out(wrk_bin, config, fixtures, seconds, workdir)),
        ):
            if part in parts:
                try:
                    emit(measure())
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
