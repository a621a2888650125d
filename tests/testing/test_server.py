"""serve(): a real simulator on a loopback port in a background thread."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest

from mockswarms.config import load_settings
from mockswarms.testing.server import RunningServer, ServerStartError, serve

AGENT = {"agent_config": {"agent_name": "A", "model_name": "gpt-4o"}, "task": "hi"}


def _refused(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) != 0


def test_serves_on_a_free_loopback_port_and_stops_cleanly() -> None:
    threads_before = {t.name for t in threading.enumerate()}
    started = time.perf_counter()
    with serve() as server:
        elapsed = time.perf_counter() - started
        assert isinstance(server, RunningServer)
        assert server.host == "127.0.0.1"
        assert server.port > 0
        assert server.base_url == f"http://127.0.0.1:{server.port}"
        assert server.settings.port == server.port
        assert server.app.state.simulator.settings.port == server.port
        response = httpx.get(server.url("/health"))
        assert response.status_code == 200
        port = server.port
    assert elapsed < 1.0, f"start-up took {elapsed:.3f} s"
    assert _refused(port)
    # The server thread is gone: nothing keeps running after the block.
    assert {t.name for t in threading.enumerate()} - threads_before == set()


def test_answers_an_agent_completion_with_the_built_in_premium_key() -> None:
    with serve(seed=1, now="2026-01-01T12:00:00Z") as server:
        response = httpx.post(
            server.url("/v1/agent/completions"), json=AGENT, headers={"x-api-key": "sk-mock-premium"}
        )
    assert response.status_code == 200
    body = response.json()
    assert list(body) == [
        "job_id",
        "success",
        "name",
        "description",
        "temperature",
        "outputs",
        "usage",
        "timestamp",
    ]
    assert body["success"] is True
    assert body["name"] == "A"
    assert body["timestamp"].startswith("2026-01-01T12:00:00")
    assert body["usage"]["total_tokens"] == body["usage"]["input_tokens"] + body["usage"]["output_tokens"]


def test_same_seed_and_clock_give_byte_identical_bodies_across_servers() -> None:
    bodies = []
    for _ in range(2):
        with serve(seed=42, now="2026-03-01T00:00:00Z") as server:
            bodies.append(
                httpx.post(
                    server.url("/v1/agent/completions"), json=AGENT, headers={"x-api-key": "sk-mock-premium"}
                ).content
            )
    assert bodies[0] == bodies[1]


def test_overrides_apply_on_top_of_given_settings() -> None:
    base = load_settings({"profile": "legacy", "seed": 3}, environ={})
    with serve(base, seed=9) as server:
        assert server.settings.profile == "legacy"
        assert server.settings.seed == 9
        assert server.settings.agent_batch_shape == "list"  # the legacy preset survived the override
        remote = httpx.get(server.url("/__mockswarms/settings")).json()
    assert remote["profile"] == "legacy"
    assert remote["seed"] == 9


def test_keyword_overrides_build_settings_without_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOCKSWARMS_SEED", "999")
    with serve(profile="prism") as server:
        assert server.settings.profile == "prism"
        assert server.settings.seed == 0
        assert server.settings.accept_any_key is True


def test_two_servers_run_side_by_side_with_separate_state() -> None:
    with serve() as first, serve() as second:
        assert first.port != second.port
        httpx.post(first.url("/v1/agent/completions"), json=AGENT, headers={"x-api-key": "sk-mock-premium"})
        first_journal = httpx.get(first.url("/__mockswarms/journal")).json()["entries"]
        second_journal = httpx.get(second.url("/__mockswarms/journal")).json()["entries"]
    assert [e["path"] for e in first_journal] == ["/v1/agent/completions"]
    assert second_journal == []


def test_explicit_port_is_used() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with serve(port=port) as server:
        assert server.port == port
        assert httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200


def test_busy_port_raises_before_starting() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(OSError), serve(port=port):
            pass


def test_failed_lifespan_start_up_is_reported() -> None:
    # Nothing listens on port 1: the redis store cannot connect, so the app's start-up fails.
    started = time.perf_counter()
    with pytest.raises(ServerStartError), serve(store="redis://127.0.0.1:1/0"):
        pass
    assert time.perf_counter() - started < 10


def test_control_helper_is_bound_to_the_server_and_closed_on_exit() -> None:
    with serve() as server:
        control = server.control()
        assert control.base_url == server.base_url
        control.clock.freeze("2026-01-01T00:00:00Z")
        assert control.clock.now.isoformat() == "2026-01-01T00:00:00+00:00"
    assert control._http.is_closed


def test_exception_in_the_block_still_stops_the_server() -> None:
    port = 0
    with pytest.raises(RuntimeError, match="boom"), serve() as server:
        port = server.port
        raise RuntimeError("boom")
    assert _refused(port)
