from collections.abc import Iterator

import httpx
import pytest
from starlette.testclient import TestClient

from mockswarms import create_app
from mockswarms.http import endpoints as operations

PREMIUM = {"x-api-key": "sk-mock-premium"}


@pytest.fixture
def client() -> Iterator[TestClient]:
    yield TestClient(
        create_app(now="2026-03-01T12:00:00Z", max_body_bytes=1000), raise_server_exceptions=False
    )


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


def test_a_bug_of_ours_is_a_500_without_traceback(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
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


def test_response_fuzz_answers_seeded_schema_valid_bodies() -> None:
    import jsonschema_rs

    from mockswarms.contract.strategies import operation_response_schema

    def bodies(seed: int) -> list[object]:
        client = TestClient(create_app(response_fuzz=True, seed=seed))
        return [
            client.post("/v1/agent/completions", json={"task": "x"}, headers=PREMIUM).json() for _ in range(3)
        ]

    first = bodies(4)
    validator = jsonschema_rs.validator_for(operation_response_schema("POST /v1/agent/completions"))
    assert all(validator.is_valid(body) for body in first)
    assert first == bodies(4)  # reproducible for a seed
    assert len({str(b) for b in first}) > 1  # yet varied from call to call


def test_openapi_json_is_the_checked_in_contract_byte_for_byte(client: TestClient) -> None:
    from pathlib import Path

    checked_in = (Path(__file__).resolve().parents[2] / "contracts" / "swarms-api.openapi.json").read_bytes()
    reply = client.get("/openapi.json")
    assert reply.status_code == 200 and reply.content == checked_in


def test_control_api_is_in_the_served_contract_only_when_a_setting_says_so() -> None:
    plain = TestClient(create_app()).get("/openapi.json").json()
    full = TestClient(create_app(control_api_in_contract=True)).get("/openapi.json").json()
    assert not any(path.startswith("/__mockswarms") for path in plain["paths"])
    assert "/__mockswarms/reset" in full["paths"] and "/__mockswarms/clock" in full["paths"]
