"""Schemathesis, run through its Python API against a server or an in-process app: the run's
configuration (:func:`build_config`), the run itself (:func:`run_verification`) and its report.

``mockswarms verify`` (``contract/verify.py``) is the command around it: reachability checks, the
console and JUnit output.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mockswarms.contract.dashboard_paths import endless_operation

__all__ = [
    "CHECKS",
    "CheckFailure",
    "OperationResult",
    "VerifyReport",
    "build_config",
    "load_contract",
    "run_verification",
]

CHECKS: tuple[str, ...] = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "negative_data_rejection",
)


STATEFUL_LABEL = "Stateful tests"


@dataclass(frozen=True)
class CheckFailure:
    operation: str
    check: str
    title: str
    message: str
    reproduce: str  # a curl command

    def to_json(self) -> dict[str, str]:
        return {
            "operation": self.operation,
            "check": self.check,
            "title": self.title,
            "message": self.message,
            "reproduce": self.reproduce,
        }


@dataclass
class OperationResult:
    label: str
    cases: int = 0
    checks_run: int = 0
    failures: list[CheckFailure] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failures and not self.errors


@dataclass
class VerifyReport:
    operations: dict[str, OperationResult] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    elapsed: float = 0.0
    stop_reason: str = ""

    @property
    def failures(self) -> list[CheckFailure]:
        return [f for op in self.operations.values() for f in op.failures]

    @property
    def ok(self) -> bool:
        return not self.errors and all(op.ok for op in self.operations.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "elapsed": round(self.elapsed, 3),
            "errors": self.errors,
            "operations": {
                label: {
                    "cases": op.cases,
                    "checks": op.checks_run,
                    "failures": [f.to_json() for f in op.failures],
                    "errors": op.errors,
                }
                for label, op in self.operations.items()
            },
        }


def load_contract(source: str | None = None, *, full: bool = False) -> dict[str, Any]:
    """The contract to verify against: a file path or URL, else the one generated from the models."""
    if source is None:
        from mockswarms.contract.openapi import build_openapi

        return build_openapi(include_control=full, include_optional=full)
    if source.startswith(("http://", "https://")):
        import httpx

        response = httpx.get(source, timeout=30)
        response.raise_for_status()
        document: dict[str, Any] = response.json()
        return document
    loaded: dict[str, Any] = json.loads(Path(source).read_text(encoding="utf-8"))
    return loaded


REJECTION_STATUSES = (
    "400",
    "401",
    "402",
    "403",
    "404",
    "405",
    "406",
    "409",
    "413",
    "415",
    "422",
    "428",
    "429",
    "5XX",
)


def build_config(
    *,
    base_url: str | None = None,
    api_key: str | None = None,
    max_examples: int = 20,
    seed: int | None = 0,
    checks: Sequence[str] = CHECKS,
    mode: str = "all",
    stateful: bool = True,
    coverage: bool = False,
    headers: dict[str, str] | None = None,
    workers: int = 1,
    max_time: float | None = None,
) -> Any:
    """A ``schemathesis.config.SchemathesisConfig`` for one run."""
    from schemathesis.config import SchemathesisConfig

    all_headers = dict(headers or {})
    if api_key is not None:
        all_headers.setdefault("x-api-key", api_key)
    data: dict[str, Any] = {
        "generation": {"max-examples": max_examples, "mode": mode, "database": "none"},
        "checks": {"enabled": False, **{name: {"enabled": True} for name in checks}},
        # 402 is a documented rejection too: the credit pre-check runs before body validation.
        "phases": {"stateful": {"enabled": stateful}, "coverage": {"enabled": coverage}},
        "workers": workers,
        "suppress-health-check": ["all"],
    }
    if "negative_data_rejection" in checks:
        data["checks"]["negative_data_rejection"]["expected-statuses"] = list(REJECTION_STATUSES)
    if seed is not None:
        data["seed"] = seed
    if max_time is not None:
        data["max-time"] = max_time
    if base_url is not None:
        data["base-url"] = base_url
    if all_headers:
        data["headers"] = all_headers
    return SchemathesisConfig.from_dict(data)


def _error_text(event: Any) -> str:
    info = getattr(event, "info", None)
    message = getattr(info, "message", None) or str(getattr(event, "value", event))
    label = getattr(event, "label", None)
    return f"{label}: {message}" if label else str(message)


def _endless(definition: Any) -> bool:
    return isinstance(definition, dict) and endless_operation(definition)


def run_verification(
    document: dict[str, Any],
    *,
    base_url: str | None = None,
    app: Any = None,
    api_key: str | None = None,
    max_examples: int = 20,
    seed: int | None = 0,
    checks: Sequence[str] = CHECKS,
    mode: str = "all",
    stateful: bool = True,
    coverage: bool = False,
    headers: dict[str, str] | None = None,
    include_path: str | None = None,
    exclude_path: str | None = None,
    max_time: float | None = None,
    on_progress: Callable[[str, int, int], None] | None = None,
) -> VerifyReport:
    """Run Schemathesis against ``base_url`` (a live server) or ``app`` (ASGI, in-process).

    ``max_examples`` bounds the generated cases per operation and phase (examples, fuzzing, stateful).
    ``coverage=True`` adds Schemathesis' coverage phase: systematic boundary values, not bounded by
    ``max_examples`` (about a thousand cases per POST operation of this contract).
    """
    import schemathesis
    from schemathesis.engine import events, from_schema

    if (base_url is None) == (app is None):
        raise ValueError("give exactly one of base_url or app")
    config = build_config(
        base_url=base_url,
        api_key=api_key,
        max_examples=max_examples,
        seed=seed,
        checks=checks,
        mode=mode,
        stateful=stateful,
        coverage=coverage,
        headers=headers,
        max_time=max_time,
    )
    schema: Any = schemathesis.openapi.from_dict(json.loads(json.dumps(document)), config=config)
    if include_path is not None:
        schema = schema.include(path_regex=include_path)
    if exclude_path is not None:
        schema = schema.exclude(path_regex=exclude_path)
    # A response that never ends (the dashboard's live feed) would hold the run forever.
    schema = schema.exclude(func=lambda ctx: _endless(ctx.operation.definition.raw))
    if app is not None:
        schema.app = app
    total = sum(1 for _ in schema.get_all_operations())
    report = VerifyReport()
    started = time.monotonic()
    seen_failures: set[tuple[str, str, str, str]] = set()
    finished_labels: set[str] = set()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            label = event.recorder.label
            result = report.operations.setdefault(label, OperationResult(label))
            result.cases += len(event.recorder.cases)
            result.elapsed += event.elapsed_time
            for nodes in event.recorder.checks.values():
                for node in nodes:
                    result.checks_run += 1
                    info = node.failure_info
                    if info is None:
                        continue
                    failure = info.failure
                    key = (label, node.name, failure.title, failure.message)
                    if key in seen_failures:
                        continue
                    seen_failures.add(key)
                    result.failures.append(
                        CheckFailure(label, node.name, failure.title, failure.message, info.code_sample)
                    )
            if label != STATEFUL_LABEL and label not in finished_labels:
                finished_labels.add(label)
            if on_progress is not None:
                on_progress(label, min(len(finished_labels), total), total)
        elif isinstance(event, events.NonFatalError):
            label = getattr(event, "label", "") or "run"
            report.operations.setdefault(label, OperationResult(label)).errors.append(_error_text(event))
        elif isinstance(event, events.FatalError):
            report.errors.append(_error_text(event))
        elif isinstance(event, events.EngineFinished):
            report.stop_reason = str(event.stop_reason)
            for failure in event.failures:
                report.operations.setdefault("run", OperationResult("run")).failures.append(
                    CheckFailure(str(failure.operation), "after_run", failure.title, failure.message, "")
                )
    report.elapsed = time.monotonic() - started
    return report
