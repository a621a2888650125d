"""``mockswarms drift-report``: the findings of a proxy (``--url``) or a saved file (``--file``).

Formats: ``text`` (one line per finding and a summary), ``json`` (what ``GET /__mockswarms/drift``
answers), ``junit`` (one test case per operation, a failure per finding: CI systems display it).
Exit codes: 0 no drift (or drift without ``--fail-on-drift``), 1 drift with ``--fail-on-drift``,
2 the findings could not be read.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import defaultdict
from typing import Any

from mockswarms.proxy.findings import Finding

__all__ = ["ReportError", "load_findings", "render"]


class ReportError(Exception):
    """The findings could not be read (one line, exit 2)."""


def _count(data: dict[str, Any], key: str, default: int, source: str) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        shown = json.dumps(value, ensure_ascii=False)
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        raise ReportError(f"{source}: '{key}' must be a non-negative integer, not {shown}")
    return value


def _parse(data: Any, source: str) -> dict[str, Any]:
    if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
        raise ReportError(f"{source}: not a drift findings document (expected an object with 'findings')")
    try:
        findings = [Finding.from_json(item) for item in data["findings"]]
    except (KeyError, TypeError, AttributeError) as exc:
        raise ReportError(f"{source}: malformed finding ({exc})") from None
    return {
        "exchanges": _count(data, "exchanges", 0, source),
        "drift": _count(data, "drift", len(findings), source),
        "findings": findings,
    }


def _json(text: str | bytes, source: str) -> Any:
    try:
        return json.loads(text)
    except RecursionError:
        raise ReportError(f"{source}: not JSON (nested too deeply)") from None
    except ValueError as exc:
        raise ReportError(f"{source}: not JSON ({exc})") from None


def load_findings(*, url: str | None = None, path: str | None = None) -> dict[str, Any]:
    if url is not None:
        import httpx

        target = url.rstrip("/") + "/__mockswarms/drift"
        try:
            response = httpx.get(target, timeout=30.0)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise ReportError(f"cannot reach {target}: {type(exc).__name__}") from None
        if response.status_code != 200:
            raise ReportError(f"{target} answered {response.status_code}")
        try:
            data = json.loads(response.content)
        except (ValueError, RecursionError):
            raise ReportError(f"{target}: the answer is not JSON") from None
        return _parse(data, target)
    assert path is not None
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        raise ReportError(f"{path}: {exc.strerror or exc}") from None
    return _parse(_json(raw, path), path)


def _value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)[:200]


def render(report: dict[str, Any], fmt: str) -> str:
    findings: list[Finding] = report["findings"]
    if fmt == "json":
        body = {**report, "findings": [f.to_json() for f in findings]}
        return json.dumps(body, indent=2, ensure_ascii=False)
    if fmt == "junit":
        return _junit(report)
    lines = [
        f"{f.operation} {f.path}: {f.message} (expected {_value(f.expected)}, got {_value(f.got)}; {f.side})"
        for f in findings
    ]
    lines.append(f"{report['drift']} drift finding(s) in {report['exchanges']} exchange(s)")
    return "\n".join(lines)


def _junit(report: dict[str, Any]) -> str:
    by_operation: dict[str, list[Finding]] = defaultdict(list)
    for finding in report["findings"]:
        by_operation[finding.operation].append(finding)
    suite = ET.Element(
        "testsuite",
        name="mockswarms drift",
        tests=str(max(len(by_operation), 1)),
        failures=str(sum(1 for items in by_operation.values() if items)),
    )
    if not by_operation:
        ET.SubElement(suite, "testcase", classname="drift", name="no drift")
    for operation, items in sorted(by_operation.items()):
        case = ET.SubElement(suite, "testcase", classname="drift", name=operation)
        failure = ET.SubElement(case, "failure", message=f"{len(items)} drift finding(s)", type="drift")
        failure.text = "\n".join(
            f"{f.path}: {f.message} (expected {_value(f.expected)}, got {_value(f.got)}; {f.side})"
            for f in items
        )
    suites = ET.Element("testsuites")
    suites.append(suite)
    return ET.tostring(suites, encoding="unicode")
