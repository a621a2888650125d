"""Accounts as settings declare them (config file, ``MOCKSWARMS_ACCOUNTS``, the pytest marker): the
built-in keys, per-account limits, and how declared keys join the built-in ones. Re-exported by
:mod:`mockswarms.config`.

Amounts and limits have ranges (README "Control API protections") shared with the control API: money
within ±``MAX_CREDIT`` dollars (a balance whose every micro-dollar JSON numbers and Redis' Lua
numbers hold exactly), a window within
``MAX_WINDOW_LIMIT`` requests so that, scaled by ``rate_limit_scale``, it stays an int32.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "DEFAULT_ACCOUNTS",
    "MAX_CREDIT",
    "MAX_WINDOW_LIMIT",
    "WINDOWS",
    "AccountConfig",
    "Money",
    "WindowLimit",
    "default_user_id",
    "resolve_accounts",
]

# Dollars, either sign. Balances travel as JSON numbers (float64) and are counted in micro-dollars
# by Redis' Lua (doubles): both are exact only below 2**53 micro-dollars (~$9.007e9), and a float
# prints six decimals exactly only below 2**33 dollars. Three buckets of at most $10**9 stay inside.
MAX_CREDIT = Decimal(10**9)
MAX_WINDOW_LIMIT = 2_000_000  # requests per window (x the largest rate_limit_scale, 1000: 2e9 < 2**31)
WINDOWS = ("minute", "hour", "day")
Money = Annotated[Decimal, Field(ge=-MAX_CREDIT, le=MAX_CREDIT)]
WindowLimit = Annotated[int, Field(ge=0, le=MAX_WINDOW_LIMIT)]


class AccountConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=1)
    user_id: str | None = None  # several keys may share one user; default: one user per key
    tier: Literal["free", "premium", "enterprise"] = "free"
    credit: Money = Decimal("0")
    free_credit: Money = Decimal("0")
    referral_credits: Money = Decimal("0")
    # Optional per-account rate limits overriding the tier's, by window (a null window: unlimited).
    limits: dict[Literal["minute", "hour", "day"], WindowLimit | None] | None = None

    def resolved_user_id(self) -> str:
        return self.user_id or default_user_id(self.key)


def default_user_id(key: str) -> str:
    """The user id of a key that names none: derived from the key (the same key, the same user) but
    not containing it — user ids are shown where keys are masked (control API, dashboard)."""
    return "user-" + hashlib.sha256(key.encode()).hexdigest()[:16]


DEFAULT_ACCOUNTS: tuple[AccountConfig, ...] = (
    AccountConfig(key="sk-mock-free", user_id="user-free", tier="free", free_credit=Decimal("20.00")),
    AccountConfig(key="sk-mock-premium", user_id="user-premium", tier="premium", credit=Decimal("100.00")),
    AccountConfig(key="sk-mock-broke", user_id="user-broke", tier="free"),
)


def resolve_accounts(declared: list[AccountConfig], *, builtin: bool) -> list[AccountConfig]:
    """The accounts a simulator starts with: the built-in ones (unless ``builtin`` is off), then the
    declared ones — a declared key replaces the built-in key of the same name.

    A tier belongs to the user: a key that states no tier takes the tier its user has from another
    key; two keys of one user stating different tiers is an error (ValueError).
    """
    by_key = {a.key: a for a in DEFAULT_ACCOUNTS} if builtin else {}
    for account in declared:
        by_key.pop(account.key, None)  # a redeclared key moves to its declared position
        by_key[account.key] = account
    accounts = list(by_key.values())
    stated: dict[str, AccountConfig] = {}
    for account in accounts:
        if "tier" not in account.model_fields_set:
            continue
        first = stated.setdefault(account.resolved_user_id(), account)
        if first.tier != account.tier:
            raise ValueError(
                f"{account.key} is {account.tier} but {first.key} of the same user "
                f"{account.resolved_user_id()!r} is {first.tier}: a user has one tier"
            )
    return [
        a.model_copy(update={"tier": stated[a.resolved_user_id()].tier})
        if "tier" not in a.model_fields_set and a.resolved_user_id() in stated
        else a
        for a in accounts
    ]
