"""The outer layer (http/outer.py): store sync, store failure, the 500 handler and the journal in
one frame, in place of Starlette's error layer."""

import asyncio
from typing import Any

import pytest
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.testclient import TestClient

from mockswarms import create_app
from mockswarms.http import endpoints as operations
from mockswarms.http.outer import OuterMiddleware
from mockswarms.state.base import StoreUnavailable

PREMIUM = {"x-api-key": "sk-mock-premium"}


def test_the_outer_layer_replaces_starlettes_error_layer_with_the_apps_500_handler() -> None:
    app = create_app()
    stack = app.build_middleware_stack()
    assert isinstance(stack, OuterMiddleware)
    assert stack.error_handler is app.exception_handlers[Exception]
    layer: Any = stack
    while layer is not None:
        assert not isinstance(layer, ServerErrorMiddleware)
        layer = getattr(layer, "app", None)


def test_an_error_is_journaled_as_500_then_answered_and_raised_for_the_server_log(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def broken(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(operations, "swarm_logs", broken)
    # Re-raised after the answer: uvicorn logs it.
    with TestClient(create_app()) as client, pytest.raises(RuntimeError, match="boom"):
        client.get("/v1/swarm/logs", headers=PREMIUM)
    with TestClient(create_app(), raise_server_exceptions=False) as client:
        reply = client.get("/v1/swarm/logs", headers=PREMIUM)
        assert reply.status_code == 500
        assert reply.headers["content-type"] == "application/json"
        assert reply.json() == {"detail": "An unexpected error occurred: RuntimeError"}
        [entry] = client.get("/__mockswarms/journal").json()["entries"]
    assert (entry["path"], entry["status"], entry["response"]) == ("/v1/swarm/logs", 500, None)


def test_an_error_after_the_response_started_sends_no_second_response() -> None:
    sent: list[dict[str, Any]] = []

    async def half_then_fail(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"part", "more_body": True})
        raise RuntimeError("mid-body")

    async def collect(message: dict[str, Any]) -> None:
        sent.append(message)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    app = create_app(journal_size=0)
    outer = OuterMiddleware(half_then_fail, error_handler=app.exception_handlers[Exception])
    scope = {"type": "http", "method": "GET", "path": "/x", "headers": [], "app": app}
    with pytest.raises(RuntimeError, match="mid-body"):
        asyncio.run(outer(scope, receive, collect))
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]


def test_without_a_handler_the_500_is_starlettes_plain_text() -> None:
    async def fail(scope: Any, receive: Any, send: Any) -> None:
        raise ValueError("x")

    app = create_app(journal_size=0)
    app.middleware_stack = OuterMiddleware(fail)
    reply = TestClient(app, raise_server_exceptions=False).get("/anything")
    assert (reply.status_code, reply.text) == (500, "Internal Server Error")


def test_a_sync_500_handler_is_called_too() -> None:
    def handler(request: Request, exc: Exception) -> Response:
        return Response(f"sync {type(exc).__name__}", status_code=500)

    async def fail(scope: Any, receive: Any, send: Any) -> None:
        raise KeyError("x")

    app = create_app(journal_size=0)
    app.middleware_stack = OuterMiddleware(fail, error_handler=handler)
    reply = TestClient(app, raise_server_exceptions=False).get("/anything")
    assert (reply.status_code, reply.text) == (500, "sync KeyError")


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (
            "/v1/swarm/logs",
            {"detail": "Service temporarily unavailable: the state store is not reachable. Retry shortly."},
        ),
        (
            "/v1/models",
            {
                "error": {
                    "message": "Service temporarily unavailable: the state store is not reachable. "
                    "Retry shortly.",
                    "type": "server_error",
                    "code": "service_unavailable",
                    "param": None,
                }
            },
        ),
    ],
)
def test_a_store_failure_is_a_503_with_retry_after_and_nothing_journaled(
    path: str, body: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app()
    with TestClient(app) as client:
        store = app.state.simulator.store

        async def down(*args: object, **kwargs: object) -> None:
            raise StoreUnavailable("connection refused")

        real_load, real_add = store.load_caller, store.journal_add
        store.load_caller = store.journal_add = down
        reply = client.get(path, headers=PREMIUM)
        store.load_caller, store.journal_add = real_load, real_add
        assert reply.status_code == 503
        assert reply.headers["retry-after"] == "1"
        assert reply.json() == body
        assert client.get("/__mockswarms/journal").json()["entries"] == []
    messages = [r.getMessage() for r in caplog.records if r.name == "mockswarms"]
    assert messages == ["journal entry not stored: connection refused"]


def test_a_store_failure_before_the_app_is_the_same_503_without_a_journal_attempt(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = create_app()
    with TestClient(app) as client:
        simulator = app.state.simulator

        async def down() -> None:
            raise StoreUnavailable("connection refused")

        simulator.ensure_started = down
        reply = client.get("/v1/swarm/logs", headers=PREMIUM)
        assert reply.status_code == 503
        assert reply.headers["retry-after"] == "1"
        assert reply.json()["detail"].startswith("Service temporarily unavailable")
        del simulator.ensure_started
        assert client.get("/__mockswarms/journal").json()["entries"] == []
    messages = [r.getMessage() for r in caplog.records if r.name == "mockswarms"]
    assert messages == ["state store unavailable: connection refused"]


def _drive(app: Any, method: str, path: str, body: bytes = b"") -> int:
    """One request through the raw ASGI interface (no client library and its own objects)."""
    sent: list[dict[str, Any]] = []
    headers = [(b"host", b"127.0.0.1"), (b"x-api-key", b"sk-mock-premium")]
    if body:
        headers += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
    }
    messages = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return int(sent[0]["status"])


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("GET", "/health", b"", 200),
        ("GET", "/nope", b"", 404),
        (
            "POST",
            "/v1/agent/completions",
            b'{"agent_config": {"agent_name": "A", "model_name": "gpt-4o"}, "task": "Say hi."}',
            200,
        ),
    ],
)
def test_a_request_leaves_no_reference_cycle_for_the_garbage_collector(
    method: str, path: str, body: bytes, status: int
) -> None:
    """The capture's seal in the scope made capture -> scope -> seal -> capture a cycle: every
    request's scope, capture and the server's send/receive waited for the collector."""
    import gc

    app = create_app(now="2026-03-01T20:00:00Z")
    assert _drive(app, method, path, body) == status  # warm-up: start-up objects, caches
    gc.collect()
    gc.disable()
    try:
        for _ in range(20):
            assert _drive(app, method, path, body) == status
        assert gc.collect() == 0
    finally:
        gc.enable()
