"""The dashboard's routes in the full contract: its static pages (HTML, JavaScript, CSS), the live
journal feed (``text/event-stream``, never ends) and its two JSON read-outs. Kept apart from the JSON
control API (``openapi._CONTROL``) because their responses are not the generic JSON object.

``GET /__mockswarms/events`` is marked ``x-mockswarms-endless: true``: a runner that reads whole bodies
waits on every case of it until its request timeout (or forever without one), so ``mockswarms verify``
skips operations carrying the mark (see ``endless_operation``), and other runners can skip it by its
operation id ``controlEvents``.
"""

from __future__ import annotations

from typing import Any

from mockswarms.paths import CONTROL_PREFIX

__all__ = ["ENDLESS_MARK", "dashboard_paths", "endless_operation"]

ENDLESS_MARK = "x-mockswarms-endless"
_PREFIX = CONTROL_PREFIX
# As the control API: open to loopback clients, or the admin token.
_SECURITY: list[dict[str, list[str]]] = [{}, {"AdminBearer": []}]


def _error(status: int) -> dict[str, str]:
    return {"$ref": f"#/components/responses/Error{status}"}


def _text(media_types: tuple[str, ...], description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {media: {"schema": {"type": "string"}} for media in media_types},
    }


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _op(op_id: str, summary: str, responses: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "operationId": op_id,
        "summary": summary,
        "tags": ["control"],
        "security": _SECURITY,
        **extra,
        "responses": responses,
    }


_STRING = {"type": "string"}
_DECIMAL_STRING = {"type": "string", "description": "An exact decimal amount in USD"}
_KEY_PARAM = {"name": "key", "in": "path", "required": True, "schema": _STRING}

_WINDOW = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "enum": ["minute", "hour", "day"]},
        "used": {"type": "integer", "minimum": 0},
        "limit": {"type": "integer", "minimum": 0},
        "resets_in": {"type": "number", "minimum": 0, "description": "Simulated seconds"},
    },
    "required": ["name", "used", "limit", "resets_in"],
}
_SPEND_POINT = {
    "type": "object",
    "properties": {
        "at": {"type": ["string", "null"], "description": "Simulated time of the charge"},
        "cost": _DECIMAL_STRING,
        "total": _DECIMAL_STRING,
    },
    "required": ["at", "cost", "total"],
}
_ACCOUNT_USAGE = {
    "type": "object",
    "properties": {
        "key": {"type": "string", "description": "The API key, masked"},
        "user_id": _STRING,
        "tier": _STRING,
        "now": {"type": "string", "description": "The simulator clock (ISO 8601)"},
        "windows": {"type": "array", "items": _WINDOW},
        "spend": {"type": "array", "items": _SPEND_POINT, "description": "Oldest first, at most 1000"},
        "spent": _DECIMAL_STRING,
    },
    "required": ["key", "user_id", "tier", "now", "windows", "spend", "spent"],
}
_FAULT_STATS = {
    "type": "object",
    "properties": {
        "faults": {
            "type": "array",
            "items": {
                "type": "object",
                "description": "A fault rule as added, with its counters",
                "properties": {
                    "id": _STRING,
                    "matched": {"type": "integer", "minimum": 0},
                    "fired": {"type": "integer", "minimum": 0},
                },
                "required": ["id", "matched", "fired"],
            },
        }
    },
    "required": ["faults"],
}


def _event(name: str, description: str, data: dict[str, Any], with_id: bool = False) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "event": {"const": name},
        "data": {"type": "string", "contentMediaType": "application/json", "contentSchema": data},
    }
    if with_id:
        properties["id"] = {"type": "string", "description": "The journal id"}
    return {
        "type": "object",
        "description": description,
        "properties": properties,
        "required": ["event", "data", *(["id"] if with_id else [])],
    }


_EVENTS_STREAM = {
    "schema": {
        "description": "One Server-Sent Event; a `: ping` comment every 15 seconds keeps the feed open",
        "anyOf": [
            _event(
                "entry",
                "A journal entry with `cost` (the cost the response reported, exact decimal, or null)",
                {
                    "type": "object",
                    "properties": {"id": {"type": "integer"}, "cost": {"type": ["string", "null"]}},
                    "required": ["id", "cost"],
                },
                with_id=True,
            ),
            _event("reset", "The simulator was reset: earlier entries are gone", {"type": "object"}),
            _event(
                "skipped",
                "More entries arrived in one poll than are sent (100); only the newest follow",
                {
                    "type": "object",
                    "properties": {"count": {"type": "integer", "minimum": 1}},
                    "required": ["count"],
                },
            ),
        ],
    }
}


def dashboard_paths() -> dict[str, dict[str, dict[str, Any]]]:
    """Path item per dashboard route (GET only; each also answers HEAD)."""
    ui = f"{_PREFIX}/ui"
    return {
        ui: {
            "get": _op(
                "controlDashboardRedirect",
                "Redirect to the dashboard (its page needs the trailing slash)",
                {
                    "308": {
                        "description": "Permanent redirect",
                        "headers": {"Location": {"schema": {"const": f"{ui}/"}}},
                    },
                    "403": _error(403),
                },
            )
        },
        f"{ui}/": {
            "get": _op(
                "controlDashboard",
                "The dashboard page",
                {"200": _text(("text/html",), "The dashboard's HTML page"), "403": _error(403)},
            )
        },
        f"{ui}/{{name}}": {
            "get": _op(
                "controlDashboardAsset",
                "One of the dashboard's files: index.html, app.js or style.css",
                {
                    "200": _text(("text/html", "text/javascript", "text/css"), "The file"),
                    "403": _error(403),
                    "404": _error(404),
                },
                parameters=[{"name": "name", "in": "path", "required": True, "schema": _STRING}],
            )
        },
        f"{_PREFIX}/events": {
            "get": _op(
                "controlEvents",
                "The request journal as a live Server-Sent Events feed (never ends)",
                {
                    "200": {
                        "description": "The entries already journaled (after `after`), then each new one; "
                        "the stream stays open until the client leaves",
                        "content": {"text/event-stream": _EVENTS_STREAM},
                    },
                    "401": _error(401),
                    "403": _error(403),
                    "422": _error(422),
                    "429": _error(429),
                },
                description="At most 8 feeds at once per worker (429 beyond). Never ends: test runners "
                "must skip it (`mockswarms verify` does, by the `x-mockswarms-endless` mark).",
                parameters=[
                    {
                        "name": "after",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "integer", "minimum": 0},
                    },
                    {"name": "Last-Event-ID", "in": "header", "required": False, "schema": _STRING},
                ],
                **{ENDLESS_MARK: True},
            )
        },
        f"{_PREFIX}/accounts/{{key}}/usage": {
            "get": _op(
                "controlAccountUsage",
                "An account's rate windows and its spend over simulated time",
                {
                    "200": _json(_ACCOUNT_USAGE, "Rate windows and spend"),
                    "401": _error(401),
                    "403": _error(403),
                    "404": _error(404),
                },
                parameters=[_KEY_PARAM],
            )
        },
        f"{_PREFIX}/faults/stats": {
            "get": _op(
                "controlFaultStats",
                "Every fault rule with how many requests it matched and fired on",
                {
                    "200": _json(_FAULT_STATS, "Fault rules with counters"),
                    "401": _error(401),
                    "403": _error(403),
                },
            )
        },
    }


def endless_operation(definition: dict[str, Any]) -> bool:
    """True for an operation whose response never ends (marked ``x-mockswarms-endless``)."""
    return bool(definition.get(ENDLESS_MARK))
