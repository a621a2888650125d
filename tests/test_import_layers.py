"""The layers of ARCHITECTURE.md hold: pyproject.toml's import-linter contracts all pass."""

from pathlib import Path

import pytest

importlinter_cli = pytest.importorskip("importlinter.cli")

ROOT = Path(__file__).resolve().parent.parent


def test_every_import_contract_is_kept(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)  # the configuration and the package as the source tree has them
    status = importlinter_cli.lint_imports(config_filename="pyproject.toml", no_cache=True, no_logo=True)
    report = capsys.readouterr().out
    assert status == 0, report
    assert "kept, 0 broken" in report and "BROKEN" not in report
