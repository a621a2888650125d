"""Wire faults on plain JSON replies through the real server and the whole app (the fault tests in
tests/faults run the fault layer alone): the journal's capture held a plain reply back until its last
part, so a ``drip`` arrived at once and a ``truncate`` sent nothing at all."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import httpx
import orjson
import pytest

from mockswarms.testing.server import RunningServer, serve

AGENT = {"agent_config": {"agent_name": "W", "model_name": "gpt-4o-mini"}, "task": "t"}
KEY = {"x-api-key": "sk-mock-premium"}


@pytest.fixture
def server() -> Iterator[RunningServer]:
    with serve(now="2026-03-01T12:00:00Z", seed=3) as running:
        yield running


def add_rule(server: RunningServer, action: dict[str, object]) -> None:
    rule = {"match": {"path": "/v1/agent/completions"}, "action": action}
    assert httpx.post(server.base_url + "/__mockswarms/faults", json=rule).status_code == 201


def whole_reply(server: RunningServer) -> bytes:
    return httpx.post(server.base_url + "/v1/agent/completions", json=AGENT, headers=KEY).content


def test_a_drip_arrives_in_pieces_over_time(server: RunningServer) -> None:
    add_rule(server, {"type": "drip", "chunk_bytes": 100, "interval": 0.05})
    arrivals: list[tuple[float, int]] = []
    started = time.monotonic()
    with httpx.stream("POST", server.base_url + "/v1/agent/completions", json=AGENT, headers=KEY) as reply:
        assert reply.status_code == 200
        for chunk in reply.iter_raw():
            arrivals.append((time.monotonic() - started, len(chunk)))
    total = sum(size for _, size in arrivals)
    assert total == int(reply.headers["content-length"])
    assert len(arrivals) >= total // 100 - 1  # one piece per 100 bytes (two may meet in one read)
    assert arrivals[-1][0] - arrivals[0][0] >= 0.05 * (total // 100 - 2)


def test_a_truncated_reply_sends_its_head_and_part_of_its_body(server: RunningServer) -> None:
    full = whole_reply(server)
    add_rule(server, {"type": "truncate", "fraction": 0.5})
    body = orjson.dumps(AGENT)
    sock = socket.create_connection((server.host, server.port), timeout=5)
    head = (
        "POST /v1/agent/completions HTTP/1.1\r\nHost: localhost\r\nx-api-key: sk-mock-premium\r\n"
        f"content-type: application/json\r\ncontent-length: {len(body)}\r\n\r\n"
    )
    sock.sendall(head.encode() + body)
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    sock.close()
    head_part, _, body_part = received.partition(b"\r\n\r\n")
    lines = head_part.split(b"\r\n")
    assert lines[0] == b"HTTP/1.1 200 OK"
    assert b"content-length: %d" % len(full) in lines  # the head promises the whole body
    # The first half of a reply like the whole one (the same size: only its ids differ).
    assert len(body_part) == len(full) // 2
    assert (
        body_part.startswith(b'{"job_id":"agent-')
        and body_part == full[: len(body_part)][:17] + body_part[17:]
    )
