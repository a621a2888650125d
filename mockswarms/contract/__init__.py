"""The contract: the OpenAPI document, Hypothesis strategies, and the Schemathesis runner.

This package may import the foundations and the app; the app never imports it (it serves the
checked-in ``contracts/swarms-api.openapi.json``).
"""

from __future__ import annotations

__all__ = ["CONTRACT_PATH", "FULL_CONTRACT_PATH"]

from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent.parent
CONTRACT_PATH = _ROOT / "contracts" / "swarms-api.openapi.json"
# Superset with the control API and the switch-enabled endpoints (scheduling, usage report, …).
FULL_CONTRACT_PATH = _ROOT / "contracts" / "swarms-api.full.openapi.json"
