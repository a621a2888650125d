"""Test helpers: a synchronous client of the control API (``/__mockswarms/*``) plus domain assertions.

:class:`SimulatorControl` talks to a running server over HTTP (``SimulatorControl(base_url)``) or to
an app in-process (``SimulatorControl.in_process(app)``, no port). The pytest plugin hands one out
as the ``mockswarms`` fixture; outside pytest use ``with mockswarms.serve() as server:
ctl = server.control()``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from mockswarms.journal import mask_key
from mockswarms.testing.asgi_transport import SyncASGITransport
from mockswarms.testing.assertions import agents_that_ran, honoured_retries
from mockswarms.testing.control_clock import ControlClock, instant_text
from mockswarms.testing.fault_shorthand import fault_rule
from mockswarms.testing.journal_view import CONTROL, Journal

if TYPE_CHECKING:
    from starlette.applications import Starlette

__all__ = ["BROKE_KEY", "FREE_KEY", "PREMIUM_KEY", "ControlError", "SimulatorControl"]

PREMIUM_KEY = "sk-mock-premium"
FREE_KEY = "sk-mock-free"
BROKE_KEY = "sk-mock-broke"
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
            body["now"] = instant_text(now)
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
            rule = fault_rule(
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
        return agents_that_ran(self.journal.entries, name, model)

    def assert_retry_after_honoured(self, *, min_retries: int = 1) -> int:
        """Assert that after every 429 carrying ``Retry-After``, the next request with the same key
        and path came at least that many seconds later — in wall time or simulated time (so a
        client whose ``sleep`` is :meth:`ControlClock.sleep` passes too). Returns the retries checked;
        fails if fewer than ``min_retries`` (a test that never saw a 429 proves nothing)."""
        return honoured_retries(self.journal.entries, lambda: self.faults, min_retries)
