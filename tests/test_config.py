from decimal import Decimal
from pathlib import Path

import pytest

from mockswarms.config import DEFAULT_ACCOUNTS, ConfigError, load_settings


def test_defaults_are_the_docs_profile_on_loopback() -> None:
    s = load_settings(environ={})
    assert (s.host, s.port, s.profile, s.seed, s.now) == ("127.0.0.1", 8000, "docs", 0, None)
    assert [a.key for a in s.accounts] == ["sk-mock-free", "sk-mock-premium", "sk-mock-broke"]
    assert DEFAULT_ACCOUNTS[0].free_credit == Decimal("20.00")


def test_profile_is_a_preset_that_settings_override() -> None:
    s = load_settings({"profile": "legacy", "night_discount": Decimal("0.6")}, environ={})
    assert s.bearer_enabled is False and s.rate_limit_mode == "legacy-ip"
    assert s.night_discount == Decimal("0.6")


def test_precedence_file_then_env_then_cli(tmp_path: Path) -> None:
    config = tmp_path / "sim.yaml"
    config.write_text("seed: 1\nport: 9000\nprofile: prism\nlog_level: debug\n")
    env = {"MOCKSWARMS_SEED": "2", "MOCKSWARMS_PORT": "9100"}
    s = load_settings({"seed": 3}, config_file=config, environ=env)
    assert (s.seed, s.port, s.profile, s.log_level) == (3, 9100, "prism", "debug")
    assert s.accept_any_key is True  # from the prism preset


def test_config_file_from_environment_and_relative_fixture_dirs(tmp_path: Path) -> None:
    config = tmp_path / "sim.yml"
    config.write_text("fixtures: [fx]\naccounts:\n  - {key: k1, user_id: u, tier: premium, credit: 5}\n")
    s = load_settings(environ={"MOCKSWARMS_CONFIG": str(config)})
    assert s.fixtures == [(tmp_path / "fx").resolve()]
    declared = {a.key: a for a in s.accounts}["k1"]
    assert declared.credit == Decimal("5") and declared.tier == "premium"


def test_env_json_values_and_now() -> None:
    s = load_settings(
        environ={
            "MOCKSWARMS_FAULTS": '[{"id": "a"}]',
            "MOCKSWARMS_NOW": "2026-01-01T00:00:00Z",
            "MOCKSWARMS_BEARER_ENABLED": "false",
        }
    )
    assert s.faults == [{"id": "a"}] and s.bearer_enabled is False
    assert s.now is not None and s.now.isoformat() == "2026-01-01T00:00:00+00:00"


@pytest.mark.parametrize(
    ("content", "key", "reason"),
    [
        ("nonsense_key: 1\n", "nonsense_key", "unknown setting"),
        ("port: high\n", "port", "valid integer"),
        ("profile: staging\n", "profile", "unknown profile"),
        ("rate_limit_scale: 0\n", "rate_limit_scale", "greater than 0"),
        ("store: mysql://x\n", "store", "redis://"),
        ("accounts:\n  - {key: k, tier: gold}\n", "accounts.0.tier", "Input should be"),
        ("- just\n- a list\n", "", "mapping"),
        ("port: [unclosed\n", "", "line"),
    ],
)
def test_bad_config_names_file_key_and_reason(tmp_path: Path, content: str, key: str, reason: str) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text(content)
    with pytest.raises(ConfigError) as info:
        load_settings(config_file=config, environ={})
    assert info.value.source == str(config)
    assert info.value.key == key
    assert reason in info.value.reason


def test_missing_file_and_bad_env_are_reported() -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings(config_file="/nonexistent/sim.yaml", environ={})
    with pytest.raises(ConfigError) as info:
        load_settings(environ={"MOCKSWARMS_PORT": "x"})
    assert info.value.source == "environment MOCKSWARMS_PORT"
    with pytest.raises(ConfigError, match="unknown setting"):
        load_settings({"bogus": 1}, environ={})
