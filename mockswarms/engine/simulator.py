"""The simulator service: one per app. Owns the clock, entropy, store, fake LLM, fixtures and faults,
and runs the request pipeline (auth → gates → pre-checks → run → settle → log) for the routes.

Why ~550 lines: the one place that wires the domain together (auth, admission, charge, refunds, logs,
clock persistence); the seam for a split is the money steps (settle, charge, refund) versus the rest.

Nothing here knows about Starlette: routes pass headers, the client address and parsed bodies in,
and get bodies, statuses and headers back.
"""

from __future__ import annotations

import asyncio
import contextvars
import itertools
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from mockswarms.accounts_config import default_user_id
from mockswarms.clock import Clock, ClockState
from mockswarms.config import Settings
from mockswarms.engine import gates, ratelimit
from mockswarms.engine.fakellm import FakeLLM
from mockswarms.engine.fixtures import FixtureRegistry
from mockswarms.engine.llm import NO_PACING, Pacing
from mockswarms.entropy import Entropy
from mockswarms.faults.engine import REQUEST_SYNCED, FaultEngine
from mockswarms.journal import mask_key
from mockswarms.state.base import (
    NO_LIMITS,
    AccountRecord,
    Balances,
    Charge,
    CommitOutcome,
    Limits,
    StateStore,
    WindowState,
    window_states,
)

__all__ = ["Caller", "Simulator", "make_store"]

_CallerState = tuple[AccountRecord | None, Balances, dict[str, tuple[int, float]]]
# The caller read in the request's first round trip (key, state), used once by ``authenticate``.
_PREFETCHED: contextvars.ContextVar[tuple[str, _CallerState] | None] = contextvars.ContextVar(
    "mockswarms_prefetched_caller", default=None
)


def make_store(settings: Settings) -> StateStore:
    if settings.store == "memory":
        from mockswarms.state.memory import MemoryStore

        return MemoryStore(logs_per_user=settings.logs_per_user, logs_total=settings.logs_total)
    from mockswarms.state.redis import RedisStore

    return RedisStore(settings.store, logs_per_user=settings.logs_per_user, logs_total=settings.logs_total)


@dataclass
class Caller:
    """Who is calling: the key as sent, its account (None when keyless), and the client address."""

    key: str | None
    account: AccountRecord | None
    ip: str
    rate_headers: dict[str, str] = field(default_factory=dict)
    # What this request was charged, so a failure before the reply is complete can refund it.
    charged: Decimal = Decimal("0")
    # Read with the account in one round trip (``StateStore.load_caller``), used once by the
    # credit pre-check and the limiter of this request.
    balances: Balances | None = None
    window_counts: dict[str, tuple[int, float]] | None = None
    # Set by an endpoint whose one charge may wait for the finished reply: ``charge`` then only
    # prepares it (``pending_charge``) and the HTTP layer settles it with the reply's journal entry
    # in one store step (``settle_pending``) before the response goes out.
    fold_charge: bool = False
    pending_charge: Charge | None = None
    pending_openai: bool = False
    # The store generation its charges were made in: a refund after a reset gives nothing back.
    charge_epoch: int | None = None

    @property
    def tier(self) -> str:
        return self.account.tier if self.account else "free"

    @property
    def user_id(self) -> str:
        return self.account.user_id if self.account else f"ip:{self.ip}"


class Simulator:
    """Everything one simulated Swarms API remembers and decides."""

    def __init__(
        self,
        settings: Settings,
        *,
        store: StateStore | None = None,
        wall: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.clock = Clock(settings.now, wall=wall)
        self._wall = wall
        self.monotonic = monotonic
        self.entropy = Entropy(settings.seed)
        self.store = store if store is not None else make_store(settings)
        self.fixtures = FixtureRegistry(
            list(settings.fixtures), watch=settings.fixtures_watch, monotonic=monotonic
        )
        self.llm = FakeLLM(self.entropy, self.fixtures, self.pacing_for)
        self.faults = FaultEngine(
            self.clock,
            self.entropy,
            self.store,
            header_enabled=settings.fault_header_enabled,
            shared=settings.store != "memory",
        )
        self._started = False
        self._start_lock = asyncio.Lock()
        self._shared_clock = settings.store != "memory"
        # Commit ids: unique per process (never shown, so determinism is untouched).
        self._charge_prefix = os.urandom(8).hex()
        self._charge_seq = itertools.count(1)
        self._lane_taken = False
        # Versions of what workers share through the store (runtime settings, runtime fixtures).
        self._versions = {"settings": 0, "fixtures": 0}

    # -- lifecycle -------------------------------------------------------------------------------
    async def ensure_started(self) -> None:
        """Seed accounts and load configured faults once (lazily: ASGITransport runs no lifespan)."""
        if self._started:
            if self._shared_clock and not REQUEST_SYNCED.get():
                await self._sync_shared()
                REQUEST_SYNCED.set(True)  # the rest of this request reuses what was read
            return
        async with self._start_lock:
            if self._started:
                return
            if not await self._seed() and self._shared_clock:
                await self._load_clock()
            if self._shared_clock and not self._lane_taken:
                self._lane_taken = True
                # Processes sharing a store take distinct id lanes: ids never collide across
                # workers or restarts; a single process on a fresh store keeps lane 1 (its ids).
                self.entropy.use_lane(await self.store.incr("id_lane"))
            self.faults.load(list(self.settings.faults))
            self._started = True

    async def _seed(self) -> bool:
        """Configured accounts and balances, once per store (atomically: only if the store has no
        ``seeded`` marker — fresh, reset, or a Redis that came back empty). True if this call did."""
        accounts: list[AccountRecord] = []
        balances: dict[str, Balances] = {}
        for account in self.settings.accounts:
            user_id = account.resolved_user_id()
            limits = {str(k): v for k, v in account.limits.items()} if account.limits else None
            accounts.append(AccountRecord(account.key, user_id, account.tier, limits))
            # Balances belong to the user: the first account declaring a user sets them.
            balances.setdefault(
                user_id, Balances(account.credit, account.free_credit, account.referral_credits)
            )
        if not await self.store.seed_once(accounts, balances):
            return False
        await self._save_clock()
        return True

    async def reset(self, *, seed: int | None = None, now: Any = None) -> None:
        """Everything back to start: accounts, balances, windows, logs, journal, faults, runtime
        fixtures, clock and id stream."""
        # Kept across the wipe: the id lane counter (a worker started after the reset must not
        # reuse the lane of one still running; this worker keeps its lane and rewinds it), the
        # runtime settings (they survive a reset, as in one process) and the version counters
        # (other workers compare them with what they cached: they must only ever grow).
        kept = ["id_lane", "shared_settings", "shared_settings_version"]
        kept += ["shared_fixtures_version", "fault_rules_version"]
        values = await self.store.get_values(kept) if self._shared_clock else []
        await self.store.reset()
        for name, value in zip(kept, values, strict=False):
            if value is not None:
                await self.store.set_value(name, value)
        self.entropy.reset(seed)
        self.clock.reset()
        if now is not None:
            self.clock.freeze(now)
        self.fixtures.clear_runtime()
        self.faults.clear()
        self._started = False
        await self.ensure_started()
        if self._shared_clock:  # every worker drops its runtime fixtures and fault rules too
            await self.publish_fixtures(None)
            await self.faults.save()

    async def close(self) -> None:
        await self.store.close()

    # -- clock shared across workers ---------------------------------------------------------------
    async def _save_clock(self) -> None:
        if self._shared_clock:
            await self.store.set_value("clock", self.clock.state.to_json())

    async def _load_clock(self) -> None:
        data = await self.store.get_value("clock")
        if isinstance(data, dict):
            self.clock.load(ClockState.from_json(data))

    async def clock_changed(self) -> None:
        await self._save_clock()

    # -- runtime changes shared across workers -------------------------------------------------------
    @property
    def shares_state(self) -> bool:
        """Whether state lives in a store other processes share (then every request syncs first)."""
        return self._shared_clock

    async def begin_request(self, headers: Mapping[str, str]) -> tuple[Any, Any]:
        """Called once at the start of each request (outermost middleware): the one read of shared
        state (clock, runtime settings, fixtures, fault rules) for the whole request, with the
        caller's account, balances and windows in the same round trip. Pass the result to
        :meth:`end_request`."""
        tokens = (REQUEST_SYNCED.set(False), _PREFETCHED.set(None))
        if self._started and self._shared_clock:
            await self._sync_shared(gates.extract_key(headers, self.settings))
            REQUEST_SYNCED.set(True)
        else:
            await self.ensure_started()
        return tokens

    def end_request(self, tokens: tuple[Any, Any]) -> None:
        REQUEST_SYNCED.reset(tokens[0])
        _PREFETCHED.reset(tokens[1])

    async def _sync_shared(self, key: str | None = None) -> None:
        """One round trip per request: the shared clock and the versions of runtime settings,
        fixtures and fault rules (what another worker changed is loaded and cached first) and,
        given the request's ``key``, its caller."""
        names = ["clock", "shared_settings_version", "shared_fixtures_version", "fault_rules_version"]
        before = (self.clock.state, dict(self._versions))
        values, caller = await self.store.begin_request(names, key, self.clock.timestamp())
        clock, settings_version, fixtures_version, faults_version = values
        if isinstance(clock, dict):
            self.clock.load(ClockState.from_json(clock))
        unchanged = before == (
            self.clock.state,
            {"settings": int(settings_version or 0), "fixtures": int(fixtures_version or 0)},
        )
        if key is not None and caller is not None and unchanged:
            # Windows were counted at this worker's clock: usable only if nobody moved it.
            _PREFETCHED.set((key, caller))
        if self.faults.shared:
            await self.faults.apply_version(int(faults_version or 0))
        if int(settings_version or 0) != self._versions["settings"]:
            data = await self.store.get_value("shared_settings")
            if isinstance(data, dict):
                await self._adopt_settings(Settings.model_validate(data))
            self._versions["settings"] = int(settings_version or 0)
        if int(fixtures_version or 0) != self._versions["fixtures"]:
            rules = await self.store.get_value("shared_fixtures")
            self.fixtures.clear_runtime()
            if isinstance(rules, list) and rules:
                self.fixtures.add_rules(rules)
            self._versions["fixtures"] = int(fixtures_version or 0)

    async def _adopt_settings(self, settings: Settings) -> None:
        """Settings another worker published (``PUT /__mockswarms/settings``): rebuilt in place, on
        the same store, without the reset the publishing worker already did."""
        versions = dict(self._versions)
        self.__init__(settings, store=self.store, wall=self._wall, monotonic=self.monotonic)  # type: ignore[misc]
        self._versions = versions
        self._lane_taken = True
        self.entropy.use_lane(await self.store.incr("id_lane"))
        await self._load_clock()
        self.faults.load(list(self.settings.faults))
        self._started = True

    async def publish_settings(self) -> None:
        """Make this worker's settings every worker's (no-op on the memory store)."""
        if self._shared_clock:
            await self.store.set_value("shared_settings", self.settings.model_dump(mode="json"))
            self._versions["settings"] = await self.store.incr("shared_settings_version")

    async def publish_fixtures(self, added: list[Any] | None) -> None:
        """Runtime fixture rules for every worker: ``added`` appends, ``None`` clears them."""
        if not self._shared_clock:
            return
        rules = [] if added is None else [*(await self.store.get_value("shared_fixtures") or []), *added]
        await self.store.set_value("shared_fixtures", rules)
        self._versions["fixtures"] = await self.store.incr("shared_fixtures_version")

    # -- helpers ---------------------------------------------------------------------------------
    def pacing_for(self, model: str) -> Pacing:
        config = self.settings.pacing_for(model)
        if config is None:  # no pacing configured (the usual case): one shared instance
            return NO_PACING
        return Pacing(config.time_to_first_token, config.tokens_per_second)

    def timestamp(self) -> str:
        return self.clock.isoformat()

    # -- authentication ----------------------------------------------------------------------------
    async def authenticate(
        self, headers: Mapping[str, str], ip: str, *, required: bool, openai: bool = False
    ) -> Caller:
        """401/403 per settings; keyless callers are allowed only where ``required`` is False."""
        key = gates.extract_key(headers, self.settings)
        if key is None:
            if required:
                raise gates.auth_error("missing", self.settings, openai=openai)
            return Caller(None, None, ip)
        prefetched = _PREFETCHED.get()
        if prefetched is not None and prefetched[0] == key:
            _PREFETCHED.set(None)  # once: later reads see this request's own changes
            account, balances, counts = prefetched[1]
        else:
            account, balances, counts = await self.store.load_caller(key, self.clock.timestamp())
        if account is None and self._shared_clock:
            # The shared store may have come back empty (Redis restarted): seed it if so (this
            # worker or another one just did), then look again.
            await self._seed()
            account, balances, counts = await self.store.load_caller(key, self.clock.timestamp())
        if account is None:
            if self.settings.accept_any_key:
                account = AccountRecord(key, default_user_id(key), "premium")
                # Bounded: the oldest auto-created accounts are evicted (state.base.MAX_AUTO_ACCOUNTS).
                balances = Balances(credit=Decimal("1000000"))
                await self.store.put_auto_account(account, balances)
            elif required or not self.settings.public_discovery:
                raise gates.auth_error("invalid", self.settings, openai=openai)
            else:
                # Public discovery endpoints ignore a bad key and answer the anonymous view.
                return Caller(None, None, ip)
        caller = Caller(key, account, ip)
        caller.balances, caller.window_counts = balances, counts
        return caller

    # -- limits ----------------------------------------------------------------------------------
    def limits_for(self, caller: Caller) -> Limits:
        if self.settings.rate_limit_mode != "docs" or caller.account is None:
            return NO_LIMITS
        return ratelimit.limits_for(caller.tier, self.settings, caller.account.limits)

    async def check_rate(
        self, caller: Caller, *, openai: bool = False, refuse: bool = True
    ) -> dict[str, str]:
        """The limiter run on every request: per-user windows for keyed callers, per-IP for keyless
        (and for everyone in the legacy per-IP mode). Raises 429 (unless ``refuse`` is False, for
        ``/v1/rate/limits`` which must be able to report exceeded windows); returns the headers."""
        now = self.clock.timestamp()
        mode = self.settings.rate_limit_mode
        if mode == "off":
            return {}
        if mode == "legacy-ip":
            # The 2025 server: a fixed 60 s window per client IP counting every request.
            scope = ratelimit.legacy_ip_scope(caller.ip, now)
            allowed, _ = await self.store.hit(scope, now, ratelimit.ip_limits(self.settings))
            if not allowed:
                raise ratelimit.legacy_rate_limited_error(now, openai=openai)
            return {}
        if caller.account is None:
            allowed, windows = await self.store.hit(
                f"ip:{caller.ip}", now, ratelimit.ip_limits(self.settings)
            )
            if not allowed:
                raise ratelimit.rate_limited_error(windows, "", now, openai=openai, ip=True)
            caller.rate_headers = ratelimit.rate_headers(windows, "anonymous")
            return caller.rate_headers
        limits = self.limits_for(caller)
        if caller.window_counts:  # read with the account, this request
            counts, caller.window_counts = caller.window_counts, None
            windows = window_states(counts, limits)
        else:
            windows = await self.store.windows(caller.user_id, now, limits)
        if refuse and any(state.exceeded for state in windows.values()):
            raise ratelimit.rate_limited_error(windows, caller.tier, now, openai=openai)
        headers = ratelimit.rate_headers(windows, caller.tier)
        caller.rate_headers = headers
        return headers

    async def windows(self, caller: Caller) -> tuple[dict[str, WindowState], Limits]:
        limits = self.limits_for(caller)
        return await self.store.windows(caller.user_id, self.clock.timestamp(), limits), limits

    # -- gates before work -------------------------------------------------------------------------
    async def admit(
        self,
        caller: Caller,
        *,
        endpoint: str,
        models: list[str],
        openai: bool = False,
    ) -> None:
        """Premium endpoint and model gates (403), credit pre-check (402), then the limiter (429)."""
        settings = self.settings
        gates.check_premium_endpoint(endpoint, caller.tier, settings, openai=openai)
        gates.check_premium_models(models, caller.tier, settings, openai=openai)
        if caller.account is not None:
            balances = caller.balances
            if balances is None:
                balances = await self.store.get_balances(caller.user_id)
            gates.check_credits(balances, settings, openai=openai)
        await self.check_rate(caller, openai=openai)

    def check_prompt(self, caller: Caller, tokens: int) -> None:
        if self.settings.semantic_validation:
            gates.check_prompt_length(tokens, caller.tier, self.settings)

    # -- money -----------------------------------------------------------------------------------
    async def settle(self, caller: Caller, cost: Decimal, *, openai: bool = False) -> Balances:
        """Charge ``cost`` and count one run, atomically re-checking credits and windows."""
        settings = self.settings
        threshold = gates.settle_threshold(settings, cost)
        limits = self.limits_for(caller)
        outcome = await self.store.settle(
            caller.user_id,
            caller.user_id,
            self.clock.timestamp(),
            limits,
            cost,
            threshold,
            count=settings.rate_limit_mode == "docs",
        )
        if outcome.status == "insufficient_credits":
            raise gates.insufficient_credits_error(openai=openai)
        if outcome.status == "rate_limited":
            raise ratelimit.rate_limited_error(
                outcome.windows, caller.tier, self.clock.timestamp(), openai=openai
            )
        if settings.rate_limit_mode == "docs" and caller.account is not None:
            caller.rate_headers = ratelimit.rate_headers(outcome.windows, caller.tier)
        return outcome.balances

    def _charge_id(self) -> str:
        return f"{self._charge_prefix}-{next(self._charge_seq)}"

    def _log_row(self, caller: Caller, category: str, data: Any, cost: Decimal) -> dict[str, Any]:
        # ``cost`` on every row: the sum of a user's rows is exactly the drop in their balance.
        return {
            "created_at": self.timestamp(),
            "api_key": mask_key(caller.key),
            "category": category,
            "data": data,
            "cost": float(cost),
        }

    async def charge(
        self,
        caller: Caller,
        cost: Decimal,
        data: Mapping[str, Any],
        agents: list[dict[str, Any]],
        *,
        openai: bool = False,
    ) -> Balances:
        """Settle ``cost`` (re-checking credits and windows), write the ``completion`` log row, the
        metrics and the agent configs — one atomic store step, so money and logs always agree.
        Call it once the reply body is built; raises 402/429 like :meth:`settle`."""
        settings = self.settings
        now = self.clock.timestamp()
        names = tuple(str(a.get("agent_name")) for a in agents if a.get("agent_name"))
        # Positional (the order of Charge's fields): one per completion, and keywords cost 4x.
        charge = Charge(
            self._charge_id(),
            caller.user_id,  # scope
            caller.user_id,
            now,
            self.limits_for(caller),
            cost,
            gates.settle_threshold(settings, cost),
            settings.rate_limit_mode == "docs",  # count
            self._log_row(caller, "completion", data, cost),
            True,  # completion
            names,
            tuple(agents),
        )
        if caller.fold_charge and caller.pending_charge is None:
            caller.fold_charge = False  # one charge per request waits, never a batch's items
            caller.pending_charge, caller.pending_openai = charge, openai
            return caller.balances or Balances()
        return (await self._commit_charge(caller, charge, openai=openai)).balances

    async def settle_pending(
        self, caller: Caller, journal: dict[str, Any] | None = None, journal_limit: int = 0
    ) -> bool:
        """Commit the charge ``charge`` prepared for this request, with ``journal`` (the finished
        reply's entry) in the same store step; raises 402/429 like :meth:`charge`. True if the
        journal entry was written."""
        charge = caller.pending_charge
        if charge is None:
            return False
        caller.pending_charge = None
        if journal is not None and journal_limit > 0:
            charge.journal, charge.journal_limit = journal, journal_limit  # this request's own charge
        outcome = await self._commit_charge(caller, charge, openai=caller.pending_openai)
        return outcome.journal_id is not None

    async def _commit_charge(self, caller: Caller, charge: Charge, *, openai: bool) -> CommitOutcome:
        outcome: CommitOutcome = await self.store.commit(charge)
        if outcome.status == "insufficient_credits":
            raise gates.insufficient_credits_error(openai=openai)
        if outcome.status == "rate_limited":
            raise ratelimit.rate_limited_error(outcome.windows, caller.tier, charge.now, openai=openai)
        caller.charged += charge.cost
        caller.charge_epoch = outcome.epoch
        if self.settings.rate_limit_mode == "docs" and caller.account is not None and outcome.windows:
            caller.rate_headers = ratelimit.rate_headers(outcome.windows, caller.tier)
        return outcome

    async def refund(self, caller: Caller, amount: Decimal, data: dict[str, Any] | None = None) -> None:
        """Give back ``amount`` with a ``refund`` log row (``cost`` negative), in one atomic step:
        a stream cut short (``stream_disconnect_billing``), or a reply that failed or was broken
        after it was charged."""
        if amount <= 0:
            return
        outcome = await self.store.commit(
            Charge(
                charge_id=self._charge_id(),
                scope=caller.user_id,
                user_id=caller.user_id,
                now=self.clock.timestamp(),
                limits=NO_LIMITS,
                cost=-amount,
                threshold=None,
                count=False,
                log=self._log_row(caller, "refund", data or {}, -amount),
                epoch=caller.charge_epoch,
            )
        )
        if outcome.status == "stale":  # charged before a reset: that money is gone with the old state
            caller.charged = Decimal(0)
            return
        caller.charged -= amount

    async def undo_charges(self, caller: Caller, reason: str) -> None:
        """The reply failed after this request was charged: give everything back (best effort —
        if the store is down too, the 503 the client gets says so)."""
        if caller.charged > 0:
            await self.refund(caller, caller.charged, {"refunded": float(caller.charged), "reason": reason})

    # -- logs ------------------------------------------------------------------------------------
    async def log_completion(
        self, caller: Caller, data: dict[str, Any], agents: list[dict[str, Any]], success: bool = True
    ) -> None:
        entry = {
            "created_at": self.timestamp(),
            "api_key": mask_key(caller.key),
            "category": "completion",
            "data": data,
        }
        await self.store.append_log(caller.user_id, entry)
        await self.store.record_completion(
            caller.user_id,
            self.clock.timestamp(),
            success,
            [str(a.get("agent_name")) for a in agents if a.get("agent_name")],
        )
        if agents:
            await self.store.remember_agents(caller.user_id, agents)
