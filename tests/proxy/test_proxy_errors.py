"""The proxy's own answers: unreachable, slow or broken upstreams, oversized bodies and answers."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from mockswarms.config import load_settings
from mockswarms.proxy import server
from mockswarms.proxy.server import ProxyConfig, create_proxy_app
from mockswarms.testing.server import serve
from tests.proxy.conftest import run_app

KEY = "sk-live-proxy-test-123456"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again when the block ends: nothing listens there


def test_an_unreachable_upstream_is_a_502_that_does_not_echo_the_key() -> None:
    config = ProxyConfig(
        upstream=f"http://127.0.0.1:{_closed_port()}", settings=load_settings({}, environ={})
    )
    with run_app(create_proxy_app(config)) as proxy:
        response = httpx.get(proxy + "/v1/models/available", headers={"x-api-key": KEY})
    assert response.status_code == 502
    assert response.json() == {"detail": "Upstream unreachable: ConnectError"}
    assert KEY not in response.text


def test_a_body_over_the_limit_is_refused_before_forwarding() -> None:
    settings = load_settings({"max_body_bytes": 1024}, environ={})
    config = ProxyConfig(upstream=f"http://127.0.0.1:{_closed_port()}", settings=settings)
    with run_app(create_proxy_app(config)) as proxy:
        response = httpx.post(
            proxy + "/v1/agent/completions", content=b"x" * 2048, headers={"x-api-key": KEY}
        )
    assert response.status_code == 413
    assert response.json() == {"detail": "Request body too large: the limit is 1024 bytes"}


def test_answers_over_the_check_limit_pass_through_unchecked(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(server, "MAX_CHECKED_BYTES", 200)
    with serve(seed=1, now="2026-03-02T20:00:00Z") as upstream:
        config = ProxyConfig(
            upstream=upstream.base_url, settings=load_settings({}, environ={}), record_dir=tmp_path
        )
        with run_app(create_proxy_app(config)) as proxy:
            direct = httpx.get(upstream.base_url + "/openapi.json")
            via_proxy = httpx.get(proxy + "/openapi.json")
            body = {
                "agent_config": {"agent_name": "W", "model_name": "gpt-4.1", "streaming_on": True},
                "task": "long",
            }
            stream = httpx.post(
                proxy + "/v1/agent/completions", headers={"x-api-key": "sk-mock-premium"}, json=body
            )
            report = httpx.get(proxy + "/__mockswarms/drift").json()
    assert via_proxy.content == direct.content and len(direct.content) > 200
    assert "x-mockswarms-drift" not in via_proxy.headers
    assert stream.status_code == 200 and stream.text.rstrip().endswith('"Agent processing complete"}')
    assert report == {"exchanges": 0, "drift": 0, "findings": []}  # neither checked
    assert list(tmp_path.iterdir()) == []  # nor recorded


def _slow_and_broken_upstream() -> Starlette:
    async def slow(request: Request) -> Response:
        await asyncio.sleep(3)
        return Response("{}", media_type="application/json")

    async def cut(request: Request) -> Response:
        async def frames() -> AsyncIterator[bytes]:
            yield b'data: {"job_id": "agent-1", "type": "metadata"}\n\n'
            yield b'event: start\ndata: {"message": "Starting agent processing..."}\n\n'
            raise RuntimeError("the upstream died mid-stream")

        return StreamingResponse(frames(), media_type="text/event-stream")

    return Starlette(
        routes=[Route("/v1/models/available", slow), Route("/v1/agent/completions", cut, methods=["POST"])]
    )


def test_a_slow_upstream_is_a_504_and_a_cut_stream_is_cut_for_the_caller_with_its_findings() -> None:
    received: list[bytes] = []
    with run_app(_slow_and_broken_upstream()) as upstream:
        config = ProxyConfig(upstream=upstream, settings=load_settings({}, environ={}), timeout=0.5)
        with run_app(create_proxy_app(config)) as proxy:
            slow = httpx.get(proxy + "/v1/models/available", headers={"x-api-key": KEY}, timeout=10)
            body = {
                "agent_config": {"agent_name": "W", "model_name": "gpt-4.1", "streaming_on": True},
                "task": "t",
            }
            with (
                pytest.raises(httpx.RemoteProtocolError),  # not a clean end the caller could trust
                httpx.stream(
                    "POST",
                    proxy + "/v1/agent/completions",
                    headers={"x-api-key": "sk-mock-premium"},
                    json=body,
                ) as cut,
            ):
                assert cut.status_code == 200
                received.extend(cut.iter_raw())
            findings = httpx.get(proxy + "/__mockswarms/drift").json()["findings"]
    assert slow.status_code == 504
    assert slow.json() == {"detail": "Upstream timed out: ReadTimeout"}
    assert b"".join(received).endswith(b'data: {"message": "Starting agent processing..."}\n\n')
    missing = [
        f
        for f in findings
        if f["path"].startswith("$.events[") and f["message"].startswith("event(s) missing")
    ]
    assert missing and missing[0]["expected"] == ["chunk", "usage", "end", "done"] and missing[0]["got"] == []
