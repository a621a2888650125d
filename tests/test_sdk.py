"""The official ``swarms_client`` SDK in strict response validation mode, against a real server.

A sync ``httpx.Client`` cannot drive ``httpx.ASGITransport`` (async only), so each profile runs on a
loopback port via ``mockswarms.testing.server.serve``. Every public method of the SDK is called — the list is
enumerated from the installed package, so a method added by an SDK upgrade fails the coverage test.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import swarms_client
from pydantic import TypeAdapter
from swarms_client.types import AgentSpecParam

from mockswarms.shapes import responses as rm
from mockswarms.testing.server import RunningServer, serve

NOW = "2026-03-01T20:00:00Z"
RESEARCHER: AgentSpecParam = {
    "agent_name": "Researcher",
    "description": "Finds facts",
    "system_prompt": "You research.",
    "model_name": "gpt-4o",
    "max_tokens": 500,
    "temperature": 0.3,
    "role": "worker",
    "max_loops": 1,
}
WRITER: AgentSpecParam = {"agent_name": "Writer", "description": "Writes", "model_name": "gpt-4o-mini"}

Call = Callable[[swarms_client.SwarmsClient], Any]

# Method path → (docs-profile call with realistic arguments, prism call with {}-style minimal arguments).
CALLS: dict[str, tuple[Call, Call]] = {
    "get_root": (lambda c: c.get_root(), lambda c: c.get_root()),
    "health.check": (lambda c: c.health.check(), lambda c: c.health.check()),
    "agent.run": (
        lambda c: c.agent.run(
            agent_config=RESEARCHER,
            task="Summarize the history of solar power.",
            history=[{"role": "user", "content": "Keep it short."}],
            stream=False,
        ),
        lambda c: c.agent.run(),
    ),
    "agent.batch.run": (
        lambda c: c.agent.batch.run(
            body=[{"agent_config": RESEARCHER, "task": "One"}, {"agent_config": WRITER, "task": "Two"}]
        ),
        lambda c: c.agent.batch.run(body=[{}]),
    ),
    "swarms.run": (
        lambda c: c.swarms.run(
            name="Desk",
            description="Research then write",
            swarm_type="SequentialWorkflow",
            agents=[RESEARCHER, WRITER],
            task="Assess battery storage.",
            max_loops=1,
            service_tier="standard",
        ),
        lambda c: c.swarms.run(),
    ),
    "swarms.batch.run": (
        lambda c: c.swarms.batch.run(
            body=[
                {
                    "name": "A",
                    "swarm_type": "ConcurrentWorkflow",
                    "agents": [RESEARCHER, WRITER],
                    "task": "x",
                },
                {"name": "B", "swarm_type": "HiearchicalSwarm", "agents": [RESEARCHER, WRITER], "task": "y"},
            ]
        ),
        lambda c: c.swarms.batch.run(body=[{}]),
    ),
    "swarms.check_available": (lambda c: c.swarms.check_available(), lambda c: c.swarms.check_available()),
    "swarms.get_logs": (lambda c: c.swarms.get_logs(), lambda c: c.swarms.get_logs()),
    "models.list_available": (lambda c: c.models.list_available(), lambda c: c.models.list_available()),
    "client.rate.get_limits": (lambda c: c.client.rate.get_limits(), lambda c: c.client.rate.get_limits()),
}

_NOT_METHODS = {
    "with_raw_response",
    "with_streaming_response",
    "copy",
    "with_options",
    "close",
    "is_closed",
    "get",
    "post",
    "put",
    "patch",
    "delete",
    "request",
    "get_api_list",
    "platform_headers",
    "auth_headers",
    "default_headers",
    "default_query",
    "custom_auth",
    "qs",
    "user_agent",
    "base_url",
    "timeout",
    "max_retries",
    "api_key",
}


def sdk_methods(client: swarms_client.SwarmsClient) -> set[str]:
    """Every API method reachable from the client, as dotted paths (resources are walked recursively)."""
    found: set[str] = set()

    def walk(obj: Any, prefix: str) -> None:
        for name in dir(obj):
            if name.startswith("_") or name in _NOT_METHODS:
                continue
            value = getattr(obj, name)
            if isinstance(value, swarms_client._resource.SyncAPIResource):
                walk(value, f"{prefix}{name}.")
            elif inspect.ismethod(value) and not isinstance(value, type):
                found.add(prefix + name)

    walk(client, "")
    return found


@pytest.fixture(scope="module")
def docs_server() -> Iterator[RunningServer]:
    with serve(seed=1, now=NOW) as server:
        yield server


@pytest.fixture(scope="module")
def prism_server() -> Iterator[RunningServer]:
    with serve(profile="prism", seed=1, now=NOW) as server:
        yield server


def sdk(server: RunningServer, key: str) -> swarms_client.SwarmsClient:
    return swarms_client.SwarmsClient(
        api_key=key, base_url=server.base_url, _strict_response_validation=True, max_retries=0, timeout=20
    )


def test_every_sdk_method_is_covered() -> None:
    client = swarms_client.SwarmsClient(api_key="k", base_url="http://127.0.0.1:9")
    assert sdk_methods(client) == set(CALLS)


@pytest.mark.parametrize("method", sorted(CALLS))
def test_docs_profile_realistic_arguments(docs_server: RunningServer, method: str) -> None:
    with sdk(docs_server, "sk-mock-premium") as client:
        result = CALLS[method][0](client)
        raw = getattr(_resource_of(client, method).with_raw_response, method.rsplit(".", 1)[-1])
    assert result is not None
    _check(method, result, docs=True)
    assert raw is not None


@pytest.mark.parametrize("method", sorted(CALLS))
def test_prism_profile_minimal_arguments(prism_server: RunningServer, method: str) -> None:
    with sdk(prism_server, "My API Key") as client:
        result = CALLS[method][1](client)
    assert result is not None
    _check(method, result, docs=False)


def _resource_of(client: swarms_client.SwarmsClient, method: str) -> Any:
    obj: Any = client
    for part in method.split(".")[:-1]:
        obj = getattr(obj, part)
    return obj


def _check(method: str, result: Any, *, docs: bool) -> None:
    """A few fields per method, so a parsed-but-empty response cannot pass."""
    if method == "get_root":
        assert result == {
            "status": "Welcome to the Swarm API. Check out the docs at https://docs.swarms.world"
        }
    elif method == "health.check":
        assert result == {"status": "ok"}
    elif method == "agent.run":
        assert result["success"] is True and str(result["job_id"]).startswith("agent-")
    elif method == "agent.batch.run":
        assert isinstance(result, dict) and len(result["results"]) == (2 if docs else 1)
    elif method == "swarms.run":
        assert result["status"] == "success" and "output" in result
    elif method == "swarms.batch.run":
        assert isinstance(result, list) and len(result) == (2 if docs else 1)
        assert all(item["status"] == "success" for item in result)
    elif method == "swarms.check_available":
        assert result["success"] is True and "SequentialWorkflow" in result["swarm_types"]
    elif method == "swarms.get_logs":
        assert result["status"] == "success" and isinstance(result["logs"], list) and result["logs"]
    elif method == "models.list_available":
        assert result["success"] is True and "gpt-4o" in result["models"]
    elif method == "client.rate.get_limits":
        assert result["tier"] in ("free", "premium")
        assert result["limits"]["maximum_requests_per_minute"] > 0
        assert result["rate_limits"]["minute"]["limit"] > 0
    # The installed SDK (module 0.7.0) types most responses as Dict[str, object]; also hold them to the
    # newer SDK's field types (reference §h), as mirrored by response_models.
    model = RESPONSE_MODELS.get(method)
    if model is not None:
        TypeAdapter(model).validate_python(result, strict=False)


RESPONSE_MODELS: dict[str, Any] = {
    "health.check": rm.HealthResponse,
    "agent.run": rm.AgentCompletionOutput,
    "agent.batch.run": rm.AgentBatchEnvelope,
    "swarms.run": rm.SwarmCompletionOutput,
    "swarms.batch.run": rm.SwarmBatchResponse,
    "swarms.check_available": rm.SwarmsAvailableResponse,
    "swarms.get_logs": rm.SwarmLogsResponse,
    "models.list_available": rm.ModelsAvailableResponse,
    "client.rate.get_limits": rm.RateLimitsResponse,
}


def test_sdk_surfaces_api_errors_as_typed_exceptions(docs_server: RunningServer) -> None:
    with (
        sdk(docs_server, "sk-unknown") as client,
        pytest.raises(swarms_client.PermissionDeniedError) as denied,
    ):
        client.swarms.get_logs()
    assert denied.value.status_code == 403 and denied.value.body == {"detail": "Invalid API Key"}
    with (
        sdk(docs_server, "sk-mock-free") as client,
        pytest.raises(swarms_client.PermissionDeniedError) as premium,
    ):
        client.agent.batch.run(body=[{"agent_config": WRITER, "task": "x"}])
    assert premium.value.status_code == 403
    with sdk(docs_server, "sk-mock-broke") as client, pytest.raises(swarms_client.APIStatusError) as broke:
        client.agent.run(agent_config=WRITER, task="x")
    assert broke.value.status_code == 402
