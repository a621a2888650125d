"""The ``proxy`` and ``drift-report`` commands (registered by :mod:`mockswarms.cli`)."""

from __future__ import annotations

import argparse
import errno
import math
import socket
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mockswarms.config import ConfigError, load_settings

__all__ = ["add_parser"]


def _upstream(value: str) -> str:
    try:
        parts = urlsplit(value)
        _ = parts.port  # a bad port raises here, not at the first request
    except ValueError as exc:
        raise ConfigError("--upstream", "", f"not a valid URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError("--upstream", "", f"not an http(s) URL: {value!r}")
    return value.rstrip("/")


def _listen(host: str, port: int) -> socket.socket:
    """Bind before announcing: the banner shows the real port (``--port 0``); a busy port is one line."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        reason = (
            "address already in use" if exc.errno == errno.EADDRINUSE else (exc.strerror or str(exc)).lower()
        )
        raise ConfigError("--port", "", f"cannot listen on {host}:{port}: {reason}") from None
    return sock


def _proxy(args: argparse.Namespace) -> int:
    import uvicorn

    from mockswarms.proxy.server import ProxyConfig, create_proxy_app

    upstream = _upstream(args.upstream)
    if not math.isfinite(args.timeout) or args.timeout <= 0:  # nan and inf included
        raise ConfigError("--timeout", "", "must be a positive number of seconds")
    overrides: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "profile": args.profile,
        "log_level": args.log_level,
    }
    settings = load_settings(overrides, config_file=args.config)
    config = ProxyConfig(
        upstream=upstream,
        settings=settings,
        record_dir=Path(args.record) if args.record else None,
        timeout=args.timeout,
        compare=not args.no_compare,
    )
    app = create_proxy_app(config)
    sock = _listen(settings.host, settings.port)
    try:
        port = sock.getsockname()[1]
        shown = urlsplit(upstream)
        where = f"[{settings.host}]" if ":" in settings.host else settings.host
        print(
            f"mockswarms proxy: forwarding http://{where}:{port} -> "
            f"{shown.scheme}://{shown.hostname}{f':{shown.port}' if shown.port else ''} "
            f"(drift against profile {settings.profile}"
            + (f", recording to {args.record}" if args.record else "")
            + ")",
            file=sys.stderr,
            flush=True,
        )
        # No access log: the proxy keeps nothing of the caller's. No Server or Date header of its own:
        # a proxied answer carries the upstream's (the proxy's own answers add their Date).
        server = uvicorn.Server(
            uvicorn.Config(
                app,
                log_level=settings.log_level,
                access_log=False,
                server_header=False,
                date_header=False,
            )
        )
        server.run(sockets=[sock])
        return 0 if server.started else 3
    finally:
        sock.close()


def _drift_report(args: argparse.Namespace) -> int:
    from mockswarms.proxy.report import ReportError, load_findings, render

    if (args.url is None) == (args.file is None):
        print(
            "mockswarms: error: drift-report needs exactly one of --url PROXY or --file FINDINGS.json",
            file=sys.stderr,
        )
        return 2
    try:
        report = load_findings(url=args.url, path=args.file)
    except ReportError as exc:
        print(f"mockswarms: error: {exc}", file=sys.stderr)
        return 2
    print(render(report, args.format))
    return 1 if args.fail_on_drift and report["drift"] > 0 else 0


def add_parser(subparsers: Any) -> None:
    proxy = subparsers.add_parser(
        "proxy", help="forward to the real API, report drift from the simulator, optionally record fixtures"
    )
    proxy.add_argument(
        "--upstream", required=True, help="the API to forward to, e.g. https://api.swarms.world"
    )
    proxy.add_argument("--record", metavar="DIR", help="write each exchange as a fixture file under DIR")
    proxy.add_argument("--host", help="interface to bind (default 127.0.0.1)")
    proxy.add_argument("--port", type=int, help="port (default 8000; 0 picks a free port)")
    proxy.add_argument("--profile", help="the simulator profile answers are compared with (default docs)")
    proxy.add_argument("--config", help="YAML/JSON settings file (profile, prices, limits)")
    proxy.add_argument("--timeout", type=float, default=300.0, help="seconds per upstream read (default 300)")
    proxy.add_argument("--no-compare", action="store_true", help="check the contract and money only")
    proxy.add_argument("--log-level", choices=["critical", "error", "warning", "info", "debug"])
    proxy.set_defaults(handler=_proxy)

    report = subparsers.add_parser("drift-report", help="print a proxy's drift findings; exit 1 on drift")
    report.add_argument("--url", help="the proxy's base URL (reads /__mockswarms/drift)")
    report.add_argument("--file", help="a saved findings JSON file")
    report.add_argument("--format", choices=["text", "json", "junit"], default="text")
    report.add_argument("--fail-on-drift", action="store_true", help="exit 1 when any drift was found")
    report.set_defaults(handler=_drift_report)
