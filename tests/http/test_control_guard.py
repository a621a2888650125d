"""Issue #13 item 6: the control API is not open to CSRF or DNS rebinding (through real uvicorn).

A cross-origin "simple" POST (text/plain, foreign Origin) must not reset state or install a fault; a
request whose Host is a foreign name (a rebound DNS name pointing at 127.0.0.1) must not list keys.
"""

from __future__ import annotations

import httpx
import pytest

from mockswarms.testing.server import RunningServer, serve

NOW = "2026-07-15T21:00:00Z"


@pytest.fixture
def server(control_server: RunningServer) -> RunningServer:
    return control_server  # tests/http/conftest.py: one real server per module


@pytest.fixture
def client(control_client: httpx.Client) -> httpx.Client:
    return control_client  # settings and state put back after each test


def faults(client: httpx.Client) -> list[object]:
    return list(client.get("/__mockswarms/faults").json()["faults"])


def test_cross_origin_simple_post_cannot_reset(client: httpx.Client) -> None:
    client.put("/__mockswarms/clock", json={"advance_seconds": 60})
    before = client.get("/__mockswarms/clock").json()
    response = client.post(
        "/__mockswarms/reset",
        content=b"{}",
        headers={"Content-Type": "text/plain", "Origin": "http://evil.example"},
    )
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Cross-origin requests to the control API are refused (Origin 'http://evil.example')"
    }
    assert client.get("/__mockswarms/clock").json() == before


def test_cross_origin_post_cannot_install_a_fault(client: httpx.Client) -> None:
    rule = b'{"id": "evil", "match": {}, "action": {"status": 500}}'
    response = client.post(
        "/__mockswarms/faults",
        content=rule,
        headers={"Content-Type": "application/json", "Origin": "https://evil.example"},
    )
    assert response.status_code == 403
    assert faults(client) == []


def test_a_text_plain_write_is_415_even_without_origin(client: httpx.Client) -> None:
    response = client.post(
        "/__mockswarms/faults",
        content=b'{"id": "x", "match": {}, "action": {"status": 500}}',
        headers={"Content-Type": "text/plain"},
    )
    assert response.status_code == 415
    assert response.json() == {
        "detail": "The control API takes JSON bodies only: send 'Content-Type: application/json' "
        "(got 'text/plain')"
    }
    assert faults(client) == []


def test_a_rebound_host_name_cannot_list_keys(client: httpx.Client) -> None:
    response = client.get("/__mockswarms/accounts", headers={"Host": "attacker-rebound.example"})
    assert response.status_code == 403
    assert "sk-mock" not in response.text
    assert response.json()["detail"].startswith(
        "The control API only answers requests addressed to this server by a local name"
    )


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "[::1]", "LOCALHOST"])
def test_local_host_names_with_port_are_accepted(
    client: httpx.Client, server: RunningServer, host: str
) -> None:
    response = client.get("/__mockswarms/clock", headers={"Host": f"{host}:{server.port}"})
    assert response.status_code == 200


def test_same_origin_json_writes_and_bodyless_writes_work(
    client: httpx.Client, server: RunningServer
) -> None:
    same = {"Origin": server.base_url}
    assert client.put("/__mockswarms/clock", json={"advance_seconds": 1}, headers=same).status_code == 200
    assert client.post("/__mockswarms/fixtures/reload").status_code == 200
    assert client.delete("/__mockswarms/journal").status_code == 200


def test_the_dashboard_pages_check_the_host_too(client: httpx.Client) -> None:
    page = client.get("/__mockswarms/ui/", headers={"Host": "attacker-rebound.example"})
    assert page.status_code == 403
    assert client.get("/__mockswarms/ui/").status_code == 200


def test_public_api_is_not_affected(client: httpx.Client) -> None:
    response = client.get("/health", headers={"Host": "anything.example", "Origin": "http://evil.example"})
    assert response.json() == {"status": "ok"}


def test_with_an_admin_token_any_host_name_is_fine_but_origin_still_counts() -> None:
    with serve(now=NOW, admin_token="s3cret-token") as server, httpx.Client(base_url=server.base_url) as c:
        auth = {"Authorization": "Bearer s3cret-token"}
        assert c.get("/__mockswarms/clock", headers={**auth, "Host": "my-box.lan:8000"}).status_code == 200
        refused = c.post("/__mockswarms/reset", json={}, headers={**auth, "Origin": "http://evil.example"})
        assert refused.status_code == 403


@pytest.mark.parametrize(
    "origin_suffix", [".evil.com", "x", ":99999999"], ids=["port-then-name", "port-not-a-number", "port-huge"]
)
def test_an_origin_with_a_malformed_port_is_403_not_500(
    client: httpx.Client, server: RunningServer, origin_suffix: str
) -> None:
    origin = f"http://127.0.0.1:{server.port}{origin_suffix}"
    response = client.get("/__mockswarms/settings", headers={"Origin": origin})
    assert response.status_code == 403
    assert response.json() == {
        "detail": f"Cross-origin requests to the control API are refused (Origin {origin!r})"
    }


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1:80@evil.com",
        "127.0.0.1:{port}, evil.com",
        "localhost:{port}/x",
        "127.0.0.1:{port}:1",
        "::1",
    ],
)
def test_a_malformed_host_is_403(client: httpx.Client, server: RunningServer, host: str) -> None:
    sent = host.format(port=server.port)
    response = client.get("/__mockswarms/accounts", headers={"Host": sent})
    assert response.status_code == 403
    assert "sk-mock" not in response.text
    assert response.json() == {
        "detail": "The control API only answers requests addressed to this server by a local name "
        f"(Host {sent!r} is not localhost, 127.0.0.1, ::1 or the configured host)"
    }


def test_with_an_admin_token_a_malformed_host_or_origin_port_is_not_a_500() -> None:
    with serve(now=NOW, admin_token="s3cret-token") as server, httpx.Client(base_url=server.base_url) as c:
        auth = {"Authorization": "Bearer s3cret-token"}
        same = {"Origin": f"http://127.0.0.1:{server.port}"}
        odd_host = c.get("/__mockswarms/clock", headers={**auth, **same, "Host": "127.0.0.1:http"})
        assert odd_host.status_code == 403
        assert odd_host.json()["detail"].startswith("Cross-origin requests to the control API are refused")
