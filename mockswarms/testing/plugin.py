"""The pytest plugin (entry point ``pytest11: mockswarms``): the simulator as a fixture.

Fixtures
    ``mockswarms``            a :class:`~mockswarms.testing.SimulatorControl` for a real HTTP server on a
                              free loopback port (one per session / xdist worker), reset before each test;
                              ``SWARMS_API_KEY`` / ``SWARMS_CLIENT_BASE_URL`` point at it during the test.
    ``mockswarms_app``        the same helpers for an in-process app (no port; ``.app``, ``.transport``).
    ``mockswarms_transport``  an ``httpx.ASGITransport`` for that in-process app.
    ``mockswarms_session``    the session's control without the per-test reset, for Hypothesis
                              (``with mockswarms_session.isolated(): ...`` in the test body).
    ``mockswarms_server``     the :class:`~mockswarms.testing.server.RunningServer`.
Marker
    ``@pytest.mark.mockswarms(profile=..., seed=..., now=..., fixtures=..., accounts=..., faults=...,
    <any setting>=...)`` — per-test settings; ``accounts`` are merged by key into the session's
    accounts, relative ``fixtures`` paths are relative to the test file.
Options (CLI flag / ini key)
    ``--mockswarms-profile`` / ``mockswarms_profile``, ``--mockswarms-seed``, ``--mockswarms-now``,
    ``--mockswarms-fixtures`` (repeatable), ``--mockswarms-config`` (settings file),
    ``--mockswarms-set KEY=VALUE`` (repeatable; ini: one per line). Precedence: CLI > MOCKSWARMS_*
    environment > ini > config file.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

try:
    import pytest
except ImportError:  # only pytest loads this module; say so if something else does
    raise ImportError("mockswarms.testing.plugin is a pytest plugin: pip install pytest") from None

from mockswarms.config import DEFAULT_ACCOUNTS, ENV_PREFIX, ConfigError, Settings, load_settings
from mockswarms.testing.control import SimulatorControl

if TYPE_CHECKING:
    import httpx

    from mockswarms.testing.server import RunningServer

__all__ = [
    "mockswarms",
    "mockswarms_app",
    "mockswarms_server",
    "mockswarms_session",
    "mockswarms_settings",
    "mockswarms_transport",
    "pytest_addoption",
    "pytest_configure",
]

ENV_API_KEY = "SWARMS_API_KEY"
ENV_BASE_URL = "SWARMS_CLIENT_BASE_URL"
MARKER = (
    "mockswarms(profile=None, seed=None, now=None, fixtures=None, accounts=None, faults=None, **settings): "
    "configure the mockswarms simulator for this test (reset to the session settings afterwards)"
)
# name -> (help, ini type); each is a CLI flag --mockswarms-<name> and an ini key mockswarms_<name>.
_OPTIONS: dict[str, tuple[str, str]] = {
    "profile": ("settings profile: docs, prism, legacy, client-0.1.6 or docs-2025", "string"),
    "seed": ("seed of generated text and ids", "string"),
    "now": ("freeze the simulated clock at this ISO instant", "string"),
    "fixtures": ("extra fixture directories", "paths"),
    "config": ("a mockswarms settings file (YAML/JSON)", "string"),
    "set": ("any setting as KEY=VALUE (VALUE parsed as JSON when it can be)", "linelist"),
}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mockswarms", "mockswarms: Swarms API simulator")
    for name, (help_text, ini_type) in _OPTIONS.items():
        flag = f"--mockswarms-{name}"
        if ini_type in ("paths", "linelist"):
            group.addoption(flag, action="append", dest=f"mockswarms_{name}", default=None, help=help_text)
        else:
            group.addoption(flag, dest=f"mockswarms_{name}", default=None, help=help_text)
        parser.addini(f"mockswarms_{name}", help_text, type=ini_type)  # type: ignore[arg-type]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER)
    # Settings the command line, the ini file or a config file ask for are checked now: a bad value is
    # a usage error (one line, exit 4), not an error in every test that uses the simulator.
    asked = any(config.getoption(f"mockswarms_{name}") for name in _OPTIONS)
    asked = asked or any(config.getini(f"mockswarms_{name}") for name in _OPTIONS)
    if asked and not hasattr(config, "workerinput"):  # xdist workers: the controller checked them
        try:
            load_settings(session_overrides(config), config_file=_config_file(config))
        except ConfigError as exc:
            raise pytest.UsageError(f"mockswarms: {exc}") from None


def _parse_assignment(text: str) -> tuple[str, Any]:
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise pytest.UsageError(f"--mockswarms-set expects KEY=VALUE, got {text!r}")
    try:
        value: Any = json.loads(raw)
    except json.JSONDecodeError:
        value = raw
    return key.strip(), value


def session_overrides(config: pytest.Config, environ: dict[str, str] | None = None) -> dict[str, Any]:
    """The settings the command line and ini file ask for (ini values yield to MOCKSWARMS_* env)."""
    environ = dict(os.environ) if environ is None else environ
    ini: dict[str, Any] = {}
    cli: dict[str, Any] = {}
    for name in ("profile", "seed", "now"):
        if config.getini(f"mockswarms_{name}"):
            ini[name] = config.getini(f"mockswarms_{name}")
        if config.getoption(f"mockswarms_{name}") is not None:
            cli[name] = config.getoption(f"mockswarms_{name}")
    if config.getini("mockswarms_fixtures"):
        ini["fixtures"] = [str(p) for p in config.getini("mockswarms_fixtures")]
    if config.getoption("mockswarms_fixtures"):
        cli["fixtures"] = [str(Path(p).resolve()) for p in config.getoption("mockswarms_fixtures")]
    ini.update(_parse_assignment(line) for line in config.getini("mockswarms_set") or [])
    cli.update(_parse_assignment(text) for text in config.getoption("mockswarms_set") or [])
    ini = {k: v for k, v in ini.items() if ENV_PREFIX + k.upper() not in environ}
    return {**ini, **cli}


def _config_file(config: pytest.Config) -> str | None:
    cli = config.getoption("mockswarms_config")
    if cli:
        return str(Path(cli).resolve())
    ini = config.getini("mockswarms_config")
    if ini:
        base = config.inipath.parent if config.inipath else config.rootpath
        return str((base / ini).resolve())
    return None


def _marker_settings(request: pytest.FixtureRequest, base: Settings) -> dict[str, Any] | None:
    """Merged ``mockswarms`` markers (the closest wins), or None when the test has none."""
    markers = list(request.node.iter_markers("mockswarms"))
    if not markers:
        return None
    settings: dict[str, Any] = {}
    for marker in reversed(markers):  # module → class → function
        if marker.args:
            raise pytest.UsageError("@pytest.mark.mockswarms takes keyword arguments (settings) only")
        settings.update(marker.kwargs)
    test_dir = Path(str(request.node.path)).parent
    fixtures = settings.get("fixtures")
    if fixtures is not None:
        dirs = [fixtures] if isinstance(fixtures, str | Path) else list(fixtures)
        settings["fixtures"] = [str((test_dir / d).resolve()) for d in dirs]
    if settings.get("accounts") is not None or settings.get("builtin_accounts") is False:
        # Like a config file: marker accounts add to (or replace by key) the session's accounts, and
        # builtin_accounts=False drops the built-in sk-mock-* keys the session did not redeclare.
        builtin = settings.get("builtin_accounts", True)
        keep = [a for a in base.accounts if builtin or a not in DEFAULT_ACCOUNTS]
        merged = {a.key: a.model_dump(mode="json", exclude_none=True) for a in keep}
        for account in settings.get("accounts") or []:
            data = (
                account.model_dump(mode="json", exclude_none=True)
                if hasattr(account, "model_dump")
                else account
            )
            merged[data["key"]] = data
        settings["accounts"] = list(merged.values())
    return settings


@pytest.fixture(scope="session")
def mockswarms_settings(pytestconfig: pytest.Config) -> Settings:
    """The session's settings: defaults ← config file ← ini ← MOCKSWARMS_* env ← CLI flags."""
    return load_settings(session_overrides(pytestconfig), config_file=_config_file(pytestconfig))


@pytest.fixture(scope="session")
def mockswarms_server(mockswarms_settings: Settings) -> Iterator[RunningServer]:
    """One simulator on a free loopback port for the whole session (per xdist worker)."""
    from mockswarms.testing.server import serve

    with serve(mockswarms_settings) as server:
        yield server


@pytest.fixture(scope="session")
def mockswarms_session(mockswarms_server: RunningServer) -> SimulatorControl:
    """The session's control, never reset by the plugin: for Hypothesis tests, which must reset per
    example themselves (``with mockswarms_session.isolated(): ...``)."""
    return mockswarms_server.control()


def _prepare(control: SimulatorControl, request: pytest.FixtureRequest, base: Settings) -> bool:
    overrides = _marker_settings(request, base)
    if overrides is None:
        control.reset()
        return False
    control.configure(**overrides)
    return True


@pytest.fixture
def mockswarms(
    mockswarms_session: SimulatorControl, mockswarms_settings: Settings, request: pytest.FixtureRequest
) -> Iterator[SimulatorControl]:
    """The simulator over HTTP, reset (and configured by the ``mockswarms`` marker) for this test."""
    control = mockswarms_session
    configured = _prepare(control, request, mockswarms_settings)
    saved = {name: os.environ.get(name) for name in (ENV_API_KEY, ENV_BASE_URL)}
    os.environ[ENV_API_KEY] = control.api_key
    os.environ[ENV_BASE_URL] = control.base_url
    try:
        yield control
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        control.close_clients()
        if configured:
            control.restore_settings()


@pytest.fixture(scope="session")
def _mockswarms_inprocess(mockswarms_settings: Settings) -> Iterator[SimulatorControl]:
    from mockswarms.http.app import create_app

    app = create_app(mockswarms_settings)
    control = SimulatorControl.in_process(app)
    yield control
    control.close()
    with contextlib.suppress(Exception):  # best effort: a store already closed is fine
        asyncio.run(app.state.simulator.close())


@pytest.fixture
def mockswarms_app(
    _mockswarms_inprocess: SimulatorControl, mockswarms_settings: Settings, request: pytest.FixtureRequest
) -> Iterator[SimulatorControl]:
    """The simulator in-process (no port): the same helpers as ``mockswarms``, plus ``.app`` and
    ``.transport``; ``client()`` / ``async_client()`` / ``sdk()`` are wired to the app."""
    control = _mockswarms_inprocess
    configured = _prepare(control, request, mockswarms_settings)
    try:
        yield control
    finally:
        control.close_clients()
        if configured:
            control.restore_settings()


@pytest.fixture
def mockswarms_transport(mockswarms_app: SimulatorControl) -> httpx.ASGITransport:
    """``httpx.AsyncClient(transport=mockswarms_transport, base_url="http://mockswarms.test")``."""
    return mockswarms_app.transport
