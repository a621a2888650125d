"""Per-request CPU cost of the simulator, in process, by stage — the numbers to decide changes on.

    python benchmarks/inprocess.py                 # 2,000 requests per scenario
    python benchmarks/inprocess.py -n 5000 --stages

Why in process: on a shared 2-core machine wrk's req/s move with whatever else runs; CPU time per
request of the app alone (no socket, no HTTP parser, no client) moves far less. The app is driven
through its raw ASGI interface (one ``http.request`` message in, the response messages collected),
so the figures are the simulator's own cost: middleware, routing, parsing, the run, billing, store,
journal, serialisation.

``--stages`` samples each scenario with py-spy (64 concurrent in-process clients, every thread) and
charges each sample to the stage of its innermost frame that belongs to one (table ``STAGES``), worker
threads included; idle pool threads, imports and start-up are left out.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mockswarms.config import load_settings
from mockswarms.http.app import create_app, freeze_startup_heap
from mockswarms.http.body_guard import BODY_ARRIVED

KEY = "sk-bench"
NOW = "2026-01-01T12:00:00Z"
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
SCENARIOS: list[tuple[str, str, str, dict[str, Any] | None]] = [
    ("/health", "GET", "/health", None),
    ("agent completion", "POST", "/v1/agent/completions", AGENT),
    ("3-agent SequentialWorkflow", "POST", "/v1/swarm/completions", SWARM),
]

# (stage, substrings of the profiled function's file path); the first match wins.
STAGES: list[tuple[str, tuple[str, ...]]] = [
    ("fake LLM + tokenizer", ("engine/fakellm", "engine/seen", "tokenizer", "random.py", "engine/fixtures")),
    (
        "run (agents, workflows, swarms)",
        ("engine/runs", "engine/workflows", "engine/architectures", "engine/swarm"),
    ),
    ("billing (Decimal)", ("engine/billing", "decimal")),
    ("admit, gates, charge (simulator)", ("engine/simulator", "engine/gates", "engine/ratelimit")),
    ("state store", ("mockswarms/state/",)),
    ("journal", ("mockswarms/journal", "http/journaling")),
    (
        "request parsing + contract check",
        ("http/routes", "http/validation", "pydantic", "jsonschema", "limits.py", "shapes/", "json/"),
    ),
    ("endpoint glue", ("http/endpoints/",)),
    ("our middleware", ("http/app", "http/connections", "mockswarms/faults", "http/replay", "http/guard")),
    ("Starlette (routing, request, exceptions)", ("starlette/", "http/router")),
    ("serialisation (orjson, responses)", ("orjson", "http/responses")),
    ("asyncio + threads", ("asyncio/", "threading", "concurrent/", "queue", "SimpleQueue", "epoll")),
]
# Samples that are no request's work: imports and the app's start-up (anywhere in the stack), and pool
# threads waiting for a job (their innermost frame is the pool's loop; a busy one is deeper).
SETUP = ("importlib", "build_app", "ensure_started")
IDLE = "_worker (concurrent/futures/thread.py"


def build_app() -> Any:
    settings = load_settings(
        {
            "rate_limit_mode": "off",
            "accounts": [{"key": KEY, "user_id": "user-bench", "tier": "premium", "credit": "1000000000"}],
            "now": NOW,
        },
        environ={},
    )
    return create_app(settings)


def request_driver(app: Any, method: str, path: str, body: dict[str, Any] | None) -> Callable[[], Any]:
    raw = json.dumps(body).encode() if body is not None else b""
    headers = [
        (b"host", b"127.0.0.1"),
        (b"x-api-key", KEY.encode()),
        (b"content-length", str(len(raw)).encode()),
    ]
    if body is not None:
        headers.append((b"content-type", b"application/json"))

    async def one() -> int:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
            "state": {},
            "app": app,
            BODY_ARRIVED: True,  # as the CLI's server marks a body that came with its head
        }
        sent = False
        status = 0

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                await asyncio.sleep(3600)  # a client that stays connected
            sent = True
            return {"type": "http.request", "body": raw, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]

        await app(scope, receive, send)
        return status

    return one


async def measure(n: int, stages: bool) -> list[str]:
    app = build_app()
    await app.state.simulator.ensure_started()
    freeze_startup_heap()  # as `mockswarms serve` does
    lines = ["| scenario | CPU µs/request | wall µs/request |", "|---|---:|---:|"]
    stage_lines: list[str] = []
    for name, method, path, body in SCENARIOS:
        one = request_driver(app, method, path, body)
        for _ in range(200):  # warm caches, lazily built validators, journal ring
            status = await one()
        if status != 200:
            raise SystemExit(f"{name}: status {status}")
        gc.collect()
        cpu, wall = time.process_time(), time.perf_counter()
        for i in range(n):
            if i % 50 == 0:
                # Let the loop run, as it does between requests under a server: nothing in a request
                # suspends here, and cancelled timers are only swept when the loop turns.
                await asyncio.sleep(0)
            await one()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        lines.append(f"| {name} | {cpu / n * 1e6:,.0f} | {wall / n * 1e6:,.0f} |")
        if stages:
            stage_lines += profile_stages(name, max(n, 6400))
    return lines + stage_lines


async def drive(name: str, n: int) -> None:
    """``n`` requests of one scenario from 64 concurrent clients (what ``--stages`` samples)."""
    app = build_app()
    await app.state.simulator.ensure_started()
    freeze_startup_heap()
    _, method, path, body = next(s for s in SCENARIOS if s[0] == name)
    one = request_driver(app, method, path, body)

    async def client() -> None:
        for _ in range(n // 64):
            await asyncio.sleep(0)  # interleave the clients (a request alone never suspends here)
            await one()

    await asyncio.gather(*(client() for _ in range(64)))


def stage_of(frames: list[str]) -> str | None:
    """The stage of a sampled stack: its innermost frame that belongs to one (None: not a request's)."""
    if frames[-1].startswith(IDLE) or any(mark in frame for frame in frames for mark in SETUP):
        return None
    for frame in reversed(frames):
        for stage, keys in STAGES:
            if any(key in frame for key in keys):
                return stage
    return "other"


def profile_stages(name: str, n: int) -> list[str]:
    """Sample ``drive(name, n)`` with py-spy (no per-call overhead, unlike cProfile, whose inflation of
    small functions misleads) and share the samples out by stage."""
    py_spy = shutil.which("py-spy")
    if py_spy is None:
        return ["", f"py-spy not found (pip install py-spy): no stage table for {name}"]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "samples.txt"
        command = [py_spy, "record", "-r", "400", "-f", "raw", "-o", str(out), "--"]
        command += [sys.executable, __file__, "--drive", name, "-n", str(n)]
        subprocess.run(command, check=True, capture_output=True)
        totals: dict[str, int] = {}
        for line in out.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            stage = stage_of(stack.split(";"))
            if stage is not None:
                totals[stage] = totals.get(stage, 0) + int(count)
    whole = sum(totals.values()) or 1
    lines = ["", f"### {name}: CPU samples by stage (py-spy, {n:,} requests, 64 concurrent)", ""]
    lines += ["| stage | share |", "|---|---:|"]
    lines += [
        f"| {stage} | {count / whole:.0%} |" for stage, count in sorted(totals.items(), key=lambda kv: -kv[1])
    ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=2000, help="requests per scenario (default 2000)")
    parser.add_argument("--stages", action="store_true", help="also sample with py-spy: the stage table")
    parser.add_argument("--drive", help=argparse.SUPPRESS)  # internal: the process py-spy samples
    args = parser.parse_args()
    if args.drive:
        asyncio.run(drive(args.drive, args.n))
        return
    print("\n".join(asyncio.run(measure(args.n, args.stages))))


if __name__ == "__main__":
    main()
