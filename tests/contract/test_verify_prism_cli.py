"""``mockswarms verify --profile-aware`` against a prism server: prism answers every schema-valid body
2xx and also the bodies the contract's server rules refuse (the SDKs' ``{}``), so the CLI requires the
first (positive_data_acceptance) and does not ask for the second (negative_data_rejection)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from mockswarms.cli import main
from mockswarms.testing.server import serve

CHAT_ONLY = "^/v1/chat/completions$"  # rules: a user message, n <= 1


def _verify(base_url: str, junit: Path, *extra: str) -> int:
    # The coverage phase sends the boundary cases, a body without a user message among them.
    args = ["verify", "--base-url", base_url, "--max-examples", "1", "--seed", "1", "--no-stateful"]
    return main([*args, "--coverage", "--include-path", CHAT_ONLY, "--junit-xml", str(junit), *extra])


def _failed_checks(junit: Path) -> set[str]:
    root = ET.parse(junit).getroot()
    return {str(failure.get("type")) for failure in root.iter("failure")}


def test_profile_aware_verify_passes_against_prism(tmp_path: Path) -> None:
    with serve(profile="prism", seed=1) as server:
        plain, aware = tmp_path / "plain.xml", tmp_path / "aware.xml"
        # Without --profile-aware, the rules prism does not enforce show up as accepted negative data.
        assert _verify(server.base_url, plain) == 1
        assert _failed_checks(plain) == {"negative_data_rejection"}
        assert _verify(server.base_url, aware, "--profile-aware") == 0
    assert _failed_checks(aware) == set()
