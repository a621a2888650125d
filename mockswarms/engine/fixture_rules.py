"""The fixture rule language: parse YAML rules (``file:line`` problems), match a call, render an answer.

Why ~600 lines: one grammar whose match conditions, answers and file loading share the same parsing
helpers (line numbers, where-strings); the seam for another split is ``respond:`` versus ``match:``.

A file holds ``rules:`` (or is a bare list of rules). Each rule has an optional ``id``, ``priority``
(higher first, default 0), ``match`` (all conditions must hold; none = matches every call) and
``respond`` (text / chunks / tool call / token counts / error / latency / pacing). Files are parsed
with ``yaml.SafeLoader`` only. The registry that loads, orders and reloads them is ``fixtures.py``;
the format is documented in ``fixtures/README.md``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mockswarms.engine.fixture_problems import FixtureError, FixtureProblem
from mockswarms.engine.llm import LLMCall, Pacing

__all__ = [
    "MATCH_FIELDS",
    "TEMPLATE_VARS",
    "FixtureRule",
    "RuleAnswer",
    "Template",
    "check_dirs",
    "fixture_files",
    "last_message",
    "load_file",
    "parse_rule",
    "render_arguments",
    "sorted_rules",
]


STRING_FIELDS = (
    "agent_name",
    "role",
    "model",
    "swarm_type",
    "endpoint",
    "task",
    "system_prompt",
    "last_message",
    "seen_text",
)
INT_FIELDS = ("loop_index", "call_index")
MATCH_FIELDS: tuple[str, ...] = (*STRING_FIELDS, *INT_FIELDS)
STRING_OPS = ("exact", "contains", "prefix", "regex")
RULE_KEYS = frozenset({"id", "priority", "description", "match", "respond"})
RESPOND_KEYS = frozenset(
    {
        "text",
        "chunks",
        "tool_call",
        "tool_calls",
        "input_tokens",
        "output_tokens",
        "error",
        "latency",
        "pacing",
    }
)
# Names a ``{{ name }}`` template may use (call fields plus the context architectures provide).
TEMPLATE_VARS: frozenset[str] = frozenset(
    {
        "agent_name",
        "task",
        "model",
        "role",
        "swarm_type",
        "endpoint",
        "system_prompt",
        "loop_index",
        "call_index",
        "last_message",
        "previous_output",
        "previous_agent",
        "swarm_name",
        "rules",
    }
)
_TEMPLATE_VAR = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_YAML_SUFFIXES = (".yaml", ".yml")


# -- problems: FixtureProblem / FixtureError live in fixture_problems (shared with recordings) -----------


class _Bad(Exception):
    def __init__(self, line: int, message: str) -> None:
        self.line, self.message = line, message
        super().__init__(message)


# -- templates ----------------------------------------------------------------------------------------
class Template:
    """``{{ name }}`` substitution, parsed once. Unknown names render as ''."""

    __slots__ = ("parts", "source", "static")

    def __init__(self, source: str) -> None:
        self.source = source
        parts: list[tuple[bool, str]] = []  # (is_variable, literal or name)
        pos = 0
        for m in _TEMPLATE_VAR.finditer(source):
            if m.start() > pos:
                parts.append((False, source[pos : m.start()]))
            parts.append((True, m.group(1)))
            pos = m.end()
        if pos < len(source):
            parts.append((False, source[pos:]))
        self.parts = tuple(parts)
        self.static = not any(is_var for is_var, _ in parts)

    @property
    def variables(self) -> list[str]:
        return [name for is_var, name in self.parts if is_var]

    def render(self, call: LLMCall) -> str:
        if self.static:
            return self.source
        return "".join(_template_value(call, v) if is_var else v for is_var, v in self.parts)


def _template_value(call: LLMCall, name: str) -> str:
    if name in call.context:
        return str(call.context[name])
    if name == "last_message":
        return last_message(call)
    if name == "previous_output":
        # Default: the last history message (previous agent in a pipeline).
        return call.history[-1].content if call.history else ""
    if name == "previous_agent":
        return call.history[-1].role if call.history else ""
    value = getattr(call, name, None)
    return "" if value is None else str(value)


# -- rules ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RuleAnswer:
    text: Template | None = None
    chunks: tuple[Template, ...] | None = None
    tool_calls: tuple[Mapping[str, Any], ...] = ()  # {"name": str, "arguments": str|mapping}
    input_tokens: int | None = None
    output_tokens: int | None = None
    error_status: int | None = None
    error_detail: Template | None = None
    latency: float = 0.0
    pacing: Pacing | None = None

    @property
    def generates_text(self) -> bool:
        """True when the rule gives no text of its own (latency/pacing/token rules): text is generated."""
        return self.text is None and self.chunks is None and not self.tool_calls and self.error_status is None


Check = Callable[[Any], bool]


@dataclass(frozen=True)
class FixtureRule:
    id: str
    priority: int
    checks: tuple[tuple[str, Check], ...]
    answer: RuleAnswer
    source: str  # file path or "runtime"
    line: int
    order: tuple[int, int] = (0, 0)  # (source rank, position) for tie-breaking
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def matches(self, call: LLMCall) -> bool:
        return all(check(_field_value(call, name)) for name, check in self.checks)


def last_message(call: LLMCall) -> str:
    """The message the agent answers. On chat completions that is the final message of ``messages``
    (the user's, which the chat run passes as ``task``); inside runs, the last message of the history
    before the task (the previous agent's output in a pipeline); "" when there is none."""
    if call.endpoint == "chat" and call.task:
        return call.task
    return call.history[-1].content if call.history else ""


def _field_value(call: LLMCall, name: str) -> Any:
    if name == "last_message":
        return last_message(call)
    if name == "seen_text":
        return call.seen_text()
    value = getattr(call, name)
    return "" if value is None else value


def _line(node: yaml.Node | None, default: int) -> int:
    return node.start_mark.line + 1 if node is not None else default


def _child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return v
    return None


def _string_check(spec: Any, line: int, where: str) -> Check:
    if isinstance(spec, str):
        exact = spec
        return lambda v: v == exact
    if isinstance(spec, list):
        if not all(isinstance(s, str) for s in spec):
            raise _Bad(line, f"{where}: a list must hold only strings (any of them matches)")
        options = frozenset(spec)
        return lambda v: v in options
    if not isinstance(spec, dict):
        raise _Bad(
            line,
            f"{where}: expected a string, a list of strings or a mapping with one of {', '.join(STRING_OPS)}",
        )
    unknown = set(spec) - {*STRING_OPS, "ignore_case"}
    if unknown:
        raise _Bad(line, f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
    ops = [op for op in STRING_OPS if op in spec]
    if len(ops) != 1:
        raise _Bad(line, f"{where}: give exactly one of {', '.join(STRING_OPS)}")
    op = ops[0]
    value = spec[op]
    if not isinstance(value, str):
        raise _Bad(line, f"{where}.{op}: must be a string")
    ignore_case = spec.get("ignore_case", False)
    if not isinstance(ignore_case, bool):
        raise _Bad(line, f"{where}.ignore_case: must be true or false")
    if op == "regex":
        try:
            pattern = re.compile(value, re.IGNORECASE if ignore_case else 0)
        except re.error as exc:
            raise _Bad(line, f"{where}.regex: invalid regular expression: {exc}") from None
        return lambda v: pattern.search(v) is not None
    if ignore_case:
        low = value.casefold()
        if op == "exact":
            return lambda v: v.casefold() == low
        if op == "contains":
            return lambda v: low in v.casefold()
        return lambda v: v.casefold().startswith(low)
    if op == "exact":
        return lambda v: v == value
    if op == "contains":
        return lambda v: value in v
    return lambda v: v.startswith(value)


def _int_check(spec: Any, line: int, where: str) -> Check:
    if isinstance(spec, int) and not isinstance(spec, bool):
        wanted = spec
        return lambda v: v == wanted
    if isinstance(spec, list) and spec and all(isinstance(i, int) and not isinstance(i, bool) for i in spec):
        options = frozenset(spec)
        return lambda v: v in options
    if isinstance(spec, dict) and set(spec) <= {"min", "max"} and spec:
        lo, hi = spec.get("min"), spec.get("max")
        for bound in (lo, hi):
            if bound is not None and (not isinstance(bound, int) or isinstance(bound, bool)):
                raise _Bad(line, f"{where}: min/max must be integers")
        return lambda v: (lo is None or v >= lo) and (hi is None or v <= hi)
    raise _Bad(line, f"{where}: expected an integer, a list of integers or {{min, max}}")


def _template(value: Any, line: int, where: str) -> Template:
    if not isinstance(value, str):
        raise _Bad(line, f"{where}: must be a string")
    tpl = Template(value)
    for name in tpl.variables:
        if name not in TEMPLATE_VARS:
            raise _Bad(
                line,
                f"{where}: unknown template variable {{{{ {name} }}}} "
                f"(known: {', '.join(sorted(TEMPLATE_VARS))})",
            )
    return tpl


def _non_negative_int(value: Any, line: int, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise _Bad(line, f"{where}: must be an integer >= 0")
    return value


def _non_negative_number(value: Any, line: int, where: str) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
        raise _Bad(line, f"{where}: must be a number >= 0")
    return float(value)


def _tool_call(value: Any, line: int, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict) or not isinstance(value.get("name"), str) or not value["name"]:
        raise _Bad(
            line, f"{where}: needs a 'name' (string) and optional 'arguments' (mapping or JSON string)"
        )
    unknown = set(value) - {"name", "arguments", "id"}
    if unknown:
        raise _Bad(line, f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
    arguments = value.get("arguments", {})
    if isinstance(arguments, dict):
        arguments = _compile_arguments(arguments, line, f"{where}.arguments")
    if not isinstance(arguments, (dict, str)):
        raise _Bad(line, f"{where}.arguments: must be a mapping or a JSON string")
    return {
        "name": value["name"],
        "arguments": arguments,
        **({"id": str(value["id"])} if "id" in value else {}),
    }


def _compile_arguments(value: Any, line: int, where: str) -> Any:
    """Tool-call arguments with ``{{ var }}`` string values compiled to templates (rendered per call)."""
    if isinstance(value, str) and "{{" in value:
        return _template(value, line, where)
    if isinstance(value, dict):
        return {k: _compile_arguments(v, line, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [_compile_arguments(v, line, where) for v in value]
    return value


def render_arguments(value: Any, call: LLMCall) -> Any:
    """Render the templates inside compiled tool-call arguments."""
    if isinstance(value, Template):
        return value.render(call)
    if isinstance(value, dict):
        return {k: render_arguments(v, call) for k, v in value.items()}
    if isinstance(value, list):
        return [render_arguments(v, call) for v in value]
    return value


def _answer(respond: Any, node: yaml.Node | None, line: int) -> RuleAnswer:
    if not isinstance(respond, dict):
        raise _Bad(line, "respond: must be a mapping")
    unknown = set(respond) - RESPOND_KEYS
    if unknown:
        key = sorted(map(str, unknown))[0]
        raise _Bad(
            _line(_child(node, key), line),
            f"respond: unknown key '{key}' (allowed: {', '.join(sorted(RESPOND_KEYS))})",
        )

    def at(key: str) -> int:
        return _line(_child(node, key), line)

    if "text" in respond and "chunks" in respond:
        raise _Bad(at("chunks"), "respond: give either text or chunks, not both")
    text = _template(respond["text"], at("text"), "respond.text") if "text" in respond else None
    if respond.get("text") is None and "text" in respond:
        raise _Bad(at("text"), "respond.text: must be a string")
    chunks = None
    if "chunks" in respond:
        raw = respond["chunks"]
        if not isinstance(raw, list) or not raw:
            raise _Bad(at("chunks"), "respond.chunks: must be a non-empty list of strings")
        chunks = tuple(_template(c, at("chunks"), f"respond.chunks[{i}]") for i, c in enumerate(raw))
    tool_calls: list[Mapping[str, Any]] = []
    if "tool_call" in respond:
        tool_calls.append(_tool_call(respond["tool_call"], at("tool_call"), "respond.tool_call"))
    if "tool_calls" in respond:
        raw_calls = respond["tool_calls"]
        if not isinstance(raw_calls, list) or not raw_calls:
            raise _Bad(at("tool_calls"), "respond.tool_calls: must be a non-empty list")
        tool_calls.extend(
            _tool_call(c, at("tool_calls"), f"respond.tool_calls[{i}]") for i, c in enumerate(raw_calls)
        )
    error_status = None
    error_detail = None
    if "error" in respond:
        err = respond["error"]
        if not isinstance(err, dict) or set(err) - {"status", "detail"} or "status" not in err:
            raise _Bad(
                at("error"), "respond.error: must be a mapping with 'status' (400-599) and optional 'detail'"
            )
        status = err["status"]
        if not isinstance(status, int) or isinstance(status, bool) or not 400 <= status <= 599:
            raise _Bad(at("error"), "respond.error.status: must be an integer between 400 and 599")
        error_status = status
        error_detail = _template(
            err.get("detail", "An unexpected error occurred"), at("error"), "respond.error.detail"
        )
    pacing = None
    if "pacing" in respond:
        p = respond["pacing"]
        if not isinstance(p, dict) or set(p) - {"time_to_first_token", "tokens_per_second"}:
            raise _Bad(
                at("pacing"),
                "respond.pacing: must be a mapping with time_to_first_token and/or tokens_per_second",
            )
        pacing = Pacing(
            time_to_first_token=_non_negative_number(
                p.get("time_to_first_token", 0.0), at("pacing"), "respond.pacing.time_to_first_token"
            ),
            tokens_per_second=_non_negative_number(
                p.get("tokens_per_second", 0.0), at("pacing"), "respond.pacing.tokens_per_second"
            ),
        )
    return RuleAnswer(
        text=text,
        chunks=chunks,
        tool_calls=tuple(tool_calls),
        input_tokens=_non_negative_int(respond["input_tokens"], at("input_tokens"), "respond.input_tokens")
        if "input_tokens" in respond
        else None,
        output_tokens=_non_negative_int(
            respond["output_tokens"], at("output_tokens"), "respond.output_tokens"
        )
        if "output_tokens" in respond
        else None,
        error_status=error_status,
        error_detail=error_detail,
        latency=_non_negative_number(respond.get("latency", 0.0), at("latency"), "respond.latency"),
        pacing=pacing,
    )


def _build_rule(
    data: Any, node: yaml.Node | None, *, source: str, line: int, default_id: str, order: tuple[int, int]
) -> FixtureRule:
    if not isinstance(data, dict):
        raise _Bad(line, "a rule must be a mapping with 'match' and 'respond'")
    unknown = set(data) - RULE_KEYS
    if unknown:
        key = sorted(map(str, unknown))[0]
        raise _Bad(
            _line(_child(node, key), line),
            f"unknown rule key '{key}' (allowed: {', '.join(sorted(RULE_KEYS))})",
        )
    if "respond" not in data:
        raise _Bad(line, "rule has no 'respond'")
    rule_id = data.get("id", default_id)
    if not isinstance(rule_id, (str, int)) or isinstance(rule_id, bool):
        raise _Bad(_line(_child(node, "id"), line), "id: must be a string")
    priority = data.get("priority", 0)
    if not isinstance(priority, int) or isinstance(priority, bool):
        raise _Bad(_line(_child(node, "priority"), line), "priority: must be an integer")
    match = data.get("match") or {}
    match_node = _child(node, "match")
    if not isinstance(match, dict):
        raise _Bad(_line(match_node, line), "match: must be a mapping")
    checks: list[tuple[str, Check]] = []
    for key, spec in match.items():
        key_line = _line(_child(match_node, str(key)), line)
        if key in STRING_FIELDS:
            checks.append((key, _string_check(spec, key_line, f"match.{key}")))
        elif key in INT_FIELDS:
            checks.append((key, _int_check(spec, key_line, f"match.{key}")))
        else:
            raise _Bad(key_line, f"match: unknown field '{key}' (allowed: {', '.join(MATCH_FIELDS)})")
    # Cheap exact checks first, full seen_text last.
    checks.sort(key=lambda c: c[0] == "seen_text")
    answer = _answer(data["respond"], _child(node, "respond"), _line(_child(node, "respond"), line))
    return FixtureRule(
        id=str(rule_id),
        priority=priority,
        checks=tuple(checks),
        answer=answer,
        source=source,
        line=line,
        order=order,
        raw=data,
    )


def parse_rule(
    data: Mapping[str, Any],
    *,
    source: str = "runtime",
    default_id: str = "runtime",
    order: tuple[int, int] = (0, 0),
) -> FixtureRule:
    """Validate one rule given as data (control API, pytest helper). Raises :class:`FixtureError`."""
    try:
        return _build_rule(
            dict(data) if isinstance(data, Mapping) else data,
            None,
            source=source,
            line=1,
            default_id=default_id,
            order=order,
        )
    except _Bad as bad:
        raise FixtureError([FixtureProblem(source, bad.line, bad.message)]) from None


def load_file(path: Path, *, rank: int = 1) -> tuple[list[FixtureRule], list[FixtureProblem]]:
    """Parse one fixture file safely; returns its rules and every problem found (file:line)."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [], [FixtureProblem(name, 1, f"cannot read file: {exc}")]
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        return [], [FixtureProblem(name, line, f"YAML error: {exc.problem or exc}")]
    except yaml.YAMLError as exc:
        return [], [FixtureProblem(name, 1, f"YAML error: {exc}")]
    finally:
        loader.dispose()
    if data is None:
        return [], []
    items_node: yaml.Node | None = root
    if isinstance(data, dict):
        # "exchanges": whole recorded answers, read by engine/recordings.py (replay).
        extra = set(data) - {"rules", "description", "exchanges"}
        if extra:
            key = sorted(map(str, extra))[0]
            return [], [
                FixtureProblem(
                    name, _line(_child(root, key), 1), f"unknown top-level key '{key}' (expected 'rules')"
                )
            ]
        items_node = _child(root, "rules")
        data = data.get("rules") or []
    if not isinstance(data, list):
        return [], [FixtureProblem(name, _line(items_node, 1), "'rules' must be a list of rules")]
    rules: list[FixtureRule] = []
    problems: list[FixtureProblem] = []
    seen_ids: dict[str, int] = {}
    item_nodes = items_node.value if isinstance(items_node, yaml.SequenceNode) else []
    for index, item in enumerate(data):
        node = item_nodes[index] if index < len(item_nodes) else None
        line = _line(node, 1)
        try:
            rule = _build_rule(
                item, node, source=name, line=line, default_id=f"{path.name}:{line}", order=(rank, index)
            )
        except _Bad as bad:
            problems.append(FixtureProblem(name, bad.line, bad.message))
            continue
        if rule.id in seen_ids:
            problems.append(
                FixtureProblem(
                    name, line, f"duplicate rule id '{rule.id}' (first at line {seen_ids[rule.id]})"
                )
            )
            continue
        seen_ids[rule.id] = line
        rules.append(rule)
    return rules, problems


def fixture_files(dirs: Iterable[Path]) -> tuple[list[Path], list[FixtureProblem]]:
    files: list[Path] = []
    problems: list[FixtureProblem] = []
    for directory in dirs:
        if directory.is_file():
            files.append(directory)
            continue
        if not directory.is_dir():
            problems.append(FixtureProblem(str(directory), 1, "fixture directory not found"))
            continue
        files.extend(sorted(p for p in directory.rglob("*") if p.suffix in _YAML_SUFFIXES and p.is_file()))
    return files, problems


def check_dirs(dirs: Sequence[Path | str]) -> tuple[list[FixtureRule], list[FixtureProblem]]:
    """Load every fixture file under ``dirs``; (rules sorted by precedence, problems)."""
    files, problems = fixture_files(Path(d) for d in dirs)
    rules: list[FixtureRule] = []
    ids: dict[str, str] = {}
    for rank, path in enumerate(files, start=1):
        file_rules, file_problems = load_file(path, rank=rank)
        problems.extend(file_problems)
        for rule in file_rules:
            if rule.id in ids and ids[rule.id] != str(path):
                problems.append(
                    FixtureProblem(
                        str(path), rule.line, f"duplicate rule id '{rule.id}' (also in {ids[rule.id]})"
                    )
                )
                continue
            ids[rule.id] = str(path)
            rules.append(rule)
    return sorted_rules(rules), problems


def sorted_rules(rules: Iterable[FixtureRule]) -> list[FixtureRule]:
    return sorted(rules, key=lambda r: (-r.priority, r.order))
