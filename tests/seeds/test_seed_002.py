"""Seed 002 (older Swarms API reference: scheduling, logs) under the ``docs-2025`` profile.

The document's Python functions (requests, pytz), Node.js fetch functions and curl commands
(tests/seeds/examples/s002_*) are called unchanged. The simulator's clock stands at the document's own
log instant (2024-03-19 15:30 UTC) so that its example schedule time (2024-03-20 15:00 UTC) is ahead.
The Python example needs ``pytz``: it runs in the dev interpreter when pytz is there, else in the cached
client venv (which has it).
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from seed_harness import EXAMPLES, PREMIUM_KEY, RUN_TIMEOUT, curl_request, example_env, json_of, run_node

import mockswarms
from mockswarms.testing.server import RunningServer

DOC_NOW = "2024-03-19T15:30:00Z"
LOGGED_AT = "2024-03-19T15:30:00.000000+00:00"

PY_DRIVER = """
import json, runpy, sys
ns = runpy.run_path(sys.argv[1])
out = {"single": ns["run_single_swarm"](), "scheduled": ns["schedule_swarm"]()}
out["jobs"] = ns["get_scheduled_jobs"]()
out["cancel"] = ns["cancel_scheduled_job"](out["scheduled"]["job_id"])
out["jobs_after"] = ns["get_scheduled_jobs"]()
out["logs"] = ns["get_swarm_logs"]()
print(json.dumps(out))
"""

JS_DRIVER = """
const scheduled = await scheduleSwarm();
console.log(JSON.stringify(scheduled));
console.log(JSON.stringify(await getScheduledJobs()));
console.log(JSON.stringify(await cancelScheduledJob(scheduled.job_id)));
console.log(JSON.stringify(await getScheduledJobs()));
"""


def fresh() -> Iterator[RunningServer]:
    with mockswarms.serve(profile="docs-2025", seed=0, now=DOC_NOW) as running:
        yield running


@pytest.fixture
def sim() -> Iterator[RunningServer]:
    yield from fresh()


@pytest.fixture
def pytz_python(request: pytest.FixtureRequest) -> str:
    if importlib.util.find_spec("pytz") is not None:
        return sys.executable
    return str(request.getfixturevalue("client016_python"))


@pytest.mark.slow  # may install pytz into the cached venv
def test_python_functions_return_what_the_document_shows(
    sim: RunningServer, pytz_python: str, tmp_path: Path
) -> None:
    done = subprocess.run(
        [pytz_python, "-c", PY_DRIVER, str(EXAMPLES / "s002_requests.py")],
        env=example_env(sim),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out: dict[str, Any] = json.loads(done.stdout)

    single = out["single"]
    assert single["status"] == "success" and single["swarm_name"] == "Financial Analysis Swarm"
    assert single["swarm_type"] == "SequentialWorkflow"
    assert single["task"] == "Analyze current market trends in tech sector"
    # output_type defaults to "str" (002's parameter table).
    assert single["output"].startswith("Market Analyst: ")
    billing = single["metadata"]["billing_info"]
    assert list(billing["cost_breakdown"]["token_counts"]["per_agent"]) == ["Market Analyst"]
    assert billing["cost_breakdown"]["agent_cost"] == 0.01 and billing["total_cost"] > 0.01

    scheduled = out["scheduled"]
    assert scheduled["status"] == "success" and scheduled["message"] == "Swarm scheduled successfully"
    assert re.fullmatch(r"swarm_scheduled_analysis_\d+", scheduled["job_id"])
    assert scheduled["timezone"] == "America/New_York"
    assert out["jobs"] == {
        "status": "success",
        "scheduled_jobs": [
            {
                "job_id": scheduled["job_id"],
                "swarm_name": "Scheduled Analysis",
                "scheduled_time": scheduled["scheduled_time"],
                "timezone": "America/New_York",
            }
        ],
    }
    assert out["cancel"] == {
        "status": "success",
        "message": "Scheduled job cancelled successfully",
        "job_id": scheduled["job_id"],
    }
    assert out["jobs_after"] == {"status": "success", "scheduled_jobs": []}

    logs = out["logs"]
    assert logs["status"] == "success" and logs["count"] == len(logs["logs"]) == 1
    row = logs["logs"][0]
    assert row["api_key"] != PREMIUM_KEY  # masked
    assert row["data"]["swarm_name"] == "Financial Analysis Swarm"
    assert row["data"]["task"] == "Analyze current market trends in tech sector"
    assert row["data"]["status"] == "success"
    assert row["data"]["execution_time"] == LOGGED_AT  # 002's rows: an ISO instant, not seconds


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not on PATH")
def test_node_fetch_functions_schedule_list_and_cancel(sim: RunningServer, tmp_path: Path) -> None:
    source = (EXAMPLES / "s002_fetch.js").read_text(encoding="utf-8") + JS_DRIVER
    done = run_node(source, sim, cwd=tmp_path)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    scheduled, jobs, cancelled, after = (json.loads(line) for line in done.stdout.splitlines())
    assert scheduled["status"] == "success" and scheduled["timezone"] == "America/New_York"
    assert [j["job_id"] for j in jobs["scheduled_jobs"]] == [scheduled["job_id"]]
    assert cancelled == {
        "status": "success",
        "message": "Scheduled job cancelled successfully",
        "job_id": scheduled["job_id"],
    }
    assert after == {"status": "success", "scheduled_jobs": []}


def test_curl_commands(sim: RunningServer) -> None:
    scheduled = json_of(curl_request("s002_curl_schedule_a_swarm.sh", sim))
    assert scheduled["status"] == "success"
    assert scheduled["scheduled_time"].startswith("2024-03-20T15:00:00")
    assert json_of(curl_request("s002_curl_get_scheduled_jobs.sh", sim)) == {
        "status": "success",
        "scheduled_jobs": [
            {
                "job_id": scheduled["job_id"],
                "swarm_name": "Scheduled Analysis",
                "scheduled_time": scheduled["scheduled_time"],
                "timezone": "America/New_York",
            }
        ],
    }
    # The document's literal placeholder id: not a job.
    missing = curl_request("s002_curl_cancel_scheduled_job.sh", sim)
    assert missing.status_code == 404 and missing.json() == {"detail": "Scheduled job not found"}
    logs = json_of(curl_request("s002_curl_get_swarm_logs.sh", sim))
    assert logs == {"status": "success", "count": 0, "logs": [], "timestamp": logs["timestamp"]}
