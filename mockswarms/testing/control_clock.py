"""The simulator's clock seen from a test: read, freeze, jump, advance (never sleep)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from mockswarms.clock import parse_instant
from mockswarms.testing.journal_view import ControlRequests

__all__ = ["ControlClock", "instant_text"]


def instant_text(value: str | datetime) -> str:
    moment = parse_instant(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


class ControlClock:
    """The simulator's clock: read it, freeze it, move it (never sleep in tests)."""

    def __init__(self, control: ControlRequests) -> None:
        self._control = control

    def _put(self, body: dict[str, Any]) -> dict[str, Any]:
        data: dict[str, Any] = self._control._request("PUT", "/clock", json=body).json()
        return data

    def _get(self) -> dict[str, Any]:
        data: dict[str, Any] = self._control._request("GET", "/clock").json()
        return data

    @property
    def now(self) -> datetime:
        return parse_instant(self._get()["now"])

    @property
    def frozen(self) -> bool:
        return bool(self._get()["frozen"])

    def freeze(self, at: str | datetime | None = None) -> datetime:
        """Stop time (at ``at``, default: the current simulated instant)."""
        # Freeze first, then jump: a frozen clock set to ``at`` stays exactly there (one request with
        # both fields would let a running clock tick between the jump and the freeze).
        data = self._put({"frozen": True})
        if at is not None:
            data = self._put({"now": instant_text(at)})
        return parse_instant(data["now"])

    def unfreeze(self) -> datetime:
        return parse_instant(self._put({"frozen": False})["now"])

    def set(self, at: str | datetime) -> datetime:
        """Jump to ``at``; a frozen clock stays frozen."""
        return parse_instant(self._put({"now": instant_text(at)})["now"])

    def advance(
        self, seconds: float = 0, *, minutes: float = 0, hours: float = 0, days: float = 0
    ) -> datetime:
        total = seconds + 60 * minutes + 3600 * hours + 86400 * days
        return parse_instant(self._put({"advance_seconds": total})["now"])

    def sleep(self, seconds: float) -> None:
        """A drop-in for ``time.sleep`` that moves simulated time instead of waiting (monkeypatch it in)."""
        if seconds > 0:
            self.advance(seconds)

    def __repr__(self) -> str:
        data = self._get()
        return f"ControlClock(now={data['now']!r}, frozen={data['frozen']})"
