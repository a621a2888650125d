"""Public API routes: parse the request, call the simulator's operations, format the reply.

Every handler follows one shape (``_endpoint``): make sure the simulator is started, read the body,
check it against the contract (``request_validation``), authenticate, then hand over to
``operations`` which returns a :class:`~mockswarms.http.endpoints.Reply`.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mockswarms.config import Settings
from mockswarms.engine import gates
from mockswarms.engine.runs import request_budget
from mockswarms.engine.simulator import Caller, Simulator
from mockswarms.errors import APIError, OpenAIError, ValidationFailed
from mockswarms.http import endpoints as operations
from mockswarms.http.endpoints import Reply
from mockswarms.http.responses import dumps, json_response
from mockswarms.http.validation import (
    MAX_VIOLATIONS,
    UNPARSED,
    RequestValidator,
    log_entry,
    violations_detail,
)
from mockswarms.limits import MAX_JSON_DEPTH, may_nest_deeper, too_deep

__all__ = ["public_routes"]

_LONG_NUMBER = re.compile(rb"\d{19,}")
# Bodies larger than this are parsed and checked in a worker thread, so the event loop stays free.
OFF_LOOP_BYTES = 64 * 1024
CONTRACT_FILE = Path(__file__).resolve().parent.parent / "data" / "swarms-api.openapi.json"
FULL_CONTRACT_FILE = CONTRACT_FILE.with_name("swarms-api.full.openapi.json")
# A JSON float has a digit right before its "." or exponent: bytes without one hold no float (a
# string may match too; then the walk just finds nothing to change).
_FLOAT_MARK = re.compile(rb"\d[.eE]")

Operation = Callable[[Simulator, Caller, Any], Awaitable[Reply]]


def _json_error(*, openai: bool, message: str, position: int = 0) -> APIError:
    if openai:
        return OpenAIError(400, "We could not parse the JSON body of your request.", code="invalid_json")
    return ValidationFailed(
        [
            {
                "type": "json_invalid",
                "loc": ["body", position],
                "msg": "JSON decode error",
                "input": {},
                "ctx": {"error": message},
            }
        ]
    )


def _decode(raw: bytes, *, openai: bool, long_numbers: bool) -> Any:
    """Bytes to JSON values, refusing what would break a later step (see ``mockswarms.limits``).
    ``long_numbers``: the bytes hold integers of 19+ digits (``_LONG_NUMBER``)."""
    try:
        # orjson turns integers beyond 64 bits into floats; the stdlib keeps them exact.
        value = json.loads(raw) if long_numbers else orjson.loads(raw)
    except (orjson.JSONDecodeError, json.JSONDecodeError) as exc:
        raise _json_error(openai=openai, message=exc.msg, position=exc.pos) from exc
    except (ValueError, RecursionError) as exc:
        # An integer beyond Python's 4,300-digit conversion limit, or nesting the stdlib cannot
        # follow: FastAPI answers the same 400 for any body its JSON decoder chokes on.
        if openai:
            raise _json_error(openai=True, message=str(exc)) from exc
        raise APIError(400, "There was an error parsing the body") from exc
    if may_nest_deeper(raw) and too_deep(value):
        raise _json_error(openai=openai, message=f"nesting deeper than {MAX_JSON_DEPTH} levels")
    return value


class _Body:
    """A request body read once: its bytes, its JSON (or why it has none) — for the contract check
    and the endpoint alike."""

    __slots__ = ("decoded", "failure", "long_numbers", "raw")

    def __init__(self, raw: bytes, *, openai: bool) -> None:
        self.raw = raw
        self.decoded: Any = UNPARSED
        self.failure: APIError | None = None
        self.long_numbers = _LONG_NUMBER.search(raw) is not None
        if not raw:
            self.failure = (
                _json_error(openai=True, message="empty body")
                if openai
                else ValidationFailed(
                    [{"type": "missing", "loc": ["body"], "msg": "Field required", "input": None}]
                )
            )
            return
        try:
            self.decoded = _decode(raw, openai=openai, long_numbers=self.long_numbers)
        except APIError as exc:
            self.failure = exc

    def for_contract(self) -> Any:
        """What the validator may reuse: orjson's own parse (not the stdlib's exact long integers)."""
        if self.failure is not None or self.long_numbers:
            return UNPARSED
        return self.decoded

    def payload(self) -> Any:
        if self.failure is not None:
            raise self.failure
        if not self.long_numbers and _FLOAT_MARK.search(self.raw) is None:
            return self.decoded  # orjson's parse, and no number in it is a float: nothing to convert
        return _integral(self.decoded)


async def _read_body(request: Request, *, openai: bool) -> _Body:
    raw = await request.body()
    if len(raw) > OFF_LOOP_BYTES:
        return await asyncio.to_thread(_Body, raw, openai=openai)
    return _Body(raw, openai=openai)


def _integral(value: Any) -> Any:
    """``5.0`` is an integer in JSON Schema: make it one, so strict parsing agrees with the contract
    (float fields accept ints; bools and strings stay what they are). Depth is already bounded."""
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, dict):
        return {k: _integral(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_integral(v) for v in value]
    return value


def contract_document() -> dict[str, Any]:
    """The contract this simulator serves (the package's copy of contracts/swarms-api.openapi.json)."""
    data: dict[str, Any] = orjson.loads(CONTRACT_FILE.read_bytes())
    return data


async def _check_contract(request: Request, simulator: Simulator, body: _Body) -> None:
    """Client verification: record contract violations; in ``strict`` mode refuse them with 422."""
    state = request.app.state
    if getattr(state, "request_validator", None) is None:
        state.request_validator = RequestValidator(contract_document())
    validator: RequestValidator = state.request_validator
    raw = body.raw
    args = (request.method, request.scope["path"], request.headers, raw, body.for_contract())
    violations = (
        await asyncio.to_thread(validator.validate, *args)
        if len(raw) > OFF_LOOP_BYTES
        else validator.validate(*args)
    )
    if not violations:
        return
    # One log for every worker, kept by the store (GET /__mockswarms/violations).
    at = simulator.timestamp()
    entries = [log_entry(v, at) for v in violations]
    await simulator.store.violations_add(entries, MAX_VIOLATIONS)
    if simulator.settings.request_validation == "strict" and any(v.blocking for v in violations):
        raise APIError(422, body=violations_detail(violations))


def _gate_named_models(
    request: Request, sim: Simulator, caller: Caller, payload: Any, *, openai: bool
) -> None:
    """The premium-model gate for every model the body names, built-in agents' included (director,
    judge, chairman, HeavySwarm and research models): the endpoint gate first, as in ``admit``."""
    if gates.is_premium_tier(caller.tier):
        return  # neither gate refuses a premium account: no walk of the body
    models = gates.named_models(payload)
    if models:
        gates.check_premium_endpoint(request.scope["path"], caller.tier, sim.settings, openai=openai)
        gates.check_premium_models(models, caller.tier, sim.settings, openai=openai)


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _render(reply: Reply, caller: Caller) -> Response:
    headers = {**caller.rate_headers, **reply.headers}
    if reply.stream is not None:
        return reply.stream(headers)
    return json_response(reply.body, reply.status, headers)


async def _settle_and_render(request: Request, sim: Simulator, caller: Caller, reply: Reply) -> Response:
    """The request's one charge waited for the finished reply: settle it and write the reply's
    journal entry in one store step (one round trip on Redis), before the response goes out."""
    if reply.stream is not None:  # a stream's journal entry waits for its end
        await sim.settle_pending(caller)
        return _render(reply, caller)
    content = dumps(reply.body)
    # The journal middleware's entry builder; absent when the journal is off or a fault rule
    # may still change the bytes on the wire (the middleware records those itself).
    seal = request.scope.get("state", {}).get("journal_seal")
    pending = caller.pending_charge
    charged = caller.charged + (pending.cost if pending is not None else 0)
    headers_before = {**caller.rate_headers, **reply.headers}  # Retry-After cannot come from the charge
    entry = seal(reply.status, content, charged, headers_before) if seal else None
    written = await sim.settle_pending(caller, entry, sim.settings.journal_size)
    if written:
        request.scope["state"]["journal_sealed"] = True
    headers = {**caller.rate_headers, **reply.headers}
    return Response(content, status_code=reply.status, headers=headers, media_type="application/json")


def _endpoint(
    operation: Operation,
    *,
    auth: str = "required",  # "required" | "optional" (public discovery)
    body: bool = False,
    openai: bool = False,
    enabled: Callable[[Settings], bool] | None = None,
    operation_key: str = "",
) -> Callable[[Request], Awaitable[Response]]:
    async def handler(request: Request) -> Response:
        simulator: Simulator = request.app.state.simulator
        if enabled is not None and not enabled(simulator.settings):
            # Switched off: indistinguishable from a path the API does not have.
            raise APIError(404, "Not Found")
        await simulator.ensure_started()
        payload: Any = None
        if body:
            read = await _read_body(request, openai=openai)
            if simulator.settings.request_validation != "off":
                await _check_contract(request, simulator, read)
            payload = read.payload()
        required = auth == "required" or not simulator.settings.public_discovery
        caller = await simulator.authenticate(
            request.headers, _client_ip(request), required=required, openai=openai
        )
        # The journal records what this request was charged (the scope's state: no State object).
        request.scope.setdefault("state", {})["caller"] = caller
        if simulator.settings.response_fuzz:
            return await _fuzzed(simulator, operation_key)
        if body and caller.account is not None:
            _gate_named_models(request, simulator, caller, payload, openai=openai)
        try:
            # All simulated runs of this request together are bounded; prism truncates at the caps.
            with request_budget(truncate=not simulator.settings.semantic_validation):
                reply = await operation(simulator, caller, payload if body else request)
            if caller.pending_charge is not None:
                return await _settle_and_render(request, simulator, caller, reply)
            return _render(reply, caller)
        except APIError as exc:
            # Errors after the limiter ran still carry its headers (e.g. a 400 from validation).
            if caller.rate_headers and exc.status not in (402, 403):
                exc.headers = {**caller.rate_headers, **exc.headers}
            await simulator.undo_charges(caller, f"the request failed with {exc.status}")
            raise
        except Exception as exc:
            # Charged, but the client gets no complete 200 (a store failure mid-batch, a body
            # that cannot be rendered): the charge is given back.
            await simulator.undo_charges(caller, type(exc).__name__)
            raise

    return handler


async def _fuzzed(simulator: Simulator, operation_key: str) -> Response:
    """``response_fuzz``: a seeded, schema-valid random 200 body, to shake out client parsing bugs."""
    from mockswarms.contract.strategies import fuzz_response

    index = await simulator.store.incr(f"fuzz:{operation_key}")
    return json_response(fuzz_response(operation_key, simulator.settings.seed, index))


async def _root(request: Request) -> Response:
    return json_response(
        {"status": "Welcome to the Swarm API. Check out the docs at https://docs.swarms.world"}
    )


async def _health(request: Request) -> Response:
    return json_response({"status": "ok"})


async def _openapi(request: Request) -> Response:
    # The checked-in contract, byte for byte (mockswarms/data/ links to contracts/); with
    # `control_api_in_contract` the full one, which adds the control API and switch-enabled endpoints.
    full = request.app.state.simulator.settings.control_api_in_contract
    return Response(
        (FULL_CONTRACT_FILE if full else CONTRACT_FILE).read_bytes(), media_type="application/json"
    )


def _legacy(settings: Settings) -> bool:
    return settings.legacy_endpoints


def _scheduling(settings: Settings) -> bool:
    return settings.enable_scheduling


def _auto_generate(settings: Settings) -> bool:
    return settings.enable_auto_generate


def _usage_report(settings: Settings) -> bool:
    return settings.enable_usage_report


def _route(path: str, methods: list[str], operation: Operation, **options: Any) -> Route:
    key = f"{methods[0]} {path}"
    return Route(path, _endpoint(operation, operation_key=key, **options), methods=methods)


def public_routes() -> list[Route]:
    ops = operations
    post, get, delete = ["POST"], ["GET"], ["DELETE"]
    return [
        Route("/", _root, methods=get),
        Route("/health", _health, methods=get),
        Route("/openapi.json", _openapi, methods=get),
        _route("/v1/agent/completions", post, ops.agent_completion, body=True),
        _route("/v1/agent/batch/completions", post, ops.agent_batch, body=True),
        _route("/v1/agents/list", get, ops.agents_list),
        _route("/v1/agents/auto-generate", post, ops.auto_generate, body=True, enabled=_auto_generate),
        _route("/v1/swarm/completions", post, ops.swarm_completion, body=True),
        _route("/v1/swarm/batch/completions", post, ops.swarm_batch, body=True),
        _route("/v1/swarm/logs", get, ops.swarm_logs),
        _route("/v1/swarms/available", get, ops.swarms_available, auth="optional"),
        _route("/v1/swarm/schedule", post, ops.schedule_create, body=True, enabled=_scheduling),
        _route("/v1/swarm/schedule", get, ops.schedule_list, enabled=_scheduling),
        _route("/v1/swarm/schedule/{job_id}", delete, ops.schedule_delete, enabled=_scheduling),
        _route("/v1/models/available", get, ops.models_available, auth="optional"),
        _route("/v1/models", get, ops.models_openai, openai=True),
        # Model ids may hold "/" (groq/openai/gpt-oss-120b); the contract's key has no converter.
        Route(
            "/v1/models/{model:path}",
            _endpoint(ops.chat.model_openai, operation_key="GET /v1/models/{model}", openai=True),
            methods=get,
        ),
        _route("/v1/chat/completions", post, ops.chat_completion, body=True, openai=True),
        _route("/v1/reasoning-agent/completions", post, ops.reasoning_completion, body=True),
        _route("/v1/reasoning-agent/types", get, ops.reasoning_types),
        _route("/v1/rate/limits", get, ops.rate_limits),
        _route(
            "/v1/auto-swarm-builder/completions", post, ops.auto_swarm_builder, body=True, enabled=_legacy
        ),
        _route("/v1/auto-swarm-builder/execution-types", get, ops.asb_execution_types, enabled=_legacy),
        _route("/v1/advanced-research/completions", post, ops.advanced_research, body=True, enabled=_legacy),
        _route(
            "/v1/advanced-research/batch/completions",
            post,
            ops.advanced_research_batch,
            body=True,
            enabled=_legacy,
        ),
        _route("/v1/tools/available", get, ops.tools_available),
        _route("/v1/marketplace/agents", post, ops.marketplace_agents, body=True, enabled=_legacy),
        _route("/v1/batched-grid-workflow/completions", post, ops.batched_grid, body=True),
        _route("/v1/graph-workflow/completions", post, ops.graph_workflow, body=True),
        _route("/v1/usage/costs", get, ops.usage_costs),
        _route("/v1/usage/report", get, ops.usage_report, enabled=_usage_report),
        _route("/v1/account/credits", get, ops.account_credits),
        _route("/v1/metrics/summary", get, ops.metrics_summary),
    ]
