"""Check one upstream answer against the served contract (the simulator's ``/openapi.json``).

Status documented for the operation? Media type documented? JSON body valid against the response
schema (jsonschema-rs)? For streams: is each event name documented, and is its ``data`` valid
against that event's ``contentSchema``?
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import jsonschema_rs

from mockswarms.proxy.findings import Finding
from mockswarms.proxy.sse import SseEvent

__all__ = ["ContractChecker", "json_path"]

_METHODS = ("get", "put", "post", "delete", "patch")


def json_path(root: str, parts: Iterable[str | int]) -> str:
    out = root
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _template(path: str) -> re.Pattern[str]:
    pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path))
    return re.compile(f"^{pattern}$")


class ContractChecker:
    def __init__(self, openapi: Mapping[str, Any]) -> None:
        self._doc = openapi
        self._components = openapi.get("components", {})
        self._paths = [(_template(p), item) for p, item in openapi.get("paths", {}).items()]
        self._validators: dict[int, jsonschema_rs.Validator] = {}

    def _operation(self, method: str, path: str) -> Mapping[str, Any] | None:
        for regex, item in self._paths:
            if regex.match(path) and method.lower() in item:
                found: Mapping[str, Any] = item[method.lower()]
                return found
        return None

    def _resolve(self, node: Mapping[str, Any]) -> Mapping[str, Any]:
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/"):
            _, _, kind, name = ref.split("/", 3)
            return self._resolve(self._components.get(kind, {}).get(name, {}))
        return node

    def _validator(self, schema: Mapping[str, Any]) -> jsonschema_rs.Validator:
        key = id(schema)
        if key not in self._validators:
            root = {**schema, "components": {"schemas": self._components.get("schemas", {})}}
            self._validators[key] = jsonschema_rs.validator_for(root)
        return self._validators[key]

    def _errors(self, schema: Mapping[str, Any], instance: Any, root: str, op: str) -> list[Finding]:
        validator = self._validator(schema)
        if validator.is_valid(instance):
            return []
        return [
            Finding(
                op,
                json_path(root, error.instance_path),
                "the contract's schema",
                _short(instance, error),
                "contract",
                error.message,
            )
            for top in validator.iter_errors(instance)
            for error in _leaves(top)
        ]

    def check(
        self,
        method: str,
        path: str,
        status: int,
        content_type: str,
        body: Any,
        events: list[SseEvent] | None,
    ) -> list[Finding]:
        """``body``: the decoded JSON body (ignored for streams); ``events``: the SSE frames, if streamed."""
        op = f"{method} {path}"
        operation = self._operation(method, path)
        if operation is None:
            if status in (404, 405):
                return []  # the upstream does not have it either: agreement, not drift
            return [
                Finding(op, "$", "a documented operation", op, "contract", "path/method not in the contract")
            ]
        responses = operation.get("responses", {})
        response = (
            responses.get(str(status)) or responses.get(f"{status // 100}XX") or responses.get("default")
        )
        if response is None:
            return [Finding(op, "$.status", sorted(responses), status, "contract", "status not documented")]
        content = self._resolve(response).get("content") or {}
        media = content_type.split(";", 1)[0].strip().lower()
        if not content:
            return []
        if media not in content:
            return [
                Finding(
                    op,
                    "$.headers.content-type",
                    sorted(content),
                    media,
                    "contract",
                    "media type not documented for this status",
                )
            ]
        schema = content[media].get("schema")
        if schema is None:
            return []
        if events is None:
            return self._errors(schema, body, "$.body", op)
        return self._check_events(schema, events, op)

    def _check_events(self, schema: Mapping[str, Any], events: list[SseEvent], op: str) -> list[Finding]:
        branches: dict[str, list[Mapping[str, Any]]] = {}
        for branch in schema.get("anyOf", [schema]):
            name = branch.get("properties", {}).get("event", {}).get("const", "message")
            branches.setdefault(name, []).append(branch.get("properties", {}).get("data", {}))
        findings: list[Finding] = []
        for index, event in enumerate(events):
            where = f"$.events[{index}]"
            candidates = branches.get(event.event)
            if candidates is None:
                findings.append(
                    Finding(
                        op,
                        f"{where}.event",
                        sorted(branches),
                        event.event,
                        "contract",
                        "event name not in the contract",
                    )
                )
                continue
            findings.extend(self._check_event_data(candidates, event, where, op))
        return findings

    def _check_event_data(
        self, candidates: list[Mapping[str, Any]], event: SseEvent, where: str, op: str
    ) -> list[Finding]:
        first: list[Finding] = []
        for data_schema in candidates:
            options = data_schema.get("anyOf", [data_schema])
            for option in options:
                if "const" in option:
                    if event.data == option["const"]:
                        return []
                    continue
                content_schema = option.get("contentSchema")
                if content_schema is None:
                    return []
                try:
                    decoded = event.json()
                except ValueError:
                    first = first or [
                        Finding(
                            op,
                            f"{where}.data",
                            "JSON",
                            event.data[:200],
                            "contract",
                            "event data is not JSON",
                        )
                    ]
                    continue
                errors = self._errors(content_schema, decoded, f"{where}.data", op)
                if not errors:
                    return []
                first = first or errors
        return first


def _leaves(error: Any) -> list[Any]:
    """Descend through ``anyOf`` with a null branch (every optional field) to name the real culprit."""
    context = getattr(error.kind, "context", None)
    if context:
        branches = [
            branch
            for branch in context
            if not (len(branch) == 1 and branch[0].message.endswith('is not of type "null"'))
        ]
        if len(branches) == 1:
            return [leaf for sub in branches[0] for leaf in _leaves(sub)]
    return [error]


def _short(instance: Any, error: Any) -> Any:
    value = instance
    for part in error.instance_path:
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            return None
    if isinstance(value, dict | list):
        return type(value).__name__
    return value
