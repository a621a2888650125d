"""The one clock of a simulator: real time, or frozen at an instant, always advanceable.

Every timestamp, rate window, night-time discount and scheduled job reads this object, never
``time.time()``. Tests move time with :meth:`Clock.advance` instead of sleeping.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

__all__ = ["Clock", "ClockState", "format_timestamp", "parse_instant"]


def parse_instant(value: str) -> datetime:
    """Parse an ISO-8601 instant; a naive value is taken as UTC. Raises ValueError."""
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def format_timestamp(moment: datetime) -> str:
    """ISO-8601 with microseconds and ``+00:00``, the API's timestamp spelling."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


_SECOND_PREFIXES: dict[int, str] = {}


def _isoformat(moment: float) -> str:
    """``format_timestamp(datetime.fromtimestamp(moment, UTC))``, with the date and time of day
    cached per second. Microseconds are rounded as ``datetime.fromtimestamp`` rounds them (half
    to even on the fraction, carried into the seconds)."""
    frac, whole = math.modf(moment)
    micro = round(frac * 1e6)
    second = int(whole)
    if micro >= 1_000_000:
        second, micro = second + 1, micro - 1_000_000
    elif micro < 0:
        second, micro = second - 1, micro + 1_000_000
    prefix = _SECOND_PREFIXES.get(second)
    if prefix is None:
        if len(_SECOND_PREFIXES) > 4096:
            _SECOND_PREFIXES.clear()
        prefix = datetime.fromtimestamp(second, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S")
        _SECOND_PREFIXES[second] = prefix
    return f"{prefix}.{micro:06d}+00:00"


@dataclass(frozen=True)
class ClockState:
    """What a clock is, as plain data: shared through the state store across workers."""

    frozen_at: float | None  # unix seconds when frozen, else None
    offset: float  # seconds added to the wall clock when not frozen

    def to_json(self) -> dict[str, float | None]:
        return {"frozen_at": self.frozen_at, "offset": self.offset}

    @classmethod
    def from_json(cls, data: dict[str, float | None]) -> ClockState:
        offset = data.get("offset") or 0.0
        return cls(frozen_at=data.get("frozen_at"), offset=float(offset))


class Clock:
    """Real or frozen time with an offset. ``wall`` is injectable so the clock itself is testable."""

    def __init__(self, frozen_at: datetime | None = None, *, wall: Callable[[], float] = time.time) -> None:
        self._wall = wall
        self._initial = ClockState(frozen_at.timestamp() if frozen_at else None, 0.0)
        self._state = self._initial
        # The last reading as a datetime and as text, each with its instant: a request reads the
        # time several times, and a frozen clock (tests, benchmarks) always gives the same instant.
        self._last_now: tuple[float, datetime | None] = (float("nan"), None)
        self._last_text: tuple[float, str] = (float("nan"), "")

    # -- reading -------------------------------------------------------------------------------
    def timestamp(self) -> float:
        state = self._state
        if state.frozen_at is not None:
            return state.frozen_at
        return self._wall() + state.offset

    def now(self) -> datetime:
        moment = self.timestamp()
        at, now = self._last_now
        if at != moment or now is None:
            now = datetime.fromtimestamp(moment, tz=UTC)
            self._last_now = (moment, now)
        return now

    def isoformat(self) -> str:
        """``format_timestamp(self.now())``, built from a per-second prefix: it stamps every
        response, log row and journal entry (a running clock gives a new instant each time)."""
        moment = self.timestamp()
        at, text = self._last_text
        if at != moment:
            text = _isoformat(moment)
            self._last_text = (moment, text)
        return text

    def naive_isoformat(self) -> str:
        """The instant without its ``+00:00`` (the spelling of agent-output timestamps)."""
        return self.isoformat()[:-6]

    @property
    def frozen(self) -> bool:
        return self._state.frozen_at is not None

    # -- moving ----------------------------------------------------------------------------------
    def freeze(self, at: datetime | None = None) -> None:
        """Stop time at ``at`` (default: the current simulated instant)."""
        moment = at.timestamp() if at is not None else self.timestamp()
        self._state = ClockState(moment, 0.0)

    def unfreeze(self) -> None:
        """Let time run again from the current simulated instant."""
        current = self.timestamp()
        self._state = ClockState(None, current - self._wall())

    def set(self, at: datetime) -> None:
        """Jump to ``at``; a frozen clock stays frozen, a running one keeps running from there."""
        if self.frozen:
            self._state = ClockState(at.timestamp(), 0.0)
        else:
            self._state = ClockState(None, at.timestamp() - self._wall())

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        state = self._state
        if state.frozen_at is not None:
            self._state = ClockState(state.frozen_at + seconds, 0.0)
        else:
            self._state = ClockState(None, state.offset + seconds)

    def reset(self) -> None:
        """Back to how the clock was configured at start-up."""
        self._state = self._initial

    # -- sharing -------------------------------------------------------------------------------
    @property
    def state(self) -> ClockState:
        return self._state

    def load(self, state: ClockState) -> None:
        self._state = state

    def after(self, seconds: float) -> datetime:
        """The simulated instant ``seconds`` from now (for simulated durations)."""
        return self.now() + timedelta(seconds=seconds)
