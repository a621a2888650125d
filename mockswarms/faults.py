"""Fault injection: rules that make chosen requests fail, slow down, or break on the wire.

A rule is ``{id, match, selector, action}``:

- ``match``: which requests it looks at — ``path`` (glob), ``method``, ``key``, ``user``,
  ``endpoint`` (family, see :func:`endpoint_family`), and from the JSON body when present
  ``swarm_type``, ``model`` and ``agent_name`` (globs; any agent of a swarm may match).
- ``selector``: which of the matching requests it fires on — ``every_nth``, ``first_n``,
  ``after_n``, ``probability`` (drawn from ``entropy.derive("fault", rule_id, match_index)``, so the
  same seed and request sequence fault the same requests), and a ``from``/``until`` window on the
  simulator clock. All given conditions must hold. The match index is a counter in the state store,
  so it is shared by every worker.
- ``action`` (``type``): ``error`` (the API's own bodies and headers), ``latency`` (fixed / uniform /
  lognormal, before the first byte or before every chunk), ``reset``, ``empty``, ``truncate``,
  ``malformed_json``, ``drip``, and SSE frame faults ``sse_disconnect``, ``sse_malformed``,
  ``sse_duplicate``, ``sse_drop_terminal``, ``sse_stall``.

Rules are checked in order; the first that fires wins. The opt-in request header
``X-Mockswarms-Fault`` (``settings.fault_header_enabled``) adds a one-request rule with id
``header``; see :func:`parse_header` for its syntax. :class:`FaultMiddleware` applies the decision
at the ASGI level and leaves the rule id in ``scope["state"]["fault_rule"]`` for the journal.
"""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import hashlib
import math
import random
import socket
import struct
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockswarms.clock import Clock
from mockswarms.entropy import Entropy
from mockswarms.errors import APIError, OpenAIError, ValidationFailed, fastapi_error_item
from mockswarms.state.base import StateStore

__all__ = [
    "CONTROL_PREFIX",
    "FAULT_HEADER",
    "FaultDecision",
    "FaultEngine",
    "FaultMatch",
    "FaultMiddleware",
    "FaultRule",
    "FaultSelector",
    "endpoint_family",
    "error_response",
    "parse_header",
]

FAULT_HEADER = "x-mockswarms-fault"
CONTROL_PREFIX = "/__mockswarms"


_STRICT = ConfigDict(extra="forbid")

# -- endpoint families ---------------------------------------------------------------------------------
_FAMILIES: tuple[tuple[str, str], ...] = (  # (path prefix, family); first match wins, longest first
    ("/v1/agent/batch/completions", "agent_batch"),
    ("/v1/agent/completions", "agent"),
    ("/v1/agents/completions", "reasoning"),
    ("/v1/agents/", "agents"),
    ("/v1/swarm/batch/completions", "swarm_batch"),
    ("/v1/swarm/completions", "swarm"),
    ("/v1/swarm/logs", "logs"),
    ("/v1/swarm/schedule", "schedule"),
    ("/v1/chat/completions", "chat"),
    ("/v1/reasoning-agent/", "reasoning"),
    ("/v1/auto-swarm-builder/", "auto_swarm_builder"),
    ("/v1/advanced-research/", "advanced_research"),
    ("/v1/batched-grid-workflow/", "batched_grid_workflow"),
    ("/v1/graph-workflow/", "graph_workflow"),
    ("/v1/marketplace/", "marketplace"),
    ("/v1/models", "models"),
    ("/v1/swarms/available", "discovery"),
    ("/v1/tools/available", "discovery"),
    ("/v1/rate/limits", "account"),
    ("/v1/usage/", "account"),
    ("/v1/account/", "account"),
    ("/v1/metrics/", "account"),
)


def endpoint_family(path: str) -> str:
    """``agent``, ``agent_batch``, ``swarm``, ``swarm_batch``, ``chat``, ``reasoning``, ``agents``,
    ``logs``, ``schedule``, ``auto_swarm_builder``, ``advanced_research``, ``batched_grid_workflow``,
    ``graph_workflow``, ``marketplace``, ``models``, ``discovery``, ``account``, ``health`` or ``other``."""
    if path in ("/", "/health"):
        return "health"
    for prefix, family in _FAMILIES:
        if path.startswith(prefix):
            return family
    return "other"


# -- rule model ----------------------------------------------------------------------------------------
class FaultMatch(BaseModel):
    model_config = _STRICT

    path: str | None = None  # glob, e.g. "/v1/swarm/*"
    method: str | None = None
    key: str | None = None
    user: str | None = None
    endpoint: str | None = None
    swarm_type: str | None = None
    model: str | None = None
    agent_name: str | None = None

    @property
    def needs_body(self) -> bool:
        return any(v is not None for v in (self.swarm_type, self.model, self.agent_name))


class FaultSelector(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    every_nth: int | None = Field(None, ge=1)
    first_n: int | None = Field(None, ge=0)
    after_n: int | None = Field(None, ge=0)
    probability: float | None = Field(None, ge=0, le=1)
    from_: datetime | None = Field(None, alias="from")
    until: datetime | None = None

    def in_window(self, now: float) -> bool:
        if self.from_ is not None and now < self.from_.timestamp():
            return False
        return not (self.until is not None and now >= self.until.timestamp())


class ErrorAction(BaseModel):
    model_config = _STRICT
    type: Literal["error"]
    status: Literal[402, 408, 429, 500, 502, 503, 504]
    detail: str | None = None  # default: the API's own text for the status
    retry_after: int = Field(1, ge=0)  # 429 only (seconds); keep small: the SDK sleeps this long


class LatencyAction(BaseModel):
    model_config = _STRICT
    type: Literal["latency"]
    distribution: Literal["fixed", "uniform", "lognormal"] = "fixed"
    seconds: float = Field(0.0, ge=0)  # fixed
    low: float = Field(0.0, ge=0)  # uniform
    high: float = Field(0.0, ge=0)
    median: float = Field(0.1, gt=0)  # lognormal: exp(mu)
    sigma: float = Field(0.5, ge=0)
    max_seconds: float = Field(60.0, ge=0)  # cap on any single draw
    apply_to: Literal["ttfb", "chunk"] = "ttfb"  # before the first byte, or before every body chunk

    @model_validator(mode="after")
    def _check(self) -> LatencyAction:
        if self.distribution == "uniform" and self.high < self.low:
            raise ValueError("uniform latency needs high >= low")
        return self


class ResetAction(BaseModel):
    model_config = _STRICT
    type: Literal["reset"]  # TCP RST before any response byte


class EmptyAction(BaseModel):
    model_config = _STRICT
    type: Literal["empty"]  # connection closed cleanly before any response byte


class TruncateAction(BaseModel):
    model_config = _STRICT
    type: Literal["truncate"]  # real headers (Content-Length of the full body), part of the body, close
    fraction: float = Field(0.5, ge=0, lt=1)


class MalformedJsonAction(BaseModel):
    model_config = _STRICT
    type: Literal["malformed_json"]  # a complete, well-framed response whose JSON does not parse


class DripAction(BaseModel):
    model_config = _STRICT
    type: Literal["drip"]  # the body in small pieces with a pause before each
    chunk_bytes: int = Field(16, ge=1)
    interval: float = Field(0.05, ge=0)


class SseDisconnectAction(BaseModel):
    model_config = _STRICT
    type: Literal["sse_disconnect"]
    after_events: int = Field(1, ge=0)


class SseMalformedAction(BaseModel):
    model_config = _STRICT
    type: Literal["sse_malformed"]
    event: int = Field(1, ge=1)  # 1-based index of the event whose data is corrupted


class SseDuplicateAction(BaseModel):
    model_config = _STRICT
    type: Literal["sse_duplicate"]
    event: int = Field(1, ge=1)


class SseDropTerminalAction(BaseModel):
    model_config = _STRICT
    type: Literal["sse_drop_terminal"]


class SseStallAction(BaseModel):
    model_config = _STRICT
    type: Literal["sse_stall"]
    event: int = Field(1, ge=1)  # stall before this event
    seconds: float = Field(1.0, ge=0)


FaultAction = Annotated[
    ErrorAction
    | LatencyAction
    | ResetAction
    | EmptyAction
    | TruncateAction
    | MalformedJsonAction
    | DripAction
    | SseDisconnectAction
    | SseMalformedAction
    | SseDuplicateAction
    | SseDropTerminalAction
    | SseStallAction,
    Field(discriminator="type"),
]


class FaultRule(BaseModel):
    model_config = _STRICT

    id: str = Field("", max_length=200)
    match: FaultMatch = Field(default_factory=FaultMatch)
    selector: FaultSelector = Field(default_factory=lambda: FaultSelector.model_validate({}))
    action: FaultAction

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


_RULE = TypeAdapter(FaultRule)


def _validation_failed(exc: ValidationError, prefix: tuple[str, ...] = ("body",)) -> ValidationFailed:
    items = [
        fastapi_error_item([*prefix, *(str(p) for p in e["loc"])], e["msg"], e["type"])
        for e in exc.errors(include_url=False)
    ]
    return ValidationFailed(items)


# -- decisions -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FaultDecision:
    rule_id: str
    action: Any  # one of the *Action models
    match_index: int  # 1-based count of requests this rule has matched (the header rule: 1)
    seed: int  # for latency draws: derived from (seed, rule id, match index)

    def rng(self) -> random.Random:
        return random.Random(self.seed)


@dataclass(frozen=True)
class RequestInfo:
    method: str
    path: str
    key: str | None
    body: Any  # parsed JSON or None

    @property
    def models(self) -> list[str]:
        return _collect(self.body, ("model_name", "model"))

    @property
    def agent_names(self) -> list[str]:
        return _collect(self.body, ("agent_name",))

    @property
    def swarm_type(self) -> str | None:
        value = self.body.get("swarm_type") if isinstance(self.body, dict) else None
        return value if isinstance(value, str) else None


def _collect(body: Any, names: tuple[str, ...]) -> list[str]:
    """String values of ``names`` at the top level, in ``agent_config`` and in each of ``agents``."""
    found: list[str] = []
    if isinstance(body, list):  # batch bodies
        for item in body:
            found += _collect(item, names)
        return found
    if not isinstance(body, dict):
        return found
    objects: list[Any] = [body, body.get("agent_config")]
    agents = body.get("agents")
    if isinstance(agents, list):
        objects += agents
    requests = body.get("requests")
    if isinstance(requests, list):
        for item in requests:
            found += _collect(item, names)
    for obj in objects:
        if isinstance(obj, dict):
            found += [v for n in names if isinstance(v := obj.get(n), str)]
    return found


def _glob(pattern: str | None, value: str | None) -> bool:
    return pattern is None or (value is not None and fnmatch.fnmatchcase(value, pattern))


def _any_glob(pattern: str | None, values: list[str]) -> bool:
    return pattern is None or any(fnmatch.fnmatchcase(v, pattern) for v in values)


class FaultEngine:
    """The rules of one simulator and the decision for each request.

    Rules live in this process; with several workers call :meth:`save` after changing them and
    construct the engine with ``shared=True`` so every worker picks them up (:meth:`sync`).
    Counters always live in the store, so selectors count requests across all workers.
    """

    def __init__(
        self,
        clock: Clock,
        entropy: Entropy,
        store: StateStore,
        *,
        header_enabled: bool = False,
        shared: bool = False,
    ) -> None:
        self.clock = clock
        self.entropy = entropy
        self.store = store
        self.header_enabled = header_enabled
        self.shared = shared
        self._rules: list[FaultRule] = []
        self._version: int | None = None

    # -- rules ---------------------------------------------------------------------------------------
    @property
    def rules(self) -> list[FaultRule]:
        return self._rules

    @property
    def needs_body(self) -> bool:
        return any(rule.match.needs_body for rule in self._rules)

    def list_rules(self) -> list[dict[str, Any]]:
        return [rule.to_json() for rule in self._rules]

    def add_rule(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """Validate and append (or replace the rule with the same id); returns the rule as JSON (with
        its id, assigned from a hash of the rule when not given). Bad rule → ValidationFailed (422)."""
        try:
            rule = _RULE.validate_python(dict(data))
        except ValidationError as exc:
            raise _validation_failed(exc) from exc
        if not rule.id:
            digest = hashlib.blake2b(orjson.dumps(rule.to_json(), option=orjson.OPT_SORT_KEYS), digest_size=4)
            rule = rule.model_copy(update={"id": "fault-" + digest.hexdigest()})
        for index, existing in enumerate(self._rules):
            if existing.id == rule.id:
                self._rules[index] = rule
                return rule.to_json()
        self._rules.append(rule)
        return rule.to_json()

    def get_rule(self, rule_id: str) -> FaultRule | None:
        return next((rule for rule in self._rules if rule.id == rule_id), None)

    def delete_rule(self, rule_id: str) -> bool:
        """Remove a rule; False if there was none with that id."""
        before = len(self._rules)
        self._rules = [rule for rule in self._rules if rule.id != rule_id]
        return len(self._rules) != before

    def clear(self) -> None:
        self._rules = []

    def load(self, rules: list[dict[str, Any]]) -> None:
        """Replace all rules (from ``settings.faults``); a bad rule raises ValidationFailed."""
        self.clear()
        for index, data in enumerate(rules):
            try:
                self.add_rule(data)
            except ValidationFailed as exc:
                for item in exc.body["detail"]:
                    item["loc"] = ["faults", index, *item["loc"][1:]]
                raise

    async def save(self) -> None:
        """Publish the rules to the store so other workers (``shared=True``) load them."""
        await self.store.set_value("fault_rules", self.list_rules())
        self._version = await self.store.incr("fault_rules_version")

    async def sync(self) -> None:
        """Reload the rules when another worker published a new version (no-op unless shared).
        Until some worker publishes, each keeps the rules it loaded from the config."""
        if not self.shared:
            return
        version = await self.store.incr("fault_rules_version", 0)
        if version == self._version:
            return
        self._version = version
        rules = await self.store.get_value("fault_rules")
        if rules is not None:
            self._rules = [_RULE.validate_python(r) for r in rules]

    async def counter(self, rule_id: str) -> int:
        """How many requests this rule has matched so far."""
        return await self.store.incr(f"fault:{rule_id}", 0)

    # -- deciding --------------------------------------------------------------------------------------
    async def decide(self, request: RequestInfo, header: str | None = None) -> FaultDecision | None:
        if header is not None and self.header_enabled:
            action = parse_header(header)
            return FaultDecision("header", action, 1, _derive_seed(self.entropy, "header", request.path))
        if not self._rules:
            return None
        now = self.clock.timestamp()
        user: str | None = None
        decision: FaultDecision | None = None
        for rule in self._rules:
            match = rule.match
            if not (
                _glob(match.path, request.path)
                and _glob(match.key, request.key)
                and (match.method is None or match.method.upper() == request.method)
                and (match.endpoint is None or match.endpoint == endpoint_family(request.path))
                and _glob(match.swarm_type, request.swarm_type)
                and _any_glob(match.model, request.models)
                and _any_glob(match.agent_name, request.agent_names)
            ):
                continue
            if match.user is not None:
                if user is None and request.key is not None:
                    account = await self.store.get_account(request.key)
                    user = account.user_id if account else ""
                if not _glob(match.user, user):
                    continue
            if not rule.selector.in_window(now):
                continue
            # Every matching rule counts the request, whether or not an earlier rule fires.
            index = await self.store.incr(f"fault:{rule.id}")
            if decision is None and self._selected(rule, index):
                decision = FaultDecision(
                    rule.id, rule.action, index, _derive_seed(self.entropy, "fault-latency", rule.id, index)
                )
        return decision

    def _selected(self, rule: FaultRule, index: int) -> bool:
        sel = rule.selector
        if sel.every_nth is not None and index % sel.every_nth != 0:
            return False
        if sel.first_n is not None and index > sel.first_n:
            return False
        if sel.after_n is not None and index <= sel.after_n:
            return False
        return not (
            sel.probability is not None
            and self.entropy.derive("fault", rule.id, index).random() >= sel.probability
        )


def _derive_seed(entropy: Entropy, *parts: object) -> int:
    return entropy.derive(*parts).getrandbits(64)


# -- the X-Mockswarms-Fault header ---------------------------------------------------------------------
_HEADER_HELP = (
    "X-Mockswarms-Fault: a JSON action object, or ';'-separated tokens: status=503[,retry_after=2]"
    " | detail=TEXT | latency=0.5 | latency=uniform:0.1:0.5 | latency=lognormal:MEDIAN:SIGMA"
    " | chunk_latency=0.01 | reset | empty | truncate[=0.5] | malformed_json | drip[=BYTES:INTERVAL]"
    " | sse_disconnect_after=N | sse_malformed=N | sse_duplicate=N | sse_drop_terminal"
    " | sse_stall=N:SECONDS"
)


def _header_tokens(value: str) -> dict[str, Any]:
    tokens = [t.strip() for t in value.replace(",", ";").split(";") if t.strip()]
    data: dict[str, Any] = {}
    for token in tokens:
        name, _, arg = token.partition("=")
        name, arg = name.strip().lower(), arg.strip()
        parts = arg.split(":") if arg else []
        if name == "status":
            data.update(type="error", status=int(arg))
        elif name in ("retry_after", "detail"):
            data[name] = arg
        elif name in ("latency", "chunk_latency"):
            data.update(type="latency", apply_to="chunk" if name == "chunk_latency" else "ttfb")
            if parts and parts[0] in ("uniform", "lognormal", "fixed"):
                data["distribution"] = parts[0]
                parts = parts[1:]
            dist = data.get("distribution", "fixed")
            keys = {"fixed": ("seconds",), "uniform": ("low", "high"), "lognormal": ("median", "sigma")}[dist]
            if len(parts) != len(keys):
                raise ValueError(f"{name} needs {':'.join(keys)}")
            data.update(zip(keys, parts, strict=True))
        elif name in ("reset", "empty", "malformed_json", "sse_drop_terminal"):
            data["type"] = name
        elif name == "truncate":
            data["type"] = "truncate"
            if arg:
                data["fraction"] = arg
        elif name == "drip":
            data["type"] = "drip"
            data.update(zip(("chunk_bytes", "interval"), parts, strict=False))
        elif name == "sse_disconnect_after":
            data.update(type="sse_disconnect", after_events=arg)
        elif name in ("sse_malformed", "sse_duplicate"):
            data.update(type=name, event=arg or 1)
        elif name == "sse_stall":
            data.update(type="sse_stall", event=parts[0] if parts else 1)
            if len(parts) > 1:
                data["seconds"] = parts[1]
        else:
            raise ValueError(f"unknown token {name!r}")
    if "type" not in data:
        raise ValueError("no fault given")
    return data


def parse_header(value: str) -> Any:
    """Parse ``X-Mockswarms-Fault`` into an action model. Raises ValidationFailed (422) when bad.

    Examples: ``status=503`` · ``status=429;retry_after=2`` · ``latency=0.25`` ·
    ``latency=uniform:0.1:0.3`` · ``chunk_latency=0.01`` · ``reset`` · ``truncate=0.3`` ·
    ``drip=8:0.01`` · ``sse_disconnect_after=3`` · ``sse_stall=2:0.5`` ·
    ``{"type": "error", "status": 502, "detail": "upstream down"}``.
    """
    loc = ("header", FAULT_HEADER)
    try:
        text = value.strip()
        data = orjson.loads(text) if text.startswith("{") else _header_tokens(text)
        if not isinstance(data, dict):
            raise ValueError("must be a JSON object")
        return _RULE.validate_python({"action": data}).action
    except ValidationError as exc:
        items = [
            fastapi_error_item([*loc, *(str(p) for p in e["loc"][1:])], e["msg"], e["type"])
            for e in exc.errors(include_url=False)
        ]
        raise ValidationFailed(items) from exc
    except (ValueError, orjson.JSONDecodeError) as exc:
        raise ValidationFailed(
            [fastapi_error_item(list(loc), f"{exc}. {_HEADER_HELP}", "value_error", value)]
        ) from exc


# -- error bodies ----------------------------------------------------------------------------------------
_DETAILS = {
    402: (
        "Insufficient credits. Please add more credits to continue using the API. Visit "
        "https://swarms.world/platform/account "
        "to purchase additional credits and ensure uninterrupted service."
    ),
    408: "Request Timeout",
    429: (
        "Rate limit exceeded for minute window(s). Upgrade to Premium for increased limits "
        "(2,000/min, 10,000/hour, 100,000/day) at "
        "https://swarms.world/platform/account for just $99/month."
    ),
    500: "An unexpected error occurred: Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
_OPENAI_PATHS = ("/v1/chat/completions", "/v1/models")


def error_response(action: ErrorAction, path: str, now: float) -> APIError:
    """The API's own error for ``action`` (OpenAI format on the OpenAI-compatible paths)."""
    detail = action.detail or _DETAILS[action.status]
    headers: dict[str, str] = {}
    if action.status == 429:
        reset = math.ceil(now) + action.retry_after
        headers = {
            "X-RateLimit-Limit-Minute": "100",
            "X-RateLimit-Remaining-Minute": "0",
            "X-RateLimit-Limit-Day": "1200",
            "X-RateLimit-Remaining-Day": "1100",
            "X-RateLimit-Reset": str(reset),
            "X-RateLimit-Tier": "free",
            "Retry-After": str(action.retry_after),
        }
    if path.startswith(_OPENAI_PATHS):
        return OpenAIError(action.status, detail, headers=headers)
    return APIError(action.status, detail, headers=headers)


async def _send_error(send: Send, error: APIError) -> None:
    body = orjson.dumps(error.body)
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(k.lower().encode(), v.encode()) for k, v in error.headers.items()]
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


# -- the transport under the ASGI server ---------------------------------------------------------------
def _find_transport() -> Any:
    """The asyncio transport of the current connection, found on the server's request cycle object
    up the (coroutine) call stack. uvicorn exposes no other handle; None under other servers."""
    frame = sys._getframe(1)
    while frame is not None:
        owner = frame.f_locals.get("self")
        transport = getattr(owner, "transport", None)
        if transport is not None and hasattr(transport, "abort") and hasattr(transport, "get_extra_info"):
            return transport
        frame = frame.f_back  # type: ignore[assignment]
    return None


class _ConnectionDropped(Exception):
    """Raised when no transport is reachable: the server aborts the response (no clean reply)."""


async def _drop(reset: bool) -> None:
    transport = _find_transport()
    if transport is None:
        raise _ConnectionDropped("mockswarms fault: connection dropped")
    if reset:
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):  # linger 0 makes close() send RST instead of FIN
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
    else:
        transport.close()
    for _ in range(3):  # let connection_lost run so the server sees the disconnect and sends nothing
        await asyncio.sleep(0)


# -- the middleware ---------------------------------------------------------------------------------------
def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _api_key(scope: Scope) -> str | None:
    key = _header(scope, b"x-api-key")
    if key:
        return key
    auth = _header(scope, b"authorization")
    if auth and auth.lower().startswith("bearer "):
        return auth[7:].strip() or None
    return None


def _latency(action: LatencyAction, rng: random.Random) -> float:
    if action.distribution == "uniform":
        value = rng.uniform(action.low, action.high)
    elif action.distribution == "lognormal":
        value = rng.lognormvariate(math.log(action.median), action.sigma)
    else:
        value = action.seconds
    return min(value, action.max_seconds)


_SSE_ACTIONS = (
    SseDisconnectAction,
    SseMalformedAction,
    SseDuplicateAction,
    SseDropTerminalAction,
    SseStallAction,
)


class FaultMiddleware:
    """Pure ASGI middleware: asks the engine about each request and applies the chosen fault.

    ``engine_getter(scope)`` returns the :class:`FaultEngine` (or None to pass everything through).
    Control API paths (``/__mockswarms/…``) are never faulted.
    """

    def __init__(self, app: ASGIApp, engine_getter: Callable[[Scope], FaultEngine | None]) -> None:
        self.app = app
        self.engine_getter = engine_getter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        engine = self.engine_getter(scope)
        if engine is None:
            await self.app(scope, receive, send)
            return
        await engine.sync()
        header = _header(scope, FAULT_HEADER.encode()) if engine.header_enabled else None
        if header is None and not engine.rules:
            await self.app(scope, receive, send)
            return

        body: Any = None
        if engine.needs_body and header is None:
            raw, receive = await _buffer_body(receive)
            try:
                body = orjson.loads(raw) if raw else None
            except orjson.JSONDecodeError:
                body = None
        request = RequestInfo(scope["method"], scope["path"], _api_key(scope), body)
        try:
            decision = await engine.decide(request, header)
        except ValidationFailed as exc:  # a bad X-Mockswarms-Fault header
            await _send_error(send, exc)
            return
        if decision is None:
            await self.app(scope, receive, send)
            return
        scope.setdefault("state", {})["fault_rule"] = decision.rule_id
        await self._apply(decision, engine, scope, receive, send)

    async def _apply(
        self, decision: FaultDecision, engine: FaultEngine, scope: Scope, receive: Receive, send: Send
    ) -> None:
        action = decision.action
        if isinstance(action, ErrorAction):
            await _send_error(send, error_response(action, scope["path"], engine.clock.timestamp()))
        elif isinstance(action, ResetAction):
            await _drop(reset=True)
        elif isinstance(action, EmptyAction):
            # Read the request first: closing with unread bytes in the socket makes the kernel send
            # RST, and the client would see a reset instead of a clean, empty close.
            await _buffer_body(receive)
            await _drop(reset=False)
        elif isinstance(action, LatencyAction):
            rng = decision.rng()
            if action.apply_to == "ttfb":
                await asyncio.sleep(_latency(action, rng))
                await self.app(scope, receive, send)
            else:
                await self.app(scope, receive, _ChunkDelay(send, action, rng))
        elif isinstance(action, TruncateAction | MalformedJsonAction | DripAction):
            await self.app(scope, receive, _BodyRewriter(send, action))
        elif isinstance(action, _SSE_ACTIONS):
            writer = _SseRewriter(send, action)
            await self.app(scope, receive, writer)
            await writer.finish()


async def _buffer_body(receive: Receive) -> tuple[bytes, Receive]:
    """Read the whole request body, and a receive that replays it (then delegates)."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    raw = b"".join(chunks)
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": raw, "more_body": False}
        return await receive()

    return raw, replay


class _ChunkDelay:
    """Sleeps a fresh latency draw before every body chunk."""

    def __init__(self, send: Send, action: LatencyAction, rng: random.Random) -> None:
        self.send, self.action, self.rng = send, action, rng

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.body" and (message.get("body") or message.get("more_body")):
            await asyncio.sleep(_latency(self.action, self.rng))
        await self.send(message)


class _BodyRewriter:
    """Collects the whole response, then sends it truncated, corrupted or dripped."""

    def __init__(self, send: Send, action: TruncateAction | MalformedJsonAction | DripAction) -> None:
        self.send, self.action = send, action
        self.start: Message | None = None
        self.chunks: list[bytes] = []

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.start = message
            return
        if message["type"] != "http.response.body":
            await self.send(message)
            return
        self.chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            await self._flush(b"".join(self.chunks))

    async def _flush(self, body: bytes) -> None:
        assert self.start is not None
        action = self.action
        headers = [(k, v) for k, v in self.start.get("headers", []) if k.lower() != b"content-length"]
        if isinstance(action, MalformedJsonAction):
            # Cut the JSON mid-way and keep the framing right: the client reads a 2xx it cannot parse.
            body = body[: max(len(body) // 2, 1)] + b"\x00}"
        headers.append((b"content-length", str(len(body)).encode()))
        await self.send({**self.start, "headers": headers})
        if isinstance(action, TruncateAction):
            await self.send(
                {
                    "type": "http.response.body",
                    "body": body[: int(len(body) * action.fraction)],
                    "more_body": True,
                }
            )
            await _drop(reset=False)
        elif isinstance(action, DripAction):
            for start in range(0, len(body), action.chunk_bytes):
                await asyncio.sleep(action.interval)
                await self.send(
                    {
                        "type": "http.response.body",
                        "body": body[start : start + action.chunk_bytes],
                        "more_body": True,
                    }
                )
            await self.send({"type": "http.response.body", "body": b"", "more_body": False})
        else:
            await self.send({"type": "http.response.body", "body": body})


def _split_events(buffer: bytes) -> tuple[list[bytes], bytes]:
    """Complete SSE frames (each with its blank-line terminator) and the incomplete rest."""
    frames: list[bytes] = []
    normalised = buffer.replace(b"\r\n", b"\n")
    while True:
        end = normalised.find(b"\n\n")
        if end < 0:
            return frames, normalised
        frames.append(normalised[: end + 2])
        normalised = normalised[end + 2 :]


def _is_event(frame: bytes) -> bool:
    """Frames carrying data count as events; comment-only frames (pings) do not."""
    return any(line.startswith(b"data:") for line in frame.split(b"\n"))


def _corrupt(frame: bytes) -> bytes:
    lines = []
    for line in frame.split(b"\n"):
        if line.startswith(b"data:"):
            payload = line[5:].strip()
            line = b"data: " + payload[: max(len(payload) // 2, 1)] + b"\x00"
        lines.append(line)
    return b"\n".join(lines)


class _SseRewriter:
    """Re-frames an SSE body into events and breaks it as the action says. Non-SSE bodies pass."""

    def __init__(self, send: Send, action: Any) -> None:
        self.send, self.action = send, action
        self.sse = False
        self.buffer = b""
        self.events = 0
        self.held: bytes | None = None  # sse_drop_terminal: one event kept back until the next arrives
        self.cut = False
        self.ended = False

    async def __call__(self, message: Message) -> None:
        if self.cut:
            return
        if message["type"] == "http.response.start":
            self.sse = any(
                k.lower() == b"content-type" and v.startswith(b"text/event-stream")
                for k, v in message.get("headers", [])
            )
            await self.send(message)
            return
        if message["type"] != "http.response.body" or not self.sse:
            await self.send(message)
            return
        frames, self.buffer = _split_events(self.buffer + message.get("body", b""))
        for frame in frames:
            await self._frame(frame)
            if self.cut:
                return
        if not message.get("more_body", False):
            await self._end()

    async def _emit(self, data: bytes) -> None:
        await self.send({"type": "http.response.body", "body": data, "more_body": True})

    async def _frame(self, frame: bytes) -> None:
        action = self.action
        if not _is_event(frame):
            await self._emit(frame)
            return
        self.events += 1
        n = self.events
        if isinstance(action, SseDisconnectAction):
            if n > action.after_events:
                self.cut = True
                await _drop(reset=False)
                return
            await self._emit(frame)
        elif isinstance(action, SseMalformedAction):
            await self._emit(_corrupt(frame) if n == action.event else frame)
        elif isinstance(action, SseDuplicateAction):
            await self._emit(frame + frame if n == action.event else frame)
        elif isinstance(action, SseStallAction):
            if n == action.event:
                await asyncio.sleep(action.seconds)
            await self._emit(frame)
        else:  # drop terminal
            if self.held is not None:
                await self._emit(self.held)
            self.held = frame

    async def _end(self) -> None:
        if self.ended:
            return
        self.ended = True
        if isinstance(self.action, SseDisconnectAction) and self.events <= self.action.after_events:
            # The stream had no more events than allowed: cut it at its natural end instead.
            self.cut = True
            await _drop(reset=False)
            return
        tail = self.buffer
        self.buffer = b""
        await self.send({"type": "http.response.body", "body": tail, "more_body": False})

    async def finish(self) -> None:
        """After the app returned: close a stream the app left open (e.g. when cut)."""
        if self.sse and not self.cut and not self.ended:
            await self._end()
