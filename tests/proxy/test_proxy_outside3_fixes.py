"""The proxy passes the upstream's exchange through unchanged, whatever happens beside it.

Recording failures, callers that leave a stream early, upstream streams that break, non-ASCII header
bytes, percent-escapes in the path, Date headers, bad ``--timeout`` values, bad findings files and
recordings of requests that differ only in their query string.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from mockswarms.cli import main
from mockswarms.config import load_settings
from mockswarms.proxy import record
from mockswarms.proxy.record import file_name
from mockswarms.proxy.server import ProxyConfig, create_proxy_app
from mockswarms.testing.server import serve
from tests.proxy.conftest import run_app

KEY = "sk-mock-premium"
AGENT = {"agent_config": {"agent_name": "W", "model_name": "gpt-4.1"}, "task": "t"}
ANSWER = b'{"detail": "the upstream\'s own answer"}'


def _proxy(upstream: str, record: Path | None = None) -> ProxyConfig:
    return ProxyConfig(upstream=upstream, settings=load_settings({}, environ={}), record_dir=record)


def _fixed_upstream() -> Starlette:
    async def answer(request: Request) -> Response:
        await request.body()
        reply = Response(ANSWER, 422, media_type="application/json")
        reply.raw_headers.append((b"x-upstream", b"yes"))
        return reply

    return Starlette(routes=[Route("/v1/agent/completions", answer, methods=["POST"])])


def _proxy_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith("mockswarms.proxy")]


# A. A failure while recording never costs the caller the upstream's (billed) answer.


def test_a_recording_that_cannot_be_written_passes_the_answer_and_logs_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="mockswarms.proxy")
    record = tmp_path / "rec"
    with run_app(_fixed_upstream()) as upstream, run_app(create_proxy_app(_proxy(upstream, record))) as proxy:
        shutil.rmtree(record)  # the directory goes away while the proxy runs
        response = httpx.post(proxy + "/v1/agent/completions", json=AGENT, headers={"x-api-key": KEY})
    assert response.status_code == 422
    assert response.content == ANSWER
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-upstream"] == "yes"
    assert "x-mockswarms-drift" in response.headers
    logged = _proxy_records(caplog)
    assert [(r.levelno, r.exc_info) for r in logged] == [(logging.WARNING, None)]
    message = logged[0].getMessage()
    assert message.startswith("could not record POST /v1/agent/completions: FileNotFoundError: ")
    assert "\n" not in message and KEY not in message


def test_a_body_too_deep_to_redact_is_still_answered_with_the_upstreams_answer(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    def too_deep(*args: object, **kwargs: object) -> None:
        raise RecursionError("maximum recursion depth exceeded")  # what redacting a ~600-deep body did

    monkeypatch.setattr(record, "request_match", too_deep)
    caplog.set_level(logging.DEBUG, logger="mockswarms.proxy")
    deep = b'{"agent_config": {"agent_name": "A"}, "task": "t", "x": ' + b"[" * 600 + b"]" * 600 + b"}"
    with (
        run_app(_fixed_upstream()) as upstream,
        run_app(create_proxy_app(_proxy(upstream, tmp_path))) as proxy,
    ):
        response = httpx.post(
            proxy + "/v1/agent/completions",
            content=deep,
            headers={"x-api-key": KEY, "content-type": "application/json"},
        )
    assert (response.status_code, response.content) == (422, ANSWER)
    assert response.headers["content-type"] == "application/json"
    logged = _proxy_records(caplog)
    assert [(r.levelno, r.exc_info) for r in logged] == [(logging.WARNING, None)]
    assert logged[0].getMessage() == (
        "could not record POST /v1/agent/completions: RecursionError: maximum recursion depth exceeded"
    )
    assert list(tmp_path.iterdir()) == []


# B and D. Streams that end early: the caller left (nothing recorded or checked) or the upstream broke
# (the caller's stream breaks too; checked, not recorded).

FRAMES = 30


def _paced_stream_upstream(closed: threading.Event) -> Starlette:
    async def stream(request: Request) -> Response:
        await request.body()

        async def frames() -> AsyncIterator[bytes]:
            try:
                for index in range(FRAMES):
                    yield f'event: chunk\ndata: {{"index": {index}}}\n\n'.encode()
                    await asyncio.sleep(0.05)
            finally:
                closed.set()

        return StreamingResponse(frames(), media_type="text/event-stream")

    return Starlette(routes=[Route("/v1/agent/completions", stream, methods=["POST"])])


def test_a_stream_the_caller_leaves_early_is_neither_recorded_nor_checked(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="mockswarms.proxy")
    closed = threading.Event()
    body = {**AGENT, "stream": True}
    with (
        run_app(_paced_stream_upstream(closed)) as upstream,
        run_app(create_proxy_app(_proxy(upstream, tmp_path))) as proxy,
    ):
        complete = httpx.post(proxy + "/v1/agent/completions", json=body, headers={"x-api-key": KEY})
        assert complete.status_code == 200 and complete.text.count("event: chunk") == FRAMES
        assert closed.wait(5)
        time.sleep(0.2)
        [recording] = list(tmp_path.iterdir())
        recorded = recording.read_bytes()
        report = httpx.get(proxy + "/__mockswarms/drift").json()
        assert report["exchanges"] == 1

        closed.clear()
        with httpx.stream(
            "POST", proxy + "/v1/agent/completions", json=body, headers={"x-api-key": KEY}
        ) as r:
            assert next(r.iter_raw()).startswith(b"event: chunk")
        # Leaving the block hung up; the proxy closes its upstream stream in turn.
        assert closed.wait(5)
        time.sleep(0.3)
        assert list(tmp_path.iterdir()) == [recording]
        assert recording.read_bytes() == recorded  # the complete recording is not overwritten
        assert httpx.get(proxy + "/__mockswarms/drift").json() == report  # no exchange, no drift
    assert [r for r in _proxy_records(caplog) if r.levelno >= logging.INFO] == []


def _cut_stream_upstream() -> Starlette:
    async def cut(request: Request) -> Response:
        async def frames() -> AsyncIterator[bytes]:
            yield b'data: {"job_id": "agent-1", "type": "metadata"}\n\n'
            yield b'event: start\ndata: {"message": "Starting agent processing..."}\n\n'
            await asyncio.sleep(0.1)
            raise RuntimeError("the upstream died mid-stream")  # its server drops the connection

        return StreamingResponse(frames(), media_type="text/event-stream")

    return Starlette(routes=[Route("/v1/agent/completions", cut, methods=["POST"])])


def test_an_upstream_stream_that_breaks_breaks_the_callers_stream_and_is_not_recorded(
    tmp_path: Path,
) -> None:
    body = {
        "agent_config": {"agent_name": "W", "model_name": "gpt-4.1", "streaming_on": True},
        "task": "t",
    }
    received: list[bytes] = []
    with (
        run_app(_cut_stream_upstream()) as upstream,
        run_app(create_proxy_app(_proxy(upstream, tmp_path))) as proxy,
    ):
        with (
            pytest.raises(httpx.RemoteProtocolError, match="incomplete chunked read"),
            httpx.stream("POST", proxy + "/v1/agent/completions", json=body, headers={"x-api-key": KEY}) as r,
        ):
            assert r.status_code == 200
            received.extend(r.iter_raw())
        time.sleep(0.2)
        findings = httpx.get(proxy + "/__mockswarms/drift").json()["findings"]
    assert b"".join(received) == (
        b'data: {"job_id": "agent-1", "type": "metadata"}\n\n'
        b'event: start\ndata: {"message": "Starting agent processing..."}\n\n'
    )
    assert list(tmp_path.iterdir()) == []  # a cut stream is no recording of the request
    missing = [f for f in findings if f["message"].startswith("event(s) missing")]
    assert missing and missing[0]["expected"] == ["chunk", "usage", "end", "done"]


# C. Header bytes pass through as bytes, both ways.


def _echo_upstream() -> Starlette:
    async def echo(request: Request) -> Response:
        scope = request.scope
        headers = dict(scope["headers"])
        line = (
            scope["raw_path"] + b"?" + scope["query_string"] if scope["query_string"] else scope["raw_path"]
        )
        reply = Response(
            json.dumps(
                {"line": line.decode("latin-1"), "title": headers.get(b"x-title", b"").decode("latin-1")}
            ),
            media_type="application/json",
        )
        reply.raw_headers.append((b"x-region", "Zürich €".encode()))
        return reply

    return Starlette(routes=[Route("/{rest:path}", echo, methods=["GET", "DELETE"])])


def test_non_ascii_header_bytes_pass_through_both_ways() -> None:
    title = "Café Zürich".encode()
    with run_app(_echo_upstream()) as upstream, run_app(create_proxy_app(_proxy(upstream))) as proxy:
        response = httpx.get(proxy + "/v1/models/available", headers=[(b"x-title", title)])
    assert response.status_code == 200
    assert response.json()["title"] == title.decode("latin-1")  # the very bytes the caller sent
    assert (b"x-region", "Zürich €".encode()) in response.headers.raw


# G. The path and query reach the upstream as the caller wrote them; one Date header.


@pytest.mark.parametrize(
    "target",
    ["/v1/swarm/schedule/a%2Fb", "/v1/swarm/schedule/50%25off", "/v1/x/caf%C3%A9?q=50%25off&x=a+b%2F"],
)
def test_the_raw_path_and_query_are_forwarded_unchanged(target: str) -> None:
    with run_app(_echo_upstream()) as upstream, run_app(create_proxy_app(_proxy(upstream))) as proxy:
        response = httpx.delete(proxy + target)
    assert response.status_code == 200
    assert response.json()["line"] == target


@contextmanager
def _proxy_process(upstream: str) -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "mockswarms", "proxy", "--upstream", upstream, "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        banner = re.match(
            r"mockswarms proxy: forwarding http://127\.0\.0\.1:(\d+) ", process.stderr.readline()
        )
        assert banner is not None
        base = f"http://127.0.0.1:{banner.group(1)}"
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(base + "/__mockswarms/drift", timeout=1)
                break
            except httpx.TransportError:
                assert process.poll() is None and time.monotonic() < deadline, "did not start"
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()  # only the process this test started
        process.communicate(timeout=10)


def test_a_proxied_answer_carries_the_upstreams_date_header_only() -> None:
    date = "Wed, 01 Jan 2025 00:00:00 GMT"

    async def dated(request: Request) -> Response:
        return Response(b'{"ok": true}', media_type="application/json", headers={"date": date})

    upstream_app = Starlette(routes=[Route("/health", dated)])
    with run_app(upstream_app, date_header=False) as upstream, _proxy_process(upstream) as proxy:
        proxied = httpx.get(proxy + "/health")
        own = httpx.get(proxy + "/__mockswarms/drift")
    assert proxied.status_code == 200 and proxied.content == b'{"ok": true}'
    assert proxied.headers.get_list("date") == [date]
    assert len(own.headers.get_list("date")) == 1  # the proxy's own answers keep one Date


# E. --timeout must be a positive, finite number.


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "0"])
def test_a_timeout_that_is_not_a_positive_finite_number_is_one_line_exit_2(value: str) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mockswarms",
            "proxy",
            "--upstream",
            "http://127.0.0.1:9",
            "--port",
            "0",
            f"--timeout={value}",
        ],
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert result.returncode == 2
    assert result.stderr == "mockswarms: error: --timeout: must be a positive number of seconds\n"
    assert result.stdout == ""


# F. A findings file with wrong types is one line naming the file and the problem, exit 2.


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (
            '{"exchanges": null, "drift": 0, "findings": []}',
            "'exchanges' must be a non-negative integer, not null",
        ),
        (
            '{"exchanges": 2, "drift": null, "findings": []}',
            "'drift' must be a non-negative integer, not null",
        ),
        ('{"exchanges": "2", "findings": []}', "'exchanges' must be a non-negative integer, not \"2\""),
        ('{"exchanges": 1.5, "findings": []}', "'exchanges' must be a non-negative integer, not 1.5"),
        ('{"exchanges": -1, "findings": []}', "'exchanges' must be a non-negative integer, not -1"),
        ('{"exchanges": true, "findings": []}', "'exchanges' must be a non-negative integer, not true"),
        ("[" * 100_000, "not JSON (nested too deeply)"),
    ],
    ids=["exchanges-null", "drift-null", "exchanges-string", "exchanges-float", "negative", "bool", "deep"],
)
def test_a_findings_file_with_wrong_types_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, problem: str
) -> None:
    path = tmp_path / "findings.json"
    path.write_text(content, encoding="utf-8")
    assert main(["drift-report", "--file", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"mockswarms: error: {path}: {problem}\n"


# H. Requests that differ only in their query string are recorded to different files.


def test_recording_names_tell_queries_apart_and_keep_names_without_a_query() -> None:
    report = {"method": "GET", "path": "/v1/usage/report"}
    february = file_name({**report, "query": "start_date=2026-02-01&end_date=2026-02-28"})
    march = file_name({**report, "query": "start_date=2026-03-01&end_date=2026-03-31"})
    assert february != march
    assert re.fullmatch(r"get-v1-usage-report--start-date-2026-02-01-en--[0-9a-f]{8}\.yaml", february)
    # Without a query string: the names recordings have always had.
    assert file_name({**report, "query": ""}) == "get-v1-usage-report.yaml"
    assert file_name({"method": "GET", "path": "/v1/models/available"}) == "get-v1-models-available.yaml"
    posted = {
        "method": "POST",
        "path": "/v1/agent/completions",
        "query": "",
        "agent_name": "Writer",
        "task": "Summarise the news",
        "request_sha256": "1a2b3c4d" + "0" * 56,
    }
    assert file_name(posted) == "post-v1-agent-completions--writer--summarise-the-news--1a2b3c4d.yaml"
    # The same body under two query strings: two files.
    assert file_name({**posted, "query": "a=1"}) != file_name({**posted, "query": "a=2"})


def test_get_requests_differing_only_in_the_query_are_recorded_and_replayed_apart(tmp_path: Path) -> None:
    async def models(request: Request) -> Response:
        return Response(
            json.dumps({"success": True, "models": [request.url.query]}), media_type="application/json"
        )

    upstream_app = Starlette(routes=[Route("/v1/models/available", models)])
    targets = ["/v1/models/available?category=all&page=1", "/v1/models/available?category=all&page=2"]
    with run_app(upstream_app) as upstream, run_app(create_proxy_app(_proxy(upstream, tmp_path))) as proxy:
        recorded = [httpx.get(proxy + t, headers={"x-api-key": KEY}).content for t in targets]
    assert len(list(tmp_path.glob("*.yaml"))) == 2
    with serve(seed=3, fixtures=[tmp_path]) as replay:
        replayed = [httpx.get(replay.base_url + t, headers={"x-api-key": KEY}).content for t in targets]
    assert (
        replayed
        == recorded
        == [
            b'{"success": true, "models": ["category=all&page=1"]}',
            b'{"success": true, "models": ["category=all&page=2"]}',
        ]
    )


def test_recording_names_tell_long_paths_apart_that_differ_past_the_cut() -> None:
    """The path's part of a name is cut at 40 characters: two long paths alike that far (model ids,
    job ids) got one file, the second recording overwriting the first."""
    first = file_name({"method": "GET", "path": "/v1/models/anthropic/claude-sonnet-4-20250514-a"})
    second = file_name({"method": "GET", "path": "/v1/models/anthropic/claude-sonnet-4-20250514-b"})
    assert first != second
    assert re.fullmatch(r"get-v1-models-anthropic-claude-sonnet-4--[0-9a-f]{8}\.yaml", first)
    # A path that fits keeps the name it always had.
    assert file_name({"method": "GET", "path": "/v1/models/gpt-4o"}) == "get-v1-models-gpt-4o.yaml"
