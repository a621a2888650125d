"""Fault injection: rules that make chosen requests fail, slow down, or break on the wire.

A rule is ``{id, match, selector, action}``:

- ``match``: which requests it looks at — ``path`` (glob), ``method``, ``key``, ``user``,
  ``endpoint`` (family, see :func:`endpoint_family`), and from the JSON body when present
  ``swarm_type``, ``model`` and ``agent_name`` (globs; any agent of a swarm may match).
- ``selector``: which of the matching requests it fires on — ``every_nth``, ``first_n``,
  ``after_n``, ``probability`` (drawn from ``entropy.derive("fault", rule_id, match_index)``, so the
  same seed and request sequence fault the same requests), and a ``from``/``until`` window on the
  simulator clock. All given conditions must hold. The match index is a counter in the state store,
  so it is shared by every worker.
- ``action`` (``type``): ``error`` (the API's own bodies and headers), ``latency`` (fixed / uniform /
  lognormal, before the first byte or before every chunk), ``reset``, ``empty``, ``truncate``,
  ``malformed_json``, ``drip``, and SSE frame faults ``sse_disconnect``, ``sse_malformed``,
  ``sse_duplicate``, ``sse_drop_terminal``, ``sse_stall``.

Rules are checked in order; the first that fires wins. The opt-in request header
``X-Mockswarms-Fault`` (``settings.fault_header_enabled``) adds a one-request rule with id
``header``; see :func:`parse_header` for its syntax. :class:`FaultMiddleware` applies the decision
at the ASGI level and leaves the rule id in ``scope["state"]["fault_rule"]`` for the journal.


The package: ``rules`` (the models), ``header`` (the header syntax), ``engine`` (deciding, counters in
the store), ``error_replies`` (error bodies) and ``wire/`` (the ASGI middleware and the effects on the
connection: resets, truncation, drips, SSE frame surgery) — the only part that knows ASGI types.
"""

from mockswarms.faults.engine import FaultDecision, FaultEngine, RequestInfo
from mockswarms.faults.error_replies import error_response
from mockswarms.faults.header import FAULT_HEADER, parse_header
from mockswarms.faults.rules import (
    DripAction,
    EmptyAction,
    ErrorAction,
    FaultAction,
    FaultMatch,
    FaultRule,
    FaultSelector,
    LatencyAction,
    MalformedJsonAction,
    ResetAction,
    SseDisconnectAction,
    SseDropTerminalAction,
    SseDuplicateAction,
    SseMalformedAction,
    SseStallAction,
    TruncateAction,
    endpoint_family,
)
from mockswarms.faults.wire import CONTROL_PREFIX, FaultMiddleware

__all__ = [
    "CONTROL_PREFIX",
    "FAULT_HEADER",
    "DripAction",
    "EmptyAction",
    "ErrorAction",
    "FaultAction",
    "FaultDecision",
    "FaultEngine",
    "FaultMatch",
    "FaultMiddleware",
    "FaultRule",
    "FaultSelector",
    "LatencyAction",
    "MalformedJsonAction",
    "RequestInfo",
    "ResetAction",
    "SseDisconnectAction",
    "SseDropTerminalAction",
    "SseDuplicateAction",
    "SseMalformedAction",
    "SseStallAction",
    "TruncateAction",
    "endpoint_family",
    "error_response",
    "parse_header",
]
