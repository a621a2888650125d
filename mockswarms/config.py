"""Settings: every switch the reference names, grouped into profiles, loaded from file / env / CLI.

Precedence (lowest first): built-in defaults → the chosen profile's preset → config file →
``MOCKSWARMS_*`` environment variables → command-line options. A profile is only a preset of
settings; every field can still be overridden one by one.
"""

from __future__ import annotations

import importlib.util
import json
import os
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from mockswarms.accounts_config import (
    DEFAULT_ACCOUNTS,
    MAX_CREDIT,
    MAX_WINDOW_LIMIT,
    AccountConfig,
    Money,
    resolve_accounts,
)
from mockswarms.clock import parse_instant
from mockswarms.shapes.requests import SwarmOutputType
from mockswarms.state.base import LOGS_TOTAL

__all__ = [
    "DEFAULT_ACCOUNTS",
    "EARLIEST_YEAR",
    "LATEST_YEAR",
    "MAX_ADMIN_TOKEN_LENGTH",
    "MAX_CREDIT",
    "MAX_RATE_LIMIT_SCALE",
    "MAX_WAIT_SECONDS",
    "MAX_WINDOW_LIMIT",
    "PROFILES",
    "AccountConfig",
    "ConfigError",
    "PacingConfig",
    "Settings",
    "load_settings",
    "resolve_accounts",
]

ENV_PREFIX = "MOCKSWARMS_"

# Ranges (README "Control API protections") that keep every derived value representable: a window limit
# (<= MAX_WINDOW_LIMIT) scaled by rate_limit_scale stays below int32 max (2,147,483,647, what SDKs parse).
MAX_RATE_LIMIT_SCALE = 1000
MAX_WAIT_SECONDS = 3600  # a pause the simulator makes (pings, time to first token)
MAX_ADMIN_TOKEN_LENGTH = 1024
EARLIEST_YEAR, LATEST_YEAR = 1970, 9000  # no negative timestamps; room to advance (datetime ends at 9999)
Discount = Annotated[Decimal, Field(ge=0, le=1)]


class ConfigError(Exception):
    """A bad setting: says where (file or variable), which key, and why."""

    def __init__(self, source: str, key: str, reason: str) -> None:
        self.source, self.key, self.reason = source, key, reason
        super().__init__(f"{source}: {key}: {reason}" if key else f"{source}: {reason}")


class PacingConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    time_to_first_token: float = Field(0.0, ge=0, le=MAX_WAIT_SECONDS)
    tokens_per_second: float = 0.0  # 0 = no delay between chunks

    @field_validator("tokens_per_second")
    @classmethod
    def _rate(cls, value: float) -> float:
        # A crawl like 1e-300 would make a run last longer than any clock can count.
        if value != 0 and not 0.01 <= value <= 1_000_000:
            raise ValueError("must be 0 (no delay) or between 0.01 and 1000000")
        return value


class Settings(BaseModel):
    """All settings of one simulator. Field names are the config-file keys."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)

    # -- serving -------------------------------------------------------------------------------
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=0, le=65535)
    workers: int = Field(1, ge=1)
    log_level: Literal["critical", "error", "warning", "info", "debug"] = "info"
    profile: Literal["docs", "prism", "legacy", "client-0.1.6", "docs-2025"] = "docs"
    seed: int = 0
    now: datetime | None = None  # freeze the clock at this instant; None = real time
    fixtures: list[Path] = Field(default_factory=list)  # fixture directories (YAML rules), in priority order
    fixtures_watch: bool = True  # reload fixture files when they change
    store: str = "memory"  # "memory" or redis://host:port/db
    admin_token: str | None = None  # when set, the control API needs "Authorization: Bearer <token>"
    # Proxies whose X-Forwarded-For/-Proto are believed (uvicorn's syntax: "10.0.0.1,10.0.0.2", "*").
    # None: nobody's, so a client cannot choose the address the keyless per-IP limit counts.
    forwarded_allow_ips: str | None = None
    max_body_bytes: int = Field(10 * 1024 * 1024, ge=1)
    journal_size: int = Field(1000, ge=0)
    logs_per_user: int = Field(1000, ge=1)
    logs_total: int = Field(LOGS_TOTAL, ge=1)  # log rows kept across all users (oldest dropped)
    # The built-in sk-mock-* keys stay unless this is off; `accounts` adds keys (or replaces by key).
    builtin_accounts: bool = True
    accounts: list[AccountConfig] = Field(default_factory=list, validate_default=True)

    # -- authentication (reference §c) -------------------------------------------------------------
    bearer_enabled: bool = True
    auth_missing_mode: Literal["401", "422"] = "401"
    auth_invalid_status: Literal[401, 403] = 403
    public_discovery: bool = True
    accept_any_key: bool = False  # prism: any key is a premium account with ample credit

    # -- request semantics --------------------------------------------------------------------------
    semantic_validation: bool = True  # prism: off (schema-valid {} bodies are answered 2xx)
    agent_batch_max: int | None = Field(10, ge=1)
    swarm_batch_max: int | None = Field(None, ge=1)
    agent_batch_shape: Literal["envelope", "list"] = "envelope"
    reject_misspelled_hierarchical: bool = False
    legacy_swarm_types: bool = True  # MALT, DeepResearchSwarm, InteractiveGroupChat, SpreadSheetSwarm
    swarm_response_layout: Literal["current", "legacy"] = "current"
    agent_response_id_field: bool = False  # also send legacy "id" next to "job_id"
    logs_count: Literal["null", "length"] = "null"
    # -- seed documents' shapes (README "Which profile for which document") ---------------------------
    default_output_type: SwarmOutputType | None = None  # a swarm's output_type when the request has none
    invalid_swarm_type_status: Literal[400, 422] = 422  # 400: seed 001's one-message detail
    swarm_batch_item: Literal["docs", "full"] = "docs"  # full: each item is the single-swarm body
    available_swarm_types: Literal["docs", "2025"] = "docs"  # 2025: the 13 types swarms-client 0.1.6 knows
    log_id_type: Literal["int", "str"] = "int"  # str: swarms-client 0.1.6 wants string log ids
    log_execution_time: Literal["as-logged", "iso"] = "as-logged"  # iso: seed 002's log rows
    hierarchical_echo: Literal["corrected", "as-sent"] = "corrected"  # as-sent: HiearchicalSwarm echoed
    default_model: str = "gpt-4.1"
    legacy_endpoints: bool = True  # advanced research, auto-swarm-builder, marketplace agents
    enable_usage_report: bool = False
    enable_scheduling: bool = False
    enable_auto_generate: bool = False

    # -- tiers, limits, credits (reference §c, §d, §e) ------------------------------------------------
    premium_endpoint_gate: bool = True
    premium_model_gate: bool = True
    premium_error_shape: Literal["error", "detail"] = "error"
    rate_limit_mode: Literal["docs", "legacy-ip", "off"] = "docs"
    rate_limit_scale: float = Field(1.0, gt=0, le=MAX_RATE_LIMIT_SCALE)  # 0.01: fast tests (min 1)
    free_hour_limit: int = Field(350, ge=1, le=MAX_WINDOW_LIMIT)  # 50 reproduces the pre-2026-07-09 value
    ip_limit_per_minute: int = Field(100, ge=1, le=MAX_WINDOW_LIMIT)
    credit_gate: Literal["precheck", "postrun", "off"] = "precheck"
    credit_threshold: Money = Decimal("1.00")
    prompt_limit_free: int = Field(200_000, ge=1)
    prompt_limit_premium: int = Field(2_000_000, ge=1)

    # -- billing (reference §e) ------------------------------------------------------------------------
    price_table: Literal["2026", "2025-11", "2025-08", "2025-05"] = "2026"
    night_discount: Discount = Decimal("0.5")  # 0.75 in the legacy profile
    night_discount_scope: Literal["swarm", "all"] = "swarm"
    night_timezone: str = "America/Los_Angeles"
    flex_discount: Discount = Decimal("0")
    frenzy_mode: bool = False
    usage_costs_shape: Literal["wrapped", "flat"] = "wrapped"

    # -- streaming (reference §f) -------------------------------------------------------------------------
    streaming: bool = True  # prism: never SSE
    agent_sse_format: Literal["docs", "legacy"] = "docs"
    swarm_sse_done: bool = True
    sse_ping_interval: float = Field(15.0, ge=0.01, le=MAX_WAIT_SECONDS)
    # What a reply cut short costs (a client gone mid-stream, a fault rule that breaks a reply):
    # nothing by default (charged iff the client got the complete response).
    stream_disconnect_billing: Literal["none", "produced", "full"] = "none"
    pacing: dict[str, PacingConfig] = Field(default_factory=dict)  # model name (or "*") -> pacing

    # -- contract, faults ----------------------------------------------------------------------------------
    request_validation: Literal["off", "report", "strict"] = "report"
    response_fuzz: bool = False
    control_api_in_contract: bool = False
    fault_header_enabled: bool = False
    faults: list[dict[str, Any]] = Field(default_factory=list)

    @field_validator("now", mode="before")
    @classmethod
    def _parse_now(cls, value: object) -> object:
        shown = value
        if isinstance(value, str):
            if value.strip().lower() in ("", "real", "none"):
                return None
            try:
                value = parse_instant(value)
            except OverflowError as exc:  # year 1 with a positive offset: before datetime's first day
                raise ValueError(f"must be between {EARLIEST_YEAR} and {LATEST_YEAR}, got {shown!r}") from exc
        if isinstance(value, datetime) and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            shown = shown if isinstance(shown, str) else value.isoformat()
            raise ValueError(f"must be between {EARLIEST_YEAR} and {LATEST_YEAR}, got {shown!r}")
        return value

    @field_validator("admin_token")
    @classmethod
    def _token_a_client_can_send(cls, value: str | None) -> str | None:
        # Sent as "Authorization: Bearer <token>": one no client can send would lock everyone out.
        if value and (len(value) > MAX_ADMIN_TOKEN_LENGTH or not all("!" <= ch <= "~" for ch in value)):
            raise ValueError(
                f"must be 1 to {MAX_ADMIN_TOKEN_LENGTH} visible ASCII characters (no spaces), "
                "so that a client can send it in an Authorization header"
            )
        return value or None

    @field_validator("accounts")
    @classmethod
    def _resolve_accounts(cls, value: list[AccountConfig], info: ValidationInfo) -> list[AccountConfig]:
        return resolve_accounts(value, builtin=bool(info.data.get("builtin_accounts", True)))

    @field_validator("response_fuzz")
    @classmethod
    def _fuzz_needs_the_contract_extra(cls, value: bool) -> bool:
        # Checked here so a base install says so at start-up, not with a 500 on the first request.
        if value and importlib.util.find_spec("schemathesis") is None:
            raise ValueError("needs schemathesis: pip install 'mockswarms[contract]'")
        return value

    @field_validator("store")
    @classmethod
    def _check_store(cls, value: str) -> str:
        if value != "memory" and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must be 'memory' or a redis:// URL")
        try:
            _ = urlsplit(value).port  # an unclosed [IPv6 or a bad port; the reason never quotes the password
        except ValueError as exc:
            raise ValueError(f"not a valid URL ({exc})") from None
        return value

    @field_validator("host")
    @classmethod
    def _check_host(cls, value: str) -> str:
        # "" binds every interface (0.0.0.0) while the banner shows http://:port.
        if not value.strip():
            raise ValueError("must not be empty (127.0.0.1: this machine only; 0.0.0.0: every interface)")
        return value

    def pacing_for(self, model: str) -> PacingConfig | None:
        """The pacing configured for ``model``, else for ``"*"``; None when neither is (no delays)."""
        pacing = self.pacing
        return (pacing.get(model) or pacing.get("*")) if pacing else None


# Profiles are presets of settings (reference "Simulator defaults in one place", item 5).
PROFILES: dict[str, dict[str, Any]] = {
    "docs": {},
    "prism": {
        "accept_any_key": True,
        "semantic_validation": False,
        "premium_endpoint_gate": False,
        "premium_model_gate": False,
        "rate_limit_mode": "off",
        "credit_gate": "off",
        "streaming": False,
        "request_validation": "off",
    },
    "legacy": {
        "bearer_enabled": False,
        "night_discount": Decimal("0.75"),
        "night_discount_scope": "all",
        "rate_limit_mode": "legacy-ip",
        "free_hour_limit": 50,
        "agent_batch_shape": "list",
        "swarm_response_layout": "legacy",
        "agent_response_id_field": True,
        "logs_count": "length",
        "premium_error_shape": "detail",
        "usage_costs_shape": "flat",
        "agent_sse_format": "legacy",
        "default_model": "gpt-4o-mini",
        "price_table": "2025-05",
        "enable_scheduling": True,
        "enable_auto_generate": True,
    },
}
# Seed 000 (Python client doc): swarms-client 0.1.6 parses `output` as an object, log ids as strings,
# `count` as an int, swarm types from its own 13-value Literal, swarm batch items as full responses and
# the async agent batch as a bare list; it defaults to gpt-4o-mini. Everything else follows the docs.
PROFILES["client-0.1.6"] = {
    "default_output_type": "dict",
    "agent_response_id_field": True,
    "logs_count": "length",
    "log_id_type": "str",
    "available_swarm_types": "2025",
    "agent_batch_shape": "list",
    "swarm_batch_item": "full",
    "default_model": "gpt-4o-mini",
    "hierarchical_echo": "as-sent",
}
# Seeds 001 (API reference), 002 (older reference) and 004 (streaming): the 2025 service of `legacy`
# with what those documents show instead: the agent batch envelope, a one-message 400 for an unknown
# swarm_type, full swarm responses as batch items, "str" as the default output_type, log rows whose
# data.execution_time is an ISO instant, and 001's flex tier (75 % off token costs).
PROFILES["docs-2025"] = {
    **PROFILES["legacy"],
    "agent_batch_shape": "envelope",
    "invalid_swarm_type_status": 400,
    "swarm_batch_item": "full",
    "default_output_type": "str",
    "log_execution_time": "iso",
    "hierarchical_echo": "as-sent",
    "flex_discount": Decimal("0.75"),  # 001's Flex Tier: "75% discount on token costs"
}

_FIELDS = Settings.model_fields


def _coerce_env(name: str, raw: str) -> Any:
    """Environment values are strings; JSON-ish ones (lists, dicts, numbers, booleans) are decoded."""
    field = _FIELDS[name]
    annotation = str(field.annotation)
    if name == "fixtures":
        return [p for p in raw.split(os.pathsep) if p]
    if any(t in annotation for t in ("list", "dict")):
        try:
            return json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ConfigError(
                f"environment {ENV_PREFIX}{name.upper()}", name, f"not valid JSON: {exc.msg}"
            ) from exc
    return raw


def _read_file(path: Path) -> dict[str, Any]:
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(source, "", f"cannot read the file ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        byte = exc.object[exc.start]
        raise ConfigError(source, "", f"not UTF-8 text (byte 0x{byte:02x} at offset {exc.start})") from exc
    try:
        data = yaml.safe_load(text)  # JSON is YAML too
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "parse error"
        raise ConfigError(
            source, "", f"not valid YAML/JSON ({where}: {getattr(exc, 'problem', exc)})"
        ) from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(source, "", "the top level must be a mapping of setting names to values")
    unknown = sorted(k for k in data if k not in _FIELDS)
    if unknown:
        raise ConfigError(source, str(unknown[0]), "unknown setting")
    # Relative fixture paths are relative to the config file.
    if isinstance(data.get("fixtures"), list):
        data["fixtures"] = [str((path.parent / str(p)).resolve()) for p in data["fixtures"]]
    elif isinstance(data.get("fixtures"), str):
        data["fixtures"] = [str((path.parent / data["fixtures"]).resolve())]
    return data


def _validate(values: Mapping[str, Any], sources: Mapping[str, str]) -> Settings:
    try:
        return Settings(**values)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = [str(p) for p in error["loc"] if p != "[key]"]  # pydantic's marker for a bad mapping key
        key = ".".join(loc)
        source = sources.get(loc[0], "settings") if loc else "settings"
        raise ConfigError(source, key, error["msg"].removeprefix("Value error, ")) from exc


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    *,
    config_file: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
    sources: dict[str, str] | None = None,
) -> Settings:
    """Build settings from defaults, profile, file, environment and explicit ``overrides`` (CLI).

    ``sources``, when given, is filled with where each explicitly set value came from (a file path,
    ``environment MOCKSWARMS_X`` or ``command line``), for error messages found after loading.
    """
    environ = os.environ if environ is None else environ
    overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
    sources = {} if sources is None else sources

    env_values: dict[str, Any] = {}
    env_config = environ.get(ENV_PREFIX + "CONFIG")
    for name in _FIELDS:
        raw = environ.get(ENV_PREFIX + name.upper())
        if raw is not None:
            env_values[name] = _coerce_env(name, raw)
            sources[name] = f"environment {ENV_PREFIX}{name.upper()}"

    path = config_file or overrides.pop("config", None) or env_config
    file_values: dict[str, Any] = {}
    if path:
        file_values = _read_file(Path(path))
        for name in file_values:
            sources.setdefault(name, str(path))

    for name in overrides:
        if name not in _FIELDS:
            raise ConfigError("command line", name, "unknown setting")
        sources[name] = "command line"

    profile = overrides.get("profile") or env_values.get("profile") or file_values.get("profile") or "docs"
    if profile not in PROFILES:
        source = sources.get("profile", "settings")
        raise ConfigError(
            source, "profile", f"unknown profile {profile!r} (choose from {', '.join(PROFILES)})"
        )

    merged: dict[str, Any] = dict(PROFILES[profile])
    for layer in (file_values, env_values, overrides):
        merged.update(layer)
    merged["profile"] = profile
    return _validate(merged, sources)
