"""Smoke test of a base install (``pip install .``, no extras), run by that venv's Python from outside
the source tree: ``mockswarms serve --port 0`` must start, read its port from the banner, answer
``/health``, one agent completion and ``/openapi.json``, and stop; the in-process helpers
(``mockswarms.serve``, ``SimulatorControl``) must work too. Exit 0 on success, 1 with one line per problem.

Standard library only (the point is to see what the package itself pulls in).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.request
from typing import Any

BANNER = re.compile(r"serving the Swarms API on (http://127\.0\.0\.1:\d+) ")
AGENT = {"agent_config": {"agent_name": "Smoke", "model_name": "gpt-4o"}, "task": "Say hi"}


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def _post(url: str, body: dict[str, Any]) -> Any:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json", "x-api-key": "sk-mock-premium"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def check_server(base: str) -> None:
    assert _get(base + "/health") == {"status": "ok"}, "GET /health"
    reply = _post(base + "/v1/agent/completions", AGENT)
    assert reply["success"] is True and reply["outputs"][0]["content"], "POST /v1/agent/completions"
    assert _get(base + "/openapi.json")["openapi"].startswith("3."), "GET /openapi.json"


def main() -> int:
    import mockswarms

    if "site-packages" not in (mockswarms.__file__ or ""):
        print(f"smoke: mockswarms imported from {mockswarms.__file__}, not the installed package")
        return 1
    proc = subprocess.Popen(
        [sys.executable, "-m", "mockswarms", "serve", "--port", "0", "--log-level", "warning"],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        banner = proc.stderr.readline()
        match = BANNER.search(banner)
        if match is None:
            print(f"smoke: no banner from mockswarms serve: {banner.strip()}{proc.stderr.read()[-2000:]}")
            return 1
        check_server(match.group(1))
    finally:
        proc.terminate()
        proc.wait(timeout=10)

    from mockswarms import serve

    with serve(seed=1) as server:
        check_server(server.base_url)
        control = server.control()
        control.reset()
        assert control.balance("sk-mock-premium") == 100, "SimulatorControl.balance"
    print(f"smoke: base install OK ({banner.strip()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
