"""Check every incoming request against the contract (client verification).

``RequestValidator(openapi)`` compiles one jsonschema-rs validator per operation once; ``validate``
returns the :class:`Violation` list for one request. What the app does with them depends on the
``request_validation`` setting:

- ``strict``: a *blocking* violation (malformed JSON, body not matching its schema, missing body) is
  answered 422 with :func:`violations_detail` — each item names the violated schema path;
- ``report``: the request is served normally and the violations go to the state store's violations
  log (``GET /__mockswarms/violations``, one log for every worker, last :data:`MAX_VIOLATIONS` kept);
- ``off``: not called.

Work per request is bounded: a conforming body costs one ``is_valid`` pass in Rust; only a body that
fails is walked for errors, and that walk runs on a copy holding at most :data:`MAX_CHECKED_VALUES`
values (jsonschema-rs builds every error at once, each quoting its value: a 100,000-item list of wrong
items took 4 s of GIL-held work). At most :data:`MAX_REQUEST_VIOLATIONS` are reported per request.

Non-blocking violations (an undocumented path or method, a non-JSON content type) are recorded in
both modes but never change the response: the app's own 404/405/422 already answers those.
"""

from __future__ import annotations

import re
import threading
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import jsonschema_rs
import orjson

from mockswarms.limits import MAX_JSON_DEPTH, too_deep

__all__ = [
    "MAX_CHECKED_VALUES",
    "MAX_REQUEST_VIOLATIONS",
    "MAX_VIOLATIONS",
    "MAX_VIOLATION_MESSAGE",
    "UNPARSED",
    "RequestValidator",
    "Violation",
    "ViolationLog",
    "log_entry",
    "violations_detail",
]

# The shared violations log keeps the last this many entries (the store trims it; the total counts all),
# each message cut to this many characters (a wrong value is quoted in it, and may be megabytes).
MAX_VIOLATIONS = 1000
MAX_VIOLATION_MESSAGE = 1000
# One request reports at most this many violations (the first, in the body's order), the strict 422
# lists at most as many: the same cap as the app's own FastAPI-style 422 lists.
MAX_REQUEST_VIOLATIONS = 50
# A failing body's error walk sees at most this many values (breadth first: every top-level field
# before a list's 2,000th item), more than the contract's largest maxItems (1,000), so an overlong list
# is still named.
MAX_CHECKED_VALUES = 2000

UNPARSED: Any = object()  # ``validate(parsed=…)`` not given: the validator parses the bytes itself

_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
# Never validated: the simulator's own control API.
_SKIP_PREFIXES = ("/__mockswarms/",)


@dataclass(frozen=True)
class Violation:
    """One way a request breaks the contract."""

    method: str
    path: str
    operation: str | None  # operationId, None when no operation matches
    kind: str  # "json" | "body" | "missing-body" | "content-type" | "unknown-path" | "method"
    location: list[str | int]  # FastAPI-style loc, e.g. ["body", "agent_config", "max_tokens"]
    schema_path: str  # JSON pointer into the operation's request schema, e.g. "/properties/task/anyOf"
    message: str
    blocking: bool  # strict mode answers 422 for these

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _CompiledOperation:
    operation_id: str
    validator: jsonschema_rs.Validator | None
    body_required: bool


def _template_regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}/]+\})", template)
    pattern = "".join("[^/]+" if p.startswith("{") and p.endswith("}") else re.escape(p) for p in parts)
    return re.compile(f"^{pattern}$")


def _pointer(parts: Iterable[str | int]) -> str:
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _is_json_type(content_type: str) -> bool:
    main = content_type.split(";", 1)[0].strip().lower()
    return main == "application/json" or (main.startswith("application/") and main.endswith("+json"))


class RequestValidator:
    """Per-operation request-body validators compiled once from an OpenAPI 3.1 document."""

    def __init__(self, openapi: Mapping[str, Any]) -> None:
        components = openapi.get("components", {})
        self._static: dict[str, dict[str, _CompiledOperation]] = {}
        self._templated: list[tuple[re.Pattern[str], dict[str, _CompiledOperation]]] = []
        for path, item in openapi.get("paths", {}).items():
            ops: dict[str, _CompiledOperation] = {}
            for method in _METHODS:
                operation = item.get(method)
                if operation is None:
                    continue
                ops[method.upper()] = self._compile(operation, components)
            if "{" in path:
                self._templated.append((_template_regex(path), ops))
            else:
                self._static[path] = ops

    @staticmethod
    def _compile(operation: Mapping[str, Any], components: Mapping[str, Any]) -> _CompiledOperation:
        body = operation.get("requestBody")
        validator = None
        required = False
        if body is not None:
            required = bool(body.get("required", False))
            schema = body.get("content", {}).get("application/json", {}).get("schema")
            if schema is not None:
                # Local refs (#/components/schemas/…) resolve against this root.
                root = {**schema, "components": {"schemas": components.get("schemas", {})}}
                validator = jsonschema_rs.validator_for(root)
        return _CompiledOperation(str(operation.get("operationId", "")), validator, required)

    def _find(self, path: str) -> dict[str, _CompiledOperation] | None:
        ops = self._static.get(path)
        if ops is not None:
            return ops
        for regex, templated in self._templated:
            if regex.match(path):
                return templated
        return None

    def validate(
        self,
        method: str,
        path: str,
        headers: Mapping[str, str],
        body_bytes: bytes,
        parsed: Any = UNPARSED,
    ) -> list[Violation]:
        """Violations of one request (empty list = conforms). ``headers`` keys are case-insensitive.
        ``parsed``: the body as ``orjson.loads`` gave it, already checked for depth, when the caller
        has it (the route parses every body anyway: once is enough)."""
        method = method.upper()
        if path.startswith(_SKIP_PREFIXES) or method in ("HEAD", "OPTIONS"):
            return []
        ops = self._find(path)
        if ops is None:
            return [
                Violation(method, path, None, "unknown-path", [], "", f"{path} is not in the contract", False)
            ]
        compiled = ops.get(method)
        if compiled is None:
            allowed = ", ".join(sorted(ops))
            return [
                Violation(
                    method,
                    path,
                    None,
                    "method",
                    [],
                    "",
                    f"{method} {path} is not in the contract (allowed: {allowed})",
                    False,
                )
            ]
        return self._check_body(method, path, compiled, headers, body_bytes, parsed)

    def _check_body(
        self,
        method: str,
        path: str,
        op: _CompiledOperation,
        headers: Mapping[str, str],
        body: bytes,
        parsed: Any,
    ) -> list[Violation]:
        op_id = op.operation_id
        if op.validator is None:
            return []
        if not body.strip():
            if op.body_required:
                return [
                    Violation(
                        method,
                        path,
                        op_id,
                        "missing-body",
                        ["body"],
                        "",
                        "a JSON request body is required",
                        True,
                    )
                ]
            return []
        violations: list[Violation] = []
        content_type = _header(headers, "content-type")
        if content_type is not None and not _is_json_type(content_type):
            violations.append(
                Violation(
                    method,
                    path,
                    op_id,
                    "content-type",
                    ["header", "content-type"],
                    "",
                    f"content-type {content_type!r} is not application/json",
                    False,
                )
            )
        if parsed is not UNPARSED:
            instance = parsed
        else:
            try:
                instance = orjson.loads(body)
            except orjson.JSONDecodeError as exc:
                violations.append(
                    Violation(method, path, op_id, "json", ["body"], "", f"malformed JSON: {exc}", True)
                )
                return violations
        if parsed is UNPARSED and too_deep(instance):
            # Refused while parsing anyway; the validator's error walk would recurse that deep.
            message = f"JSON nested deeper than {MAX_JSON_DEPTH} levels"
            violations.append(Violation(method, path, op_id, "json", ["body"], "", message, True))
            return violations
        if op.validator.is_valid(instance):
            return violations
        checked, cut = _bounded(instance, MAX_CHECKED_VALUES)
        try:
            errors = [leaf for top in op.validator.iter_errors(checked) for leaf in _leaves(top)]
        except RecursionError:
            errors = []
        reported = False
        for error in errors:
            if cut and not _survives_cut(error, cut):
                continue
            if len(violations) >= MAX_REQUEST_VIOLATIONS:
                break
            reported = True
            loc: list[str | int] = ["body", *error.instance_path]
            violations.append(
                Violation(method, path, op_id, "body", loc, _pointer(error.schema_path), error.message, True)
            )
        if not reported:
            message = "the body does not match the request schema"
            violations.append(Violation(method, path, op_id, "body", ["body"], "", message, True))
        return violations


def _is_null_branch(errors: list[jsonschema_rs.ValidationError]) -> bool:
    return len(errors) == 1 and errors[0].message.endswith('is not of type "null"')


def _leaves(error: jsonschema_rs.ValidationError) -> list[jsonschema_rs.ValidationError]:
    """Descend through ``anyOf`` with a null branch (every optional field), to name the real culprit."""
    context = getattr(error.kind, "context", None)
    if context:
        branches = [branch for branch in context if not _is_null_branch(branch)]
        if len(branches) == 1:
            return [leaf for sub in branches[0] for leaf in _leaves(sub)]
    return [error]


def _bounded(instance: Any, budget: int) -> tuple[Any, set[tuple[str | int, ...]]]:
    """A copy of ``instance`` with at most ``budget`` values below its root, taken breadth first, and
    the paths of every container that lost values, with their ancestors: the copy is not what was
    sent there. Nothing lost (every ordinary body): an equal copy and an empty set."""
    if not isinstance(instance, dict | list):
        return instance, set()
    root: Any = {} if isinstance(instance, dict) else []
    cut: set[tuple[str | int, ...]] = set()
    queue: deque[tuple[Any, Any, tuple[str | int, ...]]] = deque([(instance, root, ())])
    while queue:
        source, copy, at = queue.popleft()
        items = source.items() if isinstance(source, dict) else enumerate(source)
        for key, value in items:
            if budget == 0:
                _mark_cut(cut, at)
                break
            budget -= 1
            if isinstance(value, dict | list):
                child: Any = {} if isinstance(value, dict) else []
                queue.append((value, child, (*at, key)))
                value = child
            if isinstance(copy, dict):
                copy[key] = value
            else:
                copy.append(value)
    return root, cut


def _mark_cut(cut: set[tuple[str | int, ...]], at: tuple[str | int, ...]) -> None:
    for end in range(len(at), -1, -1):
        if at[:end] in cut:
            return  # its ancestors are marked already
        cut.add(at[:end])


# Errors true of the value sent whatever the cut took from it: its type is kept, its length only shrank.
_CUT_PROOF_KINDS = frozenset({"Type", "MaxItems"})


def _survives_cut(error: jsonschema_rs.ValidationError, cut: set[tuple[str | int, ...]]) -> bool:
    """An error about a value the cut left whole is an error of the body sent; one about a cut value
    (a missing ``required`` key, a ``contains`` or ``anyOf`` over lost items) may not be."""
    return tuple(error.instance_path) not in cut or type(error.kind).__name__ in _CUT_PROOF_KINDS


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is not None:
        return value
    for key, val in headers.items():
        if key.lower() == name:
            return val
    return None


def log_entry(violation: Violation, at: str | None) -> dict[str, Any]:
    """A violation as the shared log keeps it (``seq`` added by the store), its message bounded."""
    entry = {"at": at, "request_id": None, **violation.to_json()}
    entry["message"] = _bounded_message(violation.message)
    return entry


def _bounded_message(message: str) -> str:
    """A message cut to :data:`MAX_VIOLATION_MESSAGE` characters (it may quote a megabyte value)."""
    if len(message) > MAX_VIOLATION_MESSAGE:
        return message[: MAX_VIOLATION_MESSAGE - 1] + "…"
    return message


def violations_detail(violations: Iterable[Violation]) -> dict[str, Any]:
    """The strict-mode 422 body: FastAPI-style items, each naming the violated schema path (the first
    :data:`MAX_REQUEST_VIOLATIONS`, each message cut as the log cuts it)."""
    items = [
        {
            "type": "contract_violation",
            "loc": v.location,
            "msg": f"{_bounded_message(v.message)} (schema path {v.schema_path or '/'} of "
            f"{v.operation or 'the operation'})",
            "schema_path": v.schema_path,
        }
        for v in violations
        if v.blocking
    ]
    return {"detail": items[:MAX_REQUEST_VIOLATIONS]}


class ViolationLog:
    """A bounded, thread-safe in-process record of violations (oldest dropped first). The app itself
    records through its state store instead, so that every worker shares one log."""

    def __init__(self, maxlen: int = MAX_VIOLATIONS) -> None:
        self._entries: deque[dict[str, Any]] = deque(maxlen=max(1, maxlen))
        self._lock = threading.Lock()
        self._seq = 0
        self.total = 0  # every violation ever recorded, including dropped ones

    def record(
        self, violations: Iterable[Violation], *, at: str | None = None, request_id: str | None = None
    ) -> None:
        with self._lock:
            for violation in violations:
                self._seq += 1
                self.total += 1
                entry = {"seq": self._seq, "at": at, "request_id": request_id, **violation.to_json()}
                self._entries.append(entry)

    def entries(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.total = 0

    def __len__(self) -> int:
        return len(self._entries)

    def to_json(self) -> dict[str, Any]:
        """The body of ``GET /__mockswarms/violations``."""
        entries = self.entries()
        return {"total": self.total, "count": len(entries), "violations": entries}
