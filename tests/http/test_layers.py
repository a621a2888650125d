"""Middleware layers with nothing to do for a request are skipped (``mockswarms.http.layers``), and
``app.state`` reads are plain attribute reads (``AppState``). Each layer's ``idle_for`` must answer
True only when calling the layer would hand the request on untouched: checked here by calling it."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from starlette.datastructures import State

from mockswarms.http.app import AppState, create_app
from mockswarms.http.body_guard import BODY_ARRIVED
from mockswarms.http.layers import IdleLayerSkip, skip_idle_layers
from mockswarms.paths import CONTROL_PREFIX

RECORDING = """\
exchanges:
  - match: {method: POST, path: /v1/agent/completions, task: recorded, stream: false}
    response: {status: 503, content_type: application/json, body: '{"detail":"upstream was down"}'}
"""
RULE = {"id": "boom", "match": {"path": "/v1/agent/completions"}, "action": {"type": "error", "status": 500}}


def _skip(app: Any) -> IdleLayerSkip:
    layer = app.build_middleware_stack()
    while not isinstance(layer, IdleLayerSkip):
        layer = layer.app
    return layer


def _scope(app: Any, path: str = "/v1/agent/completions", **extra: Any) -> dict[str, Any]:
    headers = [(b"content-length", b"2"), (b"x-api-key", b"sk-mock-premium")]
    return {
        "type": "http",
        "method": "POST",
        "path": path,
        "headers": headers,
        "app": app,
        "state": {},
        **extra,
    }


def _handed_on_untouched(layer: Any, scope: dict[str, Any]) -> bool:
    """Call ``layer`` with an app below it that records what it was given."""
    below: list[tuple[Any, Any]] = []
    sent: list[Any] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"{}", "more_body": False}

    async def send(message: Any) -> None:
        sent.append(message)

    async def app(scope: Any, inner_receive: Any, inner_send: Any) -> None:
        below.append((inner_receive, inner_send))

    original, layer.app = layer.app, app
    try:
        asyncio.run(layer(scope, receive, send))
    finally:
        layer.app = original
    return below == [(receive, send)] and not sent


def test_the_stack_skips_body_guard_faults_and_replay() -> None:
    skip = _skip(create_app(seed=1))
    names = [type(layer).__name__ for layer in skip.layers]
    assert names == ["BodyGuardMiddleware", "FaultMiddleware", "ReplayMiddleware"]
    assert type(skip.app).__name__ == "PlainRouteDispatch"


@pytest.mark.parametrize("case", ["plain", "arrived", "control", "fault-rule", "fault-header", "recording"])
def test_idle_for_is_true_exactly_when_the_layer_hands_the_request_on(case: str, tmp_path: Path) -> None:
    overrides: dict[str, Any] = {"seed": 1}
    if case == "recording":
        (tmp_path / "rec.yaml").write_text(RECORDING)
        overrides["fixtures"] = [tmp_path]
    if case == "fault-header":
        overrides["fault_header_enabled"] = True
    app = create_app(**overrides)
    if case == "fault-rule":
        app.state.simulator.faults.add_rule(RULE)
    scope = _scope(app, **({BODY_ARRIVED: True} if case != "plain" else {}))
    if case == "control":
        scope["path"] = CONTROL_PREFIX + "/journal"
    if case == "fault-header":
        scope["headers"].append((b"x-mockswarms-fault", b"status=500"))
    for layer in _skip(app).layers:
        idle = layer.idle_for(dict(scope))
        assert idle == _handed_on_untouched(layer, dict(scope)), (case, type(layer).__name__)
    idle_by_layer = {type(layer).__name__: layer.idle_for(dict(scope)) for layer in _skip(app).layers}
    expected = {
        "plain": {"BodyGuardMiddleware": False, "FaultMiddleware": True, "ReplayMiddleware": True},
        "arrived": {"BodyGuardMiddleware": True, "FaultMiddleware": True, "ReplayMiddleware": True},
        "control": {"BodyGuardMiddleware": True, "FaultMiddleware": True, "ReplayMiddleware": True},
        "fault-rule": {"BodyGuardMiddleware": True, "FaultMiddleware": False, "ReplayMiddleware": True},
        "fault-header": {"BodyGuardMiddleware": True, "FaultMiddleware": False, "ReplayMiddleware": True},
        "recording": {"BodyGuardMiddleware": True, "FaultMiddleware": True, "ReplayMiddleware": False},
    }[case]
    assert idle_by_layer == expected


class _Layer:
    def __init__(self, name: str, idle: bool, app: Any, calls: list[str]) -> None:
        self.name, self.idle, self.app, self.calls = name, idle, app, calls

    def idle_for(self, scope: Any) -> bool:
        return self.idle

    async def handle(self, scope: Any, receive: Any, send: Any) -> None:  # entered by the skipper
        self.calls.append(self.name)
        await self.app(scope, receive, send)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:  # entered through the chain
        self.calls.append(self.name)
        await self.app(scope, receive, send)


@pytest.mark.parametrize(
    ("idle", "entered"),
    [
        ((True, True, True), ["inner"]),
        ((True, False, True), ["b", "c", "inner"]),  # entered at b, which calls the rest as usual
        ((False, True, True), ["a", "b", "c", "inner"]),
    ],
)
def test_the_skipper_enters_the_first_layer_with_work(idle: tuple[bool, ...], entered: list[str]) -> None:
    calls: list[str] = []

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        calls.append("inner")

    c = _Layer("c", idle[2], inner, calls)
    b = _Layer("b", idle[1], c, calls)
    a = _Layer("a", idle[0], b, calls)

    class Outer:
        app: Any = a

    outer = Outer()
    assert skip_idle_layers(outer) is outer  # type: ignore[arg-type]
    asyncio.run(outer.app({}, None, None))
    assert calls == entered


def test_app_state_reads_writes_and_deletes_like_starlettes_state() -> None:
    for state in (State(), AppState()):
        state.simulator = 1
        state.simulator = 2  # replaced (the control API's reset does this)
        state["recordings"] = None
        assert (state.simulator, state.recordings, sorted(state), len(state)) == (
            2,
            None,
            ["recordings", "simulator"],
            2,
        )
        del state.simulator
        with pytest.raises(AttributeError, match="object has no attribute 'simulator'"):
            _ = state.simulator
    assert isinstance(create_app(seed=1).state, AppState)
