"""Verify a server (Schemathesis) or a client (the simulator's violation journal) against the contract.

``mockswarms verify --base-url URL`` runs Schemathesis' engine through its Python API against any
server: every operation of the contract, positive and negative data, the checks in :data:`CHECKS`,
stateful sequences where links exist. ``run_verification(..., app=asgi_app)`` does the same in-process.
``mockswarms verify-client --base-url URL`` lists the contract violations a simulator recorded.

Both commands need the ``[contract]`` extra (Schemathesis, rich); without it they say so in one line.
Both check first that the server answers at all, so a dead URL fails at once with one line (exit 2).
The run itself (configuration, Schemathesis events, the report) is in ``contract/schemathesis_run.py``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from mockswarms.contract.schemathesis_run import (
    CHECKS,
    CheckFailure,
    OperationResult,
    VerifyReport,
    build_config,
    load_contract,
    run_verification,
)

__all__ = [
    "CHECKS",
    "CheckFailure",
    "OperationResult",
    "VerifyReport",
    "add_parser",
    "build_config",
    "fetch_violations",
    "load_contract",
    "print_report",
    "run_verification",
    "run_verify_client_command",
    "run_verify_command",
    "write_junit",
]

CONTRACT_EXTRA = ("schemathesis", "rich")
REACH_TIMEOUT = 5.0  # seconds for the first request that tells whether the server is there at all


def write_junit(report: VerifyReport, path: str | Path) -> None:
    """One testcase per operation; a failure element per distinct check failure."""
    suite = ET.Element(
        "testsuite",
        name="mockswarms verify",
        tests=str(len(report.operations)),
        failures=str(sum(1 for op in report.operations.values() if op.failures)),
        errors=str(sum(1 for op in report.operations.values() if op.errors) + len(report.errors)),
        time=f"{report.elapsed:.3f}",
    )
    for label, op in sorted(report.operations.items()):
        case = ET.SubElement(
            suite, "testcase", classname="mockswarms.verify", name=label, time=f"{op.elapsed:.3f}"
        )
        for failure in op.failures:
            element = ET.SubElement(case, "failure", type=failure.check, message=failure.title)
            element.text = f"{failure.message}\n\nReproduce:\n{failure.reproduce}"
        for error in op.errors:
            ET.SubElement(case, "error", message=error[:200]).text = error
    for error in report.errors:
        ET.SubElement(suite, "error", message=error[:200]).text = error
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    Path(path).write_bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def print_report(report: VerifyReport, console: Any = None) -> None:
    """A rich summary table, then each distinct failure."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    table = Table(title="mockswarms verify", show_lines=False)
    table.add_column("operation")
    table.add_column("cases", justify="right")
    table.add_column("checks", justify="right")
    table.add_column("result")
    for label, op in sorted(report.operations.items()):
        if op.ok:
            verdict = "[green]passed[/green]"
        else:
            verdict = f"[red]{len(op.failures)} failure(s), {len(op.errors)} error(s)[/red]"
        table.add_row(label, str(op.cases), str(op.checks_run), verdict)
    console.print(table)
    for failure in report.failures:
        console.print(f"[red]FAIL[/red] {failure.operation} · [bold]{failure.check}[/bold] · {failure.title}")
        console.print(failure.message, markup=False, highlight=False)
        if failure.reproduce:
            console.print("  reproduce: " + failure.reproduce, markup=False, highlight=False)
    for error in report.errors:
        console.print(f"[red]ERROR[/red] {error}", highlight=False)
    errors = sum(len(op.errors) for op in report.operations.values()) + len(report.errors)
    summary = (
        f"{len(report.operations)} operations, {len(report.failures)} failures, {errors} errors "
        f"in {report.elapsed:.1f}s"
    )
    console.print(("[green]OK[/green] " if report.ok else "[red]FAILED[/red] ") + summary)


def _server_profile(base_url: str, admin_token: str | None) -> str | None:
    """The profile of a mockswarms server (None when it is not one, or the control API is closed)."""
    import httpx

    headers = {"Authorization": f"Bearer {admin_token}"} if admin_token else {}
    try:
        response = httpx.get(base_url.rstrip("/") + "/__mockswarms/settings", headers=headers, timeout=10)
        if response.status_code == 200:
            profile = response.json().get("profile")
            return str(profile) if profile else None
    except (httpx.HTTPError, ValueError):
        return None
    return None


def _missing_extra(command: str) -> bool:
    """Say in one line which extra to install when the contract tools are absent (base install)."""
    missing = [name for name in CONTRACT_EXTRA if importlib.util.find_spec(name) is None]
    if missing:
        print(
            f"mockswarms: error: '{command}' needs {', '.join(missing)}: pip install 'mockswarms[contract]'",
            file=sys.stderr,
        )
    return bool(missing)


def _unreachable(base_url: str) -> str | None:
    """None when ``base_url`` answers HTTP at all (any status); else why not, in a few words."""
    import httpx

    try:
        httpx.get(base_url.rstrip("/") + "/", timeout=REACH_TIMEOUT)
    except httpx.TimeoutException:
        return f"no answer within {REACH_TIMEOUT:g} s"
    except httpx.HTTPError as exc:
        cause: BaseException | None = exc
        while cause is not None:
            if isinstance(cause, ConnectionRefusedError):
                return "connection refused (is the server running?)"
            cause = cause.__cause__ or cause.__context__
        return str(exc) or type(exc).__name__
    except (ValueError, httpx.InvalidURL) as exc:  # not a URL httpx understands
        return f"not a usable URL ({exc})"
    return None


def _fail_if_unreachable(base_url: str) -> bool:
    reason = _unreachable(base_url)
    if reason is not None:
        print(f"mockswarms: error: cannot reach {base_url}: {reason}", file=sys.stderr)
    return reason is not None


def run_verify_command(args: argparse.Namespace) -> int:
    if _missing_extra("verify") or _fail_if_unreachable(args.base_url):
        return 2
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=False)
    checks = list(CHECKS)
    if args.profile_aware:
        profile = _server_profile(args.base_url, args.admin_token)
        console.print(f"server profile: {profile or 'unknown (not a mockswarms server?)'}")
        if profile == "prism":
            # prism answers every schema-valid request 2xx, and also bodies the contract's server rules
            # refuse (the SDKs' `{}`): negative data is not rejected there by design.
            checks = [c for c in checks if c != "negative_data_rejection"]
            checks.append("positive_data_acceptance")
    import httpx

    try:
        document = load_contract(args.contract)
    except (OSError, ValueError, httpx.HTTPError, httpx.InvalidURL) as exc:
        print(f"mockswarms: error: cannot load the contract {args.contract}: {exc}", file=sys.stderr)
        return 2
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("verifying", total=None)

        def on_progress(label: str, done: int, total: int) -> None:
            progress.update(task, completed=done, total=total, description=label[:60])

        report = run_verification(
            document,
            base_url=args.base_url,
            api_key=args.api_key,
            max_examples=args.max_examples,
            seed=args.seed,
            checks=checks,
            stateful=not args.no_stateful,
            coverage=args.coverage,
            include_path=args.include_path,
            exclude_path=args.exclude_path,
            max_time=args.max_time,
            on_progress=on_progress,
        )
    print_report(report, console)
    if args.junit_xml:
        write_junit(report, args.junit_xml)
        console.print(f"JUnit XML written to {args.junit_xml}")
    return 0 if report.ok else 1


def fetch_violations(base_url: str, admin_token: str | None = None) -> dict[str, Any]:
    """``GET {base_url}/__mockswarms/violations`` (``base_url`` is the simulator's base URL)."""
    import httpx

    url = base_url.rstrip("/")
    if not url.endswith("/__mockswarms/violations"):
        url += "/__mockswarms/violations"
    headers = {"Authorization": f"Bearer {admin_token}"} if admin_token else {}
    response = httpx.get(url, headers=headers, timeout=30)
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


def run_verify_client_command(args: argparse.Namespace) -> int:
    if _missing_extra("verify-client") or _fail_if_unreachable(args.base_url):
        return 2
    from rich.console import Console
    from rich.table import Table

    console = Console(width=None if sys.stdout.isatty() else 200)  # CI logs: do not squeeze the table
    try:
        body = fetch_violations(args.base_url, args.admin_token)
    except Exception as exc:  # HTTP errors, non-JSON bodies: one readable line, exit 2
        print(f"mockswarms: error: cannot read the violation journal: {exc}", file=sys.stderr)
        return 2
    violations = body.get("violations", [])
    if args.json:
        sys.stdout.write(json.dumps(body, indent=2) + "\n")
    elif violations:
        table = Table(title=f"contract violations ({body.get('total', len(violations))} total)")
        for column in ("#", "request", "kind", "location", "schema path", "message"):
            table.add_column(column)
        for v in violations:
            location = ".".join(str(p) for p in v.get("location", []))
            table.add_row(
                str(v.get("seq", "")),
                f"{v.get('method')} {v.get('path')}",
                str(v.get("kind")),
                location,
                str(v.get("schema_path", "")),
                str(v.get("message", "")),
            )
        console.print(table)
    else:
        console.print("[green]no contract violations recorded[/green]")
    return 1 if violations else 0


def _regex(value: str) -> str:
    # Checked here, so a bad one is argparse's one-line error and not a traceback from Schemathesis.
    try:
        re.compile(value)
    except re.error as exc:
        raise argparse.ArgumentTypeError(f"not a regular expression: {value!r} ({exc})") from None
    return value


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = float("nan")
    if not math.isfinite(seconds) or seconds <= 0:
        raise argparse.ArgumentTypeError(f"not a positive number of seconds: {value!r}")
    return seconds


def add_parser(subparsers: Any) -> None:
    """Register ``verify`` and ``verify-client``."""
    verify = subparsers.add_parser("verify", help="run Schemathesis against a server with the contract")
    verify.add_argument("--base-url", required=True, help="the server to test, e.g. http://127.0.0.1:8000")
    verify.add_argument(
        "--api-key", default="sk-mock-premium", help="sent as x-api-key (default: %(default)s)"
    )
    verify.add_argument(
        "--max-examples",
        type=int,
        default=20,
        help="generated cases per operation and phase (default: 20); --coverage is not bounded by it",
    )
    verify.add_argument("--seed", type=int, default=0, help="Hypothesis seed (default: 0)")
    verify.add_argument("--junit-xml", metavar="FILE", help="also write a JUnit XML report")
    verify.add_argument("--contract", metavar="FILE|URL", help="contract to use (default: the built-in one)")
    verify.add_argument(
        "--profile-aware",
        action="store_true",
        help="ask a mockswarms server for its profile; prism adds positive_data_acceptance and drops "
        "negative_data_rejection",
    )
    verify.add_argument("--admin-token", help="control API token for --profile-aware")
    verify.add_argument("--no-stateful", action="store_true", help="skip stateful sequences")
    verify.add_argument(
        "--coverage",
        action="store_true",
        help="add the coverage phase: systematic boundary values (~1,000 cases per POST operation)",
    )
    verify.add_argument(
        "--include-path", type=_regex, metavar="REGEX", help="only operations whose path matches"
    )
    verify.add_argument(
        "--exclude-path", type=_regex, metavar="REGEX", help="skip operations whose path matches"
    )
    verify.add_argument("--max-time", type=_seconds, metavar="SECONDS", help="stop the run after this long")
    verify.set_defaults(handler=run_verify_command)

    client = subparsers.add_parser("verify-client", help="list contract violations recorded by a simulator")
    client.add_argument(
        "--base-url",
        "--journal",  # the old name, kept working
        dest="base_url",
        required=True,
        metavar="URL",
        help="the simulator's base URL, e.g. http://127.0.0.1:8000 (--journal is an old name for it)",
    )
    client.add_argument("--admin-token", help="control API token, when the simulator has one")
    client.add_argument("--json", action="store_true", help="print the raw JSON")
    client.set_defaults(handler=run_verify_client_command)
