"""Drift findings: one difference between the upstream's answer and what was expected of it."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import asdict, dataclass
from typing import Any, Literal

__all__ = ["MAX_FINDINGS", "DriftLog", "Finding"]

MAX_FINDINGS = 10_000  # kept in memory by one proxy; older findings are dropped (the count stays exact)

Side = Literal["contract", "simulator", "billing"]


@dataclass(frozen=True)
class Finding:
    """``path`` is a JSON path into the exchange: ``$.body.usage.total_cost``, ``$.events[3]``,
    ``$.headers.x-ratelimit-tier``, ``$.status``. ``side`` says what the upstream was compared with."""

    operation: str  # "POST /v1/agent/completions"
    path: str
    expected: Any
    got: Any
    side: Side
    message: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Finding:
        return cls(
            operation=str(data["operation"]),
            path=str(data["path"]),
            expected=data.get("expected"),
            got=data.get("got"),
            side=data["side"],
            message=str(data.get("message", "")),
        )


class DriftLog:
    """Findings of one proxy (thread-safe, bounded) with the number of exchanges checked."""

    def __init__(self, maxlen: int = MAX_FINDINGS) -> None:
        self._findings: deque[Finding] = deque(maxlen=maxlen)
        self._lock = threading.Lock()
        self.exchanges = 0
        self.total = 0

    def add(self, findings: list[Finding], *, exchange: bool = True) -> None:
        with self._lock:
            self.exchanges += int(exchange)
            self.total += len(findings)
            self._findings.extend(findings)

    def clear(self) -> None:
        with self._lock:
            self._findings.clear()
            self.exchanges = self.total = 0

    def to_json(self) -> dict[str, Any]:
        with self._lock:
            return {
                "exchanges": self.exchanges,
                "drift": self.total,
                "findings": [f.to_json() for f in self._findings],
            }
