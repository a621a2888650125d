"""From a finished run to an SSE response: the simulator's side of ``streaming.py``.

Runs are settled before the first frame (see ARCHITECTURE.md). A client that disconnects before the
stream's end did not get a complete response, so by default (``stream_disconnect_billing: none``) the
whole charge is given back; with ``produced`` only the unsent part of the output; with ``full``
nothing (the real service finishing the run server-side). A ``refund`` log row records each refund
(``data.refunded``, ``data.job_id``, ``data.events_sent``), so logs and balances agree.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from starlette.responses import Response

from mockswarms.engine import billing
from mockswarms.engine.runs import AgentRun, ChatRun, Run, SwarmRun
from mockswarms.engine.simulator import Caller, Simulator
from mockswarms.http import sse as streaming
from mockswarms.http.refunds import refund_after_reply
from mockswarms.shapes.agents import AgentCompletionOutput
from mockswarms.shapes.chat import ChatCompletionResponse
from mockswarms.shapes.requests import SwarmSpec
from mockswarms.shapes.swarms import LegacySwarmCompletionOutput, SwarmCompletionOutput, SwarmUsage
from mockswarms.tokenizer import count_tokens

__all__ = ["agent_stream", "chat_stream", "swarm_stream"]

StreamFactory = Callable[[dict[str, str]], Response]


def _chunks(run: Run) -> list[str]:
    return [chunk for turn in run.turns for chunk in turn.result.chunks]


def _latency(run: Run) -> float:
    return sum(turn.result.latency for turn in run.turns)


def _on_close(
    sim: Simulator, caller: Caller, job_id: str, cost: Decimal, produced_cost: Callable[[int], Decimal]
) -> Callable[[int, bool], Any]:
    async def on_close(events_sent: int, completed: bool) -> None:
        policy = sim.settings.stream_disconnect_billing
        if completed or policy == "full":
            return
        refund = cost if policy == "none" else cost - produced_cost(events_sent)
        if refund > 0:
            # Refund and its log row in one atomic store step.
            entry = {
                "job_id": job_id,
                "refunded": float(refund),
                "events_sent": events_sent,
                "reason": f"the stream was cut after {events_sent} events",
            }
            await refund_after_reply(sim.refund(caller, refund, entry), f"a cut stream ({job_id})")

    return on_close


def _factory(
    sim: Simulator,
    caller: Caller,
    job_id: str,
    cost: Decimal,
    events: list[streaming.SSEEvent],
    produced_cost: Callable[[int], Decimal],
) -> StreamFactory:
    """The response builder routes call with the headers to send; billing on disconnect per settings."""
    on_close = _on_close(sim, caller, job_id, cost, produced_cost)
    return lambda headers: streaming.sse_response(
        events, ping_interval=sim.settings.sse_ping_interval, on_close=on_close, headers=headers
    )


def agent_stream(
    sim: Simulator, caller: Caller, body: AgentCompletionOutput, run: AgentRun, cost: Decimal
) -> StreamFactory:
    job_id, usage = body["job_id"], body["usage"]
    # The endpoint always fills both (the shape allows null for other profiles' bodies).
    assert job_id is not None and usage is not None
    chunks = _chunks(run)
    pacing = run.turns[0].result.pacing if run.turns else None
    events = streaming.agent_stream_events(
        job_id=job_id,
        name=body["name"],
        description=body["description"],
        temperature=body["temperature"],
        chunks=chunks,
        usage=usage,
        start=sim.clock.now(),
        pacing=pacing,
        latency=_latency(run),
        fmt=sim.settings.agent_sse_format,
    )
    lead = 2 if sim.settings.agent_sse_format == "docs" else 1  # frames before the first chunk

    def produced_cost(events_sent: int) -> Decimal:
        sent = chunks[: max(events_sent - lead, 0)]
        _, partial = billing.agent_usage(
            run.input_tokens,
            count_tokens("".join(sent)),
            settings=sim.settings,
            now=sim.clock.now(),
            images=run.images,
            mcp_calls=run.mcp_calls,
            tool=run.tool_fee,
        )
        return partial

    return _factory(sim, caller, job_id, cost, events, produced_cost)


def swarm_stream(
    sim: Simulator,
    caller: Caller,
    body: SwarmCompletionOutput | LegacySwarmCompletionOutput,
    run: SwarmRun,
    usage: SwarmUsage,
    cost: Decimal,
    spec: SwarmSpec,
) -> StreamFactory:
    turns = [
        streaming.SwarmTurn(
            agent=t.call.agent_name,
            chunks=t.result.chunks,
            phase=t.phase,
            pacing=t.result.pacing,
            latency=t.result.latency,
        )
        for t in run.turns
    ]
    job_id = str(body.get("job_id", ""))  # the legacy layout has none
    events = streaming.swarm_stream_events(
        job_id=job_id,
        swarm_name=spec.name,
        description=spec.description,
        swarm_type=run.swarm_type,
        number_of_agents=run.number_of_agents,
        service_tier=spec.service_tier or "standard",
        turns=turns,
        usage=usage,
        execution_time=round(run.simulated_seconds, 6),
        output=run.output,
        input_tokens=run.input_tokens,
        done=sim.settings.swarm_sse_done,
        output_in_end=(spec.output_type or sim.settings.default_output_type) is not None,
    )
    total_out = max(run.output_tokens, 1)

    def produced_cost(events_sent: int) -> Decimal:
        # Proportional to the share of frames sent: swarm chunks are tokens of several agents.
        share = Decimal(min(events_sent, len(events))) / Decimal(max(len(events), 1))
        produced_out = int(total_out * share)
        _, partial = billing.swarm_usage(
            run.input_tokens,
            produced_out,
            run.number_of_agents,
            settings=sim.settings,
            now=sim.clock.now(),
            service_tier=spec.service_tier or "standard",
        )
        return partial

    return _factory(sim, caller, job_id, cost, events, produced_cost)


def chat_stream(
    sim: Simulator,
    caller: Caller,
    body: ChatCompletionResponse,
    run: ChatRun,
    cost: Decimal,
    *,
    include_usage: bool = False,
) -> StreamFactory:
    """The completion as OpenAI streams it: content and tool-call deltas, the body's ``finish_reason``
    (``tool_calls``, ``length`` or ``stop``), and with ``include_usage`` (``stream_options``) a last
    chunk with the body's ``usage``."""
    chunks = _chunks(run)
    pacing = run.turns[0].result.pacing if run.turns else None
    choice = body["choices"][0]
    events = streaming.chat_stream_events(
        completion_id=body["id"],
        created=body["created"],
        model=body["model"],
        chunks=chunks,
        pacing=pacing,
        latency=_latency(run),
        usage={**body["usage"]} if include_usage else None,
        finish_reason=choice["finish_reason"] or "stop",
        tool_calls=choice["message"].get("tool_calls") or (),
    )

    def generated(event: streaming.SSEEvent) -> str:
        """The text a delta frame streams: content, a tool call's name or a piece of its arguments."""
        data = event.data
        delta = data["choices"][0]["delta"] if not isinstance(data, str) and data["choices"] else {}
        function = (delta.get("tool_calls") or [{}])[0].get("function") or {}
        return str(delta.get("content") or function.get("name") or function.get("arguments") or "")

    def produced_cost(events_sent: int) -> Decimal:
        sent = sum(count_tokens(generated(e)) for e in events[1:events_sent])  # after the role chunk
        _, partial = billing.agent_usage(run.input_tokens, sent, settings=sim.settings, now=sim.clock.now())
        return partial

    return _factory(sim, caller, body["id"], cost, events, produced_cost)
