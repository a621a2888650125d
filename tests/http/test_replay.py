"""Replay middleware: recorded answers after the simulator's gates; the body limit still holds."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from mockswarms.http.app import create_app

KEY = {"x-api-key": "sk-mock-premium"}
BODY = {"agent_config": {"agent_name": "Writer", "model_name": "gpt-4.1"}, "task": "recorded"}
RECORDINGS = """\
exchanges:
  - match: {method: POST, path: /v1/agent/completions, task: recorded, stream: false}
    response: {status: 503, content_type: application/json, body: '{"detail":"upstream was down"}'}
  - match: {method: POST, path: /v1/agent/completions, task: recorded, stream: true}
    response:
      status: 200
      content_type: text/event-stream; charset=utf-8
      frames:
        - {at: 0.0, text: "event: start\\ndata: {}\\n\\n"}
        - {at: 0.3, text: ": ping\\n\\n"}
        - {at: 0.3, text: "event: done\\ndata: {}\\n\\n"}
"""


@pytest.fixture
def client(tmp_path: Path) -> httpx.AsyncClient:
    (tmp_path / "rec.yaml").write_text(RECORDINGS)
    app = create_app(seed=3, fixtures=[tmp_path], max_body_bytes=2048)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sim")


async def test_a_recorded_error_is_replayed_with_its_status(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/agent/completions", headers=KEY, json=BODY)
    assert response.status_code == 503
    assert response.content == b'{"detail":"upstream was down"}'
    assert response.headers["content-length"] == "30"
    assert response.headers["x-ratelimit-tier"] == "premium"  # the simulator's limiter ran


async def test_recorded_frames_keep_their_spacing_and_pings(client: httpx.AsyncClient) -> None:
    began = time.monotonic()
    response = await client.post("/v1/agent/completions", headers=KEY, json={**BODY, "stream": True})
    assert time.monotonic() - began >= 0.3
    assert response.text == "event: start\ndata: {}\n\n: ping\n\nevent: done\ndata: {}\n\n"
    assert response.headers["content-type"] == "text/event-stream; charset=utf-8"


async def test_the_simulators_gates_answer_before_any_recording(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/agent/completions", json=BODY)
    assert response.status_code == 401
    assert response.json()["detail"] != "upstream was down"


async def test_the_body_limit_holds_with_recordings(client: httpx.AsyncClient) -> None:
    big = {**BODY, "padding": "x" * 4096}
    response = await client.post("/v1/agent/completions", headers=KEY, json=big)
    assert response.status_code == 413
    assert response.json() == {"detail": "Request body too large: the limit is 2048 bytes"}


async def test_a_recording_added_while_serving_is_picked_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mockswarms.engine import recordings

    monkeypatch.setattr(recordings, "RELOAD_INTERVAL", 0.0)
    app = create_app(seed=3, fixtures=[tmp_path])  # an empty fixture directory at start
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sim") as client:
        before = await client.get("/v1/models/available")
        (tmp_path / "later.yaml").write_text(
            "exchanges:\n  - match: {method: GET, path: /v1/models/available}\n"
            "    response: {status: 200, body: '{\"recorded\": 1}'}\n"
        )
        after = await client.get("/v1/models/available")
    assert before.json()["success"] is True
    assert after.content == b'{"recorded": 1}'
