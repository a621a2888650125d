"""Fault rules as data: what a rule matches, which matches it fires on, and what it does (the actions).

Pure pydantic models validated strictly (unknown fields are errors); ``RULE_ADAPTER`` validates a rule
from JSON or YAML. :func:`endpoint_family` names the family a path belongs to (``match.endpoint``).
"""

from __future__ import annotations

import math
import random
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator

# Durations and fractions are finite: YAML reads `1e400` as a string that would become inf.
_STRICT = ConfigDict(extra="forbid", allow_inf_nan=False)


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

    def draw(self, rng: random.Random) -> float:
        """One delay in seconds from the distribution, capped at ``max_seconds``."""
        if self.distribution == "uniform":
            value = rng.uniform(self.low, self.high)
        elif self.distribution == "lognormal":
            value = rng.lognormvariate(math.log(self.median), self.sigma)
        else:
            value = self.seconds
        return min(value, self.max_seconds)


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

# Actions by how the wire applies them (``faults.wire.middleware`` dispatches on these).
BODY_ACTIONS = (TruncateAction, MalformedJsonAction, DripAction)
SSE_ACTIONS = (
    SseDisconnectAction,
    SseMalformedAction,
    SseDuplicateAction,
    SseDropTerminalAction,
    SseStallAction,
)


class FaultRule(BaseModel):
    model_config = _STRICT

    id: str = Field("", max_length=200)
    match: FaultMatch = Field(default_factory=FaultMatch)
    selector: FaultSelector = Field(default_factory=lambda: FaultSelector.model_validate({}))
    action: FaultAction

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


RULE_ADAPTER = TypeAdapter(FaultRule)
