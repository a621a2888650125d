"""The fault engine: the rule list of one simulator and, per request, which rule fires.

Counters live in the state store so ``every_nth`` / ``first_n`` / ``after_n`` count across workers;
probabilities and latency draws come from ``entropy.derive`` so the same seed faults the same requests.
"""

from __future__ import annotations

import fnmatch
import hashlib
import random
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import orjson
from pydantic import ValidationError

from mockswarms.clock import Clock
from mockswarms.entropy import Entropy
from mockswarms.errors import ValidationFailed, fastapi_error_item
from mockswarms.faults.header import parse_header
from mockswarms.faults.rules import RULE_ADAPTER, FaultRule, endpoint_family
from mockswarms.state.base import StateStore

# True inside a request whose shared state (fault rules version, clock, settings …) was already
# read in its one round trip (set by the simulator; each request runs in its own task/context).
REQUEST_SYNCED: ContextVar[bool] = ContextVar("mockswarms_request_synced", default=False)
MAX_FAULT_RULES = 1_000  # every request is checked against each rule


def _validation_failed(exc: ValidationError, prefix: tuple[str, ...] = ("body",)) -> ValidationFailed:
    items = [
        fastapi_error_item([*prefix, *(str(p) for p in e["loc"])], e["msg"], e["type"])
        for e in exc.errors(include_url=False)
    ]
    return ValidationFailed(items)


@dataclass(frozen=True)
class FaultDecision:
    rule_id: str
    action: Any  # one of the *Action models
    match_index: int  # 1-based count of requests this rule has matched (the header rule: 1)
    seed: int  # for latency draws: derived from (seed, rule id, match index)

    def rng(self) -> random.Random:
        return random.Random(self.seed)


@dataclass(frozen=True)
class RequestInfo:
    method: str
    path: str
    key: str | None
    body: Any  # parsed JSON or None

    @property
    def models(self) -> list[str]:
        return _collect(self.body, ("model_name", "model"))

    @property
    def agent_names(self) -> list[str]:
        return _collect(self.body, ("agent_name",))

    @property
    def swarm_type(self) -> str | None:
        value = self.body.get("swarm_type") if isinstance(self.body, dict) else None
        return value if isinstance(value, str) else None


def _collect(body: Any, names: tuple[str, ...]) -> list[str]:
    """String values of ``names`` at the top level, in ``agent_config`` and in each of ``agents``."""
    found: list[str] = []
    if isinstance(body, list):  # batch bodies
        for item in body:
            found += _collect(item, names)
        return found
    if not isinstance(body, dict):
        return found
    objects: list[Any] = [body, body.get("agent_config")]
    agents = body.get("agents")
    if isinstance(agents, list):
        objects += agents
    requests = body.get("requests")
    if isinstance(requests, list):
        for item in requests:
            found += _collect(item, names)
    for obj in objects:
        if isinstance(obj, dict):
            found += [v for n in names if isinstance(v := obj.get(n), str)]
    return found


def _glob(pattern: str | None, value: str | None) -> bool:
    return pattern is None or (value is not None and fnmatch.fnmatchcase(value, pattern))


def _any_glob(pattern: str | None, values: list[str]) -> bool:
    return pattern is None or any(fnmatch.fnmatchcase(v, pattern) for v in values)


class FaultEngine:
    """The rules of one simulator and the decision for each request.

    Rules live in this process; with several workers call :meth:`save` after changing them and
    construct the engine with ``shared=True`` so every worker picks them up (:meth:`sync`).
    Counters always live in the store, so selectors count requests across all workers.
    """

    def __init__(
        self,
        clock: Clock,
        entropy: Entropy,
        store: StateStore,
        *,
        header_enabled: bool = False,
        shared: bool = False,
    ) -> None:
        self.clock = clock
        self.entropy = entropy
        self.store = store
        self.header_enabled = header_enabled
        self.shared = shared
        self._rules: list[FaultRule] = []
        self._version: int | None = None

    # -- rules ---------------------------------------------------------------------------------------
    @property
    def rules(self) -> list[FaultRule]:
        return self._rules

    @property
    def needs_body(self) -> bool:
        return any(rule.match.needs_body for rule in self._rules)

    def list_rules(self) -> list[dict[str, Any]]:
        return [rule.to_json() for rule in self._rules]

    def add_rule(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """Validate and append (or replace the rule with the same id); returns the rule as JSON (with
        its id, assigned from a hash of the rule when not given). Bad rule → ValidationFailed (422)."""
        try:
            rule = RULE_ADAPTER.validate_python(dict(data))
        except ValidationError as exc:
            raise _validation_failed(exc) from exc
        if not rule.id:
            digest = hashlib.blake2b(orjson.dumps(rule.to_json(), option=orjson.OPT_SORT_KEYS), digest_size=4)
            rule = rule.model_copy(update={"id": "fault-" + digest.hexdigest()})
        for index, existing in enumerate(self._rules):
            if existing.id == rule.id:
                self._rules[index] = rule
                return rule.to_json()
        if len(self._rules) >= MAX_FAULT_RULES:
            message = f"at most {MAX_FAULT_RULES} fault rules; DELETE /__mockswarms/faults clears them"
            raise ValidationFailed([fastapi_error_item(["body"], message, "too_long")])
        self._rules.append(rule)
        return rule.to_json()

    def get_rule(self, rule_id: str) -> FaultRule | None:
        return next((rule for rule in self._rules if rule.id == rule_id), None)

    def delete_rule(self, rule_id: str) -> bool:
        """Remove a rule; False if there was none with that id."""
        before = len(self._rules)
        self._rules = [rule for rule in self._rules if rule.id != rule_id]
        return len(self._rules) != before

    def clear(self) -> None:
        self._rules = []

    def load(self, rules: list[dict[str, Any]]) -> None:
        """Replace all rules (from ``settings.faults``); a bad rule raises ValidationFailed."""
        self.clear()
        for index, data in enumerate(rules):
            try:
                self.add_rule(data)
            except ValidationFailed as exc:
                for item in exc.body["detail"]:
                    item["loc"] = ["faults", index, *item["loc"][1:]]
                raise

    async def save(self) -> None:
        """Publish the rules to the store so other workers (``shared=True``) load them."""
        await self.store.set_value("fault_rules", self.list_rules())
        self._version = await self.store.incr("fault_rules_version")

    async def sync(self) -> None:
        """Reload the rules when another worker published a new version (no-op unless shared).
        Until some worker publishes, each keeps the rules it loaded from the config. Skipped when
        this request already read the version (``REQUEST_SYNCED``, the simulator's one read)."""
        if not self.shared or REQUEST_SYNCED.get():
            return
        await self.apply_version(await self.store.incr("fault_rules_version", 0))

    async def apply_version(self, version: int) -> None:
        """The shared rules' version as read by the caller: reload the rules if it moved."""
        if version == self._version:
            return
        rules = await self.store.get_value("fault_rules")
        if rules is not None:
            self._rules = [RULE_ADAPTER.validate_python(r) for r in rules]
        # Only now: requests arriving during the read above must not go on with the old rules.
        self._version = version

    async def counter(self, rule_id: str) -> int:
        """How many requests this rule has matched so far."""
        return await self.store.incr(f"fault:{rule_id}", 0)

    async def fired(self, rule_id: str) -> int:
        """How many requests this rule has fired on so far (shared by every worker, like the matches)."""
        return await self.store.incr(f"fault_fired:{rule_id}", 0)

    # -- deciding --------------------------------------------------------------------------------------
    async def decide(self, request: RequestInfo, header: str | None = None) -> FaultDecision | None:
        if header is not None and self.header_enabled:
            action = parse_header(header)
            return FaultDecision("header", action, 1, _derive_seed(self.entropy, "header", request.path))
        if not self._rules:
            return None
        now = self.clock.timestamp()
        user: str | None = None
        decision: FaultDecision | None = None
        for rule in self._rules:
            match = rule.match
            if not (
                _glob(match.path, request.path)
                and _glob(match.key, request.key)
                and (match.method is None or match.method.upper() == request.method)
                and (match.endpoint is None or match.endpoint == endpoint_family(request.path))
                and _glob(match.swarm_type, request.swarm_type)
                and _any_glob(match.model, request.models)
                and _any_glob(match.agent_name, request.agent_names)
            ):
                continue
            if match.user is not None:
                if user is None and request.key is not None:
                    account = await self.store.get_account(request.key)
                    user = account.user_id if account else ""
                if not _glob(match.user, user):
                    continue
            if not rule.selector.in_window(now):
                continue
            # Every matching rule counts the request, whether or not an earlier rule fires.
            index = await self.store.incr(f"fault:{rule.id}")
            if decision is None and self._selected(rule, index):
                decision = FaultDecision(
                    rule.id, rule.action, index, _derive_seed(self.entropy, "fault-latency", rule.id, index)
                )
        if decision is not None:
            await self.store.incr(f"fault_fired:{decision.rule_id}")
        return decision

    def _selected(self, rule: FaultRule, index: int) -> bool:
        sel = rule.selector
        if sel.every_nth is not None and index % sel.every_nth != 0:
            return False
        if sel.first_n is not None and index > sel.first_n:
            return False
        if sel.after_n is not None and index <= sel.after_n:
            return False
        return not (
            sel.probability is not None
            and self.entropy.derive("fault", rule.id, index).random() >= sel.probability
        )


def _derive_seed(entropy: Entropy, *parts: object) -> int:
    return entropy.derive(*parts).getrandbits(64)
