"""Old import paths of public names keep working after the package moved into layered folders."""

import importlib

import pytest

# (old path, name, where it lives now)
MOVED = [
    ("mockswarms", "create_app", "mockswarms.http.app"),
    ("mockswarms", "serve", "mockswarms.testing.server"),
    ("mockswarms", "Settings", "mockswarms.config"),
    ("mockswarms", "load_settings", "mockswarms.config"),
    ("mockswarms", "Simulator", "mockswarms.engine.simulator"),
    ("mockswarms.app", "create_app", "mockswarms.http.app"),
    ("mockswarms.server", "serve", "mockswarms.testing.server"),
    ("mockswarms.testing", "SimulatorControl", "mockswarms.testing.control"),
    ("mockswarms.testing", "Journal", "mockswarms.testing.journal_view"),
    ("mockswarms.testing", "ControlClock", "mockswarms.testing.control_clock"),
    ("mockswarms.testing", "SyncASGITransport", "mockswarms.testing.asgi_transport"),
    ("mockswarms.faults", "FaultEngine", "mockswarms.faults.engine"),
    ("mockswarms.faults", "FaultMiddleware", "mockswarms.faults.wire.middleware"),
    ("mockswarms.faults", "FaultRule", "mockswarms.faults.rules"),
    ("mockswarms.faults", "parse_header", "mockswarms.faults.header"),
    ("mockswarms.faults", "error_response", "mockswarms.faults.error_replies"),
    ("mockswarms.http.endpoints", "Reply", "mockswarms.http.endpoints.pipeline"),
    ("mockswarms.http.endpoints", "agent_completion", "mockswarms.http.endpoints.agents"),
    ("mockswarms.shapes.responses", "AgentCompletionOutput", "mockswarms.shapes.agents"),
    ("mockswarms.shapes.responses", "SwarmBatchResponse", "mockswarms.shapes.arrays"),
    ("mockswarms.contract.verify", "run_verification", "mockswarms.contract.schemathesis_run"),
    ("mockswarms.engine.fixtures", "check_dirs", "mockswarms.engine.fixture_rules"),
    ("mockswarms.http.sse", "agent_stream_events", "mockswarms.http.sse_events"),
]


@pytest.mark.parametrize(("old", "name", "home"), MOVED, ids=[f"{o}.{n}" for o, n, _ in MOVED])
def test_old_import_path_gives_the_same_object(old: str, name: str, home: str) -> None:
    assert getattr(importlib.import_module(old), name) is getattr(importlib.import_module(home), name)


def test_the_pytest_plugin_entry_point_and_its_old_path() -> None:
    plugin = importlib.import_module("mockswarms.testing.plugin")
    old = importlib.import_module("mockswarms.plugin")
    assert old.mockswarms is plugin.mockswarms  # the `mockswarms` fixture
