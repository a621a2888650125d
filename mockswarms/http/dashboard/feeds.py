"""Read-only control endpoints the dashboard needs beyond the control API's own:

- ``GET /__mockswarms/events``: the request journal as server-sent events (``event: entry``, ``id`` =
  journal id, data = the journal entry plus ``cost``), first the entries already there (after
  ``?after=<id>`` / ``Last-Event-ID``), then each new one as it is recorded; ``event: reset`` when the
  simulator was reset; ``event: skipped`` (``{"count"}``) when more than ``MAX_PER_POLL`` arrived
  within one poll after the first (only the newest are sent). The journal lives in the state store, so every
  worker's requests show up.
  At most ``MAX_FEEDS`` feeds at once (429 beyond), each polling the store every ``POLL_SECONDS``.
- ``GET /__mockswarms/accounts/{key}/usage``: rate windows (used / limit / resets in) and spend over
  simulated time (from the account's log rows, oldest first).
- ``GET /__mockswarms/faults/stats``: every fault rule with how many requests it matched and fired on.

Protected exactly like the control API (same guard).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal, InvalidOperation
from typing import Any

from sse_starlette import EventSourceResponse
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from mockswarms.engine.simulator import Caller, Simulator
from mockswarms.errors import APIError
from mockswarms.http.control import _guard
from mockswarms.http.responses import CONTROL_PREFIX, dumps, json_response
from mockswarms.journal import mask_key
from mockswarms.state.base import WINDOWS

__all__ = ["MAX_FEEDS", "MAX_PER_POLL", "POLL_SECONDS", "feed_routes", "reported_cost"]

MAX_FEEDS = 8  # concurrent /events streams per worker process: forgotten tabs cannot pile up pollers
POLL_SECONDS = 0.1  # journal poll period; an entry reaches the page within about this
MAX_PER_POLL = 100  # entries sent per poll at most (1000/s); more are announced as `event: skipped`
PING_SECONDS = 15  # keep-alive comment so proxies do not close an idle feed
MAX_SPEND_POINTS = 1000  # spend series length cap (log rows are bounded per user anyway)


def reported_cost(body: Any) -> str | None:
    """The cost a response (or log row) reported to the client, as an exact decimal string:
    ``cost`` at the top, else ``usage.total_cost``, else ``usage.billing_info.total_cost``."""
    if not isinstance(body, dict):
        return None
    candidates: list[Any] = [body.get("cost")]
    usage = body.get("usage")
    if isinstance(usage, dict):
        candidates.append(usage.get("total_cost"))
        billing = usage.get("billing_info")
        if isinstance(billing, dict):
            candidates.append(billing.get("total_cost"))
    for value in candidates:
        if isinstance(value, int | float | str) and not isinstance(value, bool):
            try:
                return str(Decimal(str(value)))
            except InvalidOperation:
                continue
    return None


def _with_cost(entry: dict[str, Any]) -> dict[str, Any]:
    if entry.get("cost") is None:
        return {**entry, "cost": reported_cost(entry.get("response"))}
    return entry


# -- live journal ------------------------------------------------------------------------------------
def _start_after(request: Request) -> int:
    raw = request.query_params.get("after") or request.headers.get("last-event-id") or "0"
    try:
        after = int(raw)
    except ValueError as exc:
        raise APIError(422, "after must be an integer journal id") from exc
    if after < 0:
        raise APIError(422, "after must be an integer journal id")
    return after


async def _journal_feed(request: Request, after: int) -> AsyncIterator[dict[str, Any]]:
    sent: set[int] = set()
    last_seq = after  # a client resuming past the newest id saw a simulator since reset or restarted
    quiet_polls = 0
    backlog = True  # the first poll sends what the journal holds (bounded by journal_size) in full
    while True:
        simulator: Simulator = request.app.state.simulator  # settings changes swap the simulator
        store = simulator.store
        seq = await store.incr("journal_seq", 0)
        if 0 <= seq < last_seq:  # ids went backwards: the simulator was reset
            sent.clear()
            after = 0
            yield {"event": "reset", "data": "{}"}
        if seq != last_seq:
            quiet_polls = 0
        last_seq = seq
        # Ids are drawn before an entry is stored: keep looking for a few polls after a change so an
        # entry stored late (or out of order) is still sent.
        if quiet_polls < 5:
            quiet_polls += 1
            entries = [e for e in await store.journal_list() if int(e.get("id", 0)) > after]
            present = {int(e["id"]) for e in entries}
            fresh = sorted((e for e in entries if int(e["id"]) not in sent), key=lambda e: int(e["id"]))
            if len(fresh) > MAX_PER_POLL and not backlog:  # a load test: the newest, and how many not
                skipped, fresh = fresh[:-MAX_PER_POLL], fresh[-MAX_PER_POLL:]
                yield {"event": "skipped", "data": dumps({"count": len(skipped)}).decode()}
            for entry in fresh:
                data = dumps(_with_cost(entry)).decode()
                yield {"event": "entry", "id": str(entry["id"]), "data": data}
            sent = present  # ids gone from the ring buffer never come back
            backlog = False
        await asyncio.sleep(POLL_SECONDS)


async def events(request: Request, sim: Simulator) -> Response:
    after = _start_after(request)
    app_state = request.app.state
    if getattr(app_state, "dashboard_feeds", 0) >= MAX_FEEDS:
        raise APIError(429, f"Too many open event feeds (at most {MAX_FEEDS}); close a dashboard tab")

    async def feed() -> AsyncIterator[dict[str, Any]]:
        # Counted while the generator runs: one that never starts (client gone at once) never counts.
        app_state.dashboard_feeds = getattr(app_state, "dashboard_feeds", 0) + 1
        try:
            async for event in _journal_feed(request, after):
                yield event
        finally:
            app_state.dashboard_feeds -= 1

    return EventSourceResponse(feed(), ping=PING_SECONDS, headers={"Cache-Control": "no-store"})


# -- account usage ----------------------------------------------------------------------------------
async def account_usage(request: Request, sim: Simulator) -> Response:
    key = request.path_params["key"]
    account = await sim.store.get_account(key)
    if account is None:
        raise APIError(404, "No such account")
    now = sim.clock.timestamp()
    windows, _ = await sim.windows(Caller(key, account, "127.0.0.1"))
    rows = list(reversed(await sim.store.list_logs(account.user_id)))[-MAX_SPEND_POINTS:]
    total = Decimal("0")
    spend = []
    for row in rows:
        cost = reported_cost(row) or reported_cost(row.get("data"))
        if cost is None:
            continue
        total += Decimal(cost)
        spend.append({"at": row.get("created_at"), "cost": cost, "total": str(total)})
    return json_response(
        {
            "key": mask_key(key),
            "user_id": account.user_id,
            "tier": account.tier,
            "now": sim.clock.isoformat(),
            "windows": [
                {
                    "name": name,
                    "used": windows[name].count,
                    "limit": windows[name].limit,
                    "resets_in": round(max(windows[name].reset_at - now, 0.0), 3),
                }
                for name in WINDOWS
                if name in windows
            ],
            "spend": spend,
            "spent": str(total),
        }
    )


# -- fault hit counts -------------------------------------------------------------------------------
async def fault_stats(request: Request, sim: Simulator) -> Response:
    rules = [
        {**rule, "matched": await sim.faults.counter(rule["id"]), "fired": await sim.faults.fired(rule["id"])}
        for rule in sim.faults.list_rules()
    ]
    return json_response({"faults": rules})


def feed_routes() -> list[BaseRoute]:
    p = CONTROL_PREFIX
    return [
        Route(f"{p}/events", _guard(events), methods=["GET"]),
        # Before the control API's /accounts/{key:path} (http/app.py): a key may hold "/".
        Route(f"{p}/accounts/{{key:path}}/usage", _guard(account_usage), methods=["GET"]),
        Route(f"{p}/faults/stats", _guard(fault_stats), methods=["GET"]),
    ]
