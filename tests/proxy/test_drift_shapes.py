"""compare_shape and the SSE splitter, without servers."""

from __future__ import annotations

from mockswarms.proxy.drift import MAX_LIST_ITEMS, compare_shape
from mockswarms.proxy.sse import SseSplitter

OP = "GET /v1/swarm/logs"


def _paths(expected: object, got: object) -> list[tuple[str, object, object]]:
    return [(f.path, f.expected, f.got) for f in compare_shape(expected, got, "$.body", OP)]


def test_values_that_legitimately_differ_are_compared_by_type() -> None:
    sim = {"job_id": "agent-1", "usage": {"input_tokens": 3, "total_cost": 0.1}, "timestamp": "t1"}
    upstream = {"job_id": "agent-xyz", "usage": {"input_tokens": 999, "total_cost": 2}, "timestamp": "t2"}
    assert _paths(sim, upstream) == []


def test_enum_like_values_must_be_equal_and_null_is_tolerated() -> None:
    assert _paths(
        {"object": "chat.completion", "description": None}, {"object": "chat", "description": "d"}
    ) == [("$.body.object", "chat.completion", "chat")]


def test_mixed_lists_are_compared_item_by_item_with_the_closest_shape() -> None:
    sim = {"logs": [{"kind": "agent", "outputs": []}, {"kind": "swarm", "output": [], "swarm_type": "X"}]}
    upstream = {
        "logs": [
            {"kind": "swarm", "output": [], "swarm_type": "X"},
            {"kind": "agent", "outputs": [], "extra": 1},
        ]
    }
    assert _paths(sim, upstream) == [("$.body.logs[1].extra", None, "extra")]


def test_list_work_is_bounded() -> None:
    many = [{"a": "x"}] * (MAX_LIST_ITEMS + 10)
    assert len(_paths([{"b": 1}], many)) == 2 * MAX_LIST_ITEMS  # one missing + one unexpected key per item


def test_sse_frames_split_across_chunks_and_multibyte_characters() -> None:
    splitter = SseSplitter()
    payload = 'event: chunk\ndata: {"content": "caf\u00e9"}\n\n: ping\n\ndata: [DONE]\n\n'.encode()
    cut = payload.index("\u00e9".encode()) + 1  # inside the two-byte é
    splitter.feed(payload[:cut], 0.1)
    assert splitter.frames == []
    splitter.feed(payload[cut:], 0.2)
    splitter.close(0.3)
    assert [(e.event, e.data, e.at) for e in splitter.frames] == [
        ("chunk", '{"content": "caf\u00e9"}', 0.2),
        ("message", "[DONE]", 0.2),
    ]
    assert [text for _, text in splitter.raw_frames] == [
        'event: chunk\ndata: {"content": "caf\u00e9"}\n\n',
        ": ping\n\n",
        "data: [DONE]\n\n",
    ]


def test_account_answers_are_not_compared_with_the_simulators_account() -> None:
    from mockswarms.config import load_settings
    from mockswarms.http.routes import contract_document
    from mockswarms.proxy.contract_check import ContractChecker
    from mockswarms.proxy.drift import Answer, exchange_drift

    checker, settings = ContractChecker(contract_document()), load_settings({}, environ={})
    ok = Answer(200, {"content-type": "application/json"}, b'{"status": "ok"}', None)
    limited = Answer(429, {"content-type": "application/json"}, b'{"detail": "Rate limit exceeded"}', None)
    # The simulator's own account ran out of rate: not the upstream's fault.
    assert exchange_drift("GET", "/health", ok, limited, checker, settings) == []
    # The caller's account was refused upstream: nothing to compare with the simulator's account.
    assert exchange_drift("GET", "/health", limited, ok, checker, settings) == []
    # A plain status difference is drift.
    missing = Answer(404, {"content-type": "application/json"}, b'{"detail": "Not Found"}', None)
    found = exchange_drift("GET", "/health", missing, ok, checker, settings)
    assert [(f.path, f.expected, f.got, f.side) for f in found] == [("$.status", 200, 404, "simulator")]
