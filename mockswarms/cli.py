"""The ``mockswarms`` command: ``serve``, ``openapi``, ``verify``, ``verify-client``, ``fixtures check``.

Every ``serve`` option can also come from the config file (``--config``) and from ``MOCKSWARMS_*``
environment variables; the command line wins. Bad settings print one line naming the source, the
key and the reason, and exit 2 — never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from mockswarms import __version__
from mockswarms.config import ConfigError, Settings, load_settings
from mockswarms.engine.fixtures import FixtureError
from mockswarms.serving import StartupError

__all__ = ["build_parser", "main"]


SERVE_EPILOG = """\
Every option is also a setting: a key of the --config file (its setting name, e.g. log_level) and a
MOCKSWARMS_<NAME> environment variable (e.g. MOCKSWARMS_LOG_LEVEL=debug). The command line wins over
the environment, which wins over the config file, which wins over the profile. Settings without an
option (rate limits, billing, streaming, faults, ...) are set in the config file or the environment.
"""


def _add_serve(subparsers: Any) -> None:
    serve = subparsers.add_parser(
        "serve",
        help="run the simulator (http://127.0.0.1:8000 by default)",
        description="Serve the simulated Swarms API until interrupted (Ctrl+C).",
        epilog=SERVE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument("--host", help="interface to bind (default 127.0.0.1: loopback only)")
    serve.add_argument("--port", type=int, help="port (default 8000; 0: a free port, shown in the banner)")
    serve.add_argument("--profile", help="docs (default) | prism | legacy | client-0.1.6 | docs-2025")
    serve.add_argument("--seed", type=int, help="seed for generated text, ids and probabilistic faults")
    serve.add_argument("--now", help="freeze the clock at this ISO-8601 instant (default: real time)")
    serve.add_argument("--config", help="YAML/JSON settings file (also MOCKSWARMS_CONFIG)")
    serve.add_argument("--fixtures", action="append", help="extra fixture directory (repeatable)")
    serve.add_argument(
        "--log-level",
        choices=["critical", "error", "warning", "info", "debug"],
        help="server log verbosity; info (default) and debug also log every request",
    )
    serve.add_argument(
        "--admin-token", help="require this bearer token on /__mockswarms/* (opens it to non-loopback)"
    )
    serve.add_argument(
        "--store",
        help="memory (default; state is lost on restart) or redis://host:port/db "
        "(state survives restarts and is shared between workers)",
    )
    serve.add_argument("--workers", type=int, help="uvicorn worker processes (needs --store redis://…)")
    serve.add_argument(
        "--forwarded-allow-ips",
        help="trust X-Forwarded-For/-Proto from these proxy addresses (comma-separated, or *); "
        "default: from nobody",
    )
    serve.set_defaults(handler=_serve)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is the one line ``prog: error: message`` (``--help`` is unchanged)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def _settings_from(args: argparse.Namespace, sources: dict[str, str]) -> Settings:
    overrides: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "profile": args.profile,
        "seed": args.seed,
        "now": args.now,
        "fixtures": args.fixtures,
        "log_level": args.log_level,
        "admin_token": args.admin_token,
        "store": args.store,
        "workers": args.workers,
        "forwarded_allow_ips": args.forwarded_allow_ips,
    }
    return load_settings(overrides, config_file=args.config, sources=sources)


def _serve(args: argparse.Namespace) -> int:
    from mockswarms import serving

    sources: dict[str, str] = {}
    settings = _settings_from(args, sources)
    if settings.workers > 1 and settings.store == "memory":
        raise ConfigError(
            "settings", "workers", "more than one worker needs a shared store: --store redis://host:port/db"
        )
    if settings.store != "memory":
        serving.check_redis(settings.store)
    sock = serving.bind_socket(settings.host, settings.port)
    try:
        settings = settings.model_copy(update={"port": int(sock.getsockname()[1])})
        from mockswarms.http import connections
        from mockswarms.http.app import create_app, freeze_startup_heap

        app = create_app(settings)  # fails here (exit 2) on bad fixtures, before announcing anything
        serving.check_faults(app, settings, sources.get("faults", "settings"))
        print(
            f"mockswarms {__version__}: serving the Swarms API on "
            f"{serving.base_url(settings.host, settings.port)} "
            f"(profile {settings.profile}, seed {settings.seed}, store {serving.mask_url(settings.store)})",
            file=sys.stderr,
            flush=True,
        )
        common: dict[str, Any] = {
            "host": settings.host,  # uvicorn listens on `sock`; these only keep its own view true
            "port": settings.port,
            "log_level": settings.log_level,
            "access_log": settings.log_level in ("info", "debug"),
            "server_header": False,
            **connections.uvicorn_options(settings),  # deadlines, connection cap, trusted proxies
        }
        connections.raise_open_file_limit()
        connections.mask_access_log()
        freeze_startup_heap()
        if settings.workers > 1:
            from mockswarms.http.app import SETTINGS_ENV

            os.environ[SETTINGS_ENV] = settings.model_dump_json()
            return serving.run_uvicorn(
                "mockswarms.http.app:app_from_env",
                {**common, "factory": True},
                sock=sock,
                workers=settings.workers,
            )
        return serving.run_uvicorn(app, common, sock=sock, workers=1)
    finally:
        sock.close()


COMMAND_MODULES = (
    "mockswarms.contract.openapi",
    "mockswarms.contract.verify",
    "mockswarms.engine.fixtures",
    "mockswarms.proxy.cli",  # proxy, drift-report
)


def build_parser(*, serve_only: bool = False) -> argparse.ArgumentParser:
    """The full parser; ``serve_only`` skips importing the contract tooling (start-up time)."""
    parser = _Parser(prog="mockswarms", description="Offline simulator of the Swarms Cloud API.")
    parser.add_argument("--version", action="version", version=f"mockswarms {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")  # subparsers are _Parser too
    _add_serve(subparsers)
    for module in () if serve_only else COMMAND_MODULES:
        try:
            importlib.import_module(module).add_parser(subparsers)
        except ImportError as exc:
            # e.g. `verify` without the [contract] extra: say what to install instead of failing.
            _add_missing(subparsers, module.rsplit(".", 1)[-1], exc)
    return parser


def _add_missing(subparsers: Any, name: str, exc: ImportError) -> None:
    command = subparsers.add_parser(name, help=f"(unavailable: {exc.name} is not installed)")

    def unavailable(args: argparse.Namespace) -> int:
        print(
            f"mockswarms: error: '{name}' needs {exc.name}: pip install 'mockswarms[contract]'",
            file=sys.stderr,
        )
        return 2

    command.set_defaults(handler=unavailable)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(serve_only=bool(args_list) and args_list[0] == "serve")
    args = parser.parse_args(args_list)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(handler(args) or 0)
    except (ConfigError, StartupError) as exc:
        print(f"mockswarms: error: {exc}", file=sys.stderr)
        return 2
    except FixtureError as exc:
        # One `file:line: message` per problem; the server does not start on a bad fixture set.
        print(f"mockswarms: error: bad fixtures:\n{exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        # A file or directory the command was given (--output, --record, --junit-xml) that cannot be
        # written or read: the path and the reason are all the user needs.
        where = f"{exc.filename}: " if exc.filename is not None else ""
        print(f"mockswarms: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
