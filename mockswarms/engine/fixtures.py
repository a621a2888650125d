"""Fixture rules: YAML files that decide what the fake LLM answers. Format: ``fixtures/README.md``.

The rule language (parsing with ``file:line`` problems, matching, rendering) is ``fixture_rules.py``;
this module holds the registry: which rules are active, in which order (the highest-priority matching
rule wins; ties go to runtime rules first, then files in directory order, then file order), and reloads.
A load is all-or-nothing: if any file is bad, the previous rule set stays active. Also the
``mockswarms fixtures check`` command.
"""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mockswarms.engine.fixture_problems import FixtureError, FixtureProblem
from mockswarms.engine.fixture_rules import (
    MATCH_FIELDS,
    TEMPLATE_VARS,
    FixtureRule,
    RuleAnswer,
    Template,
    check_dirs,
    fixture_files,
    last_message,
    load_file,
    parse_rule,
    render_arguments,
    sorted_rules,
)
from mockswarms.engine.llm import LLMCall

logger = logging.getLogger("mockswarms.fixtures")

MAX_RUNTIME_RULES = 1_000  # added at runtime (control API, pytest helper); each request scans them

__all__ = [
    "MATCH_FIELDS",
    "MAX_RUNTIME_RULES",
    "TEMPLATE_VARS",
    "FixtureError",
    "FixtureProblem",
    "FixtureRegistry",
    "FixtureRule",
    "ReloadReport",
    "RuleAnswer",
    "Template",
    "add_parser",
    "check_dirs",
    "last_message",
    "load_file",
    "parse_rule",
    "render_arguments",
]


# -- registry -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReloadReport:
    ok: bool
    rules: int  # rules active after the reload (file + runtime)
    files: int
    problems: tuple[FixtureProblem, ...] = ()
    changed: bool = True

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "rules": self.rules,
            "files": self.files,
            "errors": [str(p) for p in self.problems],
        }


class FixtureRegistry:
    """The active rule set: file rules from ``dirs`` (watched) plus runtime rules.

    ``monotonic`` is injected so the watch throttle is testable; files are polled (mtime + size) at
    most once per ``poll_interval`` seconds, from :meth:`match`. Construction raises
    :class:`FixtureError` if the initial files are bad (nothing to fall back to).
    """

    def __init__(
        self,
        dirs: Sequence[Path | str] = (),
        *,
        watch: bool = True,
        poll_interval: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.dirs = [Path(d) for d in dirs]
        self.watch = watch
        self.poll_interval = poll_interval
        self._monotonic = monotonic
        self._file_rules: list[FixtureRule] = []
        self._runtime: dict[str, FixtureRule] = {}  # by id, in the order added
        self._active: tuple[FixtureRule, ...] = ()
        self._fingerprint: tuple[tuple[str, int, int], ...] = ()
        self._files = 0
        self._next_runtime = 0
        self.last_report: ReloadReport | None = None
        report = self.reload()
        if not report.ok:
            raise FixtureError(report.problems)
        self._last_poll = monotonic()

    # -- reading ------------------------------------------------------------------------------------
    @property
    def rules(self) -> tuple[FixtureRule, ...]:
        return self._active

    def match(self, call: LLMCall) -> FixtureRule | None:
        """The winning rule for ``call`` (polling files for changes first when watching)."""
        if self.watch and self.dirs:
            self.maybe_reload()
        for rule in self._active:
            if rule.matches(call):
                return rule
        return None

    def summary(self) -> dict[str, Any]:
        return {
            "dirs": [str(d) for d in self.dirs],
            "files": self._files,
            "rules": [
                {"id": r.id, "priority": r.priority, "source": r.source, "line": r.line} for r in self._active
            ],
            "last_reload": self.last_report.to_json() if self.last_report else None,
        }

    # -- reloading ----------------------------------------------------------------------------------
    def _scan(self) -> tuple[tuple[str, int, int], ...]:
        files, _ = fixture_files(self.dirs)
        out = []
        for path in files:
            try:
                st = path.stat()
            except OSError:
                continue
            out.append((str(path), st.st_mtime_ns, st.st_size))
        return tuple(out)

    def maybe_reload(self) -> ReloadReport | None:
        """Reload if a watched file changed, at most once per ``poll_interval``; None if not checked."""
        now = self._monotonic()
        if now - self._last_poll < self.poll_interval:
            return None
        self._last_poll = now
        if self._scan() == self._fingerprint:
            return None
        return self.reload()

    def reload(self) -> ReloadReport:
        """Re-read every file. On any problem the previous file rules stay active and it is reported."""
        fingerprint = self._scan()
        rules, problems = check_dirs(self.dirs)
        files = len(fingerprint)
        # Remember the fingerprint even for a bad set, so a broken file is not re-parsed on every poll.
        self._fingerprint = fingerprint
        if problems:
            report = ReloadReport(
                ok=False, rules=len(self._active), files=self._files, problems=tuple(problems)
            )
            if self.last_report is not None:  # not the first load: that one raises FixtureError
                for problem in problems:
                    logger.error("fixtures not reloaded, the previous rules stay active: %s", problem)
        else:
            self._file_rules = rules
            self._files = files
            self._rebuild()
            report = ReloadReport(ok=True, rules=len(self._active), files=files)
        self.last_report = report
        return report

    # -- runtime rules ------------------------------------------------------------------------------
    def add_rule(self, data: Mapping[str, Any]) -> FixtureRule:
        """Add a rule at runtime (control API / pytest helper). Raises :class:`FixtureError`."""
        return self._add_runtime([data], indexed=False)[0]

    def add_rules(self, items: Iterable[Mapping[str, Any]]) -> list[str]:
        """Add several rules atomically (all validated first); returns their ids."""
        return [rule.id for rule in self._add_runtime(list(items), indexed=True)]

    def _add_runtime(self, items: list[Mapping[str, Any]], *, indexed: bool) -> list[FixtureRule]:
        # All or nothing, and one rebuild for the lot: a rebuild per rule made adding n rules cost
        # n sorts (100,000 rules in one request held the event loop for more than ten minutes).
        problems: list[FixtureProblem] = []
        rules: list[FixtureRule] = []
        runtime = dict(self._runtime)
        serial = self._next_runtime
        for index, item in enumerate(items):
            serial += 1
            try:
                # Later runtime rules win ties over earlier ones, and all runtime rules over file rules.
                rule = parse_rule(item, source="runtime", default_id=f"runtime-{serial}", order=(0, -serial))
            except FixtureError as exc:
                where = f"runtime[{index}]" if indexed else "runtime"
                problems += [FixtureProblem(where, p.line, p.message) for p in exc.problems]
                continue
            runtime.pop(rule.id, None)  # the same id replaces the rule (and moves it last)
            runtime[rule.id] = rule
            rules.append(rule)
        if not problems and len(runtime) > MAX_RUNTIME_RULES:
            message = (
                f"at most {MAX_RUNTIME_RULES} runtime rules (this would make {len(runtime)}); "
                "DELETE /__mockswarms/fixtures clears them"
            )
            problems.append(FixtureProblem("runtime", 0, message))
        if problems:
            raise FixtureError(problems)
        self._runtime, self._next_runtime = runtime, serial
        self._rebuild()
        return rules

    def remove_rule(self, rule_id: str) -> bool:
        removed = self._runtime.pop(rule_id, None) is not None
        self._rebuild()
        return removed

    def clear_runtime(self) -> None:
        # Numbering starts again (reset, DELETE): the same test after a reset gets the same rule ids,
        # and so the same tool-call ids derived from them.
        self._runtime, self._next_runtime = {}, 0
        self._rebuild()

    def _rebuild(self) -> None:
        self._active = tuple(sorted_rules([*self._runtime.values(), *self._file_rules]))


# -- CLI -------------------------------------------------------------------------------------------------
def _check_command(args: argparse.Namespace) -> int:
    from mockswarms.engine.recordings import check_recordings  # lazy: that module imports this one

    rules, problems = check_dirs(args.dirs)
    exchanges, exchange_problems = check_recordings([Path(d) for d in args.dirs])
    problems = [*problems, *exchange_problems]
    for problem in problems:
        print(problem)
    if problems:
        return 1
    files, _ = fixture_files(Path(d) for d in args.dirs)
    recorded = f", {exchanges} recorded exchange(s)" if exchanges else ""
    print(f"OK: {len(rules)} rule(s){recorded} in {len(files)} file(s)")
    return 0


def add_parser(subparsers: Any) -> None:
    """Register ``mockswarms fixtures check DIR...`` on an argparse subparsers object."""
    parser = subparsers.add_parser("fixtures", help="work with fixture files")
    sub = parser.add_subparsers(dest="fixtures_command", required=True)
    check = sub.add_parser("check", help="validate fixture files; prints file:line: message for each problem")
    check.add_argument("dirs", nargs="+", help="fixture directories or files")
    check.set_defaults(handler=_check_command)
