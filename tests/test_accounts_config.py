"""Accounts from a config file and from the pytest marker behave the same way: the built-in
``sk-mock-*`` keys stay unless ``builtin_accounts: false``; declared keys add to them (or replace
one by key); a key sharing a ``user_id`` takes that user's tier, and two tiers for one user is a
one-line error (exit 2)."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from pathlib import Path

import pytest

from mockswarms.config import load_settings

BUILTIN = ["sk-mock-free", "sk-mock-premium", "sk-mock-broke"]
INSTALLED = any(ep.name == "mockswarms" for ep in importlib.metadata.entry_points(group="pytest11"))
PLUGIN = [] if INSTALLED else ["-p", "mockswarms.testing.plugin"]


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sim.yaml"
    path.write_text(text)
    return path


def test_declared_accounts_keep_the_built_in_keys(tmp_path: Path) -> None:
    config = _config(tmp_path, "accounts:\n  - {key: sk-test, tier: free, free_credit: 20}\n")
    settings = load_settings(config_file=config, environ={})
    assert [a.key for a in settings.accounts] == [*BUILTIN, "sk-test"]


def test_a_declared_key_replaces_the_built_in_one(tmp_path: Path) -> None:
    config = _config(tmp_path, "accounts:\n  - {key: sk-mock-premium, user_id: user-premium, credit: 3}\n")
    accounts = {a.key: a for a in load_settings(config_file=config, environ={}).accounts}
    assert list(accounts) == ["sk-mock-free", "sk-mock-broke", "sk-mock-premium"]
    assert str(accounts["sk-mock-premium"].credit) == "3"


def test_builtin_accounts_false_drops_them(tmp_path: Path) -> None:
    config = _config(tmp_path, "builtin_accounts: false\naccounts:\n  - {key: sk-only}\n")
    assert [a.key for a in load_settings(config_file=config, environ={}).accounts] == ["sk-only"]


def test_a_key_sharing_a_user_takes_the_users_tier(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        "accounts:\n"
        "  - {key: sk-team-a, user_id: team, tier: premium, credit: 50}\n"
        "  - {key: sk-team-b, user_id: team}\n",
    )
    tiers = {a.key: a.tier for a in load_settings(config_file=config, environ={}).accounts}
    assert (tiers["sk-team-a"], tiers["sk-team-b"]) == ("premium", "premium")


def test_two_tiers_for_one_user_is_one_line_and_exit_2(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        "accounts:\n"
        "  - {key: sk-team-a, user_id: team, tier: premium}\n"
        "  - {key: sk-team-b, user_id: team, tier: free}\n",
    )
    result = subprocess.run(
        [sys.executable, "-m", "mockswarms", "serve", "--port", "0", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"mockswarms: error: {config}: accounts: sk-team-b is free but sk-team-a of the same user "
        "'team' is premium: a user has one tier\n"
    )


def test_the_pytest_marker_has_the_same_semantics(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_example="""
import pytest

@pytest.mark.mockswarms(accounts=[{"key": "sk-team", "user_id": "user-premium"}])
def test_added(mockswarms):
    keys = [a["key"] for a in mockswarms.accounts()]
    assert keys[:3] == ["sk-mock-free", "sk-mock-premium", "sk-mock-broke"] and "sk-team" in keys
    assert mockswarms.account("sk-team")["tier"] == "premium"

@pytest.mark.mockswarms(builtin_accounts=False, accounts=[{"key": "sk-only", "credit": "5"}])
def test_without_builtins(mockswarms):
    assert [a["key"] for a in mockswarms.accounts()] == ["sk-only"]

def test_back_to_the_session_accounts(mockswarms):
    assert [a["key"] for a in mockswarms.accounts()] == ["sk-mock-free", "sk-mock-premium", "sk-mock-broke"]
"""
    )
    result = pytester.runpytest(*PLUGIN, "-p", "no:cacheprovider", "-p", "no:randomly")
    result.assert_outcomes(passed=3)
