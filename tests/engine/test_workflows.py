"""Agent, chat, graph, grid, reasoning, auto-swarm-builder and advanced-research runs."""

from __future__ import annotations

from itertools import count
from typing import Any

import pytest

from mockswarms.engine.fakellm import FakeLLM
from mockswarms.engine.fixtures import FixtureRegistry
from mockswarms.engine.llm import Pacing
from mockswarms.engine.runs import Run
from mockswarms.engine.workflows import (
    run_advanced_research,
    run_agent,
    run_auto_swarm_builder,
    run_chat,
    run_graph,
    run_grid,
    run_reasoning,
)
from mockswarms.entropy import Entropy
from mockswarms.errors import DomainError, OpenAIError, ValidationFailed
from mockswarms.shapes.requests import (
    REASONING_AGENT_TYPES,
    AdvancedResearchRequest,
    AgentCompletion,
    AutoSwarmBuilderRequest,
    BatchedGridWorkflowRequest,
    ChatCompletionRequest,
    GraphWorkflowRequest,
    ReasoningAgentRequest,
)
from mockswarms.tokenizer import count_tokens

ECHO = [{"respond": {"text": "{{ agent_name }} says hi"}}]


def make_llm(rules: list[dict[str, Any]] | None = None) -> FakeLLM:
    registry = FixtureRegistry([], watch=False)
    if rules:
        registry.add_rules(rules)
    return FakeLLM(Entropy(5), registry, lambda model: Pacing())


def sums_ok(run: Run) -> None:
    per_agent = run.per_agent_usage()
    assert sum(u["total_tokens"] for u in per_agent.values()) == run.total_tokens
    assert run.total_tokens == run.input_tokens + run.output_tokens


# -- agent ------------------------------------------------------------------------------------------
def agent_req(**body: Any) -> AgentCompletion:
    return AgentCompletion.model_validate(
        {"agent_config": {"agent_name": "Researcher"}, "task": "Summarize", **body}
    )


def test_agent_history_forms_and_loops() -> None:
    stamps = count()
    run = run_agent(
        agent_req(
            history=[{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}],
            agent_config={"agent_name": "Researcher", "max_loops": 2, "system_prompt": "S"},
        ),
        make_llm(),
        default_model="gpt-4.1",
        strict=True,
        stamp=lambda: (f"ts{next(stamps)}", "mid"),
    )
    assert len(run.turns) == 2 and len(run.output) == 2
    first, second = run.turns
    assert [(m.role, m.content) for m in first.call.history] == [("user", "hi"), ("assistant", "yo")]
    assert [m.role for m in second.call.history] == ["user", "assistant", "Researcher"]
    assert first.result.input_tokens == count_tokens("S\nhi\nyo\nSummarize")
    assert run.output[0] == {
        "role": "Researcher",
        "content": first.result.text,
        "timestamp": "ts0",
        "message_id": "mid",
    }
    assert run.output[1]["timestamp"] == "ts1"
    sums_ok(run)
    as_dict = run_agent(
        agent_req(history={"user": "hi", "assistant": "yo"}), make_llm(), default_model="m", strict=True
    )
    assert [(m.role, m.content) for m in as_dict.turns[0].call.history] == [
        ("user", "hi"),
        ("assistant", "yo"),
    ]
    assert as_dict.model == "m" and set(as_dict.output[0]) == {"role", "content"}


def test_agent_tool_call_images_tools_and_mcp() -> None:
    llm = make_llm(
        [
            {
                "match": {"agent_name": "Researcher"},
                "respond": {"tool_call": {"name": "lookup", "arguments": {"q": "x"}}},
            }
        ]
    )
    tools = [{"type": "function", "function": {"name": "lookup", "parameters": {}}}]
    run = run_agent(
        agent_req(
            agent_config={"agent_name": "Researcher", "tools_list_dictionary": tools, "mcp_url": "http://m"},
            img="a",
            imgs=["b", "c"],
            tools_enabled=["web_scraper", "auto_search"],
        ),
        llm,
        default_model="gpt-4.1",
        strict=True,
    )
    content = run.output[-1]["content"]
    assert isinstance(content, list) and content[0]["function"] == {
        "name": "lookup",
        "arguments": '{"q":"x"}',
    }
    assert run.turns[0].call.tools == tuple(tools)
    assert run.images == 3 and run.turns[0].call.images == 3
    assert run.tools_enabled == ["web_scraper", "auto_search"] and run.tool_fee == "auto_search"
    assert run.mcp_calls == 1


def test_agent_strict_and_prism() -> None:
    with pytest.raises(DomainError) as info:
        run_agent(AgentCompletion.model_validate({"task": "x"}), make_llm(), default_model="m", strict=True)
    assert info.value.body == {"detail": "Agent name is required"}
    with pytest.raises(DomainError):
        run_agent(
            AgentCompletion.model_validate({"agent_config": {}, "task": "x"}),
            make_llm(),
            default_model="m",
            strict=True,
        )
    run = run_agent(AgentCompletion.model_validate({}), make_llm(), default_model="m", strict=False)
    assert run.name == "Agent" and run.turns[0].call.task == ""


# -- chat -------------------------------------------------------------------------------------------
def chat(**body: Any) -> ChatCompletionRequest:
    return ChatCompletionRequest.model_validate({"model": "gpt-4.1", **body})


def test_chat_messages_and_tokens() -> None:
    req = chat(
        messages=[
            {"role": "system", "content": "Be nice"},
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello"},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "Look"},
                    {"type": "image_url", "image_url": {"url": "data:x"}},
                ],
            },
        ],
        max_tokens=100,
        max_completion_tokens=4,
    )
    run = run_chat(req, make_llm())
    (turn,) = run.turns
    assert turn.call.system_prompt == "Be nice" and turn.call.task == "Look"
    assert [(m.role, m.content) for m in turn.call.history] == [("user", "Hi"), ("assistant", "Hello")]
    assert turn.call.max_tokens == 4 and run.output_tokens == 4 and run.images == 1
    assert run.text == turn.result.text and run.finish_reason == "length"  # cut at 4 tokens


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"messages": [{"role": "user", "content": "x"}], "n": 2},
            "Only n=1 is supported; n > 1 is not available.",
        ),
        ({"messages": []}, "At least one message with role 'user' is required."),
        (
            {"messages": [{"role": "system", "content": "x"}]},
            "At least one message with role 'user' is required.",
        ),
    ],
)
def test_chat_rejections(body: dict[str, Any], message: str) -> None:
    with pytest.raises(OpenAIError) as info:
        run_chat(chat(**body), make_llm())
    assert info.value.status == 400
    assert info.value.body["error"]["message"] == message
    assert info.value.body["error"]["type"] == "invalid_request_error"


# -- graph ------------------------------------------------------------------------------------------
def graph(**body: Any) -> GraphWorkflowRequest:
    return GraphWorkflowRequest.model_validate({"task": "T", **body})


def names(*ns: str) -> list[dict[str, str]]:
    return [{"agent_name": n} for n in ns]


def test_graph_topological_fan_out_fan_in() -> None:
    req = graph(
        agents=names("D", "A", "B", "C"),
        edges=[
            {"source": "A", "target": "B"},
            {"source": "A", "target": "C"},
            {"source": "B", "target": "D"},
            {"source": "C", "target": "D"},
        ],
    )
    run = run_graph(req, make_llm(ECHO), default_model="m", strict=True)
    assert [(t.call.agent_name, t.phase) for t in run.turns] == [("A", 0), ("B", 1), ("C", 1), ("D", 2)]
    assert [m.role for m in run.turns[3].call.history] == ["B", "C"]
    assert run.turns[0].call.history == ()
    assert run.output == {"A": "A says hi", "B": "B says hi", "C": "C says hi", "D": "D says hi"}
    assert run.meta["entry_points"] == ["A"] and run.meta["end_points"] == ["D"]
    sums_ok(run)


def test_graph_entry_points_and_loops() -> None:
    req = graph(
        agents=names("A", "B", "C"), edges=[{"source": "A", "target": "B"}], entry_points=["A"], max_loops=2
    )
    run = run_graph(req, make_llm(ECHO), default_model="m", strict=True)
    assert [t.call.agent_name for t in run.turns] == ["A", "B", "A", "B"]  # C unreachable from A
    assert [m.role for m in run.turns[2].call.history] == ["B"]  # loop 2 entry sees previous end output


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"agents": names("A", "B"), "edges": [{"source": "A", "target": "Z"}]}, "unknown agent 'Z'"),
        (
            {
                "agents": names("A", "B"),
                "edges": [{"source": "A", "target": "B"}, {"source": "B", "target": "A"}],
            },
            "cycle: A -> B -> A",
        ),
        ({"agents": names("A"), "entry_points": ["Q"]}, "Unknown entry point 'Q'"),
        ({"agents": names("A", "A")}, "Duplicate agent name 'A'"),
        ({"agents": []}, "at least one agent"),
    ],
)
def test_graph_errors(body: dict[str, Any], fragment: str) -> None:
    with pytest.raises(DomainError) as info:
        run_graph(graph(**body), make_llm(), default_model="m", strict=True)
    assert info.value.status == 400 and fragment in info.value.body["detail"]
    assert run_graph(graph(**body), make_llm(), default_model="m", strict=False).turns


# -- grid -------------------------------------------------------------------------------------------
def test_grid_every_agent_by_every_task() -> None:
    req = BatchedGridWorkflowRequest.model_validate(
        {"agent_completions": names("A", "B"), "tasks": ["t1", "t2"], "max_loops": 1}
    )
    run = run_grid(req, make_llm(ECHO), default_model="m", strict=True)
    assert [(t.call.agent_name, t.call.task) for t in run.turns] == [
        ("A", "t1"),
        ("B", "t1"),
        ("A", "t2"),
        ("B", "t2"),
    ]
    assert run.output == [{"A": "A says hi", "B": "B says hi"}, {"A": "A says hi", "B": "B says hi"}]
    assert run.number_of_agents == 2 and {t.phase for t in run.turns} == {0}
    sums_ok(run)


@pytest.mark.parametrize("loops", [None, 0])
def test_grid_max_loops_required_when_strict(loops: int | None) -> None:
    req = BatchedGridWorkflowRequest.model_validate(
        {"agent_completions": names("A"), "tasks": ["t"], "max_loops": loops}
    )
    with pytest.raises(DomainError) as info:
        run_grid(req, make_llm(), default_model="m", strict=True)
    assert info.value.status == 400
    assert len(run_grid(req, make_llm(), default_model="m", strict=False).turns) == 1


# -- reasoning --------------------------------------------------------------------------------------
def reasoning(**body: Any) -> ReasoningAgentRequest:
    return ReasoningAgentRequest.model_validate({"task": "Why?", "agent_name": "R", **body})


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("reasoning-duo", ["R-reasoner", "R-main"]),
        ("self-consistency", ["R", "R", "R", "R-aggregator"]),
        ("consistency-agent", ["R", "R", "R", "R-aggregator"]),
        ("ire", ["R-hypothesis", "R-simulation", "R-refinement", "R-synthesis"]),
        ("ire-agent", ["R-hypothesis", "R-simulation", "R-refinement", "R-synthesis"]),
        ("reasoning-agent", ["R"]),
        ("ReflexionAgent", ["R-actor", "R-evaluator", "R-reflector"]),
        ("GKPAgent", ["R-knowledge", "R-knowledge", "R-reasoner"]),
        ("AgentJudge", ["R"]),
    ],
)
def test_reasoning_structures(kind: str, expected: list[str]) -> None:
    run = run_reasoning(reasoning(swarm_type=kind, num_samples=3, num_knowledge_items=2), make_llm())
    assert [t.call.agent_name for t in run.turns] == expected
    assert run.meta["agent_type"] == kind
    if kind == "AgentJudge":
        assert run.output == run.turns[-1].result.text
    else:
        assert [o["role"] for o in run.output] == expected
    if kind in ("self-consistency", "consistency-agent"):
        texts = {t.result.text for t in run.turns[:3]}
        assert len(texts) == 3  # different call index → different sample
        assert {t.phase for t in run.turns[:3]} == {0}
    sums_ok(run)
    assert set(REASONING_AGENT_TYPES) >= {kind}


@pytest.mark.parametrize("bad", ["reasoning_duo", "nope"])
def test_reasoning_invalid_type(bad: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        run_reasoning(reasoning(swarm_type=bad), make_llm())
    assert info.value.body["detail"][0]["loc"] == ["body", "swarm_type"]
    assert (
        run_reasoning(reasoning(swarm_type=bad), make_llm(), strict=False).meta["agent_type"]
        == "reasoning-duo"
    )


# -- auto swarm builder -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "execution_type", [None, "return-agents", "return-swarm-router-config", "return-agents-objects"]
)
def test_auto_swarm_builder_shapes(execution_type: str | None) -> None:
    req = AutoSwarmBuilderRequest.model_validate(
        {"task": "Analyse the EV market", "execution_type": execution_type}
    )
    run = run_auto_swarm_builder(req, make_llm(), default_model="gpt-4.1")
    again = run_auto_swarm_builder(req, make_llm(), default_model="gpt-4.1")
    assert run.output == again.output and len(run.turns) == 1
    out = run.output
    if execution_type in (None, "return-agents"):
        agents = out["agents"]
    elif execution_type == "return-swarm-router-config":
        assert out["swarm_type"] == "MultiAgentRouter"
        assert out["router_config"]["routing_strategy"] == "capability-based"
        agents = out["router_config"]["agents"]
    else:
        agents = out["agent_objects"]
        assert all(set(a["metadata"]) == {"capabilities", "estimated_cost"} for a in agents)
    assert 2 <= len(agents) <= 4
    assert all({"agent_name", "description", "system_prompt", "model_name"} <= set(a) for a in agents)
    assert run.meta["type"] == (execution_type or "return-agents")


# -- advanced research ------------------------------------------------------------------------------
def research(config: dict[str, Any] | None, task: str | None = "Study X") -> AdvancedResearchRequest:
    return AdvancedResearchRequest.model_validate({"config": config, "task": task})


def test_advanced_research_loop() -> None:
    run = run_advanced_research(
        research(
            {
                "max_loops": 2,
                "exa_search_num_results": 3,
                "director_model_name": "dm",
                "worker_model_name": "wm",
            }
        ),
        make_llm(),
    )
    names_ = [(t.call.agent_name, t.phase) for t in run.turns]
    workers = [("Research-Worker-1", 1), ("Research-Worker-2", 1), ("Research-Worker-3", 1)]
    assert names_[:4] == [("Director-Agent", 0), *workers]
    assert names_[-1] == ("Director-Agent", 4) and len(names_) == 9
    assert {t.call.model for t in run.turns if t.call.role == "worker"} == {"wm"}
    assert run.output == run.turns[-1].result.text
    assert run.meta["sources"] == 3 and run.meta["characters_per_source"] == 100
    sums_ok(run)
    assert run_advanced_research(research(None, None), make_llm()).turns


@pytest.mark.parametrize(
    ("config", "code"),
    [
        ({"worker_model_name": None}, "ADVANCED_RESEARCH_MISSING_WORKER_MODEL_NAME"),
        ({"director_model_name": ""}, "ADVANCED_RESEARCH_MISSING_DIRECTOR_MODEL_NAME"),
        ({"max_loops": 0}, "ADVANCED_RESEARCH_INVALID_MAX_LOOPS"),
    ],
)
def test_advanced_research_validation(config: dict[str, Any], code: str) -> None:
    with pytest.raises(DomainError) as info:
        run_advanced_research(research(config), make_llm())
    assert info.value.status == 422 and info.value.body["detail"]["error_code"] == code
    assert isinstance(info.value.body["detail"]["message"], str)
