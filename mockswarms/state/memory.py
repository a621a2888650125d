"""The embedded state store: plain dicts and compact timelines on one event loop.

Why ~420 lines: one class with every StateStore operation, mirroring ``state/redis.py`` method for
method so the two backends read side by side.

Every method is ``async`` for the protocol's sake but never awaits between reading and writing, so
each call is atomic with respect to other coroutines on the same loop (the simulator's requests).

Memory bounds (all documented limits, so a long benchmark cannot grow without end):

- rate windows: one sorted ``array('d')`` of run instants per scope (8 bytes per run), pruned to the
  longest window (a day); scopes with nothing in the last day are swept away periodically, and
  keyless scopes (client addresses) beyond ``MAX_RATE_SCOPES`` are dropped oldest first;
- accounts created for unknown keys (``accept_any_key``): at most ``MAX_AUTO_ACCOUNTS``, oldest
  first, with everything their user had;
- log rows: at most ``logs_per_user`` per user and ``logs_total`` across users (oldest dropped);
- metrics: counters plus completions counted per second, pruned after ``metrics_retention`` (7 days);
- remembered agent configs: at most ``agents_per_user`` per user (oldest dropped);
- distinct agent names for ``unique_agents``: at most ``unique_agents_cap`` per user;
- journal: a ring buffer of ``limit`` entries (the caller passes the limit).
"""

from __future__ import annotations

import bisect
import math
from array import array
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from mockswarms.state.base import (
    LOGS_TOTAL,
    MAX_AUTO_ACCOUNTS,
    MAX_RATE_SCOPES,
    NO_BALANCES,
    UNIQUE_AGENTS_CAP,
    WINDOWS,
    AccountRecord,
    Balances,
    Charge,
    CommitOutcome,
    JournalEntry,
    Limits,
    SettleOutcome,
    WindowState,
    entry_dict,
    window_states,
)

__all__ = ["MemoryStore", "Timeline", "apply_charge"]

_LONGEST_WINDOW = max(WINDOWS.values())
_WEEK = 7 * 86400.0
_SWEEP_EVERY = 4096  # operations between sweeps of idle scopes
_ZERO = Decimal("0")


def apply_charge(balances: Balances, cost: Decimal) -> Balances:
    """Deduct ``cost``: free credit first, then credit, then referral credits.

    The last bucket absorbs whatever is left (and may go negative), so the total always drops by
    exactly ``cost`` — the response, the log row and the balance can never disagree. A negative
    ``cost`` is a refund and is credited to ``credit``.
    """
    if cost == 0:
        return balances
    if cost < 0:
        return Balances(balances.credit - cost, balances.free_credit, balances.referral_credits)
    remaining = cost
    free = balances.free_credit
    take = min(max(free, _ZERO), remaining)
    free -= take
    remaining -= take
    credit = balances.credit
    take = min(max(credit, _ZERO), remaining)
    credit -= take
    remaining -= take
    referral = balances.referral_credits - remaining
    return Balances(credit, free, referral)


class Timeline:
    """Sorted instants (unix seconds) in a compact float array with a moving head.

    Appends are O(1) while the clock moves forward (the normal case); pruning just moves the head
    and compacts the array once the dead prefix is more than half of it.
    """

    __slots__ = ("_head", "_t")

    def __init__(self) -> None:
        self._t = array("d")
        self._head = 0

    def __len__(self) -> int:
        return len(self._t) - self._head

    def add(self, instant: float) -> None:
        t = self._t
        if len(t) == self._head or instant >= t[-1]:
            t.append(instant)
        else:  # the clock was set backwards: keep the array sorted
            t.insert(bisect.bisect_right(t, instant, self._head), instant)

    def record(self, instant: float, keep: float) -> None:
        """Add ``instant`` and forget the instants more than ``keep`` seconds before it. The stores
        forget only when they record, never on a read (as the Redis store's scripts do), so both
        keep the same history when the clock is set back."""
        self.prune(instant - keep)
        self.add(instant)

    def prune(self, cutoff: float) -> None:
        """Forget instants ``<= cutoff``."""
        t = self._t
        self._head = bisect.bisect_right(t, cutoff, self._head)
        if self._head and self._head * 2 >= len(t):
            del t[: self._head]
            self._head = 0

    def count_after(self, cutoff: float) -> int:
        return len(self._t) - bisect.bisect_right(self._t, cutoff, self._head)

    def first_after(self, cutoff: float) -> float | None:
        index = bisect.bisect_right(self._t, cutoff, self._head)
        return self._t[index] if index < len(self._t) else None

    def window(self, cutoff: float) -> tuple[int, float | None]:
        """``(count_after(cutoff), first_after(cutoff))`` with one search."""
        t = self._t
        index = bisect.bisect_right(t, cutoff, self._head)
        size = len(t)
        return size - index, (t[index] if index < size else None)

    @property
    def last(self) -> float | None:
        return self._t[-1] if len(self._t) > self._head else None


class SecondCounts:
    """How many completions fell in each whole second (the 24 h / 7 d metrics): one entry per second,
    however many completions share it — one per completion grew without end under a frozen clock.
    A completion counts as its second's start, as in the Redis store."""

    __slots__ = ("_counts", "_seconds")

    def __init__(self) -> None:
        self._seconds = Timeline()  # distinct seconds, sorted
        self._counts: dict[float, int] = {}

    def __len__(self) -> int:
        return len(self._counts)

    def record(self, instant: float, keep: float) -> None:
        """Count a completion at ``instant``; forget seconds more than ``keep`` before it."""
        cutoff = instant - keep
        while (first := self._seconds.first_after(float("-inf"))) is not None and first <= cutoff:
            del self._counts[first]
            self._seconds.prune(first)
        second = float(math.floor(instant))
        if second in self._counts:
            self._counts[second] += 1
        else:
            self._counts[second] = 1
            self._seconds.add(second)

    def count_after(self, cutoff: float) -> int:
        return sum(count for second, count in self._counts.items() if second > cutoff)


class _Journaled:
    """A journal slot: the entry as the request left it (often a deferred one), built into its dict
    on first read and kept built (the dashboard polls the journal)."""

    __slots__ = ("_built", "_entry", "_entry_id")

    def __init__(self, entry: JournalEntry, entry_id: int | None) -> None:
        self._entry = entry
        self._entry_id = entry_id
        self._built: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        if self._built is None:
            data = entry_dict(self._entry)
            self._built = data if self._entry_id is None else {**data, "id": self._entry_id}
        return self._built


@dataclass
class _Metrics:
    total: int = 0
    successful: int = 0
    agent_names: set[str] = field(default_factory=set)
    recent: SecondCounts = field(default_factory=SecondCounts)


class MemoryStore:
    """In-process :class:`~mockswarms.state.base.StateStore`."""

    def __init__(
        self,
        *,
        logs_per_user: int = 1000,
        logs_total: int = LOGS_TOTAL,
        agents_per_user: int = 1000,
        unique_agents_cap: int = UNIQUE_AGENTS_CAP,
        metrics_retention: float = _WEEK,
        max_auto_accounts: int = MAX_AUTO_ACCOUNTS,
        max_rate_scopes: int = MAX_RATE_SCOPES,
    ) -> None:
        if logs_per_user < 1 or logs_total < 1:
            raise ValueError("logs_per_user and logs_total must be at least 1")
        self.logs_per_user = logs_per_user
        self.logs_total = logs_total
        self.agents_per_user = agents_per_user
        self.unique_agents_cap = unique_agents_cap
        self.metrics_retention = metrics_retention
        self.max_auto_accounts = max_auto_accounts
        self.max_rate_scopes = max_rate_scopes
        self._epoch = 0  # resets seen (Charge.epoch); survives them
        self._init_state()

    def _init_state(self) -> None:
        self._accounts: dict[str, AccountRecord] = {}
        self._balances: dict[str, Balances] = {}
        self._timelines: dict[str, Timeline] = {}
        # Keyless scopes (client addresses) apart, in creation order, so the oldest can go.
        self._ip_timelines: OrderedDict[str, Timeline] = OrderedDict()
        self._auto_accounts: OrderedDict[str, str] = OrderedDict()  # key -> user id
        self._user_keys: dict[str, int] = {}  # user id -> how many keys it has
        self._charge_ids: OrderedDict[str, None] = OrderedDict()  # recent commits (replay guard)
        self._logs: dict[str, deque[dict[str, Any]]] = {}
        # (row id, user) per row in the order written, for the cap across users; entries whose row
        # its user's own cap (or an evicted account) dropped already are skipped when they come up.
        self._log_order: deque[tuple[int, str]] = deque()
        self._log_seq = 0
        self._metrics: dict[str, _Metrics] = {}
        self._agents: dict[str, OrderedDict[tuple[str, str], dict[str, Any]]] = {}
        self._journal: deque[_Journaled] = deque()
        self._violations: deque[dict[str, Any]] = deque()
        self._violations_seq = 0
        self._violations_total = 0
        self._values: dict[str, Any] = {}
        self._ops = 0

    async def reset(self) -> None:
        self._epoch += 1
        self._init_state()

    # -- accounts and balances -----------------------------------------------------------------
    async def get_account(self, key: str) -> AccountRecord | None:
        return self._accounts.get(key)

    async def put_account(self, account: AccountRecord) -> None:
        self._store_account(account)

    def _store_account(self, account: AccountRecord) -> None:
        previous = self._accounts.get(account.key)
        if previous is not None:
            self._user_keys[previous.user_id] -= 1
        self._accounts[account.key] = account
        self._user_keys[account.user_id] = self._user_keys.get(account.user_id, 0) + 1

    async def list_accounts(self) -> list[AccountRecord]:
        return list(self._accounts.values())

    async def get_balances(self, user_id: str) -> Balances:
        return self._balances.get(user_id, NO_BALANCES)

    async def set_balances(self, user_id: str, balances: Balances) -> None:
        self._balances[user_id] = balances

    async def put_auto_account(self, account: AccountRecord, balances: Balances) -> None:
        self._store_account(account)
        self._balances[account.user_id] = balances
        self._auto_accounts[account.key] = account.user_id
        while len(self._auto_accounts) > self.max_auto_accounts:
            key, user_id = self._auto_accounts.popitem(last=False)
            self._forget_user(key, user_id)

    def _forget_user(self, key: str, user_id: str) -> None:
        account = self._accounts.pop(key, None)
        if account is not None:
            self._user_keys[account.user_id] -= 1
        if self._user_keys.get(user_id, 0) > 0:
            return  # another key still belongs to this user
        self._user_keys.pop(user_id, None)
        for table in (self._balances, self._timelines, self._logs, self._metrics, self._agents):
            table.pop(user_id, None)

    async def seed_once(self, accounts: list[AccountRecord], balances: dict[str, Balances]) -> bool:
        if self._values.get("seeded") is not None:
            return False
        for account in accounts:
            self._store_account(account)
        self._balances.update(balances)
        self._values["seeded"] = True
        return True

    # -- rate windows and money ------------------------------------------------------------------
    def _timeline(self, scope: str, now: float) -> Timeline:
        self._ops += 1
        if self._ops % _SWEEP_EVERY == 0:
            self._sweep(now)
        keyless = scope.startswith("ip")
        table = self._ip_timelines if keyless else self._timelines
        timeline = table.get(scope)
        if timeline is None:
            timeline = table[scope] = Timeline()
            if keyless and len(table) > self.max_rate_scopes:
                self._ip_timelines.popitem(last=False)
        return timeline

    def _sweep(self, now: float) -> None:
        """Drop scopes with no run inside the longest window (e.g. one-off client IPs)."""
        cutoff = now - _LONGEST_WINDOW
        for table in (self._timelines, self._ip_timelines):
            idle = [scope for scope, tl in table.items() if tl.last is None or tl.last <= cutoff]
            for scope in idle:
                del table[scope]

    @staticmethod
    def _windows(timeline: Timeline, now: float) -> dict[str, tuple[int, float]]:
        """Per window: (runs inside it, when its oldest run leaves it: ``now + length`` if none)."""
        counts = {}
        for name, length in WINDOWS.items():
            count, oldest = timeline.window(now - length)
            counts[name] = count, (oldest + length) if oldest is not None else now + length
        return counts

    @classmethod
    def _states(cls, timeline: Timeline, now: float, limits: Limits) -> dict[str, WindowState]:
        return window_states(cls._windows(timeline, now), limits)

    @staticmethod
    def _exceeded(timeline: Timeline, now: float, limits: Limits) -> bool:
        """Whether any window is full (``_states``' ``exceeded``, without building them)."""
        if limits.unlimited:
            return False
        for name, length in WINDOWS.items():
            limit = limits.get(name)
            if limit is not None and timeline.count_after(now - length) >= limit:
                return True
        return False

    async def windows(self, scope: str, now: float, limits: Limits) -> dict[str, WindowState]:
        return self._states(self._timeline(scope, now), now, limits)

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
        return self._settle_now(scope, user_id, now, limits, cost, threshold, count)

    def _settle_now(
        self,
        scope: str,
        user_id: str,
        now: float,
        limits: Limits,
        cost: Decimal,
        threshold: Decimal | None,
        count: bool,
    ) -> SettleOutcome:
        # No await: check and write happen in one step of the event loop.
        balances = self._balances.get(user_id, NO_BALANCES)
        timeline = self._timeline(scope, now)
        # The windows are built once, as they stand after this step (not also before it).
        if threshold is not None and balances.total <= threshold:
            return SettleOutcome("insufficient_credits", balances, self._states(timeline, now, limits))
        if self._exceeded(timeline, now, limits):
            return SettleOutcome("rate_limited", balances, self._states(timeline, now, limits))
        balances = apply_charge(balances, cost)
        self._balances[user_id] = balances
        if count:
            timeline.record(now, _LONGEST_WINDOW)
        return SettleOutcome("ok", balances, self._states(timeline, now, limits))

    async def commit(self, charge: Charge) -> CommitOutcome:
        # Like settle: no await in between, so the whole step is atomic on the event loop.
        if charge.charge_id in self._charge_ids:
            balances = self._balances.get(charge.user_id, NO_BALANCES)
            return CommitOutcome("ok", balances, {}, epoch=self._epoch)
        if charge.epoch is not None and charge.epoch != self._epoch:
            return CommitOutcome(
                "stale", self._balances.get(charge.user_id, NO_BALANCES), {}, epoch=self._epoch
            )
        outcome = self._settle_now(
            charge.scope,
            charge.user_id,
            charge.now,
            charge.limits,
            charge.cost,
            charge.threshold,
            charge.count,
        )
        if outcome.status != "ok":
            return CommitOutcome(outcome.status, outcome.balances, outcome.windows)
        self._charge_ids[charge.charge_id] = None
        if len(self._charge_ids) > 10_000:
            self._charge_ids.popitem(last=False)
        log_id = self._append_log_now(charge.user_id, charge.log) if charge.log is not None else None
        if charge.completion is not None:
            self._record_completion_now(charge.user_id, charge.now, charge.completion, charge.agent_names)
        if charge.agents:
            self._remember_now(charge.user_id, charge.agents)
        journal_id = None
        if charge.journal is not None and charge.journal_limit > 0:
            journal_id = self._journal_number(charge.journal, charge.journal_limit)
        return CommitOutcome("ok", outcome.balances, outcome.windows, log_id, journal_id, self._epoch)

    async def hit(self, scope: str, now: float, limits: Limits) -> tuple[bool, dict[str, WindowState]]:
        timeline = self._timeline(scope, now)
        if self._exceeded(timeline, now, limits):
            return False, self._states(timeline, now, limits)
        timeline.record(now, _LONGEST_WINDOW)
        return True, self._states(timeline, now, limits)

    # -- logs, metrics, journal ------------------------------------------------------------------
    async def append_log(self, user_id: str, entry: dict[str, Any]) -> int:
        return self._append_log_now(user_id, entry)

    def _append_log_now(self, user_id: str, entry: dict[str, Any]) -> int:
        self._log_seq += 1
        rows = self._logs.get(user_id)
        if rows is None:
            rows = self._logs[user_id] = deque(maxlen=self.logs_per_user)
        # ``id`` first, like the API's rows; the store owns the numbering (an ``id`` in ``entry``
        # keeps its first place in the dict and gets the store's number back).
        row = {"id": self._log_seq, **entry}
        row["id"] = self._log_seq
        rows.append(row)
        order = self._log_order
        order.append((self._log_seq, user_id))
        while len(order) > self.logs_total:
            log_id, owner = order.popleft()
            owned = self._logs.get(owner)
            if owned and owned[0]["id"] == log_id:
                owned.popleft()
                if not owned:
                    del self._logs[owner]
        return self._log_seq

    async def list_logs(self, user_id: str) -> list[dict[str, Any]]:
        rows = self._logs.get(user_id)
        return list(reversed(rows)) if rows else []

    async def record_completion(
        self, user_id: str, now: float, success: bool, agent_names: list[str]
    ) -> None:
        self._record_completion_now(user_id, now, success, agent_names)

    def _record_completion_now(
        self, user_id: str, now: float, success: bool, agent_names: list[str] | tuple[str, ...]
    ) -> None:
        metrics = self._metrics.get(user_id)
        if metrics is None:
            metrics = self._metrics[user_id] = _Metrics()
        metrics.total += 1
        if success:
            metrics.successful += 1
        for name in agent_names:
            if len(metrics.agent_names) >= self.unique_agents_cap:
                break
            metrics.agent_names.add(name)
        metrics.recent.record(now, self.metrics_retention)

    async def metrics(self, user_id: str, now: float) -> dict[str, int]:
        # Read without pruning: Timeline.record forgets old runs, as the Redis store does.
        metrics = self._metrics.get(user_id) or _Metrics()
        return {
            "unique_agents": len(metrics.agent_names),
            "total_completion_calls": metrics.total,
            "successful_completions": metrics.successful,
            "completions_last_24h": metrics.recent.count_after(now - 86400),
            "completions_last_7d": metrics.recent.count_after(now - _WEEK),
        }

    async def remember_agents(self, user_id: str, configs: list[dict[str, Any]]) -> None:
        self._remember_now(user_id, configs)

    def _remember_now(self, user_id: str, configs: list[dict[str, Any]] | tuple[dict[str, Any], ...]) -> None:
        known = self._agents.get(user_id)
        if known is None:
            known = self._agents[user_id] = OrderedDict()
        for config in configs:
            ident = (str(config.get("agent_name")), str(config.get("model_name")))
            known[ident] = dict(config)
            known.move_to_end(ident)  # most recently used survives the cap
            while len(known) > self.agents_per_user:
                known.popitem(last=False)

    async def list_agents(self, user_id: str) -> list[dict[str, Any]]:
        known = self._agents.get(user_id)
        return [dict(config) for config in known.values()] if known else []

    async def journal_append(self, entry: JournalEntry, limit: int) -> None:
        self._journal_push(_Journaled(entry, None), limit)

    def _journal_push(self, item: _Journaled, limit: int) -> None:
        if limit <= 0:
            self._journal.clear()
            return
        if self._journal.maxlen != limit:
            self._journal = deque(self._journal, maxlen=limit)
        self._journal.append(item)

    async def journal_add(self, entry: JournalEntry, limit: int) -> int:
        return self._journal_number(entry, limit)

    def _journal_number(self, entry: JournalEntry, limit: int) -> int:
        """Number ``entry`` (``journal_seq``, as ``incr`` does) and keep it: for ``journal_add`` and
        for a charge that carries its reply's entry."""
        entry_id = int(self._values.get("journal_seq") or 0) + 1
        self._values["journal_seq"] = entry_id
        self._journal_push(_Journaled(entry, entry_id), limit)
        return entry_id

    async def begin_request(
        self, names: list[str], key: str | None, now: float
    ) -> tuple[list[Any], tuple[AccountRecord | None, Balances, dict[str, tuple[int, float]]] | None]:
        caller = None if key is None else await self.load_caller(key, now)
        return await self.get_values(names), caller

    async def load_caller(
        self, key: str, now: float
    ) -> tuple[AccountRecord | None, Balances, dict[str, tuple[int, float]]]:
        account = self._accounts.get(key)
        if account is None:
            return None, NO_BALANCES, {}
        counts = self._windows(self._timeline(account.user_id, now), now)
        return account, self._balances.get(account.user_id, NO_BALANCES), counts

    async def journal_list(self) -> list[dict[str, Any]]:
        return [item.as_dict() for item in self._journal]

    async def journal_clear(self) -> None:
        self._journal.clear()

    async def violations_add(self, entries: list[dict[str, Any]], limit: int) -> None:
        if self._violations.maxlen != limit:
            self._violations = deque(self._violations, maxlen=max(1, limit))
        for entry in entries:
            self._violations_seq += 1
            self._violations_total += 1
            self._violations.append({"seq": self._violations_seq, **entry})

    async def violations_list(self) -> tuple[int, list[dict[str, Any]]]:
        return self._violations_total, list(self._violations)

    async def violations_clear(self) -> None:
        self._violations.clear()
        self._violations_total = 0

    # -- small shared values -------------------------------------------------------------------
    async def get_value(self, name: str) -> Any:
        return self._values.get(name)

    async def get_values(self, names: list[str]) -> list[Any]:
        return [self._values.get(name) for name in names]

    async def set_value(self, name: str, value: Any) -> None:
        self._values[name] = value

    async def incr(self, name: str, amount: int = 1) -> int:
        value = int(self._values.get(name) or 0) + amount
        self._values[name] = value
        return value

    async def close(self) -> None:
        return None
