"""JSON responses and the control API's prefix: the pieces every HTTP module needs, below all of them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import orjson
from starlette.responses import Response

from mockswarms.paths import CONTROL_PREFIX

__all__ = ["CONTROL_PREFIX", "dumps", "json_response"]


def dumps(body: Any) -> bytes:
    try:
        return orjson.dumps(body)
    except (orjson.JSONEncodeError, TypeError):
        # Integers beyond 64 bits (echoed in a 422, say): the stdlib writes them exactly.
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def json_response(body: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    return Response(dumps(body), status_code=status, headers=headers, media_type="application/json")
