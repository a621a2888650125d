"""The proxy's own answers: an unreachable upstream, an oversized body."""

from __future__ import annotations

import socket

import httpx

from mockswarms.config import load_settings
from mockswarms.proxy.server import ProxyConfig, create_proxy_app
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
