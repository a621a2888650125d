"""The other generating endpoints: agent, chat, graph, grid, reasoning, auto-swarm-builder, research.

Why ~770 lines: seven endpoints' semantic checks and runs over shared agent-run helpers; the seam for a
split is one module per endpoint family (as in ``http/endpoints/``).

Each function validates the request semantically (strict = ``docs``/``legacy`` profiles; non-strict =
``prism``, which never rejects and fills placeholders), runs the agents through the LLM, and returns a
:class:`~mockswarms.engine.runs.Run` whose ``output`` is already in the endpoint's documented shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mockswarms.engine.architectures import derive_agents
from mockswarms.engine.llm import LLM, Message
from mockswarms.engine.runs import (
    AgentRun,
    ChatRun,
    Recorder,
    ResolvedAgent,
    RunStopped,
    Stamp,
    WorkCapReached,
    WorkflowRun,
    resolve_agent,
    resolve_agents,
)
from mockswarms.errors import DomainError, OpenAIError, ValidationFailed, fastapi_error_item
from mockswarms.limits import MAX_IMAGES
from mockswarms.shapes.agents import AgentOutputMessage
from mockswarms.shapes.requests import (
    CHAT_PARAM_BOUNDS,
    CHAT_ROLES,
    REASONING_AGENT_TYPES,
    AdvancedResearchRequest,
    AgentCompletion,
    AgentSpec,
    AutoSwarmBuilderRequest,
    BatchedGridWorkflowRequest,
    ChatCompletionRequest,
    GraphWorkflowRequest,
    ReasoningAgentRequest,
)
from mockswarms.tokenizer import count_tokens

__all__ = [
    "ASB_EXECUTION_TYPES",
    "CHAT_N_DETAIL",
    "CHAT_USER_DETAIL",
    "run_advanced_research",
    "run_agent",
    "run_auto_swarm_builder",
    "run_chat",
    "run_graph",
    "run_grid",
    "run_reasoning",
]

AGENT_NAME_DETAIL = "Agent name is required"
CHAT_USER_DETAIL = "At least one message with role 'user' is required."
CHAT_N_DETAIL = "Only n=1 is supported; n > 1 is not available."
CHAT_MODEL_DETAIL = "you must provide a model parameter"  # OpenAI's words
GRID_MAX_LOOPS_DETAIL = "max_loops is required and must be a positive integer (>= 1)."
ASB_EXECUTION_TYPES = ("return-agents", "return-swarm-router-config", "return-agents-objects")
REASONING_DEFAULT_MODEL = "claude-sonnet-4-20250514"


def _content_text(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for part in content:
            text = part.get("text") if isinstance(part, dict) else getattr(part, "text", None)
            if isinstance(text, str):
                parts.append(text)
        return "\n".join(parts)
    return str(content)


# -- agent completions ------------------------------------------------------------------------------
def _history(history: Any) -> list[Message]:
    """``history`` as a list of {role, content} messages, one such dict, or a dict of role → content."""
    if not history:
        return []
    if isinstance(history, dict):
        if "role" in history and "content" in history:
            return [Message(str(history["role"]), _content_text(history["content"]))]
        out = []
        for key, value in history.items():
            if isinstance(value, dict) and "content" in value:
                out.append(Message(str(value.get("role") or key), _content_text(value["content"])))
            else:
                out.append(Message(str(key), _content_text(value)))
        return out
    return [Message(m.role, _content_text(m.content)) for m in history]


def run_agent(
    req: AgentCompletion, llm: LLM, *, default_model: str, strict: bool, stamp: Stamp | None = None
) -> AgentRun:
    """One agent for ``max_loops`` turns. ``outputs``: one ``{role, content[, timestamp, message_id]}``
    item per loop (``stamp`` adds the last two); when the answer has tool calls, ``outputs[-1]["content"]``
    is the list of OpenAI-style tool calls ``{"id", "type": "function", "function": {"name", "arguments"}}``.
    """
    config = req.agent_config
    if strict and config is None:
        raise DomainError(400, AGENT_NAME_DETAIL)
    agent = resolve_agent(
        config, default_model=default_model, strict=strict, missing_name_detail=AGENT_NAME_DETAIL
    )
    images = (1 if req.img else 0) + len(req.imgs or [])
    rec = Recorder(llm, "agent", images=images)
    task = req.task or ""
    seen = _history(req.history)
    outputs: list[AgentOutputMessage] = []
    error = None
    tool_calls: tuple[Any, ...] = ()
    try:
        for loop in range(agent.loops):
            result = rec.ask(agent, task, seen, phase=0, loop_index=loop)
            content: Any = list(result.tool_calls) if result.tool_calls else result.text
            item: AgentOutputMessage = {"role": agent.name, "content": content}
            if stamp is not None:
                item["timestamp"], item["message_id"] = stamp()
            outputs.append(item)
            tool_calls = result.tool_calls
            seen.append(Message(agent.name, result.text))
    except RunStopped as stop:
        error = stop.error
    tools_enabled = list(req.tools_enabled or [])
    tool_fee = (
        "auto_search"
        if "auto_search" in tools_enabled
        else ("web_scraper" if "web_scraper" in tools_enabled else None)
    )
    spec = config or AgentSpec.model_validate({})
    mcp_calls = (
        (1 if spec.mcp_url else 0)
        + (1 if spec.mcp_config else 0)
        + (len(spec.mcp_configs.connections) if spec.mcp_configs else 0)
    )
    return AgentRun(
        turns=rec.turns,
        output=outputs,
        number_of_agents=1,
        error=error,
        images=images,
        name=agent.name,
        description=spec.description,
        temperature=spec.temperature,
        model=agent.model,
        tools_enabled=tools_enabled,
        tool_fee=tool_fee,
        mcp_calls=mcp_calls,
        tool_calls=tool_calls,
    )


# -- chat completions -------------------------------------------------------------------------------
def _out_of_bounds(param: str, value: float, low: int, high: int | None) -> OpenAIError | None:
    """OpenAI's answer to a param outside ``[low, high]`` (its message and code), or None."""
    kind = "integer" if isinstance(value, int) else "decimal"
    if value < low:
        side, word, bound = "below", "minimum", f">= {low}"
    elif high is not None and value > high:
        side, word, bound = "above", "maximum", f"<= {high}"
    else:
        return None
    message = f"Invalid '{param}': {kind} {side} {word} value. Expected a value {bound}, but got {value}"
    return OpenAIError(400, message + " instead.", code=f"{kind}_{side}_{word[:3]}_value", param=param)


def _check_chat(req: ChatCompletionRequest, images: int) -> None:
    """The docs/legacy checks, in order: every role one of OpenAI's, ``n > 1``, a user message,
    ``model``, the OpenAI param bounds (``CHAT_PARAM_BOUNDS``), at most ``MAX_IMAGES`` image parts (each
    billed), then ``tool_choice`` and ``response_format`` (:func:`_check_chat_formats`)."""
    for index, role in enumerate(m.role for m in req.messages):
        if role not in CHAT_ROLES:
            supported = ", ".join(f"'{r}'" for r in CHAT_ROLES[:-1]) + f", and '{CHAT_ROLES[-1]}'"
            detail = f"Invalid value: '{role}'. Supported values are: {supported}."
            raise OpenAIError(400, detail, code="invalid_value", param=f"messages[{index}].role")
    if req.n is not None and req.n > 1:
        raise OpenAIError(400, CHAT_N_DETAIL, code="invalid_request", param="n")
    if not any(m.role == "user" for m in req.messages):
        raise OpenAIError(400, CHAT_USER_DETAIL, code="invalid_request", param="messages")
    if not req.model:
        raise OpenAIError(400, CHAT_MODEL_DETAIL, code="invalid_request", param="model")
    for param, low, high in CHAT_PARAM_BOUNDS:
        value = getattr(req, param)
        error = None if value is None else _out_of_bounds(param, value, low, high)
        if error is not None:
            raise error
    if images > MAX_IMAGES:
        message = (
            f"Invalid 'messages': too many images. Expected at most {MAX_IMAGES} image_url content parts "
            f"in all messages, but got {images} instead."
        )
        raise OpenAIError(400, message, code="invalid_request", param="messages")
    _check_chat_formats(req)


def _check_chat_formats(req: ChatCompletionRequest) -> None:
    """``tool_choice``: only with ``tools``; ``none``/``auto``/``required``, or a function ``tools``
    declares (``allowed_tools`` and ``custom`` pass). ``response_format``: text, json_object (a message
    must say "json") or a named json_schema. OpenAI's messages and params."""
    choice = req.tool_choice
    if choice is not None and not req.tools:
        detail = "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified."
        raise OpenAIError(400, detail, param="tool_choice")
    if isinstance(choice, str) and choice not in ("none", "auto", "required"):
        detail = f"Invalid value: '{choice}'. Supported values are: 'none', 'auto', and 'required'."
        raise OpenAIError(400, detail, code="invalid_value", param="tool_choice")
    if isinstance(choice, dict) and choice.get("type") not in ("allowed_tools", "custom"):
        function = choice.get("function")
        if choice.get("type") != "function" or not isinstance(function, dict):
            raise _missing("tool_choice.function")
        name = function.get("name")
        if not isinstance(name, str):
            raise _missing("tool_choice.function.name")
        if name not in [_tool_name(tool) for tool in req.tools or ()]:
            detail = f"Invalid value for 'tool_choice': function '{name}' is not one of the 'tools'."
            raise OpenAIError(400, detail, code="invalid_value", param="tool_choice")
    fmt = req.response_format
    if fmt is not None:
        kind = fmt.get("type")
        if kind not in ("text", "json_object", "json_schema"):
            supported = "'text', 'json_object', and 'json_schema'"
            detail = f"Invalid value: '{kind}'. Supported values are: {supported}."
            raise OpenAIError(400, detail, code="invalid_value", param="response_format.type")
        if kind == "json_object" and not any(
            "json" in _content_text(m.content).lower() for m in req.messages
        ):
            detail = (
                "'messages' must contain the word 'json' in some form, to use 'response_format' of type "
                "'json_object'."
            )
            raise OpenAIError(400, detail, param="messages")
        schema = fmt.get("json_schema")
        if kind == "json_schema" and not isinstance(schema, dict):
            raise _missing("response_format.json_schema")
        if kind == "json_schema" and isinstance(schema, dict) and not isinstance(schema.get("name"), str):
            raise _missing("response_format.json_schema.name")


def _missing(param: str) -> OpenAIError:
    detail = f"Missing required parameter: '{param}'."
    return OpenAIError(400, detail, code="missing_required_parameter", param=param)


def _tool_name(tool: Any) -> Any:
    function = tool.get("function") if isinstance(tool, dict) else None
    return function.get("name") if isinstance(function, dict) else None


def run_chat(req: ChatCompletionRequest, llm: LLM, *, strict: bool = True) -> ChatRun:
    """OpenAI semantics when ``strict`` (:func:`_check_chat`, OpenAIError 400); otherwise (the ``prism``
    profile) one answer is generated anyway, out-of-range ``max_tokens`` meaning no cap.
    ``finish_reason`` is ``tool_calls``, ``length`` when the answer reached the token cap (never for a
    JSON ``response_format``: its answer is never cut), else ``stop``. ``tools``, ``tool_choice`` and
    ``response_format`` go to the model (the fake LLM forces tool calls and JSON from them)."""
    images = sum(
        1
        for m in req.messages
        if isinstance(m.content, list)
        for part in m.content
        if part.type == "image_url"
    )
    if strict:
        _check_chat(req, images)
    system = "\n".join(_content_text(m.content) for m in req.messages if m.role == "system")
    convo = [Message(m.role, _content_text(m.content)) for m in req.messages if m.role != "system"]
    task = convo[-1].content if convo and convo[-1].role == "user" else ""
    history = convo[:-1] if task else convo
    max_tokens = req.max_completion_tokens or req.max_tokens
    agent = ResolvedAgent(
        name="assistant",
        model=req.model,
        system_prompt=system,
        role="assistant",
        max_tokens=max_tokens if max_tokens and max_tokens > 0 else None,
        temperature=req.temperature,
        tools=tuple(t for t in req.tools or () if isinstance(t, dict)),
    )
    rec = Recorder(llm, "chat", images=images)
    text = ""
    error = None
    tool_calls: tuple[Any, ...] = ()
    loops = req.max_loops if req.max_loops and req.max_loops > 0 else 1
    seen = list(history)
    try:
        for loop in range(loops):
            result = rec.ask(
                agent,
                task,
                seen,
                phase=0,
                loop_index=loop,
                tool_choice=req.tool_choice,
                response_format=req.response_format,
            )
            text, tool_calls = result.text, result.tool_calls
            seen.append(Message("assistant", text))
    except RunStopped as stop:
        error = stop.error
    finish_reason = "tool_calls" if tool_calls else "stop"
    structured = isinstance(req.response_format, dict) and req.response_format.get("type") != "text"
    capped = agent.max_tokens is not None and count_tokens(text) >= agent.max_tokens
    if not tool_calls and not structured and capped:
        finish_reason = "length"  # as OpenAI: the answer stopped at the cap, not at its end
    return ChatRun(
        turns=rec.turns,
        output=text,
        number_of_agents=1,
        error=error,
        images=images,
        model=req.model,
        text=text,
        finish_reason=finish_reason,
        tool_calls=tool_calls,
    )


# -- graph workflow ---------------------------------------------------------------------------------
def _graph_error(strict: bool, detail: str) -> None:
    if strict:
        raise DomainError(400, detail)


def run_graph(req: GraphWorkflowRequest, llm: LLM, *, default_model: str, strict: bool) -> WorkflowRun:
    """Validate the DAG, then run it layer by layer (a layer = one parallel phase).

    Entry nodes see the task; other nodes see the task plus their predecessors' outputs (fan-in).
    ``max_loops`` > 1 reruns the graph; entry nodes then also see the previous loop's end outputs.
    ``output``: ``{agent_name: text}`` for every node that ran (last loop), in execution order.
    Errors (400): duplicate agent, edge to/from an unknown agent, unknown entry/end point, cycle.
    Non-object edges are rejected by the request schema (422) before this runs.
    """
    agents = resolve_agents(req.agents, default_model=default_model, strict=strict)
    if not agents:
        _graph_error(strict, "GraphWorkflow requires at least one agent.")
        agents = [resolve_agent(None, default_model=default_model, strict=False)]
    names = [a.name for a in agents]
    by_name: dict[str, ResolvedAgent] = {}
    for agent in agents:
        if agent.name in by_name:
            _graph_error(strict, f"Duplicate agent name '{agent.name}' in graph workflow.")
        by_name.setdefault(agent.name, agent)
    preds: dict[str, list[str]] = {n: [] for n in by_name}
    succs: dict[str, list[str]] = {n: [] for n in by_name}
    for edge in req.edges or []:
        for end in (edge.source, edge.target):
            if end not in by_name:
                _graph_error(
                    strict, f"Edge references unknown agent '{end}'. Known agents: {', '.join(names)}"
                )
        if edge.source in by_name and edge.target in by_name and edge.target not in succs[edge.source]:
            succs[edge.source].append(edge.target)
            preds[edge.target].append(edge.source)
    for label, points in (("entry point", req.entry_points), ("end point", req.end_points)):
        for point in points or []:
            if point not in by_name:
                _graph_error(strict, f"Unknown {label} '{point}'. Known agents: {', '.join(names)}")
    layers = _layers(by_name, preds, succs, strict)
    entries = [p for p in (req.entry_points or []) if p in by_name] or [n for n in by_name if not preds[n]]
    reachable = _reachable(entries, succs) if req.entry_points else set(by_name)
    ends = [p for p in (req.end_points or []) if p in by_name] or [n for n in by_name if not succs[n]]

    rec = Recorder(llm, "graph", images=1 if req.img else 0, swarm_name=req.name or "")
    task = req.task or ""
    loops = req.max_loops if req.max_loops and req.max_loops > 0 else 1
    outputs: dict[str, str] = {}
    completed: dict[str, str] = {}  # the last loop that ran to its end
    error = None
    previous_end: list[Message] = []
    try:
        for loop in range(loops):
            completed, outputs = outputs, {}
            for layer in layers:
                layer_nodes = [n for n in layer if n in reachable]
                if not layer_nodes:
                    continue
                phase = rec.next_phase()
                for name in layer_nodes:
                    history = [Message(p, outputs[p]) for p in preds[name] if p in outputs]
                    if name in entries or not history:
                        history = [*previous_end, *history]
                    outputs[name] = rec.run_agent(by_name[name], task, history, phase=phase, loop_index=loop)
            previous_end = [Message(n, outputs[n]) for n in ends if n in outputs]
    except WorkCapReached:
        outputs = {**completed, **outputs}  # cut mid-loop: each node's latest answer, not an empty loop
    except RunStopped as stop:
        error = stop.error
    return WorkflowRun(
        turns=rec.turns,
        output=outputs,
        number_of_agents=len(by_name),
        error=error,
        images=1 if req.img else 0,
        kind="graph",
        meta={"entry_points": entries, "end_points": ends, "layers": layers},
    )


def _layers(
    nodes: dict[str, ResolvedAgent], preds: dict[str, list[str]], succs: dict[str, list[str]], strict: bool
) -> list[list[str]]:
    """Kahn's algorithm by layers, keeping agent order inside a layer. A cycle → 400 (strict) or the
    remaining nodes run as one last layer (non-strict)."""
    indegree = {n: len(preds[n]) for n in nodes}
    layer = [n for n in nodes if indegree[n] == 0]
    layers: list[list[str]] = []
    done: set[str] = set()
    while layer:
        layers.append(layer)
        done.update(layer)
        nxt = []
        for name in layer:
            for succ in succs[name]:
                indegree[succ] -= 1
                if indegree[succ] == 0:
                    nxt.append(succ)
        order = list(nodes)
        layer = sorted(nxt, key=order.index)
    rest = [n for n in nodes if n not in done]
    if rest:
        cycle = _find_cycle(rest, succs)
        _graph_error(strict, f"Graph contains a cycle: {' -> '.join(cycle)}. GraphWorkflow requires a DAG.")
        layers.append(rest)
    return layers


def _find_cycle(candidates: Sequence[str], succs: dict[str, list[str]]) -> list[str]:
    allowed = set(candidates)
    start = candidates[0]
    path = [start]
    seen = {start: 0}
    node = start
    while True:
        node = next(s for s in succs[node] if s in allowed)
        if node in seen:
            return [*path[seen[node] :], node]
        seen[node] = len(path)
        path.append(node)


def _reachable(entries: Sequence[str], succs: dict[str, list[str]]) -> set[str]:
    seen = set(entries)
    stack = list(entries)
    while stack:
        for succ in succs[stack.pop()]:
            if succ not in seen:
                seen.add(succ)
                stack.append(succ)
    return seen


# -- batched grid -----------------------------------------------------------------------------------
def run_grid(req: BatchedGridWorkflowRequest, llm: LLM, *, default_model: str, strict: bool) -> WorkflowRun:
    """Every agent x every task in one parallel phase. ``output``: per task ``{agent_name: text}``.
    ``max_loops`` missing or < 1 → 400 (strict); each cell runs ``max_loops`` turns."""
    if strict and (req.max_loops is None or req.max_loops < 1):
        raise DomainError(400, GRID_MAX_LOOPS_DETAIL)
    agents = resolve_agents(req.agent_completions, default_model=default_model, strict=strict)
    if not agents:
        if strict:
            raise DomainError(
                400,
                "BatchedGridWorkflowCompletionError: at least one agent is required in agent_completions.",
            )
        agents = [resolve_agent(None, default_model=default_model, strict=False)]
    tasks = list(req.tasks or [])
    if not tasks:
        if strict:
            raise DomainError(
                400, "BatchedGridWorkflowCompletionError: at least one task is required in tasks."
            )
        tasks = [""]
    loops = req.max_loops if req.max_loops and req.max_loops > 0 else 1
    rec = Recorder(llm, "grid", swarm_name=req.name or "")
    phase = rec.next_phase()
    outputs: list[dict[str, str]] = []
    error = None
    try:
        for task in tasks:
            row: dict[str, str] = {}
            outputs.append(row)
            for agent in agents:
                seen: list[Message] = []
                for loop in range(loops):
                    row[agent.name] = rec.run_agent(agent, task, seen, phase=phase, loop_index=loop)
                    seen.append(Message(agent.name, row[agent.name]))
    except RunStopped as stop:
        error = stop.error
    return WorkflowRun(
        turns=rec.turns,
        output=outputs,
        number_of_agents=len(agents),
        error=error,
        images=len(req.imgs or []),
        kind="grid",
    )


# -- reasoning agents -------------------------------------------------------------------------------
def _reasoning_type_error(value: str) -> ValidationFailed:
    quoted = [f"'{v}'" for v in REASONING_AGENT_TYPES]
    msg = "Input should be " + ", ".join(quoted[:-1]) + f" or {quoted[-1]}"
    return ValidationFailed([fastapi_error_item(["body", "swarm_type"], msg, "literal_error", value)])


def run_reasoning(
    req: ReasoningAgentRequest, llm: LLM, *, default_model: str = REASONING_DEFAULT_MODEL, strict: bool = True
) -> WorkflowRun:
    """The 9 reasoning types (``swarm_type`` missing → ``reasoning-duo``; anything else, including the
    schema default ``reasoning_duo``, → 422 literal_error; non-strict maps unknown types to reasoning-duo).

    Structures (phases in order): reasoning-duo = reasoner → main agent (x max_loops);
    self-consistency / consistency-agent = ``num_samples`` parallel samples → aggregator;
    ire / ire-agent = hypothesis → simulation → refinement → synthesis (max_loops ignored);
    reasoning-agent = one agent reflecting ``max_loops`` times; ReflexionAgent = actor → evaluator →
    reflector per loop; GKPAgent = ``num_knowledge_items`` (default 3) parallel knowledge items →
    reasoner; AgentJudge = judge over ``max_loops`` rounds (output is a string).
    ``output``: list of ``{role, content}``; a string for AgentJudge. ``meta["agent_type"]`` is the type run.
    """
    kind = "reasoning-duo" if req.swarm_type is None else req.swarm_type
    if kind not in REASONING_AGENT_TYPES:
        if strict:
            raise _reasoning_type_error(kind)
        kind = "reasoning-duo"
    name = req.agent_name or "reasoning-agent"
    model = req.model_name or default_model
    base_prompt = req.system_prompt or ""
    loops = req.max_loops if req.max_loops and req.max_loops > 0 else 1
    task = req.task or ""
    rec = Recorder(llm, "reasoning", swarm_type=kind)
    out: list[dict[str, str]] = []
    conv: list[Message] = []

    def agent(suffix: str, role: str, prompt: str) -> ResolvedAgent:
        full = f"{base_prompt}\n\n{prompt}" if base_prompt else prompt
        return ResolvedAgent(
            name=f"{name}-{suffix}" if suffix else name, model=model, system_prompt=full, role=role
        )

    def say(a: ResolvedAgent, phase: int, loop: int = 0, history: Sequence[Message] | None = None) -> str:
        text = rec.run_agent(a, task, conv if history is None else history, phase=phase, loop_index=loop)
        out.append({"role": a.name, "content": text})
        return text

    def step(a: ResolvedAgent, loop: int = 0) -> None:
        text = say(a, rec.next_phase(), loop)
        conv.append(Message(a.name, text))

    error = None
    try:
        if kind == "reasoning-duo":
            reasoner = agent("reasoner", "reasoner", "Think step by step and write your reasoning.")
            main = agent("main", "main", "Answer the task using the reasoning provided.")
            for loop in range(loops):
                step(reasoner, loop)
                step(main, loop)
        elif kind in ("self-consistency", "consistency-agent"):
            samples = max(1, req.num_samples or 1)
            sampler = agent("", "sampler", "Answer the task independently.")
            for loop in range(loops):
                phase = rec.next_phase()
                base = tuple(conv)
                texts = [say(sampler, phase, loop, base) for _ in range(samples)]
                conv.extend(Message(f"{name} sample {i + 1}", t) for i, t in enumerate(texts))
                step(
                    agent("aggregator", "aggregator", "Pick the most consistent answer among the samples."),
                    loop,
                )
        elif kind in ("ire", "ire-agent"):
            for suffix, prompt in (
                ("hypothesis", "Propose hypotheses."),
                ("simulation", "Simulate each hypothesis."),
                ("refinement", "Refine the best hypothesis."),
                ("synthesis", "Synthesize the answer."),
            ):
                step(agent(suffix, suffix, prompt))
        elif kind == "reasoning-agent":
            thinker = agent("", "reasoner", "Reason carefully, then answer.")
            for loop in range(loops):
                step(thinker, loop)
        elif kind == "ReflexionAgent":
            for loop in range(loops):
                step(agent("actor", "actor", "Answer the task."), loop)
                step(agent("evaluator", "evaluator", "Evaluate the answer."), loop)
                step(
                    agent("reflector", "reflector", "Reflect on the evaluation and suggest improvements."),
                    loop,
                )
        elif kind == "GKPAgent":
            items = max(1, req.num_knowledge_items or 3)
            generator = agent("knowledge", "knowledge", "Generate one relevant piece of knowledge.")
            phase = rec.next_phase()
            texts = [say(generator, phase, 0, ()) for _ in range(items)]
            conv.extend(Message(f"knowledge {i + 1}", t) for i, t in enumerate(texts))
            step(agent("reasoner", "reasoner", "Answer using the knowledge items."))
        else:  # AgentJudge
            judge = agent("", "judge", "Evaluate the task and give a verdict with reasons.")
            for loop in range(loops):
                step(judge, loop)
    except RunStopped as stop:
        error = stop.error
    output: Any = out
    if kind == "AgentJudge":
        output = out[-1]["content"] if out else ""
    agent_count = len({t.call.agent_name for t in rec.turns}) or 1
    return WorkflowRun(
        turns=rec.turns,
        output=output,
        number_of_agents=agent_count,
        error=error,
        kind="reasoning",
        meta={"agent_type": kind, "agent_name": name},
    )


# -- auto swarm builder -----------------------------------------------------------------------------
def run_auto_swarm_builder(
    req: AutoSwarmBuilderRequest, llm: LLM, *, default_model: str, strict: bool = True
) -> WorkflowRun:
    """One builder call, then agents derived deterministically from the task (``derive_agents``).

    ``output`` (the response's ``outputs``) per ``execution_type`` (default ``return-agents``):
    ``{"agents": [...]}``; ``{"swarm_type": "MultiAgentRouter", "router_config": {"routing_strategy":
    "capability-based", "agents": [...]}}``; ``{"agent_objects": [{..., "metadata": {"capabilities",
    "estimated_cost"}}]}``. ``meta["type"]`` is the execution type.
    """
    execution_type = req.execution_type or "return-agents"
    task = req.task or ""
    model = req.model_name or default_model
    builder = ResolvedAgent(
        name=req.name or "AutoSwarmBuilder",
        model=model,
        role="builder",
        system_prompt="Design a team of agents for the task: names, descriptions, prompts.",
        max_tokens=req.max_tokens if req.max_tokens and req.max_tokens > 0 else None,
    )
    rec = Recorder(llm, "auto-swarm-builder", swarm_name=req.name or "")
    error = None
    try:
        loops = req.max_loops if req.max_loops and req.max_loops > 0 else 1
        for loop in range(loops):
            rec.run_agent(builder, task, [], phase=rec.next_phase(), loop_index=loop)
    except RunStopped as stop:
        error = stop.error
    agents = derive_agents(task, model)
    output: dict[str, Any]
    if execution_type == "return-swarm-router-config":
        output = {
            "swarm_type": "MultiAgentRouter",
            "router_config": {"routing_strategy": "capability-based", "agents": agents},
        }
    elif execution_type == "return-agents-objects":
        output = {
            "agent_objects": [
                {
                    **a,
                    "metadata": {
                        "capabilities": [a["description"].split()[0].lower(), "collaboration"],
                        "estimated_cost": 0.05,
                    },
                }
                for a in agents
            ]
        }
    else:
        output = {"agents": agents}
    return WorkflowRun(
        turns=rec.turns,
        output=output,
        number_of_agents=len(agents),
        error=error,
        kind="auto-swarm-builder",
        meta={"type": execution_type},
    )


# -- advanced research ------------------------------------------------------------------------------
def _research_error(code: str, message: str) -> DomainError:
    return DomainError(422, {"error_code": code, "message": message})


def run_advanced_research(req: AdvancedResearchRequest, llm: LLM, *, strict: bool = True) -> WorkflowRun:
    """Director/worker loop: per ``max_loops`` round the director plans (``director_max_loops`` turns),
    ``exa_search_num_results`` workers research in parallel, and a final director call writes the report.
    ``output`` is the report string; ``meta`` has ``name``, ``description``, ``sources``,
    ``characters_per_source``. Validation (422, ``{"detail": {"error_code", "message"}}``)."""
    config = req.config
    fields = config.model_fields_set if config is not None else set()
    name = "Advanced Research"
    description = "Advanced Research"
    worker_model = director_model = "gpt-4.1"
    director_name = "Director-Agent"
    director_max_tokens: int | None = 8000
    director_loops = loops = 1
    sources, characters = 2, 100
    if config is not None:
        if strict and "worker_model_name" in fields and not config.worker_model_name:
            raise _research_error(
                "ADVANCED_RESEARCH_MISSING_WORKER_MODEL_NAME", "worker_model_name is required."
            )
        if strict and "director_model_name" in fields and not config.director_model_name:
            raise _research_error(
                "ADVANCED_RESEARCH_MISSING_DIRECTOR_MODEL_NAME", "director_model_name is required."
            )
        if strict and config.max_loops is not None and config.max_loops <= 0:
            raise _research_error("ADVANCED_RESEARCH_INVALID_MAX_LOOPS", "max_loops must be greater than 0.")
        name = config.name or name
        description = config.description or description
        worker_model = config.worker_model_name or worker_model
        director_model = config.director_model_name or director_model
        director_name = config.director_agent_name or director_name
        director_max_tokens = (
            config.director_max_tokens
            if config.director_max_tokens and config.director_max_tokens > 0
            else None
        )
        director_loops = (
            config.director_max_loops if config.director_max_loops and config.director_max_loops > 0 else 1
        )
        loops = config.max_loops if config.max_loops and config.max_loops > 0 else 1
        sources = config.exa_search_num_results if config.exa_search_num_results is not None else 2
        characters = config.exa_search_max_characters if config.exa_search_max_characters is not None else 100
    director = ResolvedAgent(
        name=director_name,
        model=director_model,
        role="director",
        max_tokens=director_max_tokens,
        system_prompt="You direct a research team: plan searches, then write the report.",
    )
    workers = [
        ResolvedAgent(
            name=f"Research-Worker-{i + 1}",
            model=worker_model,
            role="worker",
            system_prompt="Search the web and summarise what you find.",
        )
        for i in range(max(1, min(sources, 10)))
    ]
    task = req.task or ""
    images = 1 if req.img else 0
    rec = Recorder(llm, "research", images=images, swarm_name=name)
    conv: list[Message] = []
    report = ""
    error = None
    try:
        for loop in range(loops):
            for _ in range(director_loops):
                plan = rec.run_agent(director, task, conv, phase=rec.next_phase(), loop_index=loop)
                conv.append(Message(director.name, plan))
            phase = rec.next_phase()
            base = tuple(conv)
            found = [rec.run_agent(w, task, base, phase=phase, loop_index=loop) for w in workers]
            conv.extend(Message(w.name, t) for w, t in zip(workers, found, strict=True))
        report = rec.run_agent(director, task, conv, phase=rec.next_phase(), loop_index=loops - 1)
    except RunStopped as stop:
        error = stop.error
    return WorkflowRun(
        turns=rec.turns,
        output=report,
        number_of_agents=1 + len(workers),
        error=error,
        images=images,
        kind="research",
        meta={
            "name": name,
            "description": description,
            "sources": sources,
            "characters_per_source": characters,
        },
    )
