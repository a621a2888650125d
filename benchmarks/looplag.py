"""``mockswarms serve`` with an event-loop lag probe, for ``run.py --only lag``.

    BENCH_LAG_FILE=/tmp/lag.json python benchmarks/looplag.py serve --port 8000 ...

Exactly the CLI's server (same arguments, same uvicorn options) with the app wrapped in a probe
that, once the lifespan starts, sleeps 5 ms in a loop on the serving event loop and records how late
each wake-up is. Late wake-ups are the time the loop spent running other callbacks in one go: the
tail a request waiting for the loop sees. Every 0.5 s the probe writes the count, p50, p99 and max
lag (ms) to ``BENCH_LAG_FILE``; SIGUSR1 clears the samples (``run.py`` sends it after a warm-up).

``BENCH_INLINE_RUNS=1`` is an experiment switch: ``asyncio.to_thread`` becomes a direct call, so the
runs the endpoints hand to worker threads execute on the loop — to measure what the hand-off costs.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

from mockswarms import cli, serving

INTERVAL = 0.005
MAX_SAMPLES = 2_000_000  # ~16 MB of floats: hours at 200 samples/s


class LagProbe:
    """ASGI pass-through that runs the lag sampler for as long as the lifespan lasts."""

    def __init__(self, app: Any, out: Path) -> None:
        self.app = app
        self.out = out
        self.samples: list[float] = []
        self.task: asyncio.Task[None] | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan" and self.task is None:
            self.task = asyncio.get_running_loop().create_task(self._sample())
            signal.signal(signal.SIGUSR1, lambda *_: self.samples.clear())
        await self.app(scope, receive, send)

    async def _sample(self) -> None:
        written = time.perf_counter()
        while True:
            before = time.perf_counter()
            await asyncio.sleep(INTERVAL)
            now = time.perf_counter()
            if len(self.samples) < MAX_SAMPLES:
                self.samples.append(now - before - INTERVAL)
            if now - written > 0.5:
                written = now
                self._write()

    def _write(self) -> None:
        ordered = sorted(self.samples)
        if not ordered:
            return

        def at(share: float) -> float:
            return ordered[min(int(share * len(ordered)), len(ordered) - 1)] * 1000

        stats = {"samples": len(ordered), "p50_ms": at(0.5), "p99_ms": at(0.99), "max_ms": at(1.0)}
        self.out.write_text(json.dumps(stats))


async def _inline(function: Any, /, *args: Any, **kwargs: Any) -> Any:
    return function(*args, **kwargs)


def main() -> int:
    out = Path(os.environ["BENCH_LAG_FILE"])
    if os.environ.get("BENCH_INLINE_RUNS") == "1":
        asyncio.to_thread = _inline
    serve = serving.run_uvicorn

    def probed(app: Any, options: Any, *, sock: Any, workers: int) -> int:
        return serve(LagProbe(app, out), options, sock=sock, workers=workers)

    serving.run_uvicorn = probed  # the only change to the CLI's server
    return cli.main(sys.argv[1:])


if __name__ == "__main__":
    raise SystemExit(main())
