from collections.abc import Iterator

import httpx
import pytest
from starlette.testclient import TestClient

from mockswarms import create_app, operations

PREMIUM = {"x-api-key": "sk-mock-premium"}


@pytest.fixture
def client() -> Iterator[TestClient]:
    yield TestClient(create_app(now="2026-03-01T12:00:00Z", max_body_bytes=1000), raise_server_exceptions=False)


def test_body_over_the_cap_is_413_by_content_length(client: TestClient) -> None:
    reply = client.post("/v1/agent/completions", content=b"{" + b" " * 2000 + b"}", headers=PREMIUM)
    assert reply.status_code == 413
    assert reply.json() == {"detail": "Request body too large: the limit is 1000 bytes"}


def test_body_over_the_cap_is_413_when_streamed_without_length(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(30):
            yield b" " * 100

    reply = client.post("/v1/agent/completions", content=chunks(), headers=PREMIUM)
    assert reply.status_code == 413


def test_a_bug_of_ours_is_a_500_without_traceback(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(*args: object) -> None:
        raise RuntimeError("boom at /secret/path.py line 3")

    monkeypatch.setattr(operations, "swarm_logs", broken)
    app = create_app()
    reply = TestClient(app, raise_server_exceptions=False).get("/v1/swarm/logs", headers=PREMIUM)
    assert reply.status_code == 500
    assert reply.json() == {"detail": "An unexpected error occurred: RuntimeError"}


async def test_in_process_without_lifespan_starts_lazily() -> None:
    app = create_app(now="2026-03-01T12:00:00Z")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        reply = await c.get("/v1/account/credits", headers=PREMIUM)
    assert reply.json()["total_credits"] == 100.0


def test_unknown_path_and_wrong_method(client: TestClient) -> None:
    assert client.get("/v2/whatever").json() == {"detail": "Not Found"}
    reply = client.get("/v1/agent/completions", headers=PREMIUM)
    assert (reply.status_code, reply.json()) == (405, {"detail": "Method Not Allowed"})
    chat = client.get("/v1/chat/completions", headers=PREMIUM)
    assert chat.status_code == 405 and chat.json()["error"]["type"] == "invalid_request_error"
