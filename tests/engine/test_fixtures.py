"""Fixture files: format, matching, priorities, problems with file:line, reload, runtime rules, CLI."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from mockswarms.engine.fixtures import FixtureError, FixtureRegistry, add_parser, check_dirs
from mockswarms.engine.llm import LLMCall, Message

REPO = Path(__file__).resolve().parents[2]


def call(**kw: object) -> LLMCall:
    base: dict[str, object] = {
        "endpoint": "swarm",
        "agent_name": "Writer",
        "model": "gpt-4.1",
        "task": "Write a poem",
    }
    base.update(kw)
    return LLMCall(**base)  # type: ignore[arg-type]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


class Tick:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_match_fields_and_operators(tmp_path: Path) -> None:
    write(
        tmp_path,
        "a.yaml",
        """
rules:
  - id: exact
    match: {agent_name: Writer, swarm_type: SequentialWorkflow}
    respond: {text: exact}
  - id: regex
    match: {task: {regex: "^Draft \\\\d+$"}}
    respond: {text: regex}
  - id: icase
    match: {system_prompt: {contains: "EDITOR", ignore_case: true}}
    respond: {text: icase}
  - id: last
    match: {last_message: {prefix: "Plan:"}, loop_index: [1, 2], call_index: {min: 3}}
    respond: {text: last}
  - id: anyof
    match: {model: [gpt-4o, gpt-4o-mini], endpoint: agent}
    respond: {text: anyof}
""",
    )
    reg = FixtureRegistry([tmp_path], watch=False)

    def winner(c: LLMCall) -> str | None:
        rule = reg.match(c)
        return rule.id if rule else None

    assert winner(call(swarm_type="SequentialWorkflow")) == "exact"
    assert winner(call(swarm_type="GroupChat")) is None
    assert winner(call(agent_name="X", task="Draft 12")) == "regex"
    assert winner(call(agent_name="X", task="Draft 12b")) is None
    assert winner(call(agent_name="X", system_prompt="You are an editor.")) == "icase"
    hist = (Message("Planner", "Plan: go"),)
    assert winner(call(agent_name="X", history=hist, loop_index=1, call_index=3)) == "last"
    assert winner(call(agent_name="X", history=hist, loop_index=0, call_index=3)) is None
    assert winner(call(agent_name="X", history=hist, loop_index=1, call_index=2)) is None
    assert winner(call(agent_name="X", model="gpt-4o-mini", endpoint="agent")) == "anyof"
    assert winner(call(agent_name="X", model="gpt-4o-mini", endpoint="swarm")) is None


def test_priority_then_order(tmp_path: Path) -> None:
    write(
        tmp_path,
        "a.yaml",
        """
- {id: first, match: {agent_name: Writer}, respond: {text: a}}
- {id: second, match: {agent_name: Writer}, respond: {text: b}}
- {id: high, priority: 5, match: {task: {contains: urgent}}, respond: {text: c}}
""",
    )
    write(tmp_path, "b.yaml", "- {id: catchall, priority: -1, respond: {text: d}}\n")
    reg = FixtureRegistry([tmp_path], watch=False)
    assert reg.match(call()).id == "first"  # type: ignore[union-attr]
    assert reg.match(call(task="urgent poem")).id == "high"  # type: ignore[union-attr]
    assert reg.match(call(agent_name="Nobody")).id == "catchall"  # type: ignore[union-attr]
    # Runtime rules win ties over file rules; later runtime rules over earlier ones.
    reg.add_rule({"id": "rt1", "match": {"agent_name": "Writer"}, "respond": {"text": "x"}})
    assert reg.match(call()).id == "rt1"  # type: ignore[union-attr]
    reg.add_rule({"id": "rt2", "match": {"agent_name": "Writer"}, "respond": {"text": "y"}})
    assert reg.match(call()).id == "rt2"  # type: ignore[union-attr]
    assert reg.match(call(task="urgent")).id == "high"  # type: ignore[union-attr]
    reg.clear_runtime()
    assert reg.match(call()).id == "first"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        (
            "rules:\n  - id: a\n    match: {task: {regex: '('}}\n    respond: {text: x}\n",
            3,
            "invalid regular expression",
        ),
        (
            "rules:\n  - id: a\n    match: {colour: red}\n    respond: {text: x}\n",
            3,
            "unknown field 'colour'",
        ),
        ("rules:\n  - id: a\n    respond:\n      text: '{{ nope }}'\n", 4, "unknown template variable"),
        ("rules:\n  - id: a\n    respond: {error: {status: 200}}\n", 3, "between 400 and 599"),
        ("rules:\n  - id: a\n    respond: {text: a, chunks: [b]}\n", 3, "either text or chunks"),
        ("rules:\n  - id: a\n    match: {}\n", 2, "no 'respond'"),
        ("rules:\n  - id: a\n    respond: {text: x}\n    extra: 1\n", 4, "unknown rule key 'extra'"),
        ("rules:\n  - id: a\n    respond: {text: x\n", 4, "YAML error"),
        (
            "rules:\n  - {id: a, respond: {text: x}}\n  - {id: a, respond: {text: y}}\n",
            3,
            "duplicate rule id",
        ),
        ("rules:\n  - id: a\n    respond: {latency: -1}\n", 3, "number >= 0"),
        ("other: 1\n", 1, "unknown top-level key"),
    ],
)
def test_problems_have_file_and_line(tmp_path: Path, text: str, line: int, fragment: str) -> None:
    path = write(tmp_path, "bad.yaml", text)
    _, problems = check_dirs([tmp_path])
    assert problems, "expected a problem"
    assert problems[0].file == str(path)
    assert problems[0].line == line, str(problems[0])
    assert fragment in problems[0].message
    assert str(problems[0]).startswith(f"{path}:{line}: ")
    with pytest.raises(FixtureError):
        FixtureRegistry([tmp_path], watch=False)


def test_yaml_is_loaded_safely(tmp_path: Path) -> None:
    write(tmp_path, "evil.yaml", "- !!python/object/apply:os.system ['echo hi']\n")
    _, problems = check_dirs([tmp_path])
    assert problems and "YAML error" in problems[0].message


def test_watch_reload_is_throttled_and_bad_edit_keeps_previous(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", "- {id: v1, match: {agent_name: Writer}, respond: {text: one}}\n")
    tick = Tick()
    reg = FixtureRegistry([tmp_path], poll_interval=1.0, monotonic=tick)
    assert reg.match(call()).id == "v1"  # type: ignore[union-attr]
    path.write_text("- {id: v2, match: {agent_name: Writer}, respond: {text: two}}\n", encoding="utf-8")
    tick.now = 0.5  # within the throttle window: not re-read yet
    assert reg.match(call()).id == "v1"  # type: ignore[union-attr]
    tick.now = 1.5
    assert reg.match(call()).id == "v2"  # type: ignore[union-attr]
    path.write_text("- {id: v3, respond: {text: [unclosed}\n", encoding="utf-8")
    tick.now = 3.0
    assert reg.match(call()).id == "v2"  # type: ignore[union-attr]  # bad edit: previous set stays
    assert reg.last_report is not None and not reg.last_report.ok
    assert reg.last_report.to_json()["errors"][0].startswith(f"{path}:")
    report = reg.reload()
    assert not report.ok and report.rules == 1


def test_explicit_reload_and_runtime_rules_survive(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", "- {id: f, match: {agent_name: Writer}, respond: {text: one}}\n")
    reg = FixtureRegistry([tmp_path], watch=False)
    reg.add_rule({"id": "r", "match": {"agent_name": "Other"}, "respond": {"text": "x"}})
    path.write_text("- {id: g, match: {agent_name: Writer}, respond: {text: two}}\n", encoding="utf-8")
    assert reg.match(call()).id == "f"  # type: ignore[union-attr]  # not watching
    report = reg.reload()
    assert report.ok and report.rules == 2 and report.files == 1
    assert reg.match(call()).id == "g"  # type: ignore[union-attr]
    assert reg.match(call(agent_name="Other")).id == "r"  # type: ignore[union-attr]


def test_add_rules_is_atomic() -> None:
    reg = FixtureRegistry([], watch=False)
    with pytest.raises(FixtureError) as info:
        reg.add_rules([{"respond": {"text": "ok"}}, {"respond": {"text": "{{ bogus }}"}}])
    assert "runtime[1]:1:" in str(info.value)
    assert reg.rules == ()
    assert reg.add_rules([{"id": "k", "respond": {"text": "ok"}}]) == ["k"]


def test_missing_directory_is_a_problem(tmp_path: Path) -> None:
    _, problems = check_dirs([tmp_path / "nope"])
    assert problems[0].message == "fixture directory not found"


def run_cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return int(args.handler(args))


def test_cli_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "ok.yaml", "- {id: a, respond: {text: x}}\n")
    assert run_cli(["fixtures", "check", str(tmp_path)]) == 0
    assert capsys.readouterr().out == "OK: 1 rule(s) in 1 file(s)\n"
    bad = write(tmp_path, "bad.yaml", "- id: b\n  respond: {nonsense: 1}\n")
    assert run_cli(["fixtures", "check", str(tmp_path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"{bad}:2: respond: unknown key 'nonsense' (allowed: chunks, error, input_tokens, latency, "
        "output_tokens, pacing, text, tool_call, tool_calls)"
    ]


def test_shipped_fixtures_are_valid() -> None:
    rules, problems = check_dirs([REPO / "fixtures"])
    assert problems == []
    assert len(rules) >= 15
