"""The state-store interface: everything a simulator remembers, behind atomic domain operations.

Two backends implement it: ``store_memory.MemoryStore`` (embedded default) and
``store_redis.RedisStore`` (``--store redis://…``, shared by workers and hosts). Money and rate
windows change only through :meth:`StateStore.settle`, which is atomic in both backends, so
concurrent requests can never overspend or overcount.

Units: instants are unix seconds (float) from the simulator's clock; money is ``Decimal``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, Protocol

__all__ = [
    "LOGS_TOTAL",
    "MAX_AUTO_ACCOUNTS",
    "MAX_RATE_SCOPES",
    "NO_BALANCES",
    "NO_LIMITS",
    "UNIQUE_AGENTS_CAP",
    "WINDOWS",
    "AccountRecord",
    "Balances",
    "Charge",
    "CommitOutcome",
    "DeferredEntry",
    "JournalEntry",
    "Limits",
    "SettleOutcome",
    "StateStore",
    "StoreUnavailable",
    "WindowState",
    "entry_dict",
    "window_states",
]

# name -> length in seconds; order matters (headers and 429 bodies list windows in this order).
WINDOWS: dict[str, int] = {"minute": 60, "hour": 3600, "day": 86400}

# Memory bounds shared by both backends (README "Reliability"): accounts created on the fly for
# unknown keys (``accept_any_key``, the prism profile) are evicted least recently created first;
# rate-window scopes (users and keyless client addresses) beyond the cap are dropped oldest first
# (memory) or expire a day after their last run (Redis); distinct agent names per user are capped.
MAX_AUTO_ACCOUNTS = 10_000
# Log rows kept across all users (setting ``logs_total``): with ``logs_per_user`` alone, 10,000 keys
# could keep 10 million rows (~1.5 KB each in memory).
LOGS_TOTAL = 20_000
MAX_RATE_SCOPES = 20_000
UNIQUE_AGENTS_CAP = 100_000


class DeferredEntry(Protocol):
    """A journal entry whose dict (masked key, redacted bodies, parsed SSE events) is built only when
    read: most entries are never read, and building one is a third of a cheap request's cost. Its
    inputs are immutable, so building it late gives the same dict as building it at once."""

    def as_dict(self) -> dict[str, Any]: ...


JournalEntry = dict[str, Any] | DeferredEntry


def entry_dict(entry: JournalEntry) -> dict[str, Any]:
    """The plain dict of a journal entry (a store that serialises entries writes this)."""
    return entry if isinstance(entry, dict) else entry.as_dict()


class StoreUnavailable(Exception):
    """The state store cannot be reached (or did not answer in time): the request is answered
    503 with ``Retry-After`` and nothing is charged."""


@dataclass(frozen=True)
class AccountRecord:
    key: str
    user_id: str
    tier: str = "free"  # "free" | "premium" | "enterprise"
    # Per-account rate limit overrides (None = use the tier's / profile's limits).
    limits: dict[str, int | None] | None = None

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "user_id": self.user_id, "tier": self.tier, "limits": self.limits}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AccountRecord:
        return cls(
            key=data["key"], user_id=data["user_id"], tier=data.get("tier", "free"), limits=data.get("limits")
        )


@dataclass(frozen=True)
class Balances:
    """One user's money. ``total_credits`` is the sum; deduction order is free → credit → referral."""

    credit: Decimal = Decimal("0")
    free_credit: Decimal = Decimal("0")
    referral_credits: Decimal = Decimal("0")

    @property
    def total(self) -> Decimal:
        return self.credit + self.free_credit + self.referral_credits

    def to_json(self) -> dict[str, str]:
        return {
            "credit": str(self.credit),
            "free_credit": str(self.free_credit),
            "referral_credits": str(self.referral_credits),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Balances:
        return cls(
            Decimal(str(data.get("credit", "0"))),
            Decimal(str(data.get("free_credit", "0"))),
            Decimal(str(data.get("referral_credits", "0"))),
        )


@dataclass(frozen=True)
class Limits:
    """Requests allowed per window; ``None`` means unlimited for that window."""

    minute: int | None = None
    hour: int | None = None
    day: int | None = None

    def get(self, window: str) -> int | None:
        value: int | None = getattr(self, window)
        return value

    @property
    def unlimited(self) -> bool:
        return self.minute is None and self.hour is None and self.day is None


# Shared instances (both classes are frozen): built once, not per request (~1 µs each).
NO_BALANCES = Balances()
NO_LIMITS = Limits()


@dataclass(frozen=True)
class WindowState:
    count: int  # completed billable runs inside the sliding window
    limit: int | None
    reset_at: float  # unix seconds when the oldest counted run leaves the window (now + length if none)

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else max(self.limit - self.count, 0)

    @property
    def exceeded(self) -> bool:
        return self.limit is not None and self.count >= self.limit


def window_states(counts: Mapping[str, tuple[int, float]], limits: Limits) -> dict[str, WindowState]:
    """Window states from per-window ``(count, reset_at)`` and the limits that apply."""
    return {name: WindowState(count, limits.get(name), reset) for name, (count, reset) in counts.items()}


@dataclass(frozen=True)
class SettleOutcome:
    """Result of an atomic settle: either everything happened (charge + count) or nothing did."""

    # "stale": a refund for a charge made before a reset (``Charge.epoch``): nothing happened.
    status: Literal["ok", "insufficient_credits", "rate_limited", "stale"]
    balances: Balances  # after the operation (unchanged unless ok)
    windows: dict[str, WindowState] = field(default_factory=dict)  # after the operation

    @property
    def exceeded(self) -> list[str]:
        return [name for name, state in self.windows.items() if state.exceeded]


@dataclass(slots=True)
class Charge:
    """One atomic money step: settle (check + deduct + count) and, only if it succeeded, the log
    row, the metrics and the remembered agent configs. ``charge_id`` makes a retried call a no-op.
    Not frozen: a request's pending charge gets its journal entry attached in place (one per
    request, built on its hot path; a frozen dataclass costs twice as much to build and copy)."""

    charge_id: str
    scope: str
    user_id: str
    now: float
    limits: Limits
    cost: Decimal
    threshold: Decimal | None
    count: bool = True
    log: dict[str, Any] | None = None  # the row without ``id`` (the store numbers it)
    completion: bool | None = None  # feed the metrics: True success, False failure, None no
    agent_names: tuple[str, ...] = ()
    agents: tuple[dict[str, Any], ...] = ()
    # The finished reply's journal entry (without ``id``; the store numbers it as journal_add does),
    # written in the same step so that a charged reply costs no extra round trip; ring of journal_limit.
    journal: JournalEntry | None = None
    journal_limit: int = 0
    # A refund runs only in the store generation (``CommitOutcome.epoch``; a reset starts a new one)
    # whose charge it gives back: a stream charged before a reset and cut after it refunds nothing.
    epoch: int | None = None


@dataclass(frozen=True)
class CommitOutcome(SettleOutcome):
    log_id: int | None = None
    journal_id: int | None = None
    epoch: int = 0  # the store's generation: how many resets it has seen


class StateStore(Protocol):
    """Atomic, async state operations. Implementations must make each method atomic on its own."""

    async def reset(self) -> None:
        """Forget everything (accounts are re-seeded by the caller)."""

    # -- accounts and balances -----------------------------------------------------------------
    async def get_account(self, key: str) -> AccountRecord | None: ...
    async def put_account(self, account: AccountRecord) -> None: ...
    async def list_accounts(self) -> list[AccountRecord]: ...
    async def get_balances(self, user_id: str) -> Balances: ...
    async def set_balances(self, user_id: str, balances: Balances) -> None: ...

    # -- rate windows and money ------------------------------------------------------------------
    async def windows(self, scope: str, now: float, limits: Limits) -> dict[str, WindowState]:
        """Current sliding-window counts for ``scope`` (a user id, or ``ip:<addr>``), read-only."""

    async def settle(
        self,
        scope: str,
        user_id: str,
        now: float,
        limits: Limits,
        cost: Decimal,
        threshold: Decimal | None,
        count: bool = True,
    ) -> SettleOutcome:
        """Atomically: if ``threshold`` is set and total credits <= threshold → insufficient_credits;
        else if any window of ``limits`` is full → rate_limited; else deduct ``cost`` (free credit,
        then credit, then referral credits; the last bucket may go negative so that charges always
        equal the drop in balance) and, when ``count``, record one run at ``now`` in every window."""

    async def hit(self, scope: str, now: float, limits: Limits) -> tuple[bool, dict[str, WindowState]]:
        """Count one request for ``scope`` if no window is full (the keyless per-IP limiter)."""

    async def commit(self, charge: Charge) -> CommitOutcome:
        """Atomically :meth:`settle` and, when it succeeds, append the log row, record the
        completion and remember the agents — all or nothing (one Lua script on Redis). A second
        call with the same ``charge_id`` changes nothing and reports ``ok``."""

    async def put_auto_account(self, account: AccountRecord, balances: Balances) -> None:
        """An account created for an unknown key (``accept_any_key``): stored with its balances;
        beyond :data:`MAX_AUTO_ACCOUNTS` the oldest such account and its user's state go."""

    async def seed_once(self, accounts: list[AccountRecord], balances: dict[str, Balances]) -> bool:
        """Write the configured accounts and balances and the ``seeded`` marker, atomically and
        only if the marker is missing (a store that came back empty); True if this call seeded."""

    # -- logs, metrics, journal ------------------------------------------------------------------
    async def append_log(self, user_id: str, entry: dict[str, Any]) -> int:
        """Store a log row (``id`` assigned by the store, returned); bounded per user."""

    async def list_logs(self, user_id: str) -> list[dict[str, Any]]:
        """The user's log rows, newest first."""

    async def record_completion(
        self, user_id: str, now: float, success: bool, agent_names: list[str]
    ) -> None:
        """Feed ``/v1/metrics/summary`` (counts, unique agents, last-24h/7d windows)."""

    async def metrics(self, user_id: str, now: float) -> dict[str, int]:
        """``unique_agents``, ``total_completion_calls``, ``successful_completions``,
        ``completions_last_24h``, ``completions_last_7d``."""

    async def remember_agents(self, user_id: str, configs: list[dict[str, Any]]) -> None:
        """Keep each distinct agent config (by ``agent_name`` + ``model_name``) for ``/v1/agents/list``."""

    async def list_agents(self, user_id: str) -> list[dict[str, Any]]: ...

    async def journal_append(self, entry: JournalEntry, limit: int) -> None: ...
    async def journal_add(self, entry: JournalEntry, limit: int) -> int:
        """Append ``entry`` with the next journal id (assigned by the store, as ``entry["id"]``),
        in one round trip; returns the id."""

    async def begin_request(
        self, names: list[str], key: str | None, now: float
    ) -> tuple[list[Any], tuple[AccountRecord | None, Balances, dict[str, tuple[int, float]]] | None]:
        """A request's first round trip: the values ``names`` (as :meth:`get_values`) and, when
        ``key`` is given, what :meth:`load_caller` returns for it."""

    async def load_caller(
        self, key: str, now: float
    ) -> tuple[AccountRecord | None, Balances, dict[str, tuple[int, float]]]:
        """One round trip for a request's caller: the account of ``key``, its user's balances and
        the user's window counts at ``now`` (``{window: (count, reset_at)}``; empty when no account)."""

    async def journal_list(self) -> list[dict[str, Any]]: ...
    async def journal_clear(self) -> None: ...

    # -- contract violations of clients (one log for every worker) ---------------------------------
    async def violations_add(self, entries: list[dict[str, Any]], limit: int) -> None:
        """Append ``entries``, each numbered by the store (``entry["seq"]``, growing across clears),
        in one round trip; keep the last ``limit``; count every one in the total."""

    async def violations_list(self) -> tuple[int, list[dict[str, Any]]]:
        """Every violation counted since the last clear (dropped ones too), and the kept entries
        oldest first."""

    async def violations_clear(self) -> None:
        """Forget the kept entries and the total (the numbering goes on)."""

    # -- small shared values (clock state, fault rules and hit counters, fixture version, …) ------
    async def get_value(self, name: str) -> Any: ...
    async def get_values(self, names: list[str]) -> list[Any]:
        """Several values in one round trip (None for missing ones)."""

    async def set_value(self, name: str, value: Any) -> None: ...
    async def incr(self, name: str, amount: int = 1) -> int: ...

    async def close(self) -> None: ...
