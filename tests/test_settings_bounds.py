"""Settings from a config file, the environment and the command line have the same ranges as the
control API: a value that would break requests later (an overflowing rate-limit scale, a discount
above 100 %, an instant before 1970, an infinite credit or delay) stops the server at start-up with one
line naming where it came from (exit 2)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mockswarms.config import ConfigError, load_settings

SERVE = [sys.executable, "-m", "mockswarms", "serve", "--port", "0"]


def _serve(*args: str) -> subprocess.CompletedProcess[str]:
    # A server that starts would run until the timeout: that is a failure too.
    return subprocess.run([*SERVE, *args], capture_output=True, text=True, timeout=20)


@pytest.mark.parametrize(
    ("content", "key", "reason"),
    [
        ("rate_limit_scale: 1e308\n", "rate_limit_scale", "Input should be less than or equal to 1000"),
        ("rate_limit_scale: .inf\n", "rate_limit_scale", "Input should be a finite number"),
        ("flex_discount: 1e308\n", "flex_discount", "Input should be less than or equal to 1"),
        ("flex_discount: 2\n", "flex_discount", "Input should be less than or equal to 1"),
        ("night_discount: -0.5\n", "night_discount", "Input should be greater than or equal to 0"),
        ("free_hour_limit: 3000000\n", "free_hour_limit", "Input should be less than or equal to 2000000"),
        ("sse_ping_interval: .nan\n", "sse_ping_interval", "Input should be a finite number"),
        (
            "now: 0001-01-01T00:00:00Z\n",
            "now",
            "must be between 1970 and 9000, got '0001-01-01T00:00:00+00:00'",
        ),
        ('now: "1969-12-31T23:59:59Z"\n', "now", "must be between 1970 and 9000, got '1969-12-31T23:59:59Z'"),
        ('now: "0001-01-01T00:00:00+01:00"\n', "now", "must be between 1970 and 9000"),
        (
            "accounts:\n  - {key: sk-a, credit: 1e400}\n",
            "accounts.0.credit",
            "Input should be less than or equal to 1000000000",
        ),
        ('admin_token: "two words"\n', "admin_token", "visible ASCII characters (no spaces)"),
        (
            "accounts:\n  - {key: sk-a, credit: .inf}\n",
            "accounts.0.credit",
            "Input should be a finite number",
        ),
        ("accounts:\n  - {key: sk-a, free_credit: NaN}\n", "accounts.0.free_credit", "finite number"),
        (
            "accounts:\n  - {key: sk-a, limits: {century: 1}}\n",
            "accounts.0.limits.century",
            "Input should be",
        ),
        (
            "accounts:\n  - {key: sk-a, limits: {day: 3000000}}\n",
            "accounts.0.limits.day",
            "less than or equal",
        ),
        (
            "pacing: {'*': {tokens_per_second: 1e-300}}\n",
            "pacing.*.tokens_per_second",
            "must be 0 (no delay)",
        ),
    ],
)
def test_out_of_range_config_values_name_file_key_and_reason(
    tmp_path: Path, content: str, key: str, reason: str
) -> None:
    config = tmp_path / "sim.yaml"
    config.write_text(content)
    with pytest.raises(ConfigError) as info:
        load_settings(config_file=config, environ={})
    assert (info.value.source, info.value.key) == (str(config), key)
    assert reason in info.value.reason


def test_the_bounds_themselves_are_accepted(tmp_path: Path) -> None:
    config = tmp_path / "sim.yaml"
    config.write_text(
        "rate_limit_scale: 1000\nflex_discount: 1\nnight_discount: 0\nfree_hour_limit: 2000000\n"
        "now: 1970-01-01T00:00:00Z\naccounts:\n  - {key: sk-a, credit: 1e9, limits: {hour: null, day: 0}}\n"
    )
    settings = load_settings(config_file=config, environ={})
    assert settings.now is not None and settings.now.timestamp() == 0
    assert settings.accounts[-1].limits == {"hour": None, "day": 0}


def test_environment_values_are_bounded_too() -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(environ={"MOCKSWARMS_RATE_LIMIT_SCALE": "1e308"})
    assert str(info.value) == (
        "environment MOCKSWARMS_RATE_LIMIT_SCALE: rate_limit_scale: "
        "Input should be less than or equal to 1000"
    )


def test_now_before_1970_on_the_command_line_is_one_line_exit_2() -> None:
    result = _serve("--now", "0001-01-01T00:00:00Z")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        "mockswarms: error: command line: now: must be between 1970 and 9000, got '0001-01-01T00:00:00Z'\n"
    )


def test_an_infinite_fault_duration_in_the_config_file_is_one_line_exit_2(tmp_path: Path) -> None:
    config = tmp_path / "sim.yaml"
    config.write_text("faults:\n  - {match: {path: '*'}, action: {type: latency, seconds: 1e400}}\n")
    result = _serve("--config", str(config))
    assert result.returncode == 2
    assert result.stderr == (
        f"mockswarms: error: {config}: faults[0].action.latency.seconds: Input should be a finite number\n"
    )
