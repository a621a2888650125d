"""Validation of control-API inputs: whatever a caller sends, the answer is a 422 naming the field,
never a 500 and never a simulator left broken (a NaN clock used to fail every request until reset).

Each helper reads one field of a parsed JSON object and returns it typed, or raises
``APIError(422, "<field>: <what is wrong>")``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from mockswarms.accounts_config import MAX_CREDIT, MAX_WINDOW_LIMIT, WINDOWS
from mockswarms.clock import parse_instant
from mockswarms.config import EARLIEST_YEAR, LATEST_YEAR
from mockswarms.errors import APIError

__all__ = [
    "LATEST_YEAR",
    "MAX_ADVANCE_SECONDS",
    "MAX_CREDIT",
    "MAX_FIXTURE_SCAN",
    "check_fixture_dirs",
    "field_error",
    "finite_seconds",
    "instant",
    "money",
    "optional_string",
    "window_limits",
]

MAX_ADVANCE_SECONDS = 100 * 366 * 24 * 3600  # a century per call: far beyond any test, far below overflow
# Directory entries a fixtures path may hold (walked once, in a worker thread): a typo like "/usr" is
# refused in well under a second instead of scanning the whole tree on the event loop.
MAX_FIXTURE_SCAN = 5_000


def field_error(name: str, problem: str) -> APIError:
    return APIError(422, f"{name}: {problem}")


def finite_seconds(data: Mapping[str, Any], name: str) -> float | None:
    """A number of seconds in [0, MAX_ADVANCE_SECONDS]; numeric strings are accepted; None if absent."""
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise field_error(name, "must be a number of seconds")
    try:
        seconds = float(value)
    except (ValueError, OverflowError) as exc:
        raise field_error(name, f"must be a number of seconds, got {value!r}") from exc
    if not math.isfinite(seconds) or not 0 <= seconds <= MAX_ADVANCE_SECONDS:
        raise field_error(name, f"must be between 0 and {MAX_ADVANCE_SECONDS} seconds, got {value!r}")
    return seconds


def instant(data: Mapping[str, Any], name: str) -> datetime | None:
    """An ISO-8601 instant between 1970 and year 9000 (the range ``now`` has in settings); None if absent."""
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise field_error(name, "must be an ISO-8601 instant such as 2026-01-01T00:00:00Z")
    try:
        moment = parse_instant(value)
    except (ValueError, OverflowError) as exc:
        raise field_error(
            name, f"must be an ISO-8601 instant such as 2026-01-01T00:00:00Z, got {value!r}"
        ) from exc
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise field_error(name, f"must be between {EARLIEST_YEAR} and {LATEST_YEAR}, got {value!r}")
    return moment


def money(data: Mapping[str, Any], name: str, default: Decimal) -> Decimal:
    """A finite amount of dollars (number or numeric string) within ±MAX_CREDIT; ``default`` if absent."""
    value = data.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise field_error(name, "must be a number of dollars")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise field_error(name, f"must be a number of dollars, got {value!r}") from exc
    if not amount.is_finite() or abs(amount) > MAX_CREDIT:
        raise field_error(name, f"must be a finite amount within ±{MAX_CREDIT:,.0f}, got {value!r}")
    return amount


def window_limits(data: Mapping[str, Any], name: str) -> dict[str, int | None] | None:
    """Per-account limits as ``GET /accounts/{key}`` shows them: window (minute, hour, day) to a number
    of requests in [0, MAX_WINDOW_LIMIT], or null for unlimited; None if absent or null."""
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise field_error(
            name, "must be an object of window name (minute, hour, day) to a number of requests"
        )
    for window, limit in value.items():
        if window not in WINDOWS:
            raise field_error(f"{name}.{window}", f"unknown window (one of {', '.join(WINDOWS)})")
        whole = isinstance(limit, int) and not isinstance(limit, bool)
        if limit is not None and not (whole and 0 <= limit <= MAX_WINDOW_LIMIT):
            raise field_error(
                f"{name}.{window}",
                f"must be a whole number of requests from 0 to {MAX_WINDOW_LIMIT}, or null",
            )
    return dict(value)


def optional_string(data: Mapping[str, Any], name: str) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise field_error(name, "must be a non-empty string")
    return value


def _scan_is_bounded(directory: Path, budget: int) -> bool:
    """Whether ``directory``'s tree holds at most ``budget`` entries (stops counting past it)."""
    seen = 0
    pending = [directory]
    while pending:
        try:
            with os.scandir(pending.pop()) as entries:
                for entry in entries:
                    seen += 1
                    if seen > budget:
                        return False
                    if entry.is_dir(follow_symlinks=False):
                        pending.append(Path(entry.path))
        except OSError:
            continue
    return True


def check_fixture_dirs(value: Any, name: str = "fixtures") -> list[str]:
    """Fixture paths: strings naming existing files or directories of bounded size. Blocking (walks
    the file system): call it from a worker thread."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise field_error(name, "must be a list of paths (strings)")
    paths: Iterable[str] = value
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise field_error(name, f"{raw} does not exist")
        if path.is_dir() and not _scan_is_bounded(path, MAX_FIXTURE_SCAN):
            raise field_error(
                name,
                f"{raw} holds more than {MAX_FIXTURE_SCAN} entries: point at a directory of fixture files",
            )
    return list(value)
