"""The control API under ``/__mockswarms/``: reset, settings, clock, accounts, journal, faults,
fixtures and contract violations. Loopback clients only, unless ``admin_token`` is set — then the
``Authorization: Bearer <token>`` header is required from everyone.
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import orjson
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mockswarms.accounts_config import default_user_id
from mockswarms.config import PROFILES, Settings
from mockswarms.engine.fixtures import FixtureError
from mockswarms.engine.simulator import Simulator
from mockswarms.errors import APIError
from mockswarms.http.control_inputs import (
    LATEST_YEAR,
    check_fixture_dirs,
    finite_seconds,
    instant,
    money,
    optional_string,
    window_limits,
)
from mockswarms.http.guard import check_control_request
from mockswarms.http.responses import CONTROL_PREFIX, json_response
from mockswarms.journal import mask_key, mask_url
from mockswarms.state.base import AccountRecord, Balances

__all__ = ["control_routes"]

_LOOPBACK = {"127.0.0.1", "::1", "localhost", "testclient"}

Handler = Callable[[Request, Simulator], Awaitable[Response]]
# Read once when the server starts (the socket, worker processes, logging, proxy trust, the store).
_START_UP_ONLY = ("host", "port", "workers", "log_level", "store", "forwarded_allow_ips")


def _guard(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    async def guarded(request: Request) -> Response:
        simulator: Simulator = request.app.state.simulator
        token = simulator.settings.admin_token
        if token:
            sent = request.headers.get("authorization", "")
            if not hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
                raise APIError(401, "The control API needs 'Authorization: Bearer <admin token>'")
        else:
            host = request.client.host if request.client else ""
            if host not in _LOOPBACK and not host.startswith("127."):
                raise APIError(
                    403, "The control API only answers loopback clients (set --admin-token to open it)"
                )
        check_control_request(request)  # Host (DNS rebinding), Origin and JSON writes (CSRF)
        await simulator.ensure_started()
        return await handler(request, simulator)

    return guarded


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise APIError(422, f"Body is not valid JSON: {exc.msg}") from exc
    if not isinstance(data, dict):
        raise APIError(422, "Body must be a JSON object")
    return data


# -- reset and settings -----------------------------------------------------------------------------------
async def reset(request: Request, sim: Simulator) -> Response:
    data = await _body(request)
    now = instant(data, "now")
    seed = data.get("seed")
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
        raise APIError(422, "seed: must be an integer")
    await sim.reset(seed=seed, now=now)  # the store's violations log goes with the rest
    return json_response({"status": "reset"})


def _settings_json(settings: Settings) -> Any:
    data = orjson.loads(settings.model_dump_json())
    data["store"] = mask_url(settings.store)  # a Redis password is never shown
    if settings.admin_token:
        data["admin_token"] = mask_key(settings.admin_token)
    return data


async def get_settings(request: Request, sim: Simulator) -> Response:
    return json_response(_settings_json(sim.settings))


async def _rebuild(request: Request, settings: Settings) -> Simulator:
    old: Simulator = request.app.state.simulator
    new = Simulator(settings, store=old.store)
    await new.reset()
    request.app.state.simulator = new
    return new


def _refuse_start_up_changes(body: dict[str, Any], base: Settings) -> None:
    """422 for a start-up setting with a new value; the current one (as set, or as GET shows it, so a
    GET → PUT round trip works) is fine and changes nothing."""
    shown = _settings_json(base)
    for name in _START_UP_ONLY:
        if name in body and body[name] not in (getattr(base, name), shown[name]):
            raise APIError(
                422,
                f"{name}: a start-up setting: it cannot change while the server runs "
                "(restart the server with the new value)",
            )


async def put_settings(request: Request, sim: Simulator) -> Response:
    # A PUT changes the settings it names and keeps earlier overrides (merge); DELETE drops them all.
    body = await _body(request)
    base: Settings = request.app.state.base_settings
    _refuse_start_up_changes(body, base)
    data = {**getattr(request.app.state, "settings_overrides", {}), **body}
    if base.admin_token and data.get("admin_token") == mask_key(base.admin_token):
        del data["admin_token"]  # the masked value read from GET, sent back unchanged
    profile = data.get("profile", base.profile)
    if not isinstance(profile, str) or profile not in PROFILES:
        raise APIError(422, f"profile: unknown profile {profile!r} (one of {', '.join(PROFILES)})")
    if "fixtures" in data:  # walks the file system: off the event loop, bounded
        await asyncio.to_thread(check_fixture_dirs, data["fixtures"])
    # Start-up settings minus what the start-up profile preset put there, then the new profile's preset.
    preset = PROFILES[base.profile]
    merged = {
        k: v for k, v in base.model_dump(exclude_unset=True).items() if not (k in preset and preset[k] == v)
    }
    merged.update(PROFILES[profile])
    merged.update(data)
    merged.update({name: getattr(base, name) for name in _START_UP_ONLY})  # GET may show them masked
    try:
        settings = Settings.model_validate(merged)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        message = error["msg"].removeprefix("Value error, ")
        raise APIError(422, f"{'.'.join(str(p) for p in error['loc'])}: {message}") from exc
    try:
        new = await _rebuild(request, settings)
    except FixtureError as exc:
        raise APIError(422, f"fixtures: {exc}") from exc
    await new.publish_settings()  # every worker adopts them on its next request
    request.app.state.settings_overrides = data
    return json_response(_settings_json(new.settings))


async def delete_settings(request: Request, sim: Simulator) -> Response:
    request.app.state.settings_overrides = {}
    new = await _rebuild(request, request.app.state.base_settings)
    await new.publish_settings()
    return json_response(_settings_json(new.settings))


# -- clock ---------------------------------------------------------------------------------------------
def _clock_body(sim: Simulator) -> dict[str, Any]:
    return {"now": sim.clock.isoformat(), "frozen": sim.clock.frozen}


async def get_clock(request: Request, sim: Simulator) -> Response:
    return json_response(_clock_body(sim))


async def put_clock(request: Request, sim: Simulator) -> Response:
    data = await _body(request)
    at = instant(data, "now")
    advance = finite_seconds(data, "advance_seconds")
    if data.get("frozen") not in (None, True, False):
        raise APIError(422, "frozen: must be true or false")
    before = sim.clock.state
    try:
        if data.get("frozen") is True:
            sim.clock.freeze(at)  # freeze exactly at `now` when both are given
        elif at is not None:
            sim.clock.set(at)
        if data.get("frozen") is False:
            sim.clock.unfreeze()
        if advance is not None:
            sim.clock.advance(advance)
        if sim.clock.now().year > LATEST_YEAR:
            raise OverflowError(f"the clock would pass the year {LATEST_YEAR}")
    except (ValueError, TypeError, OverflowError) as exc:
        sim.clock.load(before)  # a refused change leaves the clock as it was
        raise APIError(422, f"advance_seconds: {exc}") from exc
    await sim.clock_changed()
    return json_response(_clock_body(sim))


# -- accounts ------------------------------------------------------------------------------------------
async def _account_body(sim: Simulator, account: AccountRecord) -> dict[str, Any]:
    balances = await sim.store.get_balances(account.user_id)
    return {
        "key": account.key,
        "user_id": account.user_id,
        "tier": account.tier,
        "credit": float(balances.credit),
        "free_credit": float(balances.free_credit),
        "referral_credits": float(balances.referral_credits),
        "total_credits": float(balances.total),
        "limits": account.limits,
    }


async def list_accounts(request: Request, sim: Simulator) -> Response:
    accounts = await sim.store.list_accounts()
    return json_response({"accounts": [await _account_body(sim, a) for a in accounts]})


async def get_account(request: Request, sim: Simulator) -> Response:
    account = await sim.store.get_account(request.path_params["key"])
    if account is None:
        raise APIError(404, "No such account")
    return json_response(await _account_body(sim, account))


def _decimal(data: dict[str, Any], name: str, default: Decimal) -> Decimal:
    return money(data, name, default)


async def put_account(request: Request, sim: Simulator) -> Response:
    key = request.path_params["key"]
    data = await _body(request)
    # "key" and "total_credits" are what GET shows: a GET → PUT round trip works (the total is derived).
    unknown = set(data) - {"tier", "credit", "free_credit", "referral_credits", "user_id", "limits"}
    unknown -= {"key", "total_credits"}
    if unknown:
        raise APIError(422, f"unknown account field(s): {', '.join(sorted(unknown))}")
    if data.get("key", key) != key:
        raise APIError(422, f"key: must be the key in the path ({key!r}), got {data['key']!r}")
    existing = await sim.store.get_account(key)
    for name in ("credit", "free_credit", "referral_credits"):
        money(data, name, Decimal(0))  # a bad amount is refused before anything is stored
    user_id = optional_string(data, "user_id") or (existing.user_id if existing else default_user_id(key))
    tier = data.get("tier", existing.tier if existing else None)
    if tier is not None and not isinstance(tier, str):
        raise APIError(422, "tier: must be one of free, premium, enterprise")
    window_limits(data, "limits")  # refused before anything is stored
    if tier is None:  # a new key of an existing user takes that user's tier (a user has one tier)
        same_user = [a for a in await sim.store.list_accounts() if a.user_id == str(user_id)]
        tier = same_user[0].tier if same_user else "free"
    if tier not in ("free", "premium", "enterprise"):
        raise APIError(422, "tier must be one of free, premium, enterprise")
    limits = data.get("limits", existing.limits if existing else None)
    account = AccountRecord(key, str(user_id), tier, limits)
    await sim.store.put_account(account)
    current = await sim.store.get_balances(account.user_id)
    balances = Balances(
        _decimal(data, "credit", current.credit),
        _decimal(data, "free_credit", current.free_credit),
        _decimal(data, "referral_credits", current.referral_credits),
    )
    await sim.store.set_balances(account.user_id, balances)
    return json_response(await _account_body(sim, account))


# -- journal, violations -----------------------------------------------------------------------------
async def get_journal(request: Request, sim: Simulator) -> Response:
    return json_response({"entries": await sim.store.journal_list()})


async def clear_journal(request: Request, sim: Simulator) -> Response:
    await sim.store.journal_clear()
    return json_response({"entries": []})


async def get_violations(request: Request, sim: Simulator) -> Response:
    total, entries = await sim.store.violations_list()
    return json_response({"total": total, "count": len(entries), "violations": entries})


async def clear_violations(request: Request, sim: Simulator) -> Response:
    await sim.store.violations_clear()
    return json_response({"total": 0, "count": 0, "violations": []})


# -- faults ----------------------------------------------------------------------------------------------
async def list_faults(request: Request, sim: Simulator) -> Response:
    return json_response({"faults": sim.faults.list_rules()})


async def add_fault(request: Request, sim: Simulator) -> Response:
    rule = sim.faults.add_rule(await _body(request))
    await sim.faults.save()
    return json_response(rule, 201)


async def clear_faults(request: Request, sim: Simulator) -> Response:
    sim.faults.clear()
    await sim.faults.save()
    return json_response({"faults": []})


async def delete_fault(request: Request, sim: Simulator) -> Response:
    if not sim.faults.delete_rule(request.path_params["rule_id"]):
        raise APIError(404, "No such fault rule")
    await sim.faults.save()
    return json_response({"faults": sim.faults.list_rules()})


# -- fixtures --------------------------------------------------------------------------------------------
async def add_fixtures(request: Request, sim: Simulator) -> Response:
    data = await _body(request)
    rules = data.get("rules")
    if not isinstance(rules, list):
        raise APIError(422, 'Body must be {"rules": [ ...fixture rules... ]}')
    try:
        added = sim.fixtures.add_rules(rules)
    except FixtureError as exc:
        return json_response(exc.to_json(), 422)
    await sim.publish_fixtures(rules)  # every worker uses them from its next request
    return json_response({"added": added}, 201)


async def clear_fixtures(request: Request, sim: Simulator) -> Response:
    sim.fixtures.clear_runtime()
    await sim.publish_fixtures(None)
    return json_response({"status": "cleared"})


def _with_recording_problems(report: dict[str, Any], problems: tuple[Any, ...]) -> dict[str, Any]:
    """A reload report that also says what is wrong in the recorded exchanges of the same files."""
    if not problems:
        return report
    return {**report, "ok": False, "errors": [*report.get("errors", []), *(str(p) for p in problems)]}


async def get_fixtures(request: Request, sim: Simulator) -> Response:
    """Active rules and the last reload report (``ok``, ``files``, ``errors``), recordings included."""
    if sim.fixtures.watch:
        sim.fixtures.maybe_reload()  # report what the files say now (throttled like the watcher)
    summary = sim.fixtures.summary()
    recordings = request.app.state.recordings
    if recordings is not None:
        recordings.maybe_reload()
        last = summary.get("last_reload") or {"ok": True, "errors": []}
        summary["last_reload"] = _with_recording_problems(last, recordings.problems)
    return json_response(summary)


async def reload_fixtures(request: Request, sim: Simulator) -> Response:
    result = sim.fixtures.reload().to_json()
    recordings = request.app.state.recordings
    if recordings is not None:
        result = _with_recording_problems(result, recordings.reload())
    return json_response(result, 200 if result["ok"] else 422)


def control_routes() -> list[Route]:
    p = CONTROL_PREFIX
    return [
        Route(f"{p}/reset", _guard(reset), methods=["POST"]),
        Route(f"{p}/settings", _guard(get_settings), methods=["GET"]),
        Route(f"{p}/settings", _guard(put_settings), methods=["PUT"]),
        Route(f"{p}/settings", _guard(delete_settings), methods=["DELETE"]),
        Route(f"{p}/clock", _guard(get_clock), methods=["GET"]),
        Route(f"{p}/clock", _guard(put_clock), methods=["PUT"]),
        Route(f"{p}/accounts", _guard(list_accounts), methods=["GET"]),
        # ``path``: a key may hold "/" (sent as %2F, which the server decodes before routing).
        Route(f"{p}/accounts/{{key:path}}", _guard(get_account), methods=["GET"]),
        Route(f"{p}/accounts/{{key:path}}", _guard(put_account), methods=["PUT"]),
        Route(f"{p}/journal", _guard(get_journal), methods=["GET"]),
        Route(f"{p}/journal", _guard(clear_journal), methods=["DELETE"]),
        Route(f"{p}/violations", _guard(get_violations), methods=["GET"]),
        Route(f"{p}/violations", _guard(clear_violations), methods=["DELETE"]),
        Route(f"{p}/faults", _guard(list_faults), methods=["GET"]),
        Route(f"{p}/faults", _guard(add_fault), methods=["POST"]),
        Route(f"{p}/faults", _guard(clear_faults), methods=["DELETE"]),
        Route(f"{p}/faults/{{rule_id}}", _guard(delete_fault), methods=["DELETE"]),
        Route(f"{p}/fixtures", _guard(get_fixtures), methods=["GET"]),
        Route(f"{p}/fixtures", _guard(add_fixtures), methods=["POST"]),
        Route(f"{p}/fixtures", _guard(clear_fixtures), methods=["DELETE"]),
        Route(f"{p}/fixtures/reload", _guard(reload_fixtures), methods=["POST"]),
    ]
