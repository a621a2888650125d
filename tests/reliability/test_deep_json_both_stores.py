"""Issue #13 item 3: deep JSON gives the same answer on both stores, and costs nothing.

A junk field nested 300 levels (deeper than orjson's 254) at the top of the body or inside
``agent_config``: the memory store and the Redis store answer the same 4xx (the parser's depth bound,
``mockswarms.limits.MAX_JSON_DEPTH``), nothing is charged. A body at the bound is served and charged
on both stores alike (the store writes what the parser admits).
"""

from __future__ import annotations

import os
from decimal import Decimal
from typing import Any

import httpx
import pytest

from mockswarms.limits import MAX_JSON_DEPTH
from mockswarms.testing.server import serve

KEY = {"x-api-key": "sk-mock-premium"}


def _nested(levels: int) -> Any:
    value: Any = "leaf"
    for _ in range(levels):
        value = {"x": value}
    return value


def _bodies() -> dict[str, Any]:
    config = {"agent_name": "Deep", "model_name": "gpt-4o"}
    return {
        "junk_field": {"agent_config": config, "task": "hi", "junk": _nested(300)},
        "in_agent_config": {"agent_config": {**config, "junk": _nested(300)}, "task": "hi"},
        "at_the_bound": {"agent_config": config, "task": "hi", "junk": _nested(MAX_JSON_DEPTH - 2)},
    }


def _answers(store: str) -> dict[str, tuple[int, str, Decimal]]:
    answers = {}
    running = serve(store=store, now="2026-03-01T12:00:00Z")
    with running as server, httpx.Client(base_url=server.base_url) as c:
        assert c.post("/__mockswarms/reset").status_code == 200
        for name, body in _bodies().items():
            before = Decimal(str(c.get("/__mockswarms/accounts/sk-mock-premium").json()["total_credits"]))
            r = c.post("/v1/agent/completions", json=body, headers=KEY)
            after = Decimal(str(c.get("/__mockswarms/accounts/sk-mock-premium").json()["total_credits"]))
            shape = r.json()["detail"][0]["type"] if r.status_code == 422 else r.json()["usage"]["total_cost"]
            answers[name] = (r.status_code, str(shape), before - after)
    return answers


@pytest.mark.redis
def test_deep_json_same_answer_on_memory_and_redis(redis_url: str) -> None:
    memory = _answers("memory")
    redis = _answers(redis_url.rsplit("/", 1)[0] + f"/{os.getpid() % 8 + 8}")
    assert memory == redis
    assert memory["junk_field"][0] == memory["in_agent_config"][0] == 422
    assert memory["junk_field"][2] == memory["in_agent_config"][2] == 0
    status, _, charged = memory["at_the_bound"]
    assert status == 200 and charged > 0
