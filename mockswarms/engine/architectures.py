"""Swarm architectures (``swarm_type``): who runs, in which order, seeing what. Plain Python, no HTTP.

Why ~700 lines: one function per ``swarm_type`` over shared conventions, kept together because they are
read against each other.

Conventions shared by every architecture (documented in ``fixtures/README.md`` too):

- ``task`` is every call's ``task``; ``history`` is the conversation so far: the request's ``messages``
  followed by the outputs of agents that finished earlier (``Message(role=<agent name>, content=text)``).
  Agents in the same parallel step (same ``phase``) see the same history and not each other.
- ``rules`` are appended to every agent's system prompt (built-in agents too) as ``"Rules:\\n<rules>"``.
- ``max_loops`` repeats the architecture's cycle; each repetition sees everything said before.
  An agent's own ``max_loops`` makes it answer that many times in a row (it sees its earlier answers);
  only its last answer goes into the output and the conversation.
- ``tasks`` runs the whole architecture once per task (one shared run, phases continue).
- ``img`` is shown to every call (``images=1``) and billed once (``run.images == 1``).
- Output: a list of ``{"role": <agent name>, "content": text}`` messages in execution order; per task
  ``[{"task": t, "output": [...]}, ...]`` when ``tasks`` has several entries; ``return_history=False``
  gives only the final message's text (a string; a list of strings per task). BatchedGridWorkflow
  gives ``[{agent_name: text}, ...]`` per task; SpreadSheetSwarm gives rows
  ``{"agent_name", "task", "result"}``.
- ``auto`` picks a type by this rule (first that applies): ``rearrange_flow`` set → AgentRearrange;
  ``messages`` set → GroupChat; at most one agent → SequentialWorkflow; the task mentions
  vote/voting/consensus/majority → MajorityVoting; it mentions parallel/concurrent/concurrently/
  simultaneous/independent → ConcurrentWorkflow; otherwise SequentialWorkflow. The response still
  echoes ``"auto"``; ``SwarmRun.resolved_type`` holds the choice.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from mockswarms.engine.llm import LLM, Message
from mockswarms.engine.runs import (
    Recorder,
    ResolvedAgent,
    RunStopped,
    SwarmRun,
    resolve_agent,
    resolve_agents,
)
from mockswarms.errors import DomainError, ValidationFailed, fastapi_error_item
from mockswarms.shapes.requests import (
    DOCS_SWARM_TYPES,
    HEAVY_SWARM_VARIANTS,
    LEGACY_SWARM_TYPES,
    SELF_STAFFED_SWARM_TYPES,
    SwarmSpec,
)

__all__ = [
    "AUTO_RULE",
    "COUNCIL_DIMENSIONS",
    "HEAVY_VARIANTS",
    "NO_TASK_DETAIL",
    "derive_agents",
    "parse_rearrange_flow",
    "resolve_auto",
    "run_swarm",
]

NO_TASK_DETAIL = (
    "There is no task or tasks or messages provided. Please provide a valid task description to proceed."
)
NO_AGENTS_DETAIL = "Agent validation error: At least one agent is required."
DEFAULT_SWARM_TYPE = "SequentialWorkflow"
AUTO_RULE = (
    "rearrange_flow → AgentRearrange; messages → GroupChat; ≤1 agent → SequentialWorkflow; "
    "vote words → MajorityVoting; parallel words → ConcurrentWorkflow; else SequentialWorkflow"
)
COUNCIL_DIMENSIONS = (
    "accuracy",
    "helpfulness",
    "harmlessness",
    "coherence",
    "conciseness",
    "instruction_adherence",
)
HEAVY_VARIANTS: dict[str, tuple[str, ...]] = {
    "default": ("Research-Agent", "Analysis-Agent", "Alternatives-Agent", "Verification-Agent"),
    "medium": (
        "Research-Agent",
        "Analysis-Agent",
        "Alternatives-Agent",
        "Verification-Agent",
        "Risk-Agent",
        "Implementation-Agent",
    ),
    "heavy": (
        "Research-Agent",
        "Analysis-Agent",
        "Alternatives-Agent",
        "Verification-Agent",
        "Risk-Agent",
        "Implementation-Agent",
        "Contrarian-Agent",
        "Forecast-Agent",
    ),
}
# Built-in agents' default models (reference b.0 SwarmSpec defaults).
DIRECTOR_MODEL = "gpt-5.4"
COUNCIL_JUDGE_MODEL = "gpt-5.4"
CHAIRMAN_MODEL = "gpt-5.1"
HEAVY_QUESTION_MODEL = "gpt-4.1"
HEAVY_WORKER_MODEL = "claude-sonnet-4-20250514"
MALT_NUMBER_OF_AGENTS = 14  # the 2025 server hard-coded this (reference b.7)

_WORD = re.compile(r"[a-z0-9]+")
_MENTION = re.compile(r"@([\w.\-]+)")
_VOTE_WORDS = frozenset({"vote", "voting", "votes", "consensus", "majority"})
_PARALLEL_WORDS = frozenset(
    {"parallel", "concurrent", "concurrently", "simultaneous", "simultaneously", "independent"}
)


# -- flow parsing -----------------------------------------------------------------------------------
def parse_rearrange_flow(flow: str, names: Sequence[str]) -> list[list[str]]:
    """``"A, B -> C"`` → ``[["A", "B"], ["C"]]``. Unknown agent or empty step → DomainError 400."""
    known = set(names)
    steps: list[list[str]] = []
    for raw_step in flow.split("->"):
        step = [name.strip() for name in raw_step.split(",")]
        if not raw_step.strip() or any(not name for name in step):
            raise DomainError(
                400,
                f"Invalid rearrange_flow '{flow}': empty step. Use '->' between steps "
                "and ',' between agents that run in parallel.",
            )
        for name in step:
            if name not in known:
                raise DomainError(
                    400,
                    f"Invalid rearrange_flow: Agent '{name}' is not registered. "
                    f"Available agents: {', '.join(names)}",
                )
        steps.append(step)
    return steps


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def resolve_auto(spec: SwarmSpec, agent_count: int, task: str) -> str:
    """The documented deterministic choice for ``swarm_type: auto`` (see module docstring)."""
    if spec.rearrange_flow:
        return "AgentRearrange"
    if spec.messages:
        return "GroupChat"
    if agent_count <= 1:
        return "SequentialWorkflow"
    words = _words(task)
    if words & _VOTE_WORDS:
        return "MajorityVoting"
    if words & _PARALLEL_WORDS:
        return "ConcurrentWorkflow"
    return "SequentialWorkflow"


# -- agents derived from a task (AutoSwarmBuilder) --------------------------------------------------
_ROLE_CATALOGUE: tuple[tuple[str, str], ...] = (
    ("Researcher", "Conducts research on specified topics"),
    ("Analyzer", "Analyzes research findings"),
    ("Strategist", "Turns findings into a concrete plan"),
    ("Writer", "Drafts the final deliverable"),
    ("Critic", "Reviews drafts for errors and gaps"),
    ("Summarizer", "Condenses the work into a short brief"),
)


def derive_agents(task: str, model: str) -> list[dict[str, Any]]:
    """2-4 agent configs chosen from a fixed catalogue by a hash of the task (stable across runs)."""
    digest = int.from_bytes(hashlib.blake2b(task.encode("utf-8"), digest_size=8).digest(), "big")
    count = 2 + digest % 3
    start = (digest // 3) % len(_ROLE_CATALOGUE)
    focus = " ".join(task.split()[:12]) or "the task"
    agents = []
    for i in range(count):
        name, description = _ROLE_CATALOGUE[(start + i) % len(_ROLE_CATALOGUE)]
        agents.append(
            {
                "agent_name": name,
                "description": description,
                "system_prompt": f"You are the {name}. {description}. Focus on: {focus}",
                "model_name": model,
            }
        )
    return agents


# -- run context ------------------------------------------------------------------------------------
class _Ctx:
    __slots__ = ("agents", "conv", "default_model", "loops", "out", "rec", "rules", "spec")

    def __init__(
        self,
        rec: Recorder,
        spec: SwarmSpec,
        agents: list[ResolvedAgent],
        default_model: str,
        history: list[Message],
    ) -> None:
        self.rec = rec
        self.spec = spec
        self.agents = agents
        self.default_model = default_model
        self.rules = spec.rules or ""
        self.loops = spec.max_loops if spec.max_loops and spec.max_loops > 0 else 1
        self.conv: list[Message] = list(history)
        self.out: list[dict[str, Any]] = []

    def builtin(
        self,
        name: str,
        model: str | None,
        prompt: str,
        role: str,
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
    ) -> ResolvedAgent:
        system = f"{prompt}\n\nRules:\n{self.rules}" if self.rules else prompt
        return ResolvedAgent(
            name=name,
            model=model or self.default_model,
            system_prompt=system,
            role=role,
            max_tokens=max_tokens,
            temperature=temperature,
        )

    def say(
        self,
        agent: ResolvedAgent,
        task: str,
        history: Sequence[Message],
        phase: int,
        loop: int = 0,
        role: str | None = None,
    ) -> str:
        context = {"rules": self.rules} if self.rules else None
        text = self.rec.run_agent(
            agent, task, history, phase=phase, loop_index=loop, role=role, context=context
        )
        self.out.append({"role": agent.name, "content": text})
        return text

    def parallel(
        self,
        agents: Sequence[ResolvedAgent],
        task: str,
        loop: int = 0,
        role: str | None = None,
        history: Sequence[Message] | None = None,
    ) -> list[str]:
        """One parallel step: every agent sees the same history; outputs join the conversation after."""
        phase = self.rec.next_phase()
        base = tuple(self.conv) if history is None else tuple(history)
        texts = [self.say(a, task, base, phase, loop, role) for a in agents]
        self.conv.extend(Message(a.name, t) for a, t in zip(agents, texts, strict=True))
        return texts

    def step(self, agent: ResolvedAgent, task: str, loop: int = 0, role: str | None = None) -> str:
        """One sequential step: the agent sees the whole conversation so far."""
        text = self.say(agent, task, tuple(self.conv), self.rec.next_phase(), loop, role)
        self.conv.append(Message(agent.name, text))
        return text


Arch = Callable[[_Ctx, str], None]


# -- architectures ----------------------------------------------------------------------------------
def _sequential(c: _Ctx, task: str) -> None:
    for loop in range(c.loops):
        for agent in c.agents:
            c.step(agent, task, loop)


def _concurrent(c: _Ctx, task: str) -> None:
    for loop in range(c.loops):
        c.parallel(c.agents, task, loop)


def _rearrange(c: _Ctx, task: str) -> None:
    names = [a.name for a in c.agents]
    by_name = {a.name: a for a in c.agents}
    steps = (
        parse_rearrange_flow(c.spec.rearrange_flow, names) if c.spec.rearrange_flow else [[n] for n in names]
    )
    for loop in range(c.loops):
        for step in steps:
            c.parallel([by_name[n] for n in step], task, loop)


def _mixture(c: _Ctx, task: str) -> None:
    if len(c.agents) >= 2:
        workers, aggregator = c.agents[:-1], replace(c.agents[-1], role="aggregator")
    else:
        workers = c.agents
        aggregator = c.builtin(
            "Aggregator-Agent", None, "You aggregate the answers of several experts into one.", "aggregator"
        )
    for loop in range(c.loops):
        c.parallel(workers, task, loop)
        c.step(aggregator, task, loop, role="aggregator")


def _group_chat(c: _Ctx, task: str) -> None:
    speakers = c.agents
    if c.spec.swarm_type == "InteractiveGroupChat":
        mentioned = [m.group(1) for m in _MENTION.finditer(task)]
        by_name = {a.name: a for a in c.agents}
        chosen = [by_name[m] for m in dict.fromkeys(mentioned) if m in by_name]
        speakers = chosen or c.agents
    for loop in range(c.loops):
        for agent in speakers:
            c.step(agent, task, loop)


def _router(c: _Ctx, task: str) -> None:
    roster = "\n".join(f"- {a.name}: {a.description or a.system_prompt[:80]}" for a in c.agents)
    router = c.builtin(
        "MultiAgentRouter", None, f"Route the task to the best agent. Agents:\n{roster}", "router"
    )
    decision = c.step(router, task, role="router")
    chosen = next((a for a in c.agents if a.name in decision), None)
    if chosen is None:
        task_words = _words(task)

        def score(agent: ResolvedAgent) -> int:
            return len(task_words & _words(f"{agent.name} {agent.description or ''} {agent.system_prompt}"))

        best = max(score(a) for a in c.agents)
        chosen = next(a for a in c.agents if score(a) == best)
    for loop in range(c.loops):
        c.step(chosen, task, loop)


def _hierarchical(c: _Ctx, task: str) -> None:
    settings = c.spec.director_settings or {}
    max_tokens = settings.get("max_tokens") if isinstance(settings.get("max_tokens"), int) else None
    temperature = (
        settings.get("temperature") if isinstance(settings.get("temperature"), (int, float)) else None
    )
    roster = ", ".join(a.name for a in c.agents)
    director = c.builtin(
        "Director",
        c.spec.director_model_name or DIRECTOR_MODEL,
        f"You are the director. Plan the work and give orders to: {roster}.",
        "director",
        max_tokens=max_tokens,
        temperature=float(temperature) if temperature is not None else None,
    )
    for loop in range(c.loops):
        c.step(director, task, loop, role="director")
        c.parallel(c.agents, task, loop)
        c.step(director, task, loop, role="director")


def _majority(c: _Ctx, task: str) -> None:
    consensus = c.builtin(
        "Consensus-Agent", None, "Read every vote and state the majority answer.", "consensus"
    )
    for loop in range(c.loops):
        c.parallel(c.agents, task, loop)
        c.step(consensus, task, loop, role="consensus")


def _council_judge(c: _Ctx, task: str) -> None:
    model = c.spec.council_judge_model_name or COUNCIL_JUDGE_MODEL
    judges = [
        c.builtin(f"{dim}_judge", model, f"Judge the response for {dim.replace('_', ' ')}.", "judge")
        for dim in COUNCIL_DIMENSIONS
    ]
    aggregator = c.builtin(
        "aggregator_agent", model, "Combine the judges' evaluations into one report.", "aggregator"
    )
    for loop in range(c.loops):
        if c.agents:
            c.parallel(c.agents, task, loop)
        c.parallel(judges, task, loop, role="judge")
        c.step(aggregator, task, loop, role="aggregator")


def _llm_council(c: _Ctx, task: str) -> None:
    chairman = c.builtin(
        "Chairman",
        c.spec.chairman_model or CHAIRMAN_MODEL,
        "You are the chairman. Synthesize the council's answers and rankings.",
        "chairman",
    )
    for loop in range(c.loops):
        answers = c.parallel(c.agents, task, loop)
        anonymised = [
            *c.conv[: len(c.conv) - len(answers)],
            *(Message(f"Response {chr(65 + i)}", t) for i, t in enumerate(answers)),
        ]
        c.parallel(c.agents, task, loop, role="evaluator", history=anonymised)
        c.step(chairman, task, loop, role="chairman")


def _debate(c: _Ctx, task: str) -> None:
    defaults = (
        ("Pro-Agent", "You argue for the proposition."),
        ("Con-Agent", "You argue against the proposition."),
        ("Judge-Agent", "You judge the debate and give a verdict."),
    )
    roles = ("pro", "con", "judge")
    debaters = [
        c.agents[i] if i < len(c.agents) else c.builtin(name, None, prompt, roles[i])
        for i, (name, prompt) in enumerate(defaults)
    ]
    for loop in range(c.loops):
        for agent, role in zip(debaters, roles, strict=True):
            c.step(agent, task, loop, role=role)


def _round_robin(c: _Ctx, task: str) -> None:
    n = len(c.agents)
    for loop in range(c.loops):
        for i in range(n):
            c.step(c.agents[(loop + i) % n], task, loop)


def _planner_worker(c: _Ctx, task: str) -> None:
    planner = c.builtin("Planner", None, "Break the task into subtasks for the workers.", "planner")
    judge = c.builtin("Judge", None, "Evaluate the workers' results and give the final answer.", "judge")
    for loop in range(c.loops):
        c.step(planner, task, loop, role="planner")
        c.parallel(c.agents, task, loop)
        c.step(judge, task, loop, role="judge")


def _heavy(c: _Ctx, task: str) -> None:
    spec = c.spec
    variant = spec.heavy_swarm_variant or "default"
    loops = spec.heavy_swarm_max_loops or spec.heavy_swarm_loops_per_agent or 1
    loops = max(1, loops)
    question_model = spec.heavy_swarm_question_agent_model_name or HEAVY_QUESTION_MODEL
    worker_model = spec.heavy_swarm_worker_model_name or HEAVY_WORKER_MODEL
    if c.agents:
        workers = c.agents
    else:
        names = HEAVY_VARIANTS.get(variant, HEAVY_VARIANTS["default"])
        workers = [
            c.builtin(n, worker_model, f"You are the {n.replace('-', ' ')} of a heavy swarm.", "worker")
            for n in names
        ]
    questions = c.builtin(
        "Question-Generator-Agent", question_model, "Write one focused question per specialist.", "question"
    )
    synthesis = c.builtin(
        "Synthesis-Agent", question_model, "Synthesize the specialists' findings.", "synthesis"
    )
    c.step(questions, task, role="question")
    start = len(c.conv)
    for loop in range(loops):
        c.parallel(workers, task, loop)
    # The synthesis sees the question and the specialists' final round only.
    final_round = c.conv[start + (loops - 1) * len(workers) :]
    c.conv = [*c.conv[:start], *final_round]
    c.step(synthesis, task, role="synthesis")


def _auto_builder(c: _Ctx, task: str) -> None:
    builder = c.builtin("AutoSwarmBuilder", None, "Design a team of agents for the task.", "builder")
    c.step(builder, task, role="builder")
    derived = [
        c.builtin(a["agent_name"], c.default_model, a["system_prompt"], "worker")
        for a in derive_agents(task, c.default_model)
    ]
    for loop in range(c.loops):
        for agent in derived:
            c.step(agent, task, loop)


def _malt(c: _Ctx, task: str) -> None:
    creator = (
        c.agents[0] if c.agents else c.builtin("Proof-Creator-Agent", None, "Draft a solution.", "creator")
    )
    verifiers = [
        c.builtin(f"Verification-Agent-{i}", None, "Verify the draft.", "verifier") for i in (1, 2, 3)
    ]
    refiners = [
        c.builtin(f"Refinement-Agent-{i}", None, "Refine the draft using the reviews.", "refiner")
        for i in (1, 2, 3)
    ]
    for loop in range(c.loops):
        c.step(creator, task, loop, role="creator")
        c.parallel(verifiers, task, loop, role="verifier")
        c.parallel(refiners, task, loop, role="refiner")


def _deep_research(c: _Ctx, task: str) -> None:
    planner = c.builtin("Research-Planner", None, "Break the question into search queries.", "planner")
    synthesizer = c.builtin("Research-Synthesizer", None, "Write a report from the research.", "synthesis")
    for loop in range(c.loops):
        c.step(planner, task, loop, role="planner")
        c.parallel(c.agents, task, loop)
        c.step(synthesizer, task, loop, role="synthesis")


def _spreadsheet(c: _Ctx, task: str) -> None:
    for loop in range(c.loops):
        texts = c.parallel(c.agents, task, loop)
        # Replace message items by spreadsheet rows for this step.
        del c.out[len(c.out) - len(texts) :]
        c.out.extend(
            {"agent_name": a.name, "task": task, "result": t} for a, t in zip(c.agents, texts, strict=True)
        )


_ARCHITECTURES: dict[str, Arch] = {
    "SequentialWorkflow": _sequential,
    "ConcurrentWorkflow": _concurrent,
    "AgentRearrange": _rearrange,
    "MixtureOfAgents": _mixture,
    "GroupChat": _group_chat,
    "InteractiveGroupChat": _group_chat,
    "MultiAgentRouter": _router,
    "HierarchicalSwarm": _hierarchical,
    "MajorityVoting": _majority,
    "CouncilAsAJudge": _council_judge,
    "LLMCouncil": _llm_council,
    "DebateWithJudge": _debate,
    "RoundRobin": _round_robin,
    "PlannerWorkerSwarm": _planner_worker,
    "HeavySwarm": _heavy,
    "AutoSwarmBuilder": _auto_builder,
    "MALT": _malt,
    "DeepResearchSwarm": _deep_research,
    "SpreadSheetSwarm": _spreadsheet,
}
# Types that run without user agents (they bring their own).
_SELF_STAFFED = frozenset(SELF_STAFFED_SWARM_TYPES)  # the contract's swarm rule lists the same


def _literal_error(value: str, allowed: Sequence[str]) -> ValidationFailed:
    quoted = [f"'{v}'" for v in allowed]
    msg = "Input should be " + ", ".join(quoted[:-1]) + f" or {quoted[-1]}"
    return ValidationFailed([fastapi_error_item(["body", "swarm_type"], msg, "literal_error", value)])


def _normalise_type(
    value: str | None, *, reject_misspelled_hierarchical: bool, legacy_swarm_types: bool
) -> str:
    allowed = [*DOCS_SWARM_TYPES]
    if not reject_misspelled_hierarchical:
        allowed.append("HiearchicalSwarm")
    if legacy_swarm_types:
        allowed.extend(LEGACY_SWARM_TYPES)
    if value is None:
        return DEFAULT_SWARM_TYPE
    if value not in allowed:
        raise _literal_error(value, allowed)
    return "HierarchicalSwarm" if value == "HiearchicalSwarm" else value


def _history_from_messages(messages: Any) -> list[Message]:
    """``messages`` as a list of {role, content} dicts, one such dict, or a {role: content} mapping."""
    if not messages:
        return []
    items = [messages] if isinstance(messages, dict) and "content" in messages else messages
    if isinstance(items, dict):
        return [Message(str(k), v if isinstance(v, str) else str(v)) for k, v in items.items()]
    history = []
    for item in items:
        if isinstance(item, dict):
            content = item.get("content")
            history.append(
                Message(
                    str(item.get("role") or "user"),
                    content if isinstance(content, str) else ("" if content is None else str(content)),
                )
            )
        else:
            history.append(Message("user", str(item)))
    return history


def run_swarm(
    spec: SwarmSpec,
    llm: LLM,
    *,
    default_model: str,
    strict: bool,
    reject_misspelled_hierarchical: bool,
    legacy_swarm_types: bool,
) -> SwarmRun:
    """Run one swarm. Raises ValidationFailed (422) / DomainError (400) before any LLM call."""
    swarm_type = _normalise_type(
        spec.swarm_type,
        reject_misspelled_hierarchical=reject_misspelled_hierarchical,
        legacy_swarm_types=legacy_swarm_types,
    )
    tasks = [t for t in (spec.tasks or []) if isinstance(t, str)]
    if not tasks:
        tasks = [spec.task or ""]
    if strict and not spec.task and not spec.tasks and not spec.messages:
        raise DomainError(400, NO_TASK_DETAIL)
    agents = resolve_agents(spec.agents, default_model=default_model, strict=strict, rules=spec.rules)
    resolved = resolve_auto(spec, len(agents), tasks[0]) if swarm_type == "auto" else swarm_type
    if not agents and resolved not in _SELF_STAFFED:
        if strict:
            raise DomainError(400, NO_AGENTS_DETAIL)
        agents = [resolve_agent(None, default_model=default_model, strict=False, rules=spec.rules)]
    if resolved == "AgentRearrange" and spec.rearrange_flow:
        # Validate before any call so a bad flow never bills.
        try:
            parse_rearrange_flow(spec.rearrange_flow, [a.name for a in agents])
        except DomainError:
            if strict:
                raise
            # prism: a flow naming undeclared agents is not a schema error; run the agents in order.
            spec = spec.model_copy(update={"rearrange_flow": None})
    if (
        strict
        and resolved == "HeavySwarm"
        and spec.heavy_swarm_variant is not None
        and spec.heavy_swarm_variant not in HEAVY_SWARM_VARIANTS
    ):
        raise ValidationFailed(
            [
                fastapi_error_item(
                    ["body", "heavy_swarm_variant"],
                    "Input should be 'default', 'medium' or 'heavy'",
                    "literal_error",
                    spec.heavy_swarm_variant,
                )
            ]
        )

    images = 1 if spec.img else 0
    rec = Recorder(llm, "swarm", swarm_type=resolved, images=images, swarm_name=spec.name or "")
    history = _history_from_messages(spec.messages)
    error = None
    per_task: list[Any] = []
    if resolved == "BatchedGridWorkflow":
        output: Any = []
        try:
            _grid(rec, agents, tasks, history, spec, default_model, output)
        except RunStopped as stop:
            error = stop.error
    else:
        arch = _ARCHITECTURES[resolved]
        for task in tasks:
            ctx = _Ctx(rec, spec, agents, default_model, history)
            try:
                arch(ctx, task)
            except RunStopped as stop:
                error = stop.error
            per_task.append((task, ctx.out))
            if error is not None:
                break
        output = _shape_output(
            per_task, multi=len(tasks) > 1, return_history=spec.return_history is not False
        )
    # Bill and report the request's agents (agent_cost = num_agents x 0.01, reference §e): a built-in
    # consensus / director / aggregator / router / chairman / planner / judge is not one of them. A
    # self-staffed type sent no agents counts the agents it staffed.
    if resolved == "MALT":
        number = MALT_NUMBER_OF_AGENTS
    elif agents:
        number = len(agents)
    else:
        number = len({t.call.agent_name for t in rec.turns})
    return SwarmRun(
        turns=rec.turns,
        output=output,
        number_of_agents=number,
        error=error,
        images=images,
        swarm_type=swarm_type,
        resolved_type=resolved,
        meta={"tasks": spec.tasks, "messages": spec.messages} if spec.tasks or spec.messages else {},
    )


def _final_text(out: list[dict[str, Any]]) -> Any:
    if not out:
        return ""
    last = out[-1]
    return last.get("content", last.get("result", ""))


def _shape_output(
    per_task: list[tuple[str, list[dict[str, Any]]]], *, multi: bool, return_history: bool
) -> Any:
    if not multi:
        out = per_task[0][1] if per_task else []
        return out if return_history else _final_text(out)
    if return_history:
        return [{"task": task, "output": out} for task, out in per_task]
    return [_final_text(out) for _, out in per_task]


def _grid(
    rec: Recorder,
    agents: list[ResolvedAgent],
    tasks: list[str],
    history: list[Message],
    spec: SwarmSpec,
    default_model: str,
    output: list[dict[str, str]],
) -> None:
    """Every agent x every task in one parallel step; max_loops repeats each cell."""
    loops = spec.max_loops if spec.max_loops and spec.max_loops > 0 else 1
    phase = rec.next_phase()
    base = tuple(history)
    for task in tasks:
        row: dict[str, str] = {}
        output.append(row)
        for agent in agents:
            seen = list(base)
            text = ""
            for loop in range(loops):
                text = rec.run_agent(agent, task, seen, phase=phase, loop_index=loop)
                seen.append(Message(agent.name, text))
            row[agent.name] = text
