"""Upstream = a small app answering off-contract variants: each one is reported with its JSON path."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mockswarms.cli import main
from mockswarms.config import load_settings
from mockswarms.http.app import create_app
from mockswarms.proxy.server import ProxyConfig, create_proxy_app
from tests.proxy.conftest import run_app

KEY = {"x-api-key": "sk-mock-premium"}
AGENT = {"agent_name": "Writer", "model_name": "gpt-4.1"}
# The docs' streaming example usage: 45 + 120 tokens priced with an older table (0.002735). At the
# 2026 prices ($6.50 / $18.50 per 1M) the same tokens cost 0.0002925 + 0.00222 = 0.002513.
OLD_PRICE_USAGE = {
    "input_tokens": 45,
    "output_tokens": 120,
    "total_tokens": 165,
    "img_cost": 0.0,
    "total_cost": 0.002735,
}


def off_contract_upstream() -> Starlette:
    """Answers like the simulator, then breaks the answer the way the task asks."""
    simulator = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(seed=5)), base_url="http://sim"
    )

    async def agent(request: Request) -> Response:
        raw = await request.body()
        task = json.loads(raw)["task"]
        answer = await simulator.post("/v1/agent/completions", content=raw, headers=KEY)
        if answer.headers["content-type"].startswith("text/event-stream"):
            frames = [
                f
                for f in answer.text.split("\n\n")
                if f and not (task == "no done" and f.startswith("event: done"))
            ]
            headers = {k: answer.headers[k] for k in ("cache-control", "x-accel-buffering")}
            return Response(
                "".join(f + "\n\n" for f in frames),
                headers={**headers, **_rate(answer)},
                media_type="text/event-stream",
            )
        body: dict[str, Any] = answer.json()
        if task == "renamed key":
            body["output_list"] = body.pop("outputs")
        elif task == "string number":
            body["usage"]["input_tokens"] = str(body["usage"]["input_tokens"])
            body["usage"]["total_tokens"] = body["usage"]["output_tokens"]  # keep the sum check quiet
        elif task == "echo key":
            body["usage"]["img_cost"] = f"charged to {request.headers['x-api-key']}"
        elif task == "wrong cost":
            body["usage"] = dict(OLD_PRICE_USAGE)
        return Response(
            json.dumps(body), headers={"X-Upstream": "kept", **_rate(answer)}, media_type="application/json"
        )

    return Starlette(routes=[Route("/v1/agent/completions", agent, methods=["POST"])])


def _rate(answer: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in answer.headers.items() if k.startswith("x-ratelimit-")}


@pytest.fixture
def proxy_url() -> Iterator[str]:
    with run_app(off_contract_upstream()) as upstream:
        config = ProxyConfig(upstream=upstream, settings=load_settings({}, environ={}))
        with run_app(create_proxy_app(config)) as url:
            yield url


def _exchange(
    proxy_url: str, task: str, *, stream: bool = False
) -> tuple[httpx.Response, list[dict[str, Any]]]:
    httpx.delete(proxy_url + "/__mockswarms/drift")
    body = {"agent_config": {**AGENT, "streaming_on": stream}, "task": task}
    response = httpx.post(proxy_url + "/v1/agent/completions", headers=KEY, json=body, timeout=30)
    return response, httpx.get(proxy_url + "/__mockswarms/drift").json()["findings"]


def _where(findings: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(f["path"], f["side"]) for f in findings}


def test_an_unbroken_answer_passes_through_unchanged_with_zero_drift(proxy_url: str) -> None:
    response, findings = _exchange(proxy_url, "fine")
    assert findings == []
    assert response.headers["x-mockswarms-drift"] == "0"
    assert response.headers["x-upstream"] == "kept"
    assert list(response.json()) == [
        "job_id",
        "success",
        "name",
        "description",
        "temperature",
        "outputs",
        "usage",
        "timestamp",
    ]


def test_a_renamed_key_is_reported_on_both_names(proxy_url: str) -> None:
    response, findings = _exchange(proxy_url, "renamed key")
    assert {("$.body.outputs", "simulator"), ("$.body.output_list", "simulator")} <= _where(findings)
    missing = next(f for f in findings if f["path"] == "$.body.outputs")
    assert missing["message"] == "key missing upstream"
    assert any(
        f["side"] == "contract" and "outputs" in f["message"] for f in findings
    )  # required by the schema
    assert response.headers["x-mockswarms-drift"] == str(len(findings))


def test_a_string_where_a_number_belongs(proxy_url: str) -> None:
    response, findings = _exchange(proxy_url, "string number")
    by_side = {f["side"]: f for f in findings if f["path"] == "$.body.usage.input_tokens"}
    assert by_side["simulator"]["expected"] == "number"
    assert isinstance(by_side["simulator"]["got"], str)
    assert "contract" in by_side  # the schema says integer
    assert response.headers["x-mockswarms-drift"] == str(len(findings))


def test_a_total_cost_that_does_not_follow_the_price_table(proxy_url: str) -> None:
    response, findings = _exchange(proxy_url, "wrong cost")
    assert findings == [
        {
            "operation": "POST /v1/agent/completions",
            "path": "$.body.usage.total_cost",
            "expected": 0.002513,
            "got": 0.002735,
            "side": "billing",
            "message": "total_cost does not follow the 2026 price table from 45 input and 120 output tokens",
        }
    ]
    assert response.headers["x-mockswarms-drift"] == "1"


def test_a_stream_without_its_done_event(proxy_url: str) -> None:
    response, findings = _exchange(proxy_url, "no done", stream=True)
    assert response.text.rstrip().endswith('"complete": true}')  # the caller got the stream as sent
    assert [(f["path"], f["expected"], f["got"]) for f in findings] == [("$.events[done]", ["done"], [])]
    assert findings[0]["side"] == "simulator"


def test_drift_report_exit_codes_and_formats(
    proxy_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _exchange(proxy_url, "wrong cost")
    assert main(["drift-report", "--url", proxy_url]) == 0
    text = capsys.readouterr().out.splitlines()
    assert text == [
        "POST /v1/agent/completions $.body.usage.total_cost: total_cost does not follow the 2026 price table "
        "from 45 input and 120 output tokens (expected 0.002513, got 0.002735; billing)",
        "1 drift finding(s) in 1 exchange(s)",
    ]
    assert main(["drift-report", "--url", proxy_url, "--fail-on-drift"]) == 1
    capsys.readouterr()

    assert main(["drift-report", "--url", proxy_url, "--format", "json"]) == 0
    saved = tmp_path / "findings.json"
    saved.write_text(capsys.readouterr().out)
    assert json.loads(saved.read_text())["drift"] == 1
    assert main(["drift-report", "--file", str(saved), "--format", "junit", "--fail-on-drift"]) == 1
    suite = ET.fromstring(capsys.readouterr().out).find("testsuite")
    assert suite is not None and suite.get("failures") == "1"
    case = suite.find("testcase")
    assert case is not None and case.get("name") == "POST /v1/agent/completions"

    _exchange(proxy_url, "fine")  # clears the log first
    assert main(["drift-report", "--url", proxy_url, "--fail-on-drift"]) == 0
    assert capsys.readouterr().out.strip() == "0 drift finding(s) in 1 exchange(s)"


def test_drift_report_errors_are_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]")
    assert main(["drift-report", "--file", str(bad)]) == 2
    assert main(["drift-report", "--file", str(tmp_path / "missing.json")]) == 2
    assert main(["drift-report"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"mockswarms: error: {bad}: not a drift findings document (expected an object with 'findings')",
        f"mockswarms: error: {tmp_path / 'missing.json'}: No such file or directory",
        "mockswarms: error: drift-report needs exactly one of --url PROXY or --file FINDINGS.json",
    ]


def test_an_echoed_key_never_reaches_the_findings(proxy_url: str) -> None:
    response, findings = _exchange(proxy_url, "echo key")
    assert "sk-mock-premium" in response.text  # the caller gets the upstream's answer unchanged
    img = [f for f in findings if f["path"] == "$.body.usage.img_cost"]
    assert img and all(f["got"] == "charged to [REDACTED]" for f in img)
    assert "sk-mock-premium" not in json.dumps(findings)
