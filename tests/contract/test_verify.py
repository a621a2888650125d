"""`mockswarms verify`: Schemathesis against the simulator (in-process and live) and a broken server."""

from __future__ import annotations

import argparse
import socket
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mockswarms.contract.verify import CHECKS, add_parser, load_contract, run_verification

CONTRACT = load_contract()
# Prism answers every schema-valid request; unbounded loop counts make some runs very long (see report).
FAST_EXCLUDE = None


def _cli(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers())
    args = parser.parse_args(list(argv))
    result: int = args.handler(args)
    return result


# -- a deliberately broken server ---------------------------------------------------------------------------


async def _broken_health(request: Request) -> Response:
    return JSONResponse({"status": 1})  # wrong type: status must be a string


async def _broken_models(request: Request) -> Response:
    return JSONResponse({"success": True, "models": "gpt-4.1"})  # no count, models not a list


async def _broken_root(request: Request) -> Response:
    return Response("boom", status_code=500, media_type="text/plain")


def broken_app() -> Starlette:
    return Starlette(
        routes=[
            Route("/health", _broken_health),
            Route("/v1/models/available", _broken_models),
            Route("/", _broken_root),
        ]
    )


@contextmanager
def running(app: Any) -> Iterator[str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="error", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=5)


def test_broken_server_fails_in_process() -> None:
    report = run_verification(
        CONTRACT,
        app=broken_app(),
        max_examples=2,
        seed=1,
        coverage=False,
        stateful=False,
        include_path="^/(health|v1/models/available)?$",
    )
    assert not report.ok
    found = {(f.operation, f.check) for f in report.failures}
    assert ("GET /health", "response_schema_conformance") in found
    assert ("GET /v1/models/available", "response_schema_conformance") in found
    assert ("GET /", "not_a_server_error") in found


def test_verify_cli_exits_non_zero_against_a_broken_server(tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    with running(broken_app()) as url:
        code = _cli(
            "verify",
            "--base-url",
            url,
            "--max-examples",
            "2",
            "--no-stateful",
            "--include-path",
            "^/health$",
            "--junit-xml",
            str(junit),
        )
    assert code == 1
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "1"
    failure = suite.find("testcase/failure")
    assert failure is not None and failure.get("type") == "response_schema_conformance"


def test_verify_cli_exits_zero_against_a_live_simulator(tmp_path: Path) -> None:
    from mockswarms.testing.server import serve

    junit = tmp_path / "junit.xml"
    with serve(seed=1, now="2026-03-01T12:00:00Z") as server:
        code = _cli(
            "verify",
            "--base-url",
            server.base_url,
            "--max-examples",
            "2",
            "--no-stateful",
            "--include-path",
            "^/(health|v1/(models/available|swarms/available|rate/limits|account/credits))?$",
            "--junit-xml",
            str(junit),
            "--profile-aware",
        )
    assert code == 0
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None and (suite.get("tests"), suite.get("failures"), suite.get("errors")) == (
        "6",
        "0",
        "0",
    )


def test_verify_client_cli(capsys: pytest.CaptureFixture[str]) -> None:
    import httpx

    from mockswarms.testing.server import serve

    with serve(request_validation="report") as server:
        assert _cli("verify-client", "--journal", server.base_url) == 0
        httpx.post(
            server.url("/v1/agent/completions"), json={"task": 5}, headers={"x-api-key": "sk-mock-premium"}
        )
        assert _cli("verify-client", "--journal", server.base_url) == 1
    out = capsys.readouterr().out
    assert "no contract violations recorded" in out
    assert "POST /v1/agent/completions" in out and "body.task" in out


# -- the simulator in every profile, in-process ----------------------------------------------------------


def _verify_profile(profile: str, max_examples: int, **kwargs: Any) -> None:
    from mockswarms.http.app import create_app

    checks: tuple[str, ...] = CHECKS
    if profile == "prism":
        # prism promises a 2xx for every schema-valid body, and also answers bodies the contract's server
        # rules refuse (the SDKs' `{}`): negative data is not rejected there by design.
        checks = (*(c for c in CHECKS if c != "negative_data_rejection"), "positive_data_acceptance")
    report = run_verification(
        CONTRACT,
        app=create_app(profile=profile, seed=1),
        api_key="sk-mock-premium",
        max_examples=max_examples,
        seed=1,
        checks=checks,
        **{"coverage": True, **kwargs},  # boundary values too: the simulator must pass them all
    )
    problems = [f"{f.operation} · {f.check} · {f.title}: {f.message[:300]}" for f in report.failures]
    problems += [e for op in report.operations.values() for e in op.errors] + report.errors
    assert problems == []
    assert len(report.operations) >= len(CONTRACT["paths"])


@pytest.mark.parametrize("profile", ["docs", "prism", "legacy"])
def test_simulator_passes_schemathesis_in_every_profile(profile: str) -> None:
    _verify_profile(profile, max_examples=2, stateful=False)


@pytest.mark.slow
@pytest.mark.parametrize("profile", ["docs", "prism", "legacy"])
def test_simulator_passes_deep_schemathesis_run(profile: str) -> None:
    _verify_profile(profile, max_examples=50)
