"""The opt-in ``X-Mockswarms-Fault`` request header: a JSON action or ``;``-separated tokens."""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import ValidationError

from mockswarms.errors import ValidationFailed, fastapi_error_item
from mockswarms.faults.rules import RULE_ADAPTER

FAULT_HEADER = "x-mockswarms-fault"


_HEADER_HELP = (
    "X-Mockswarms-Fault: a JSON action object, or ';'-separated tokens: status=503[,retry_after=2]"
    " | detail=TEXT | latency=0.5 | latency=uniform:0.1:0.5 | latency=lognormal:MEDIAN:SIGMA"
    " | chunk_latency=0.01 | reset | empty | truncate[=0.5] | malformed_json | drip[=BYTES:INTERVAL]"
    " | sse_disconnect_after=N | sse_malformed=N | sse_duplicate=N | sse_drop_terminal"
    " | sse_stall=N:SECONDS"
)


def _header_tokens(value: str) -> dict[str, Any]:
    tokens = [t.strip() for t in value.replace(",", ";").split(";") if t.strip()]
    data: dict[str, Any] = {}
    for token in tokens:
        name, _, arg = token.partition("=")
        name, arg = name.strip().lower(), arg.strip()
        parts = arg.split(":") if arg else []
        if name == "status":
            data.update(type="error", status=int(arg))
        elif name in ("retry_after", "detail"):
            data[name] = arg
        elif name in ("latency", "chunk_latency"):
            data.update(type="latency", apply_to="chunk" if name == "chunk_latency" else "ttfb")
            if parts and parts[0] in ("uniform", "lognormal", "fixed"):
                data["distribution"] = parts[0]
                parts = parts[1:]
            dist = data.get("distribution", "fixed")
            keys = {"fixed": ("seconds",), "uniform": ("low", "high"), "lognormal": ("median", "sigma")}[dist]
            if len(parts) != len(keys):
                raise ValueError(f"{name} needs {':'.join(keys)}")
            data.update(zip(keys, parts, strict=True))
        elif name in ("reset", "empty", "malformed_json", "sse_drop_terminal"):
            data["type"] = name
        elif name == "truncate":
            data["type"] = "truncate"
            if arg:
                data["fraction"] = arg
        elif name == "drip":
            data["type"] = "drip"
            data.update(zip(("chunk_bytes", "interval"), parts, strict=False))
        elif name == "sse_disconnect_after":
            data.update(type="sse_disconnect", after_events=arg)
        elif name in ("sse_malformed", "sse_duplicate"):
            data.update(type=name, event=arg or 1)
        elif name == "sse_stall":
            data.update(type="sse_stall", event=parts[0] if parts else 1)
            if len(parts) > 1:
                data["seconds"] = parts[1]
        else:
            raise ValueError(f"unknown token {name!r}")
    if "type" not in data:
        raise ValueError("no fault given")
    return data


def parse_header(value: str) -> Any:
    """Parse ``X-Mockswarms-Fault`` into an action model. Raises ValidationFailed (422) when bad.

    Examples: ``status=503`` · ``status=429;retry_after=2`` · ``latency=0.25`` ·
    ``latency=uniform:0.1:0.3`` · ``chunk_latency=0.01`` · ``reset`` · ``truncate=0.3`` ·
    ``drip=8:0.01`` · ``sse_disconnect_after=3`` · ``sse_stall=2:0.5`` ·
    ``{"type": "error", "status": 502, "detail": "upstream down"}``.
    """
    loc = ("header", FAULT_HEADER)
    try:
        text = value.strip()
        data = orjson.loads(text) if text.startswith("{") else _header_tokens(text)
        if not isinstance(data, dict):
            raise ValueError("must be a JSON object")
        return RULE_ADAPTER.validate_python({"action": data}).action
    except ValidationError as exc:
        items = [
            fastapi_error_item([*loc, *(str(p) for p in e["loc"][1:])], e["msg"], e["type"])
            for e in exc.errors(include_url=False)
        ]
        raise ValidationFailed(items) from exc
    except (ValueError, orjson.JSONDecodeError) as exc:
        raise ValidationFailed(
            [fastapi_error_item(list(loc), f"{exc}. {_HEADER_HELP}", "value_error", value)]
        ) from exc
