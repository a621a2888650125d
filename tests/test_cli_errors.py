"""CLI errors are one line on stderr and exit 2 — never a usage block, never a traceback."""

import subprocess
import sys
from pathlib import Path
from typing import Any, NoReturn

import pytest

from mockswarms import serving
from mockswarms.cli import main
from mockswarms.proxy import cli as proxy_cli


def _one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.endswith("\n")
    assert captured.err.count("\n") == 1, captured.err
    assert "Traceback" not in captured.err
    return captured.err.rstrip("\n")


def _exit_code(argv: list[str]) -> int | str | None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    return exited.value.code


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["serve", "--port", "abc"], "mockswarms serve: error: argument --port: invalid int value: 'abc'"),
        (
            ["serve", "--seed", "1e400"],
            "mockswarms serve: error: argument --seed: invalid int value: '1e400'",
        ),
        (
            ["serve", "--log-level", "trace"],
            "mockswarms serve: error: argument --log-level: invalid choice: 'trace' "
            "(choose from 'critical', 'error', 'warning', 'info', 'debug')",
        ),
        (["serve", "--bogus"], "mockswarms: error: unrecognized arguments: --bogus"),
        (["openapi", "--bogus"], "mockswarms: error: unrecognized arguments: --bogus"),
        (
            ["proxy", "--port", "abc"],
            "mockswarms proxy: error: argument --port: invalid int value: 'abc'",
        ),
        (
            ["verify", "--base-url", "http://127.0.0.1:1", "--include-path", "("],
            "mockswarms verify: error: argument --include-path: not a regular expression: '(' "
            "(missing ), unterminated subpattern at position 0)",
        ),
        (
            ["verify", "--base-url", "http://127.0.0.1:1", "--max-time", "-1"],
            "mockswarms verify: error: argument --max-time: not a positive number of seconds: '-1'",
        ),
        (
            ["fixtures", "bogus"],
            "mockswarms fixtures: error: argument fixtures_command: invalid choice: 'bogus' "
            "(choose from 'check')",
        ),
    ],
)
def test_argparse_errors_are_one_line(argv: list[str], line: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit_code(argv) == 2
    assert _one_line_error(capsys) == line


def test_unknown_command_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit_code(["bogus"]) == 2
    assert _one_line_error(capsys).startswith(
        "mockswarms: error: argument COMMAND: invalid choice: 'bogus' (choose from 'serve', 'openapi', "
    )


def test_help_still_prints_usage_and_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit_code(["serve", "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: mockswarms serve [-h] [--host HOST] [--port PORT]")
    assert "MOCKSWARMS_<NAME> environment variable" in out  # the epilog


def test_argparse_error_through_the_module_entry_point() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mockswarms", "serve", "--port", "abc"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "mockswarms serve: error: argument --port: invalid int value: 'abc'\n"


@pytest.fixture
def no_listening(monkeypatch: pytest.MonkeyPatch) -> None:
    """A test that gets as far as binding has failed (and would otherwise serve forever)."""

    def refuse(*args: Any) -> NoReturn:
        pytest.fail(f"the server went on to bind {args}")

    monkeypatch.setattr(serving, "bind_socket", refuse)
    monkeypatch.setattr(proxy_cli, "_listen", refuse)


@pytest.mark.parametrize("content", [b"\xff\xfe\x00bad", b"\xc3(: 1\n", b'seed: 1\nhost: "\xe9"\n'])
def test_config_file_not_utf8_is_one_line(
    tmp_path: Path, content: bytes, capsys: pytest.CaptureFixture[str], no_listening: None
) -> None:
    config = tmp_path / "sim.yaml"
    config.write_bytes(content)
    assert main(["serve", "--config", str(config)]) == 2
    line = _one_line_error(capsys)
    assert line.startswith(f"mockswarms: error: {config}: ")
    assert "UTF-8" in line


def test_config_from_the_environment_not_utf8_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], no_listening: None
) -> None:
    config = tmp_path / "sim.yaml"
    config.write_bytes(b"\xff\xfe\x00bad")
    monkeypatch.setenv("MOCKSWARMS_CONFIG", str(config))
    assert main(["serve"]) == 2
    assert _one_line_error(capsys).startswith(f"mockswarms: error: {config}: ")


def test_proxy_config_not_utf8_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_listening: None
) -> None:
    config = tmp_path / "sim.yaml"
    config.write_bytes(b"\xff\xfe\x00bad")
    assert main(["proxy", "--upstream", "https://example.com", "--port", "0", "--config", str(config)]) == 2
    assert _one_line_error(capsys).startswith(f"mockswarms: error: {config}: ")


@pytest.mark.parametrize("store", ["redis://[::1", "redis://user:s3cret@[::1/0"])
def test_unparsable_store_url_is_one_line_and_masked(
    store: str, capsys: pytest.CaptureFixture[str], no_listening: None
) -> None:
    assert main(["serve", "--store", store]) == 2
    line = _one_line_error(capsys)
    assert line.startswith("mockswarms: error: command line: store: ")
    assert "s3cret" not in line


def test_empty_host_option_is_refused(capsys: pytest.CaptureFixture[str], no_listening: None) -> None:
    assert main(["serve", "--host", ""]) == 2
    assert _one_line_error(capsys).startswith("mockswarms: error: command line: host: ")


def test_empty_host_variable_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], no_listening: None
) -> None:
    monkeypatch.setenv("MOCKSWARMS_HOST", "")
    assert main(["serve"]) == 2
    assert _one_line_error(capsys).startswith("mockswarms: error: environment MOCKSWARMS_HOST: host: ")


def test_proxy_empty_host_is_refused(capsys: pytest.CaptureFixture[str], no_listening: None) -> None:
    assert main(["proxy", "--upstream", "https://example.com", "--port", "0", "--host", ""]) == 2
    assert _one_line_error(capsys).startswith("mockswarms: error: command line: host: ")


@pytest.mark.parametrize(
    ("name", "reason"), [("missing/openapi.json", "No such file or directory"), ("", "Is a directory")]
)
def test_openapi_output_that_cannot_be_written_is_one_line(
    tmp_path: Path, name: str, reason: str, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / name if name else tmp_path
    assert main(["openapi", "--output", str(target)]) == 2
    assert _one_line_error(capsys) == f"mockswarms: error: {target}: {reason}"


def test_proxy_record_directory_that_is_a_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_listening: None
) -> None:
    taken = tmp_path / "taken"
    taken.write_text("a file, not a directory\n")
    argv = ["proxy", "--upstream", "https://example.com", "--port", "0", "--record", str(taken)]
    assert main(argv) == 2
    assert _one_line_error(capsys) == f"mockswarms: error: {taken}: File exists"
