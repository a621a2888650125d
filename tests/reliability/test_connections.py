"""Issue #13 items 6 and 7 through real uvicorn: forwarded headers are not trusted by default, idle and
slowloris connections are closed, slow bodies get a 408, and the body cap holds before any buffering."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator

import httpx
import orjson
import pytest

from mockswarms.config import load_settings
from mockswarms.http.body_guard import BodyGuardMiddleware
from mockswarms.http.connections import (
    KEEP_ALIVE_TIMEOUT,
    MAX_CONCURRENCY,
    MAX_HEAD_BYTES,
    GuardedH11Protocol,
    GuardedHttpToolsProtocol,
    uvicorn_options,
)
from mockswarms.testing.server import RunningServer, serve

NOW = "2026-07-15T21:00:00Z"


@pytest.fixture
def short_deadlines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(GuardedH11Protocol, "head_timeout", 0.5)
    monkeypatch.setattr(GuardedHttpToolsProtocol, "head_timeout", 0.5)
    monkeypatch.setattr(BodyGuardMiddleware, "body_timeout", 0.5)


@pytest.fixture(params=["httptools", "h11"])
def either_protocol(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Serve with the httptools protocol (the default) or the h11 one: the guards hold for both."""
    if request.param == "h11":
        import mockswarms.http.connections as connections

        real = connections.uvicorn_options
        monkeypatch.setattr(connections, "uvicorn_options", lambda s: {**real(s), "http": GuardedH11Protocol})


def connect(server: RunningServer) -> socket.socket:
    sock = socket.create_connection((server.host, server.port), timeout=5)
    return sock


def closed_within(sock: socket.socket, seconds: float) -> bytes | None:
    """What the server sent before closing, or None if the connection is still open after ``seconds``."""
    sock.settimeout(seconds)
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except TimeoutError:
        return None
    except ConnectionResetError:
        pass
    return received


def keyless_statuses(server: RunningServer, forwarded: bool) -> list[int]:
    statuses = []
    with httpx.Client(base_url=server.base_url) as client:
        for i in range(4):
            headers = {"X-Forwarded-For": f"203.0.113.{i}"} if forwarded else {}
            statuses.append(client.get("/v1/swarms/available", headers=headers).status_code)
    return statuses


def test_x_forwarded_for_does_not_bypass_the_keyless_limit_by_default() -> None:
    with serve(now=NOW, ip_limit_per_minute=2) as server:
        assert keyless_statuses(server, forwarded=True) == [200, 200, 429, 429]


def test_x_forwarded_for_is_trusted_from_configured_proxies() -> None:
    with serve(now=NOW, ip_limit_per_minute=2, forwarded_allow_ips="127.0.0.1") as server:
        assert keyless_statuses(server, forwarded=True) == [200, 200, 200, 200]


def test_a_connection_that_sends_nothing_is_closed(short_deadlines: None) -> None:
    with serve(now=NOW) as server:
        sock = connect(server)
        assert closed_within(sock, 3) == b""
        sock.close()


def test_slowloris_headers_are_cut_off(short_deadlines: None) -> None:
    with serve(now=NOW) as server:
        sock = connect(server)
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: localhost\r\n")
        started = time.monotonic()
        closed = False
        while time.monotonic() - started < 3:
            try:
                sock.sendall(b"X-a: b\r\n")
            except OSError:
                closed = True
                break
            if closed_within(sock, 0.1) is not None:
                closed = True
                break
        assert closed, "a request head dribbled for 3 s was never cut off"
        sock.close()


HEALTH = b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n"
HEALTH_ANSWER_END = b'{"status":"ok"}'


def read_response(sock: socket.socket) -> bytes:
    """One small response (up to its JSON body's end) off a kept-alive connection."""
    sock.settimeout(5)
    received = b""
    while not received.endswith(HEALTH_ANSWER_END):
        chunk = sock.recv(65536)
        assert chunk, f"the server closed the connection after {received!r}"
        received += chunk
    return received


def test_an_idle_keep_alive_connection_is_closed_after_the_keep_alive_timeout(
    short_deadlines: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mockswarms.http.connections as connections

    monkeypatch.setattr(connections, "KEEP_ALIVE_TIMEOUT", 1.0)
    with serve(now=NOW) as server:
        sock = connect(server)
        sock.sendall(HEALTH)
        first = closed_within(sock, 4)
        assert first is not None and first.startswith(b"HTTP/1.1 200") and first.endswith(HEALTH_ANSWER_END)
        sock.close()


def test_the_head_deadline_does_not_cut_an_idle_keep_alive_connection_short(
    short_deadlines: None, either_protocol: None
) -> None:
    # Between requests only the keep-alive timeout applies: a client that reuses a pooled connection
    # after a pause longer than the head deadline (0.5 s here) finds it open. Closing it sooner raced
    # clients sending their next request at that moment (httpx.ReadError in a 300-request burst).
    with serve(now=NOW) as server:
        sock = connect(server)
        sock.sendall(HEALTH)
        assert read_response(sock).startswith(b"HTTP/1.1 200")
        assert closed_within(sock, 1.2) is None  # still open after 2.4 head deadlines
        sock.sendall(HEALTH)
        assert read_response(sock).startswith(b"HTTP/1.1 200")
        sock.close()


def test_a_later_request_head_that_dribbles_is_cut_off(short_deadlines: None, either_protocol: None) -> None:
    with serve(now=NOW) as server:
        sock = connect(server)
        sock.sendall(HEALTH)
        assert read_response(sock).startswith(b"HTTP/1.1 200")
        sock.sendall(b"GET /health HTTP/1.1\r\n")  # the next head starts, and never ends
        assert closed_within(sock, 3) == b""
        sock.close()


def test_an_endless_request_head_is_refused_with_a_431_near_the_cap(either_protocol: None) -> None:
    """A header streamed without end was read into memory until the head deadline (65 MB in 8 s, RSS
    +100 MB per connection); now the server stops at the cap and answers in the API's format."""
    with serve(now=NOW) as server:
        sock = connect(server)
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: localhost\r\nX-Big: ")
        sent, piece = 0, b"a" * 65536
        with pytest.raises(OSError):  # the server closes: the send fails (broken pipe or reset)
            while sent < 64 * 1024 * 1024:
                sock.sendall(piece)
                sent += len(piece)
        # What the kernel buffers on both ends aside, the server stopped reading at the cap.
        assert sent < 16 * 1024 * 1024
        sock.close()


@pytest.mark.parametrize("size", [MAX_HEAD_BYTES, MAX_HEAD_BYTES + 1])
def test_a_request_head_is_capped_at_max_head_bytes(size: int) -> None:
    with serve(now=NOW) as server:
        start = b"GET /health HTTP/1.1\r\nHost: localhost\r\nX-Big: "
        sock = connect(server)
        sock.sendall(start + b"a" * (size - len(start) - 4) + b"\r\n\r\n")
        answer = closed_within(sock, 5) if size > MAX_HEAD_BYTES else read_response(sock)
        sock.close()
    assert answer is not None
    head, _, body = answer.partition(b"\r\n\r\n")
    if size <= MAX_HEAD_BYTES:
        assert (head.split(b"\r\n")[0], body) == (b"HTTP/1.1 200 OK", HEALTH_ANSWER_END)
    else:
        assert head.split(b"\r\n")[0] == b"HTTP/1.1 431 Request Header Fields Too Large"
        assert b"connection: close" in head.split(b"\r\n")
        detail = f"Request header fields too large: the limit is {MAX_HEAD_BYTES} bytes"
        assert orjson.loads(body) == {"detail": detail}


def test_an_unparsable_request_gets_a_400_in_the_api_format(either_protocol: None) -> None:
    with serve(now=NOW) as server:
        sock = connect(server)
        sock.sendall(b"GET /health HTTP/1.1\r\nHost localhost\r\n\r\n")  # no colon
        answer = closed_within(sock, 5)
        sock.close()
    assert answer is not None
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.split(b"\r\n")[0] == b"HTTP/1.1 400 Bad Request"
    assert b"content-type: application/json" in head.split(b"\r\n")
    assert orjson.loads(body) == {"detail": "Invalid HTTP request received."}


def test_the_server_keeps_idle_connections_longer_than_client_pools_do() -> None:
    # The client, not the server, should end an idle pooled connection: when both give up at the same
    # moment (uvicorn's 5 s against httpx's 5 s keepalive_expiry, which the OpenAI SDK and
    # swarms-client inherit; aiohttp keeps 15 s), a request sent on it meets the server's close.
    assert httpx.Limits().keepalive_expiry < KEEP_ALIVE_TIMEOUT  # type: ignore[operator]
    assert KEEP_ALIVE_TIMEOUT > 15


def test_a_slow_body_gets_a_408(short_deadlines: None) -> None:
    with serve(now=NOW) as server:
        sock = connect(server)
        sock.sendall(
            b"POST /v1/agent/completions HTTP/1.1\r\nHost: localhost\r\nx-api-key: sk-mock-premium\r\n"
            b'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"task": '
        )
        answer = closed_within(sock, 3)
        assert answer is not None
        assert answer.startswith(b"HTTP/1.1 408")
        # The rest of the body is never read, so the server says it closes, and does (RFC 9110).
        assert b"\r\nconnection: close\r\n" in answer
        assert answer.endswith(b'{"detail":"Request body not received within 0.5 seconds"}')
        sock.close()


def test_the_body_cap_holds_before_a_body_matching_fault_rule_buffers() -> None:
    rule = {"id": "by-model", "match": {"model": "gpt-4o"}, "action": {"type": "error", "status": 500}}
    with serve(now=NOW, max_body_bytes=10_000, faults=[rule]) as server:
        sent = 0

        def chunks() -> Iterator[bytes]:
            nonlocal sent
            yield b'{"task": "'
            for _ in range(1_000):  # 64 MB, chunked: no Content-Length to refuse up front
                sent += 65536
                yield b"x" * 65536

        tracemalloc.start()
        try:
            with httpx.Client(base_url=server.base_url) as client:
                response = client.post(
                    "/v1/agent/completions",
                    content=chunks(),
                    headers={"x-api-key": "sk-mock-premium", "Content-Type": "application/json"},
                )
        except httpx.TransportError:
            pytest.fail("the server dropped the connection instead of answering 413")
        finally:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        assert response.status_code == 413
        assert response.json() == {"detail": "Request body too large: the limit is 10000 bytes"}
        # Nothing held the body: before, the fault middleware buffered all of it ahead of the cap.
        assert peak < 5_000_000, f"the server held {peak:,} bytes for a 10,000-byte cap"


def test_serving_options() -> None:
    options = uvicorn_options(load_settings({}, environ={}))
    assert options["http"] is GuardedHttpToolsProtocol  # C parser; h11 cost 1.5-3x on /health (#15)
    assert options["limit_concurrency"] == MAX_CONCURRENCY
    assert options["timeout_keep_alive"] == KEEP_ALIVE_TIMEOUT
    assert options["proxy_headers"] is False


def test_beyond_the_connection_cap_requests_get_a_503_in_the_api_format(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import mockswarms.http.connections as connections

    monkeypatch.setattr(connections, "MAX_CONCURRENCY", 3)
    with serve(now=NOW) as server:
        idle = [connect(server) for _ in range(3)]
        time.sleep(0.2)  # let the server accept them
        with httpx.Client(base_url=server.base_url) as client:
            refused = client.get("/health")
            assert refused.status_code == 503
            assert refused.json() == {
                "detail": "Service temporarily unavailable: too many connections. Retry shortly."
            }
            assert refused.headers["retry-after"] == "1"
        for sock in idle:
            sock.close()
        time.sleep(0.2)
        with httpx.Client(base_url=server.base_url) as client:
            assert client.get("/health").status_code == 200


def test_at_the_connection_cap_the_longest_idle_keep_alive_connection_makes_room(
    monkeypatch: pytest.MonkeyPatch, either_protocol: None
) -> None:
    import mockswarms.http.connections as connections

    monkeypatch.setattr(connections, "MAX_CONCURRENCY", 3)
    with serve(now=NOW) as server:
        pooled = []
        for _ in range(3):  # three clients that each made a request and keep their connection
            sock = connect(server)
            sock.sendall(HEALTH)
            assert read_response(sock).startswith(b"HTTP/1.1 200")
            pooled.append(sock)
            time.sleep(0.05)  # idle since a distinct moment: the first is idle longest
        with httpx.Client(base_url=server.base_url) as client:
            assert client.get("/health").status_code == 200  # not a 503
        assert closed_within(pooled[0], 2) == b""  # the longest idle one was closed for it
        for sock in pooled[1:]:
            assert closed_within(sock, 0.2) is None  # the others are untouched
            sock.sendall(HEALTH)
            assert read_response(sock).startswith(b"HTTP/1.1 200")
            sock.close()
        pooled[0].close()


def _cli_statuses(*options: str) -> list[int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "MOCKSWARMS_IP_LIMIT_PER_MINUTE": "2"}
    command = [sys.executable, "-m", "mockswarms", "serve", "--port", str(port), "--log-level", "warning"]
    proc = subprocess.Popen([*command, *options], env=env, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(base + "/health")
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.1)
        with httpx.Client(base_url=base) as client:
            return [
                client.get("/v1/swarms/available", headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code
                for i in range(4)
            ]
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_the_serve_command_trusts_forwarded_headers_only_when_told() -> None:
    assert _cli_statuses() == [200, 200, 429, 429]
    assert _cli_statuses("--forwarded-allow-ips", "127.0.0.1") == [200, 200, 200, 200]
