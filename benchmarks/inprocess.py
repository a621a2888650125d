"""Per-request CPU cost of the simulator, in process, by stage — the numbers to decide changes on.

    python benchmarks/inprocess.py                 # 2,000 requests per scenario
    python benchmarks/inprocess.py -n 5000 --stages

Why in process: on a shared 2-core machine wrk's req/s move with whatever else runs; CPU time per
request of the app alone (no socket, no HTTP parser, no client) moves far less. The app is driven
through its raw ASGI interface (one ``http.request`` message in, the response messages collected),
so the figures are the simulator's own cost: middleware, routing, parsing, the run, billing, store,
journal, serialisation.

``--stages`` profiles the same loop with cProfile and charges each function's own time to the stage
its module belongs to (table ``STAGES``); the profiler inflates every figure, so read the stage
shares, not their absolute values. cProfile sees one thread only, so while profiling the runs that
the endpoints hand to worker threads execute inline (``asyncio.to_thread`` is swapped for a direct
call) and are charged to their stages rather than to a thread hand-off.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import pstats
import time
from collections.abc import Callable
from typing import Any

from mockswarms.config import load_settings
from mockswarms.http.app import create_app

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
    ("journal", ("mockswarms/journal",)),
    (
        "request parsing + contract check",
        ("http/routes", "http/validation", "pydantic", "jsonschema", "limits.py", "shapes/", "json/"),
    ),
    ("endpoint glue", ("http/endpoints/",)),
    ("our middleware", ("http/app", "http/connections", "mockswarms/faults", "http/replay", "http/guard")),
    ("Starlette (routing, request, exceptions)", ("starlette/",)),
    ("serialisation (orjson, responses)", ("orjson", "http/responses")),
    ("asyncio + threads", ("asyncio/", "threading", "concurrent/", "queue", "SimpleQueue", "epoll")),
]


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
        for _ in range(n):
            await one()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        lines.append(f"| {name} | {cpu / n * 1e6:,.0f} | {wall / n * 1e6:,.0f} |")
        if stages:
            stage_lines += await profile_stages(name, one, n)
    return lines + stage_lines


async def _inline(function: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    return function(*args, **kwargs)


async def profile_stages(name: str, one: Callable[[], Any], n: int) -> list[str]:
    profiler = cProfile.Profile()
    threaded = asyncio.to_thread
    asyncio.to_thread = _inline  # see the module docstring
    try:
        profiler.enable()
        for _ in range(n):
            await one()
        profiler.disable()
    finally:
        asyncio.to_thread = threaded
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    totals: dict[str, float] = {}
    for (filename, _line, func), (_cc, _nc, own, _cum, _callers) in stats.items():
        where = filename + func  # built-ins have no file: their name says whose they are
        stage = next((s for s, keys in STAGES if any(k in where for k in keys)), "other")
        totals[stage] = totals.get(stage, 0.0) + own
    whole = sum(totals.values()) or 1.0
    lines = [
        "",
        f"### {name}: own time by stage (cProfile, {n:,} requests)",
        "",
        "| stage | share |",
        "|---|---:|",
    ]
    for stage, own in sorted(totals.items(), key=lambda kv: -kv[1]):
        lines.append(f"| {stage} | {own / whole:.0%} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=2000, help="requests per scenario (default 2000)")
    parser.add_argument("--stages", action="store_true", help="also profile and print the stage table")
    args = parser.parse_args()
    print("\n".join(asyncio.run(measure(args.n, args.stages))))


if __name__ == "__main__":
    main()
