"""What ``pip install .`` ships: the wheel declares every runtime import and holds the contract files
themselves (``mockswarms/data/*.json`` are symlinks into ``contracts/`` in the source tree)."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def test_request_validation_dependency_is_declared() -> None:
    # http/validation.py imports jsonschema_rs on every start: it must not come only through an extra.
    dependencies = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    assert any(d.replace("_", "-").startswith("jsonschema-rs") for d in dependencies)


def test_the_redis_client_parses_replies_in_c() -> None:
    # hiredis is a runtime dependency: redis-py picks its C parser up by itself when installed.
    from redis.utils import HIREDIS_AVAILABLE

    dependencies = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    assert any(d.startswith("hiredis") for d in dependencies)
    assert HIREDIS_AVAILABLE


@pytest.mark.slow
def test_wheel_holds_the_real_contract_files(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            str(tmp_path),
            ".",
        ],
        cwd=REPO,
        check=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("mockswarms-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        for name in ("swarms-api.openapi.json", "swarms-api.full.openapi.json"):
            shipped = json.loads(archive.read(f"mockswarms/data/{name}"))
            assert shipped == json.loads((REPO / "contracts" / name).read_text())
