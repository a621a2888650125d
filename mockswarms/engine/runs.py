"""Run results shared by swarm architectures and workflows, and the recorder that produces them.

Every generating endpoint turns a request into a sequence of :class:`Turn` values (one LLM call each,
in execution order) plus an ``output`` already in the endpoint's documented JSON shape. ``phase`` groups
turns that run concurrently (same phase = same parallel step), which the SSE layer uses to interleave
chunks and the simulated ``execution_time`` uses (phases add up; turns inside a phase overlap).

Timestamps and ``message_id`` values are not produced here: they come from the lead's clock and id
stream. Functions that need them (``workflows.run_agent``) take a ``stamp`` callable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from mockswarms import limits
from mockswarms.engine.llm import LLM, LLMCall, LLMError, LLMResult, Message, Pacing
from mockswarms.engine.records import filled_at_once
from mockswarms.errors import DomainError
from mockswarms.limits import MAX_MODEL_CALLS, MAX_MODEL_CALLS_DETAIL
from mockswarms.shapes.requests import AgentSpec

__all__ = [
    "NOMINAL_PACING",
    "AgentRun",
    "ChatRun",
    "Recorder",
    "ResolvedAgent",
    "Run",
    "RunStopped",
    "Stamp",
    "SwarmRun",
    "Turn",
    "WorkCapReached",
    "WorkflowRun",
    "agent_loops",
    "request_budget",
    "resolve_agent",
    "resolve_agents",
]

# Returns (timestamp, message_id) for one output item; supplied by the HTTP/simulator layer.
Stamp = Callable[[], tuple[str, str]]

AGENT_NAME_REQUIRED = "Agent validation error: Agent name is required."


# How long a simulated model takes when no pacing is configured: 0.5 s to the first token, then 50
# tokens per second. Only durations (``execution_time``) use it; nothing actually waits.
NOMINAL_PACING = Pacing(time_to_first_token=0.5, tokens_per_second=50.0)


def _timing(pacing: Pacing) -> Pacing:
    return pacing if pacing.time_to_first_token or pacing.tokens_per_second else NOMINAL_PACING


@filled_at_once
@dataclass(frozen=True)
class Turn:
    call: LLMCall
    result: LLMResult
    phase: int


@dataclass(kw_only=True)
class Run:
    """What every generating endpoint returns to the simulator."""

    turns: list[Turn]
    output: Any
    number_of_agents: int
    error: LLMError | None = None  # a fixture error stopped the run (output holds what ran before)
    images: int = 0
    meta: dict[str, Any] = field(default_factory=dict)  # endpoint-specific extras (documented per run)

    @property
    def input_tokens(self) -> int:
        return sum(t.result.input_tokens for t in self.turns)

    @property
    def output_tokens(self) -> int:
        return sum(t.result.output_tokens for t in self.turns)

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    def phases(self) -> list[list[Turn]]:
        """Turns grouped by phase, in execution order."""
        groups: dict[int, list[Turn]] = {}
        for turn in self.turns:
            groups.setdefault(turn.phase, []).append(turn)
        return [groups[p] for p in sorted(groups)]

    @property
    def simulated_seconds(self) -> float:
        """Simulated duration: phases run one after another, turns within a phase overlap.

        A turn lasts its fixture latency plus its pacing (time to first token + tokens / rate);
        turns of the same agent inside one phase (per-agent loops) add up. A turn with no pacing
        configured (the default, so streams are not slowed down) is timed with ``NOMINAL_PACING``.
        """
        total = 0.0
        for group in self.phases():
            per_agent: dict[str, float] = {}
            for turn in group:
                r = turn.result
                seconds = r.latency + _timing(r.pacing).duration(r.output_tokens)
                per_agent[turn.call.agent_name] = per_agent.get(turn.call.agent_name, 0.0) + seconds
            total += max(per_agent.values(), default=0.0)
        return total

    def per_agent_usage(self) -> dict[str, dict[str, int]]:
        """Token usage per agent name (sums to the run totals)."""
        usage: dict[str, dict[str, int]] = {}
        for turn in self.turns:
            u = usage.setdefault(
                turn.call.agent_name, {"input_tokens": 0, "output_tokens": 0, "total_tokens": 0}
            )
            u["input_tokens"] += turn.result.input_tokens
            u["output_tokens"] += turn.result.output_tokens
            u["total_tokens"] += turn.result.total_tokens
        return usage


@dataclass(kw_only=True)
class SwarmRun(Run):
    swarm_type: str  # as echoed in responses (the misspelt alias normalised to HierarchicalSwarm)
    resolved_type: str  # the architecture that actually ran (differs for ``auto``)


@dataclass(kw_only=True)
class AgentRun(Run):
    name: str
    description: str | None = None
    temperature: float | None = None
    model: str = ""
    tools_enabled: list[str] = field(default_factory=list)  # as requested
    tool_fee: str | None = (
        None  # "auto_search" | "web_scraper" | None: the one tool applied (auto_search wins)
    )
    mcp_calls: int = 0  # MCP connections declared on the agent (billed per call)
    tool_calls: tuple[Mapping[str, Any], ...] = ()


@dataclass(kw_only=True)
class ChatRun(Run):
    model: str
    text: str = ""
    finish_reason: str = "stop"
    tool_calls: tuple[Mapping[str, Any], ...] = ()


@dataclass(kw_only=True)
class WorkflowRun(Run):
    kind: str  # "graph", "grid", "reasoning", "auto-swarm-builder", "research"


class RunStopped(Exception):
    """A fixture answered with an error: the run stops and reports it (``error`` None: see
    :class:`WorkCapReached`)."""

    def __init__(self, error: LLMError | None) -> None:
        self.error = error
        super().__init__(f"{error.status}: {error.detail}" if error else "stopped")


class WorkCapReached(RunStopped):
    """The work cap was reached where it truncates instead of refusing (prism): the run stops like on an
    error, but with no error, so what was produced is returned (and billed) as a success."""

    def __init__(self) -> None:
        super().__init__(None)


@filled_at_once
@dataclass(frozen=True)
class ResolvedAgent:
    """An agent spec with defaults applied and rules folded into its system prompt."""

    name: str
    model: str
    system_prompt: str = ""
    role: str = "worker"
    description: str | None = None
    max_tokens: int | None = None
    temperature: float | None = None
    loops: int = 1
    tools: tuple[Mapping[str, Any], ...] = ()


def _with_rules(system_prompt: str, rules: str | None) -> str:
    if not rules:
        return system_prompt
    return f"{system_prompt}\n\nRules:\n{rules}" if system_prompt else f"Rules:\n{rules}"


def agent_loops(value: object) -> int:
    """Per-agent ``max_loops``: an int >= 1; ``"auto"`` (autonomous looper) runs 2 loops; junk runs 1."""
    if value == "auto":
        return 2
    if isinstance(value, int) and not isinstance(value, bool) and value > 1:
        return value
    return 1


def resolve_agent(
    spec: AgentSpec | None,
    *,
    default_model: str,
    strict: bool,
    rules: str | None = None,
    fallback_name: str = "Agent",
    missing_name_detail: str = AGENT_NAME_REQUIRED,
) -> ResolvedAgent:
    spec = spec or AgentSpec.model_validate({})
    name = spec.agent_name
    if not name:
        if strict and not spec.marketplace_prompt_id:
            raise DomainError(400, missing_name_detail)
        name = (
            fallback_name if not spec.marketplace_prompt_id else f"Marketplace-{spec.marketplace_prompt_id}"
        )
    tools = spec.tools_list_dictionary or spec.tools_dictionary or ()
    max_tokens = spec.max_tokens if spec.max_tokens and spec.max_tokens > 0 else None
    return ResolvedAgent(
        name=name,
        model=spec.model_name or default_model,
        system_prompt=_with_rules(spec.system_prompt or "", rules),
        role=spec.role or "worker",
        description=spec.description,
        max_tokens=max_tokens,
        temperature=spec.temperature,
        loops=agent_loops(spec.max_loops),
        tools=tuple(tools),
    )


def resolve_agents(
    specs: Sequence[AgentSpec] | None,
    *,
    default_model: str,
    strict: bool,
    rules: str | None = None,
) -> list[ResolvedAgent]:
    """Resolve every agent; unnamed agents are an error when strict, else named Agent, Agent-2, …"""
    resolved = []
    for index, spec in enumerate(specs or ()):
        fallback = "Agent" if index == 0 else f"Agent-{index + 1}"
        resolved.append(
            resolve_agent(
                spec, default_model=default_model, strict=strict, rules=rules, fallback_name=fallback
            )
        )
    return resolved


# Model calls made so far by the request being served (one counter shared by all its runs, also in
# the worker threads they run in: asyncio.to_thread copies the context, the list is shared).
_REQUEST_CALLS: ContextVar[list[int] | None] = ContextVar("mockswarms_request_calls", default=None)
# Whether reaching a work cap truncates the run (prism answers every schema-valid body 2xx) instead
# of refusing the request with a 400 (the strict profiles).
_TRUNCATE_AT_CAP: ContextVar[bool] = ContextVar("mockswarms_truncate_at_cap", default=False)


class request_budget:
    """Count every model call made inside the block against ``limits.MAX_REQUEST_MODEL_CALLS``;
    ``truncate``: a run reaching a cap stops and returns what it produced instead of a 400.
    (A class, not a generator context manager: one is entered on every request.)"""

    __slots__ = ("_calls", "_truncate", "truncate")

    def __init__(self, *, truncate: bool = False) -> None:
        self.truncate = truncate

    def __enter__(self) -> None:
        self._calls = _REQUEST_CALLS.set([0])
        self._truncate = _TRUNCATE_AT_CAP.set(self.truncate)

    def __exit__(self, *exc: object) -> None:
        _TRUNCATE_AT_CAP.reset(self._truncate)
        _REQUEST_CALLS.reset(self._calls)


def _cap_reached(detail: str) -> Exception:
    return WorkCapReached() if _TRUNCATE_AT_CAP.get() else DomainError(400, detail)


def _count_request_call() -> None:
    counter = _REQUEST_CALLS.get()
    if counter is not None:
        if counter[0] >= limits.MAX_REQUEST_MODEL_CALLS:
            raise _cap_reached(limits.MAX_REQUEST_MODEL_CALLS_DETAIL)
        counter[0] += 1


class Recorder:
    """Calls the LLM for one run and records the turns in execution order."""

    __slots__ = ("endpoint", "images", "llm", "phase", "swarm_name", "swarm_type", "turns")

    def __init__(
        self, llm: LLM, endpoint: str, *, swarm_type: str | None = None, images: int = 0, swarm_name: str = ""
    ) -> None:
        self.llm = llm
        self.endpoint = endpoint
        self.swarm_type = swarm_type
        self.images = images
        self.swarm_name = swarm_name
        self.turns: list[Turn] = []
        self.phase = -1

    def next_phase(self) -> int:
        self.phase += 1
        return self.phase

    def ask(
        self,
        agent: ResolvedAgent,
        task: str,
        history: Iterable[Message] = (),
        *,
        phase: int,
        loop_index: int = 0,
        role: str | None = None,
        context: Mapping[str, str] | None = None,
        tools: tuple[Mapping[str, Any], ...] | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        response_format: Mapping[str, Any] | None = None,
    ) -> LLMResult:
        """One LLM call; raises :class:`RunStopped` if the answer is an error, and once the run has
        made ``MAX_MODEL_CALLS`` calls a 400 (before anything is charged) or, under
        ``request_budget(truncate=True)``, :class:`WorkCapReached`."""
        if len(self.turns) >= MAX_MODEL_CALLS:
            raise _cap_reached(MAX_MODEL_CALLS_DETAIL)
        _count_request_call()
        ctx = dict(context) if context else {}
        if self.swarm_name:
            ctx.setdefault("swarm_name", self.swarm_name)
        call = LLMCall(
            endpoint=self.endpoint,
            agent_name=agent.name,
            model=agent.model,
            task=task,
            system_prompt=agent.system_prompt,
            role=role or agent.role,
            history=tuple(history),
            swarm_type=self.swarm_type,
            loop_index=loop_index,
            call_index=len(self.turns),
            max_tokens=agent.max_tokens,
            temperature=agent.temperature,
            tools=agent.tools if tools is None else tools,
            images=self.images,
            context=ctx,
            tool_choice=tool_choice,
            response_format=response_format,
        )
        result = self.llm.complete(call)
        self.turns.append(Turn(call, result, phase))
        if result.error is not None:
            raise RunStopped(result.error)
        return result

    def run_agent(
        self,
        agent: ResolvedAgent,
        task: str,
        history: Sequence[Message] = (),
        *,
        phase: int,
        loop_index: int = 0,
        role: str | None = None,
        context: Mapping[str, str] | None = None,
    ) -> str:
        """Run an agent for its own ``max_loops``: each extra loop also sees its earlier answers."""
        result = self.ask(
            agent, task, history, phase=phase, loop_index=loop_index, role=role, context=context
        )
        text = result.text
        if agent.loops > 1:
            seen = list(history)
            for _ in range(1, agent.loops):
                seen.append(Message(agent.name, text))
                ctx = dict(context or {})
                ctx["previous_output"] = text
                ctx["previous_agent"] = agent.name
                text = self.ask(
                    agent, task, seen, phase=phase, loop_index=loop_index, role=role, context=ctx
                ).text
        return text
