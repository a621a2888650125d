"""Test helpers: a synchronous client of the control API (``/__mockswarms/*``) plus domain assertions.

:class:`SimulatorControl` talks to a running server over HTTP (``SimulatorControl(base_url)``) or to
an app in-process (``SimulatorControl.in_process(app)``, no port). The pytest plugin hands one out
as the ``mockswarms`` fixture; outside pytest use ``with mockswarms.serve() as server:
ctl = server.control()``.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

import httpx

from mockswarms.clock import parse_instant
from mockswarms.journal import mask_key

if TYPE_CHECKING:
    from starlette.applications import Starlette

__all__ = [
    "BROKE_KEY",
    "FREE_KEY",
    "PREMIUM_KEY",
    "ControlClock",
    "ControlError",
    "Journal",
    "SimulatorControl",
    "SyncASGITransport",
]

PREMIUM_KEY = "sk-mock-premium"
FREE_KEY = "sk-mock-free"
BROKE_KEY = "sk-mock-broke"
CONTROL = "/__mockswarms"
IN_PROCESS_URL = "http://mockswarms.test"


class ControlError(RuntimeError):
    """The control API refused a request (bad setting, unknown fault id, …)."""

    def __init__(self, response: httpx.Response) -> None:
        self.status_code = response.status_code
        self.body = response.text
        super().__init__(
            f"{response.request.method} {response.request.url.path} -> "
            f"{response.status_code}: {response.text[:2000]}"
        )


def _jsonable(value: Any) -> Any:
    """Settings values as JSON: Decimal as an exact string, paths and instants as strings."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.isoformat()
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "model_dump"):
        return _jsonable(value.model_dump(exclude_none=True))
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    return value


def _money(value: Decimal | int | float | str) -> Decimal:
    # str() first so 0.1 (a float) means the decimal 0.1, not its binary approximation.
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _instant(value: str | datetime) -> str:
    moment = parse_instant(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


class SyncASGITransport(httpx.BaseTransport):
    """A synchronous httpx transport into an ASGI app, for sync clients in-process (no port).

    ``httpx.ASGITransport`` is async-only, so requests run on a private event loop in a daemon
    thread; that also makes sync calls safe from inside an async test's running loop. The client
    address is loopback because the control API answers loopback callers only.
    """

    def __init__(self, app: Any) -> None:
        self._inner = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=("127.0.0.1", 123))
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="mockswarms-asgi", daemon=True)
        self._thread.start()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        inner_request = httpx.Request(
            request.method, request.url, headers=request.headers, content=request.read()
        )

        async def call() -> tuple[int, list[tuple[bytes, bytes]], bytes]:
            response = await self._inner.handle_async_request(inner_request)
            body = await response.aread()
            return response.status_code, response.headers.raw, body

        status, headers, body = asyncio.run_coroutine_threadsafe(call(), self._loop).result()
        return httpx.Response(status, headers=headers, content=body, request=request)

    def shutdown(self) -> None:
        """Stop the private loop (``close()`` is a no-op so closing one client leaves the others working)."""
        if self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)
        if not self._loop.is_running():
            self._loop.close()


class Journal(Sequence[dict[str, Any]]):
    """The requests the simulator saw, oldest first. Live: every access re-reads the journal."""

    def __init__(self, control: SimulatorControl) -> None:
        self._control = control

    @property
    def entries(self) -> list[dict[str, Any]]:
        data = self._control._request("GET", "/journal").json()
        entries = data["entries"] if isinstance(data, dict) else data
        return [e for e in entries if not str(e.get("path", "")).startswith(CONTROL)]

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.entries)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...
    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        return self.entries[index]

    def __repr__(self) -> str:
        return f"Journal({_summary(self.entries)})"

    @property
    def last_request(self) -> dict[str, Any] | None:
        entries = self.entries
        return entries[-1] if entries else None

    def requests(
        self, path: str | None = None, *, method: str | None = None, status: int | None = None
    ) -> list[dict[str, Any]]:
        """Entries filtered by exact path, method and status (each optional)."""
        return [
            e
            for e in self.entries
            if (path is None or e["path"] == path)
            and (method is None or e["method"] == method.upper())
            and (status is None or e["status"] == status)
        ]

    def assert_called(
        self, path: str, times: int | None = None, *, method: str | None = None, status: int | None = None
    ) -> list[dict[str, Any]]:
        """Assert ``path`` was requested (exactly ``times`` times if given); returns the matches."""
        matches = self.requests(path, method=method, status=status)
        what = " ".join(x for x in (method and method.upper(), path) if x)
        if status is not None:
            what += f" with status {status}"
        if times is None and not matches:
            raise AssertionError(f"{what} was never requested; seen: {_summary(self.entries)}")
        if times is not None and len(matches) != times:
            raise AssertionError(
                f"{what} was requested {len(matches)} time(s), expected {times}; "
                f"seen: {_summary(self.entries)}"
            )
        return matches

    def assert_not_called(self, path: str, *, method: str | None = None) -> None:
        self.assert_called(path, times=0, method=method)

    def clear(self) -> None:
        self._control._request("DELETE", "/journal")


def _summary(entries: list[dict[str, Any]]) -> str:
    if not entries:
        return "no requests"
    return ", ".join(f"{e['method']} {e['path']} -> {e['status']}" for e in entries[-20:])


class ControlClock:
    """The simulator's clock: read it, freeze it, move it (never sleep in tests)."""

    def __init__(self, control: SimulatorControl) -> None:
        self._control = control

    def _put(self, body: dict[str, Any]) -> dict[str, Any]:
        data: dict[str, Any] = self._control._request("PUT", "/clock", json=body).json()
        return data

    def _get(self) -> dict[str, Any]:
        data: dict[str, Any] = self._control._request("GET", "/clock").json()
        return data

    @property
    def now(self) -> datetime:
        return parse_instant(self._get()["now"])

    @property
    def frozen(self) -> bool:
        return bool(self._get()["frozen"])

    def freeze(self, at: str | datetime | None = None) -> datetime:
        """Stop time (at ``at``, default: the current simulated instant)."""
        # Freeze first, then jump: a frozen clock set to ``at`` stays exactly there (one request with
        # both fields would let a running clock tick between the jump and the freeze).
        data = self._put({"frozen": True})
        if at is not None:
            data = self._put({"now": _instant(at)})
        return parse_instant(data["now"])

    def unfreeze(self) -> datetime:
        return parse_instant(self._put({"frozen": False})["now"])

    def set(self, at: str | datetime) -> datetime:
        """Jump to ``at``; a frozen clock stays frozen."""
        return parse_instant(self._put({"now": _instant(at)})["now"])

    def advance(
        self, seconds: float = 0, *, minutes: float = 0, hours: float = 0, days: float = 0
    ) -> datetime:
        total = seconds + 60 * minutes + 3600 * hours + 86400 * days
        return parse_instant(self._put({"advance_seconds": total})["now"])

    def sleep(self, seconds: float) -> None:
        """A drop-in for ``time.sleep`` that moves simulated time instead of waiting (monkeypatch it in)."""
        if seconds > 0:
            self.advance(seconds)

    def __repr__(self) -> str:
        data = self._get()
        return f"ControlClock(now={data['now']!r}, frozen={data['frozen']})"


class SimulatorControl:
    """Drive one simulator: reset, configure, accounts, clock, faults, fixtures, journal, assertions."""

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str = PREMIUM_KEY,
        free_key: str = FREE_KEY,
        admin_token: str | None = None,
        transport: httpx.BaseTransport | None = None,
        app: Starlette | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.free_key = free_key
        self.broke_key = BROKE_KEY
        self.app = app
        self.admin_token = admin_token
        self._timeout = timeout
        self._transport = transport
        self._sync_asgi: SyncASGITransport | None = None
        self._http = self._new_sync_client(headers=self._admin_headers())
        self._clients: list[httpx.Client | httpx.AsyncClient | Any] = []
        self._baseline: dict[str, Decimal] = {}
        self._fault_seq = 0
        self.clock = ControlClock(self)
        self.journal = Journal(self)

    @classmethod
    def in_process(cls, app: Starlette, **kwargs: Any) -> SimulatorControl:
        """Control ``app`` without a port: sync clients go through :class:`SyncASGITransport`,
        async clients through ``httpx.ASGITransport``."""
        return cls(IN_PROCESS_URL, app=app, admin_token=app.state.simulator.settings.admin_token, **kwargs)

    # -- plumbing ----------------------------------------------------------------------------------
    def _admin_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin_token}"} if self.admin_token else {}

    def _new_sync_client(self, headers: Mapping[str, str]) -> httpx.Client:
        transport = self._transport
        if self.app is not None:
            if self._sync_asgi is None:
                self._sync_asgi = SyncASGITransport(self.app)
            transport = self._sync_asgi
        return httpx.Client(
            base_url=self.base_url, headers=dict(headers), transport=transport, timeout=self._timeout
        )

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = self._http.request(method, CONTROL + path, **kwargs)
        if response.status_code >= 400:
            raise ControlError(response)
        return response

    @property
    def transport(self) -> httpx.ASGITransport:
        """An ``httpx.ASGITransport`` for the in-process app (for your own ``httpx.AsyncClient``)."""
        if self.app is None:
            raise RuntimeError("transport is only available in-process (mockswarms_app fixture)")
        return httpx.ASGITransport(app=self.app)

    def close_clients(self) -> None:
        """Close the clients made by :meth:`client` and :meth:`sdk` (the plugin does it per test)."""
        for client in self._clients:
            close = getattr(client, "close", None)
            if callable(close):
                close()
        self._clients.clear()

    def close(self) -> None:
        self.close_clients()
        self._http.close()
        if self._sync_asgi is not None:
            self._sync_asgi.shutdown()
            self._sync_asgi = None

    def __enter__(self) -> SimulatorControl:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- clients for the code under test ----------------------------------------------------------
    def client(self, api_key: str | None = None, **kwargs: Any) -> httpx.Client:
        """An ``httpx.Client`` with ``base_url`` and ``x-api-key`` set (closed at teardown)."""
        headers = {"x-api-key": api_key or self.api_key, **kwargs.pop("headers", {})}
        if self.app is not None:
            client = self._new_sync_client(headers)
        else:
            client = httpx.Client(base_url=self.base_url, headers=headers, timeout=self._timeout, **kwargs)
        self._clients.append(client)
        return client

    def async_client(self, api_key: str | None = None, **kwargs: Any) -> httpx.AsyncClient:
        """An ``httpx.AsyncClient`` (in-process: over ``ASGITransport``). Close it yourself
        (``async with``) — it belongs to your test's event loop."""
        headers = {"x-api-key": api_key or self.api_key, **kwargs.pop("headers", {})}
        if self.app is not None:
            kwargs.setdefault("transport", self.transport)
        return httpx.AsyncClient(base_url=self.base_url, headers=headers, timeout=self._timeout, **kwargs)

    def sdk(self, api_key: str | None = None, **kwargs: Any) -> Any:
        """A ``swarms_client.SwarmsClient`` pointed at the simulator (needs ``swarms-client``)."""
        try:
            from swarms_client import SwarmsClient
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise RuntimeError("sdk() needs the official SDK: pip install swarms-client") from exc
        if self.app is not None:
            kwargs.setdefault("http_client", self._new_sync_client({}))
        client = SwarmsClient(api_key=api_key or self.api_key, base_url=self.base_url, **kwargs)
        self._clients.append(client)
        return client

    def async_sdk(self, api_key: str | None = None, **kwargs: Any) -> Any:
        """A ``swarms_client.AsyncSwarmsClient`` pointed at the simulator."""
        from swarms_client import AsyncSwarmsClient

        if self.app is not None:
            kwargs.setdefault(
                "http_client", httpx.AsyncClient(transport=self.transport, base_url=self.base_url)
            )
        return AsyncSwarmsClient(api_key=api_key or self.api_key, base_url=self.base_url, **kwargs)

    # -- state ----------------------------------------------------------------------------------------
    def reset(self, *, seed: int | None = None, now: str | datetime | None = None) -> None:
        """Everything back to start (accounts, balances, windows, logs, journal, faults, runtime
        fixtures, clock, ids). Call it per Hypothesis example, or use :meth:`isolated`."""
        body: dict[str, Any] = {}
        if seed is not None:
            body["seed"] = seed
        if now is not None:
            body["now"] = _instant(now)
        self._request("POST", "/reset", json=body)
        self._snapshot_balances()

    @contextmanager
    def isolated(self, **reset_kwargs: Any) -> Iterator[SimulatorControl]:
        """``with mockswarms.isolated():`` — a fresh simulator for the block (e.g. one Hypothesis example)."""
        self.reset(**reset_kwargs)
        yield self

    def configure(self, **settings: Any) -> dict[str, Any]:
        """Rebuild the simulator with these settings on top of the start-up ones, and reset."""
        data: dict[str, Any] = self._request("PUT", "/settings", json=_jsonable(settings)).json()
        self._snapshot_balances()
        return data

    def restore_settings(self) -> None:
        """Back to the start-up settings (undo :meth:`configure`), and reset."""
        self._request("DELETE", "/settings")
        self._snapshot_balances()

    @property
    def settings(self) -> dict[str, Any]:
        data: dict[str, Any] = self._request("GET", "/settings").json()
        return data

    # -- accounts ----------------------------------------------------------------------------------
    def _account_json(self, response: httpx.Response) -> Any:
        return json.loads(response.text, parse_float=Decimal)  # money stays exact

    def accounts(self) -> list[dict[str, Any]]:
        data = self._account_json(self._request("GET", "/accounts"))
        return list(data["accounts"] if isinstance(data, dict) else data)

    def account(self, key: str | None = None) -> dict[str, Any]:
        data: dict[str, Any] = self._account_json(self._request("GET", f"/accounts/{key or self.api_key}"))
        return data

    def balance(self, key: str | None = None) -> Decimal:
        """``total_credits`` of ``key`` (default: the premium key) as an exact Decimal."""
        return _money(self.account(key)["total_credits"])

    def set_account(
        self,
        key: str,
        *,
        tier: str | None = None,
        credit: Decimal | float | str | None = None,
        free_credit: Decimal | float | str | None = None,
        referral_credits: Decimal | float | str | None = None,
        user_id: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """Create or change an account; the new balance is the baseline for :meth:`assert_charged`."""
        fields = {
            "tier": tier,
            "credit": credit,
            "free_credit": free_credit,
            "referral_credits": referral_credits,
            "user_id": user_id,
            **extra,
        }
        body = _jsonable({k: v for k, v in fields.items() if v is not None})
        data: dict[str, Any] = self._account_json(self._request("PUT", f"/accounts/{key}", json=body))
        if "total_credits" in data:
            self._baseline[key] = _money(data["total_credits"])
        else:
            self._baseline[key] = self.balance(key)
        return data

    def _snapshot_balances(self) -> None:
        self._baseline = {a["key"]: _money(a["total_credits"]) for a in self.accounts()}

    # -- faults, fixtures, violations -------------------------------------------------------------
    def inject_fault(
        self,
        rule: Mapping[str, Any] | None = None,
        *,
        path: str | None = None,
        method: str | None = None,
        status: int | None = None,
        detail: str | None = None,
        retry_after: int | None = None,
        delay: float | None = None,
        action: str | None = None,
        times: int | None = None,
        after: int | None = None,
        every_nth: int | None = None,
        probability: float | None = None,
        rule_id: str | None = None,
        **fields: Any,
    ) -> str:
        """Add a fault rule (see ``mockswarms.faults``) and return its id.

        Either a full rule dict, or the shorthand: ``inject_fault(path="/v1/agent/completions",
        status=503)`` (an ``error`` action), ``delay=2.0`` (fixed latency), or ``action="reset"`` /
        ``"sse_disconnect"`` / … with that action's fields as keywords. Matching: ``path`` (glob),
        ``method``, and ``key``/``endpoint``/``model``/``agent_name``/``swarm_type`` keywords.
        Selecting: ``times`` (the first n matches), ``after`` (skip n), ``every_nth``, ``probability``.
        """
        if rule is None:
            rule = self._fault_rule(
                path,
                method,
                status,
                detail,
                retry_after,
                delay,
                action,
                times,
                after,
                every_nth,
                probability,
                rule_id,
                fields,
            )
        body = _jsonable(rule)
        if not body.get("id"):  # name it here so the id is known whatever the server answers
            self._fault_seq += 1
            body["id"] = f"fault-{self._fault_seq}"
        # Connection: close — a server that fails after storing the rule drops the connection.
        response = self._http.post(CONTROL + "/faults", json=body, headers={"Connection": "close"})
        if response.status_code >= 400 and not (
            response.status_code >= 500 and any(f.get("id") == body["id"] for f in self.faults)
        ):  # a server that stored the rule but failed to echo it back still counts as added
            raise ControlError(response)
        return str(body["id"])

    @staticmethod
    def _fault_rule(
        path: str | None,
        method: str | None,
        status: int | None,
        detail: str | None,
        retry_after: int | None,
        delay: float | None,
        action: str | None,
        times: int | None,
        after: int | None,
        every_nth: int | None,
        probability: float | None,
        rule_id: str | None,
        fields: dict[str, Any],
    ) -> dict[str, Any]:
        match_fields = ("key", "user", "endpoint", "model", "agent_name", "swarm_type")
        match = {
            "path": path,
            "method": method and method.upper(),
            **{k: fields.pop(k) for k in match_fields if k in fields},
        }
        if action is not None:
            act: dict[str, Any] = {"type": action, **fields}
        elif status is not None:
            act = {"type": "error", "status": status, "detail": detail, "retry_after": retry_after, **fields}
        elif delay is not None:
            act = {"type": "latency", "seconds": delay, **fields}
        else:
            raise TypeError("inject_fault needs a rule dict, or status=, delay= or action=")
        selector = {"first_n": times, "after_n": after, "every_nth": every_nth, "probability": probability}
        built: dict[str, Any] = {
            "match": {k: v for k, v in match.items() if v is not None},
            "selector": {k: v for k, v in selector.items() if v is not None},
            "action": {k: v for k, v in act.items() if v is not None},
        }
        if rule_id is not None:
            built["id"] = rule_id
        return built

    @property
    def faults(self) -> list[dict[str, Any]]:
        data = self._request("GET", "/faults").json()
        return list(data["faults"] if isinstance(data, dict) else data)

    def remove_fault(self, fault_id: str) -> None:
        self._request("DELETE", f"/faults/{fault_id}")

    def clear_faults(self) -> None:
        self._request("DELETE", "/faults")

    def add_fixture(
        self, rule: Mapping[str, Any] | None = None, /, *rules: Mapping[str, Any], **fields: Any
    ) -> None:
        """Add runtime fixture rules (dicts, or one rule as keyword arguments); dropped on reset."""
        all_rules = [r for r in (rule, *rules) if r is not None]
        if fields:
            all_rules.append(fields)
        self._request("POST", "/fixtures", json={"rules": _jsonable(all_rules)})

    def clear_fixtures(self) -> None:
        self._request("DELETE", "/fixtures")

    def reload_fixtures(self) -> None:
        self._request("POST", "/fixtures/reload")

    def use_fixtures(self, *dirs: str | Path) -> dict[str, Any]:
        """Serve fixture files from these directories (rebuilds the simulator, which resets it)."""
        return self.configure(fixtures=[str(Path(d).resolve()) for d in dirs])

    @property
    def violations(self) -> list[dict[str, Any]]:
        data = self._request("GET", "/violations").json()
        return list(data["violations"] if isinstance(data, dict) else data)

    # -- domain assertions ----------------------------------------------------------------------------
    def assert_charged(self, total: Decimal | float | str, *, key: str | None = None) -> Decimal:
        """Assert ``key``'s total credits dropped by exactly ``total`` since the last reset (or
        :meth:`set_account`). Returns the drop."""
        key = key or self.api_key
        if key not in self._baseline:
            raise AssertionError(
                f"no starting balance known for {mask_key(key)}: call reset() or set_account() first"
            )
        drop = self._baseline[key] - self.balance(key)
        expected = _money(total)
        if drop != expected:
            raise AssertionError(f"{mask_key(key)} was charged {drop}, expected {expected}")
        return drop

    def assert_agent_ran(self, name: str, model: str | None = None) -> list[dict[str, Any]]:
        """Assert a successful request ran an agent named ``name`` (with ``model`` if given): agent
        completions, batches, swarms and workflows are searched. Returns the agent configs found."""
        found: list[dict[str, Any]] = []
        seen: list[str] = []
        for entry in self.journal:
            configs = list(_agent_configs(entry.get("body")))
            seen.extend(f"{c.get('agent_name')}/{c.get('model_name')} ({entry['status']})" for c in configs)
            if not 200 <= int(entry["status"]) < 300:
                continue
            found.extend(
                c
                for c in configs
                if c.get("agent_name") == name and (model is None or c.get("model_name") == model)
            )
        if not found:
            wanted = f"{name!r}" + (f" with model {model!r}" if model else "")
            raise AssertionError(f"no successful request ran agent {wanted}; agents seen: {seen or 'none'}")
        return found

    def assert_retry_after_honoured(self, *, min_retries: int = 1) -> int:
        """Assert that after every 429 carrying ``Retry-After``, the next request with the same key
        and path came at least that many seconds later — in wall time or simulated time (so a
        client whose ``sleep`` is :meth:`ControlClock.sleep` passes too). Returns the retries checked;
        fails if fewer than ``min_retries`` (a test that never saw a 429 proves nothing)."""
        entries = self.journal.entries
        rules: dict[str, Any] | None = None
        checked = 0
        for i, entry in enumerate(entries):
            if entry["status"] != 429:
                continue
            wait = _retry_after(entry)
            if wait is None and entry.get("fault_rule"):
                # An injected 429: its Retry-After is the rule's ``retry_after``.
                if rules is None:
                    rules = {str(r.get("id")): r for r in self.faults}
                action = rules.get(str(entry["fault_rule"]), {}).get("action", {})
                wait = float(action.get("retry_after", 1)) if action.get("status") == 429 else None
            if wait is None:
                continue
            retry = next(
                (
                    e
                    for e in entries[i + 1 :]
                    if e["path"] == entry["path"] and e.get("api_key") == entry.get("api_key")
                ),
                None,
            )
            if retry is None:
                continue
            wall_gap = float(retry["received_at"]) - float(entry["received_at"])
            sim_gap = _simulated_gap(entry, retry)
            if wall_gap + 1e-3 < wait and (sim_gap is None or sim_gap + 1e-3 < wait):
                raise AssertionError(
                    f"request #{retry['id']} to {retry['path']} came {wall_gap:.3f} s"
                    + (f" ({sim_gap:.3f} simulated s)" if sim_gap is not None else "")
                    + f" after a 429 with Retry-After: {wait:g}"
                )
            checked += 1
        if checked < min_retries:
            raise AssertionError(
                f"expected at least {min_retries} retried 429(s) with Retry-After, saw {checked}"
            )
        return checked


def _retry_after(entry: Mapping[str, Any]) -> float | None:
    value = entry.get("retry_after")
    if value is None:
        headers = entry.get("response_headers") or {}
        value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _simulated_gap(first: Mapping[str, Any], second: Mapping[str, Any]) -> float | None:
    a, b = first.get("simulated_at"), second.get("simulated_at")
    if not isinstance(a, str) or not isinstance(b, str):
        return None
    return (parse_instant(b) - parse_instant(a)).total_seconds()


def _agent_configs(body: Any) -> Iterator[dict[str, Any]]:
    """Every agent spec in a request body (any dict with an ``agent_name``), depth first."""
    if isinstance(body, Mapping):
        if "agent_name" in body:
            yield dict(body)
        for value in body.values():
            yield from _agent_configs(value)
    elif isinstance(body, list):
        for item in body:
            yield from _agent_configs(item)
