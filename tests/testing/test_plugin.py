"""The pytest plugin, exercised the way users meet it: example test files run through ``pytester``.

Plus unit tests of :class:`mockswarms.testing.control.SimulatorControl` in-process and of its assertion
logic against a scripted journal (``httpx.MockTransport``).
"""

from __future__ import annotations

import importlib.metadata
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockswarms.http.app import create_app
from mockswarms.testing.control import ControlError, SimulatorControl
from mockswarms.testing.fault_shorthand import fault_rule

REPO = Path(__file__).resolve().parents[2]
# Until the package is installed (pytest11 entry point), load the plugin explicitly.
INSTALLED = any(ep.name == "mockswarms" for ep in importlib.metadata.entry_points(group="pytest11"))
PLUGIN = [] if INSTALLED else ["-p", "mockswarms.testing.plugin"]

HEADER = """
import os
from decimal import Decimal
import httpx
import pytest
PAYLOAD = {"agent_config": {"agent_name": "A", "model_name": "gpt-4o"}, "task": "hi"}
"""


def run(pytester: pytest.Pytester, source: str, *args: str) -> pytest.RunResult:
    pytester.makepyfile(test_example=HEADER + source)
    return pytester.runpytest(*PLUGIN, "-p", "no:cacheprovider", "-p", "no:randomly", *args)


# -- example test files ---------------------------------------------------------------------------------
def test_happy_path_env_journal_and_domain_assertions(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
def test_agent(mockswarms):
    assert os.environ["SWARMS_API_KEY"] == "sk-mock-premium" == mockswarms.api_key
    assert os.environ["SWARMS_CLIENT_BASE_URL"] == mockswarms.base_url
    assert mockswarms.base_url.startswith("http://127.0.0.1:")
    response = mockswarms.client().post("/v1/agent/completions", json=PAYLOAD)
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "A" and body["success"] is True
    assert len(mockswarms.journal) == 1
    mockswarms.journal.assert_called("/v1/agent/completions", times=1, method="POST")
    assert mockswarms.journal.last_request["response"] == body
    assert mockswarms.assert_agent_ran("A", model="gpt-4o") == [PAYLOAD["agent_config"]]
    mockswarms.assert_charged(str(body["usage"]["total_cost"]))
    with pytest.raises(AssertionError, match="was charged"):
        mockswarms.assert_charged("0")
    with pytest.raises(AssertionError, match="agents seen"):
        mockswarms.assert_agent_ran("A", model="gpt-4.1")
    with pytest.raises(AssertionError, match="1 time"):
        mockswarms.journal.assert_called("/v1/agent/completions", times=2)
""",
    )
    result.assert_outcomes(passed=1)


def test_environment_is_restored_after_the_test(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SWARMS_API_KEY", "outer-key")
    monkeypatch.delenv("SWARMS_CLIENT_BASE_URL", raising=False)
    result = run(
        pytester,
        """
def test_inside(mockswarms):
    assert os.environ["SWARMS_API_KEY"] == "sk-mock-premium"

def test_outside():
    assert os.environ["SWARMS_API_KEY"] == "outer-key"
    assert "SWARMS_CLIENT_BASE_URL" not in os.environ
""",
    )
    result.assert_outcomes(passed=2)


def test_official_sdk(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
from swarms_client import SwarmsClient

def test_sdk_fixture(mockswarms):
    out = mockswarms.sdk().agent.run(agent_config={"agent_name": "Writer", "model_name": "gpt-4o"},
                                     task="Write a haiku")
    assert out["name"] == "Writer"
    assert out["usage"]["total_tokens"] > 0
    mockswarms.assert_agent_ran("Writer", model="gpt-4o")

def test_sdk_from_environment(mockswarms):
    client = SwarmsClient()  # finds SWARMS_API_KEY and SWARMS_CLIENT_BASE_URL
    assert client.health.check()["status"] == "ok"
    mockswarms.journal.assert_called("/health", times=1)
""",
    )
    result.assert_outcomes(passed=2)


def test_plain_requests_code_from_the_api_docs(pytester: pytest.Pytester) -> None:
    # The docs' quick-start, unchanged except that the base URL comes from the environment.
    pytester.makepyfile(
        swarms_quickstart="""
import os
import requests

API_KEY = os.getenv("SWARMS_API_KEY")
BASE_URL = os.getenv("SWARMS_CLIENT_BASE_URL", "https://api.swarms.world")

headers = {"x-api-key": API_KEY, "Content-Type": "application/json"}


def run_single_agent():
    payload = {
        "agent_config": {
            "agent_name": "Research Analyst",
            "description": "An expert in analyzing and synthesizing research data",
            "system_prompt": "You are a Research Analyst with expertise in data analysis and synthesis.",
            "model_name": "gpt-4o-mini",
            "role": "worker",
            "max_loops": 1,
            "max_tokens": 8192,
            "temperature": 1,
            "auto_generate_prompt": False,
            "tools_list_dictionary": None,
        },
        "task": "What are the key trends in renewable energy adoption?",
    }
    response = requests.post(f"{BASE_URL}/v1/agent/completions", headers=headers, json=payload)
    return response.json()
"""
    )
    result = run(
        pytester,
        """
def test_quickstart(mockswarms):
    import swarms_quickstart  # imported inside the test: it reads the environment at import time

    result = swarms_quickstart.run_single_agent()
    assert result["success"] is True
    assert result["name"] == "Research Analyst"
    assert result["outputs"][0]["role"] == "Research Analyst"
    mockswarms.assert_agent_ran("Research Analyst", model="gpt-4o-mini")
    assert mockswarms.journal.last_request["api_key"] != "sk-mock-premium"  # keys are masked
""",
    )
    result.assert_outcomes(passed=1)


def test_async_tests_with_asyncio_and_anyio(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
@pytest.mark.asyncio
async def test_http_async_client(mockswarms):
    async with mockswarms.async_client() as client:
        response = await client.post("/v1/agent/completions", json=PAYLOAD)
    assert response.status_code == 200
    mockswarms.journal.assert_called("/v1/agent/completions", times=1)

@pytest.mark.asyncio
async def test_async_sdk(mockswarms):
    async with mockswarms.async_sdk() as client:
        out = await client.agent.run(agent_config=PAYLOAD["agent_config"], task="hi")
    assert out["name"] == "A"

@pytest.fixture
def anyio_backend():
    return "asyncio"

@pytest.mark.anyio
async def test_in_process_transport(mockswarms_transport, mockswarms_app):
    async with httpx.AsyncClient(transport=mockswarms_transport, base_url="http://mockswarms.test",
                                 headers={"x-api-key": mockswarms_app.api_key}) as client:
        response = await client.post("/v1/agent/completions", json=PAYLOAD)
    assert response.status_code == 200
    assert len(mockswarms_app.journal) == 1
""",
    )
    result.assert_outcomes(passed=3)


def test_in_process_fixture_without_a_port(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
def test_sync_clients(mockswarms_app):
    assert mockswarms_app.app.state.simulator is not None
    response = mockswarms_app.client().post("/v1/agent/completions", json=PAYLOAD)
    assert response.status_code == 200
    out = mockswarms_app.sdk().agent.run(agent_config={"agent_name": "B", "model_name": "gpt-4o"}, task="x")
    assert out["name"] == "B"
    assert [e["status"] for e in mockswarms_app.journal] == [200, 200]
    mockswarms_app.assert_charged(Decimal(str(response.json()["usage"]["total_cost"]))
                                  + Decimal(str(out["usage"]["total_cost"])))

def test_next_test_starts_clean(mockswarms_app):
    assert len(mockswarms_app.journal) == 0
    assert mockswarms_app.balance() == Decimal("100")
""",
    )
    result.assert_outcomes(passed=2)


def test_xdist_runs_one_server_per_worker(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    out = pytester.path / "seen.jsonl"
    pytester.makepyfile(
        test_example=HEADER
        + f"""
@pytest.mark.parametrize("n", range(6))
def test_worker(mockswarms, n):
    mockswarms.client().post("/v1/agent/completions", json=PAYLOAD)
    assert len(mockswarms.journal) == 1  # reset per test, whatever else the worker ran
    with open({str(out)!r}, "a") as f:
        f.write(json.dumps([os.environ["PYTEST_XDIST_WORKER"], mockswarms.base_url]) + "\\n")
import json
"""
    )
    result = pytester.runpytest_subprocess(*PLUGIN, "-p", "no:cacheprovider", "-n", "2")
    result.assert_outcomes(passed=6)
    seen = [json.loads(line) for line in out.read_text().splitlines()]
    urls: dict[str, set[str]] = {}
    for worker, url in seen:
        urls.setdefault(worker, set()).add(url)
    assert len(urls) == 2
    assert all(len(u) == 1 for u in urls.values())
    assert len(set.union(*urls.values())) == 2


def test_marker_configures_one_test_and_is_undone(pytester: pytest.Pytester) -> None:
    pytester.mkdir("fx")
    result = run(
        pytester,
        """
from datetime import datetime, timezone
from mockswarms.testing.control import ControlError

@pytest.mark.mockswarms(profile="legacy", seed=7, now="2026-01-01T12:00:00Z", fixtures="fx",
                        accounts=[{"key": "sk-team", "tier": "premium", "credit": "5.00"}])
def test_marked(mockswarms, request):
    settings = mockswarms.settings
    assert settings["profile"] == "legacy" and settings["seed"] == 7
    assert settings["fixtures"] == [str(request.path.parent / "fx")]
    assert mockswarms.clock.now == datetime(2026, 1, 1, 12, tzinfo=timezone.utc)
    assert mockswarms.clock.frozen
    assert mockswarms.account("sk-team")["credit"] == Decimal("5")
    assert mockswarms.account("sk-mock-premium")["tier"] == "premium"  # built-ins are kept
    body = mockswarms.client().post("/v1/agent/completions", json=PAYLOAD).json()
    assert body["timestamp"].startswith("2026-01-01T12:00:00")
    assert "id" in body  # the legacy profile's extra field

def test_unmarked(mockswarms):
    settings = mockswarms.settings
    assert settings["profile"] == "docs" and settings["seed"] == 0 and settings["now"] is None
    with pytest.raises(ControlError, match="404"):
        mockswarms.account("sk-team")

@pytest.mark.mockswarms(seed=1)
class TestClassMarker:
    @pytest.mark.mockswarms(profile="prism")
    def test_closest_wins_and_merges(self, mockswarms):
        assert mockswarms.settings["seed"] == 1
        assert mockswarms.settings["profile"] == "prism"
""",
    )
    result.assert_outcomes(passed=3)


def test_session_options_from_cli_and_ini(pytester: pytest.Pytester) -> None:
    pytester.makeini("""
[pytest]
mockswarms_profile = legacy
mockswarms_set =
    rate_limit_scale=0.5
    journal_size=50
""")
    result = run(
        pytester,
        """
def test_settings(mockswarms):
    s = mockswarms.settings
    assert (s["profile"], s["seed"], s["rate_limit_scale"], s["journal_size"]) == ("legacy", 5, 0.5, 7)
    assert s["now"].startswith("2026-02-03T04:05:06")
""",
        "--mockswarms-seed=5",
        "--mockswarms-now=2026-02-03T04:05:06Z",
        "--mockswarms-set",
        "journal_size=7",
    )
    result.assert_outcomes(passed=1)


def test_reset_isolation_between_tests(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
def test_dirty(mockswarms):
    mockswarms.set_account("sk-mock-premium", credit="3.00")
    mockswarms.set_account("sk-new", tier="free", free_credit=2)
    mockswarms.inject_fault(path="/v1/agent/completions", status=503)
    mockswarms.clock.freeze("2030-01-01T00:00:00Z")
    assert mockswarms.client().post("/v1/agent/completions", json=PAYLOAD).status_code == 503

def test_clean(mockswarms):
    assert len(mockswarms.journal) == 0
    assert mockswarms.balance() == Decimal("100")
    assert [a["key"] for a in mockswarms.accounts()] == ["sk-mock-free", "sk-mock-premium", "sk-mock-broke"]
    assert mockswarms.faults == []
    assert not mockswarms.clock.frozen and mockswarms.clock.now.year < 2030
    assert mockswarms.client().post("/v1/agent/completions", json=PAYLOAD).status_code == 200
""",
    )
    result.assert_outcomes(passed=2)


def test_hypothesis_examples_are_isolated(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
from hypothesis import HealthCheck, given, settings, strategies as st

@settings(max_examples=8, deadline=None)
@given(n=st.integers(min_value=1, max_value=3))
def test_session_fixture(mockswarms_session, n):
    with mockswarms_session.isolated():
        client = mockswarms_session.client()
        for _ in range(n):
            assert client.post("/v1/agent/completions", json=PAYLOAD).status_code == 200
        assert len(mockswarms_session.journal) == n

@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(credit=st.decimals(min_value=2, max_value=50, places=2))
def test_function_fixture_reset_per_example(mockswarms, credit):
    mockswarms.reset()
    mockswarms.set_account("sk-mock-premium", credit=credit)
    body = mockswarms.client().post("/v1/agent/completions", json=PAYLOAD).json()
    mockswarms.assert_charged(str(body["usage"]["total_cost"]))
    assert len(mockswarms.journal) == 1
""",
    )
    result.assert_outcomes(passed=2)


def test_402_for_an_account_without_credit(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
def test_broke(mockswarms):
    response = mockswarms.client(mockswarms.broke_key).post("/v1/agent/completions", json=PAYLOAD)
    assert response.status_code == 402
    assert "x-ratelimit-tier" not in response.headers
    mockswarms.assert_charged(0, key=mockswarms.broke_key)

def test_drained(mockswarms):
    mockswarms.set_account("sk-mock-premium", credit="1.00")  # at or below $1.00 → 402
    assert mockswarms.client().post("/v1/agent/completions", json=PAYLOAD).status_code == 402
    mockswarms.journal.assert_called("/v1/agent/completions", times=1, status=402)
""",
    )
    result.assert_outcomes(passed=2)


def test_429_and_retry_after(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
@pytest.mark.mockswarms(now="2026-01-01T12:00:00Z")
def test_rate_limited(mockswarms):
    mockswarms.set_account("sk-mock-premium", limits={"minute": 1})
    client = mockswarms.client()
    assert client.post("/v1/agent/completions", json=PAYLOAD).status_code == 200
    limited = client.post("/v1/agent/completions", json=PAYLOAD)
    assert limited.status_code == 429
    assert limited.headers["x-ratelimit-remaining-minute"] == "0"
    wait = int(limited.headers["retry-after"])
    assert 0 < wait <= 60
    mockswarms.clock.advance(seconds=wait)  # instead of sleeping
    assert client.post("/v1/agent/completions", json=PAYLOAD).status_code == 200

def test_sdk_retries_an_injected_429(mockswarms):
    mockswarms.inject_fault(path="/v1/agent/completions", status=429, retry_after=1, times=1)
    out = mockswarms.sdk().agent.run(agent_config=PAYLOAD["agent_config"], task="hi")
    assert out["name"] == "A"
    assert [e["status"] for e in mockswarms.journal] == [429, 200]
    assert mockswarms.assert_retry_after_honoured() == 1

def test_impatient_client_is_caught(mockswarms):
    mockswarms.inject_fault(path="/v1/agent/completions", status=429, retry_after=30, times=1)
    client = mockswarms.client()
    client.post("/v1/agent/completions", json=PAYLOAD)
    client.post("/v1/agent/completions", json=PAYLOAD)  # no wait at all
    with pytest.raises(AssertionError, match="Retry-After: 30"):
        mockswarms.assert_retry_after_honoured()
""",
    )
    result.assert_outcomes(passed=3)


def test_streaming(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
def test_sse(mockswarms):
    with mockswarms.client().stream("POST", "/v1/agent/completions", json={**PAYLOAD, "stream": True}) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        events = [line[len("event: "):] for line in r.iter_lines() if line.startswith("event: ")]
    assert events[0] == "start"
    assert set(events[1:-3]) == {"chunk"}
    assert events[-3:] == ["usage", "end", "done"]
    assert mockswarms.balance() < Decimal("100")  # billed before the first frame
""",
    )
    result.assert_outcomes(passed=1)


def test_faults_by_helper_and_by_marker(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
def test_helper(mockswarms):
    fault_id = mockswarms.inject_fault(path="/v1/agent/completions", status=503, times=1)
    client = mockswarms.client()
    assert client.post("/v1/agent/completions", json=PAYLOAD).status_code == 503
    assert client.post("/v1/agent/completions", json=PAYLOAD).status_code == 200
    assert [e["fault_rule"] for e in mockswarms.journal] == [fault_id, None]
    mockswarms.remove_fault(fault_id)
    assert mockswarms.faults == []

@pytest.mark.mockswarms(faults=[{"match": {"path": "/v1/*"}, "action": {"type": "error", "status": 500}}])
def test_marker(mockswarms):
    assert mockswarms.client().post("/v1/agent/completions", json=PAYLOAD).status_code == 500
    assert mockswarms.client().get("/health").status_code == 200
""",
    )
    result.assert_outcomes(passed=2)


# -- SimulatorControl in-process, without the plugin ---------------------------------------------------
@pytest.fixture
def control() -> Iterator[SimulatorControl]:
    ctl = SimulatorControl.in_process(create_app(seed=3))
    ctl.reset()
    yield ctl
    ctl.close()


def test_clock_helpers(control: SimulatorControl) -> None:
    frozen = control.clock.freeze("2026-05-01T10:00:00+02:00")
    assert frozen.isoformat() == "2026-05-01T08:00:00+00:00"
    assert control.clock.advance(minutes=2, seconds=3).isoformat() == "2026-05-01T08:02:03+00:00"
    control.clock.sleep(7)
    assert control.clock.now.isoformat() == "2026-05-01T08:02:10+00:00"
    assert control.clock.set("2026-06-01T00:00:00Z").isoformat() == "2026-06-01T00:00:00+00:00"
    assert control.clock.frozen is True
    control.clock.unfreeze()
    assert control.clock.frozen is False


def test_set_account_is_exact_and_becomes_the_charge_baseline(control: SimulatorControl) -> None:
    account = control.set_account("sk-team", tier="premium", credit=Decimal("12.345678"), user_id="team")
    assert (account["key"], account["user_id"], account["tier"]) == ("sk-team", "team", "premium")
    assert account["total_credits"] == Decimal("12.345678")
    body = (
        control.client("sk-team")
        .post(
            "/v1/agent/completions",
            json={"agent_config": {"agent_name": "A", "model_name": "gpt-4o"}, "task": "hi"},
        )
        .json()
    )
    drop = control.assert_charged(str(body["usage"]["total_cost"]), key="sk-team")
    assert control.balance("sk-team") == Decimal("12.345678") - drop
    control.assert_charged(0)  # the premium key was not touched


def test_control_errors_carry_the_status(control: SimulatorControl) -> None:
    with pytest.raises(ControlError) as info:
        control.configure(profile="nonsense")
    assert info.value.status_code == 422
    with pytest.raises(TypeError, match="needs a rule"):
        control.inject_fault(path="/x")


def test_fault_shorthand_translates_to_rule_dicts() -> None:
    rule = fault_rule(
        "/v1/swarm/*", "post", 429, None, 2, None, None, 1, None, None, None, None, {"model": "gpt-4o"}
    )
    assert rule == {
        "match": {"path": "/v1/swarm/*", "method": "POST", "model": "gpt-4o"},
        "selector": {"first_n": 1},
        "action": {"type": "error", "status": 429, "retry_after": 2},
    }
    latency = fault_rule(None, None, None, None, None, 0.5, None, None, 2, None, 0.25, "slow", {})
    assert latency == {
        "match": {},
        "selector": {"after_n": 2, "probability": 0.25},
        "action": {"type": "latency", "seconds": 0.5},
        "id": "slow",
    }
    reset = fault_rule(
        None, None, None, None, None, None, "sse_disconnect", None, None, 3, None, None, {"after_events": 2}
    )
    assert reset["action"] == {"type": "sse_disconnect", "after_events": 2}
    assert reset["selector"] == {"every_nth": 3}


# -- assertion logic against a scripted journal ----------------------------------------------------------
def _scripted(entries: list[dict[str, Any]], faults: list[dict[str, Any]] | None = None) -> SimulatorControl:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/journal"):
            return httpx.Response(200, json={"entries": entries})
        if request.url.path.endswith("/faults"):
            return httpx.Response(200, json={"faults": faults or []})
        return httpx.Response(404, json={"detail": "Not Found"})

    return SimulatorControl("http://sim.test", transport=httpx.MockTransport(handler))


def _entry(
    i: int,
    status: int,
    at: float,
    *,
    key: str = "sk-m…mium",
    path: str = "/v1/agent/completions",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "id": i,
        "method": "POST",
        "path": path,
        "status": status,
        "api_key": key,
        "received_at": at,
        "simulated_at": "2026-01-01T00:00:00+00:00",
        "fault_rule": None,
        "body": None,
        **extra,
    }


def test_retry_after_checks_wall_and_simulated_gaps() -> None:
    ok = _scripted([_entry(1, 429, 100.0, retry_after=2), _entry(2, 200, 102.0)])
    assert ok.assert_retry_after_honoured() == 1
    early = _scripted([_entry(1, 429, 100.0, retry_after=2), _entry(2, 200, 101.5)])
    with pytest.raises(AssertionError, match=r"came 1\.500 s .* Retry-After: 2"):
        early.assert_retry_after_honoured()
    # The client "slept" by advancing the simulated clock: fine too.
    advanced = _scripted(
        [
            _entry(1, 429, 100.0, retry_after=30),
            _entry(2, 200, 100.1, simulated_at="2026-01-01T00:00:30+00:00"),
        ]
    )
    assert advanced.assert_retry_after_honoured() == 1
    # Only the next request with the same key and path counts as the retry.
    other = _scripted(
        [
            _entry(1, 429, 100.0, retry_after=5),
            _entry(2, 200, 100.1, key="sk-m…free"),
            _entry(3, 200, 100.2, path="/health"),
            _entry(4, 200, 105.0),
        ]
    )
    assert other.assert_retry_after_honoured() == 1
    none = _scripted([_entry(1, 200, 100.0)])
    with pytest.raises(AssertionError, match="at least 1 retried"):
        none.assert_retry_after_honoured()
    assert none.assert_retry_after_honoured(min_retries=0) == 0


def test_retry_after_of_an_injected_429_comes_from_its_rule() -> None:
    rule = {
        "id": "r1",
        "match": {},
        "selector": {},
        "action": {"type": "error", "status": 429, "retry_after": 3},
    }
    control = _scripted([_entry(1, 429, 10.0, fault_rule="r1"), _entry(2, 200, 12.0)], [rule])
    with pytest.raises(AssertionError, match="Retry-After: 3"):
        control.assert_retry_after_honoured()


def test_agent_ran_searches_swarms_and_batches_and_skips_failures() -> None:
    swarm = {
        "name": "s",
        "agents": [
            {"agent_name": "Planner", "model_name": "gpt-4o"},
            {"agent_name": "Critic", "model_name": "claude-sonnet-4"},
        ],
    }
    batch = [{"agent_config": {"agent_name": "Batcher", "model_name": "gpt-4o-mini"}, "task": "x"}]
    control = _scripted(
        [
            _entry(1, 200, 1.0, path="/v1/swarm/completions", body=swarm),
            _entry(2, 200, 2.0, path="/v1/agent/batch/completions", body=batch),
            _entry(3, 503, 3.0, body={"agent_config": {"agent_name": "Failed", "model_name": "gpt-4o"}}),
        ]
    )
    assert control.assert_agent_ran("Critic", model="claude-sonnet-4") == [swarm["agents"][1]]
    control.assert_agent_ran("Batcher")
    with pytest.raises(AssertionError, match="Failed/gpt-4o"):
        control.assert_agent_ran("Failed")
    with pytest.raises(AssertionError):
        control.assert_agent_ran("Planner", model="gpt-4.1")


def test_journal_sequence_protocol() -> None:
    control = _scripted(
        [
            _entry(1, 200, 1.0),
            _entry(2, 404, 2.0, path="/nope"),
            _entry(3, 200, 3.0, path="/__mockswarms/reset"),
        ]
    )
    journal = control.journal
    assert len(journal) == 2  # control-API calls are not part of the journal
    assert [e["id"] for e in journal] == [1, 2]
    assert journal[-1]["path"] == "/nope" and journal[0:1][0]["id"] == 1
    assert journal.last_request == journal[1]
    assert journal.requests(status=404) == [journal[1]]
    journal.assert_not_called("/health")
    with pytest.raises(AssertionError, match=r"GET /nope was requested 0 time\(s\), expected 1"):
        journal.assert_called("/nope", times=1, method="GET")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--mockswarms-profile", "nope"],
            "ERROR: mockswarms: command line: profile: unknown profile 'nope' "
            "(choose from docs, prism, legacy, client-0.1.6, docs-2025)",
        ),
        (["--mockswarms-set", "nonsense"], "ERROR: --mockswarms-set expects KEY=VALUE, got 'nonsense'"),
        (
            ["--mockswarms-seed", "abc"],
            "ERROR: mockswarms: command line: seed: Input should be a valid integer, "
            "unable to parse string as an integer",
        ),
    ],
)
def test_a_bad_session_option_is_a_usage_error(
    pytester: pytest.Pytester, args: list[str], message: str
) -> None:
    """Each test using the simulator errored with the plugin's traceback, and pytest exited 1."""
    pytester.makepyfile(test_example=HEADER + "def test_agent(mockswarms):\n    pass\n")
    result = pytester.runpytest_subprocess(*PLUGIN, "-p", "no:cacheprovider", *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert result.stderr.lines[0] == message
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
