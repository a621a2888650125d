"""Swarm architectures: order of calls, what each agent saw, output shapes, usage sums, errors."""

from __future__ import annotations

from typing import Any

import pytest

from mockswarms.engine.architectures import derive_agents, parse_rearrange_flow, run_swarm
from mockswarms.engine.fakellm import FakeLLM
from mockswarms.engine.fixtures import FixtureRegistry
from mockswarms.engine.llm import Pacing
from mockswarms.engine.runs import SwarmRun
from mockswarms.entropy import Entropy
from mockswarms.errors import DomainError, ValidationFailed
from mockswarms.shapes.requests import SWARM_TYPES, WORKFLOW_SWARM_TYPES, SwarmSpec

NO_TASK = (
    "There is no task or tasks or messages provided. Please provide a valid task description to proceed."
)


def make_llm(rules: list[dict[str, Any]] | None = None) -> FakeLLM:
    registry = FixtureRegistry([], watch=False)
    if rules:
        registry.add_rules(rules)
    return FakeLLM(Entropy(3), registry, lambda model: Pacing(0.5, 50.0))


def swarm(
    body: dict[str, Any],
    *,
    llm: FakeLLM | None = None,
    strict: bool = True,
    reject: bool = False,
    legacy: bool = True,
) -> SwarmRun:
    return run_swarm(
        SwarmSpec.model_validate(body),
        llm or make_llm(),
        default_model="gpt-4.1",
        strict=strict,
        reject_misspelled_hierarchical=reject,
        legacy_swarm_types=legacy,
    )


def agents(*names: str, **extra: Any) -> list[dict[str, Any]]:
    return [{"agent_name": n, "system_prompt": f"You are {n}.", **extra} for n in names]


def order(run: SwarmRun) -> list[tuple[str, int]]:
    return [(t.call.agent_name, t.phase) for t in run.turns]


def seen(run: SwarmRun, index: int) -> list[tuple[str, str]]:
    return [(m.role, m.content) for m in run.turns[index].call.history]


ECHO = [{"respond": {"text": "{{ agent_name }} says hi"}}]


def test_sequential_each_agent_sees_previous_outputs() -> None:
    run = swarm(
        {"swarm_type": "SequentialWorkflow", "task": "T", "agents": agents("A", "B", "C")}, llm=make_llm(ECHO)
    )
    assert order(run) == [("A", 0), ("B", 1), ("C", 2)]
    assert seen(run, 0) == []
    assert seen(run, 2) == [("A", "A says hi"), ("B", "B says hi")]
    assert all(t.call.task == "T" and t.call.swarm_type == "SequentialWorkflow" for t in run.turns)
    assert run.output == [{"role": n, "content": f"{n} says hi"} for n in "ABC"]
    assert run.number_of_agents == 3 and run.swarm_type == "SequentialWorkflow"


def test_sequential_templates_read_previous_output() -> None:
    llm = make_llm(
        [
            {"match": {"agent_name": "B"}, "respond": {"text": "B refines: {{ previous_output }}"}},
            {"match": {"agent_name": "A"}, "respond": {"text": "draft"}},
        ]
    )
    run = swarm({"swarm_type": "SequentialWorkflow", "task": "T", "agents": agents("A", "B")}, llm=llm)
    assert run.output[1]["content"] == "B refines: draft"


def test_concurrent_all_see_only_task_and_share_phase() -> None:
    run = swarm(
        {"swarm_type": "ConcurrentWorkflow", "task": "T", "agents": agents("A", "B", "C"), "max_loops": 2}
    )
    assert order(run) == [("A", 0), ("B", 0), ("C", 0), ("A", 1), ("B", 1), ("C", 1)]
    assert seen(run, 0) == seen(run, 2) == []
    assert [r for r, _ in seen(run, 3)] == ["A", "B", "C"]  # loop 2 sees loop 1


def test_agent_rearrange_flow() -> None:
    run = swarm(
        {
            "swarm_type": "AgentRearrange",
            "task": "T",
            "agents": agents("A", "B", "C"),
            "rearrange_flow": "A, B -> C",
        },
        llm=make_llm(ECHO),
    )
    assert order(run) == [("A", 0), ("B", 0), ("C", 1)]
    assert seen(run, 1) == []
    assert seen(run, 2) == [("A", "A says hi"), ("B", "B says hi")]
    assert parse_rearrange_flow("X -> Y, Z", ["X", "Y", "Z"]) == [["X"], ["Y", "Z"]]


@pytest.mark.parametrize(
    ("flow", "fragment"),
    [("A -> D", "Agent 'D' is not registered"), ("A -> -> B", "empty step"), ("A,, B", "empty step")],
)
def test_agent_rearrange_bad_flow(flow: str, fragment: str) -> None:
    llm = make_llm()
    with pytest.raises(DomainError) as info:
        swarm(
            {"swarm_type": "AgentRearrange", "task": "T", "agents": agents("A", "B"), "rearrange_flow": flow},
            llm=llm,
        )
    assert info.value.status == 400 and fragment in info.value.body["detail"]


def test_mixture_of_agents_workers_then_aggregator() -> None:
    run = swarm({"swarm_type": "MixtureOfAgents", "task": "T", "agents": agents("W1", "W2", "Agg")})
    assert order(run) == [("W1", 0), ("W2", 0), ("Agg", 1)]
    assert [r for r, _ in seen(run, 2)] == ["W1", "W2"] and run.turns[2].call.role == "aggregator"


def test_group_chat_uses_messages_and_loops() -> None:
    run = swarm(
        {
            "swarm_type": "GroupChat",
            "task": "T",
            "agents": agents("A", "B"),
            "max_loops": 2,
            "messages": [{"role": "user", "content": "hello"}],
        }
    )
    assert [n for n, _ in order(run)] == ["A", "B", "A", "B"]
    assert seen(run, 0) == [("user", "hello")]
    assert [r for r, _ in seen(run, 3)] == ["user", "A", "B", "A"]
    assert run.meta["messages"] == [{"role": "user", "content": "hello"}]


def test_interactive_group_chat_mentions() -> None:
    run = swarm(
        {"swarm_type": "InteractiveGroupChat", "task": "@B then @A please", "agents": agents("A", "B", "C")}
    )
    assert [n for n, _ in order(run)] == ["B", "A"]


def test_router_follows_router_text_or_overlap() -> None:
    llm = make_llm([{"match": {"agent_name": "MultiAgentRouter"}, "respond": {"text": "Send to Coder"}}])
    run = swarm({"swarm_type": "MultiAgentRouter", "task": "T", "agents": agents("Writer", "Coder")}, llm=llm)
    assert [n for n, _ in order(run)] == ["MultiAgentRouter", "Coder"]
    plain = swarm(
        {
            "swarm_type": "MultiAgentRouter",
            "task": "fix the python code",
            "agents": [
                {"agent_name": "Writer", "description": "writes essays"},
                {"agent_name": "Coder", "description": "fixes python code"},
            ],
        }
    )
    assert plain.turns[-1].call.agent_name == "Coder"


@pytest.mark.parametrize("spelling", ["HierarchicalSwarm", "HiearchicalSwarm"])
def test_hierarchical_director_plans_workers_execute_director_summarises(spelling: str) -> None:
    run = swarm(
        {"swarm_type": spelling, "task": "T", "agents": agents("A", "B"), "director_model_name": "gpt-x"}
    )
    assert order(run) == [("Director", 0), ("A", 1), ("B", 1), ("Director", 2)]
    assert run.turns[0].call.model == "gpt-x" and "A, B" in run.turns[0].call.system_prompt
    assert [r for r, _ in seen(run, 1)] == ["Director"]
    assert [r for r, _ in seen(run, 3)] == ["Director", "A", "B"]
    assert run.swarm_type == "HierarchicalSwarm"


def test_misspelling_rejected_when_switched() -> None:
    with pytest.raises(ValidationFailed) as info:
        swarm({"swarm_type": "HiearchicalSwarm", "task": "T", "agents": agents("A")}, reject=True)
    item = info.value.body["detail"][0]
    assert item["loc"] == ["body", "swarm_type"] and item["type"] == "literal_error"
    assert item["input"] == "HiearchicalSwarm" and "'HierarchicalSwarm'" in item["msg"]


@pytest.mark.parametrize("legacy", ["MALT", "DeepResearchSwarm", "InteractiveGroupChat", "SpreadSheetSwarm"])
def test_legacy_types_behind_switch(legacy: str) -> None:
    with pytest.raises(ValidationFailed):
        swarm({"swarm_type": legacy, "task": "T", "agents": agents("A")}, legacy=False)
    assert swarm({"swarm_type": legacy, "task": "T", "agents": agents("A")}).turns


def test_majority_voting() -> None:
    run = swarm({"swarm_type": "MajorityVoting", "task": "T", "agents": agents("A", "B", "C")})
    assert order(run) == [("A", 0), ("B", 0), ("C", 0), ("Consensus-Agent", 1)]
    assert [r for r, _ in seen(run, 3)] == ["A", "B", "C"]


def test_council_as_a_judge() -> None:
    run = swarm(
        {
            "swarm_type": "CouncilAsAJudge",
            "task": "T",
            "agents": agents("A"),
            "council_judge_model_name": "judge-m",
        }
    )
    names = [n for n, _ in order(run)]
    assert names[0] == "A" and names[-1] == "aggregator_agent" and len(names) == 8
    assert {p for _, p in order(run)[1:7]} == {1}
    assert all(t.call.model == "judge-m" for t in run.turns[1:])


def test_llm_council() -> None:
    run = swarm({"swarm_type": "LLMCouncil", "task": "T", "agents": agents("A", "B")})
    assert order(run) == [("A", 0), ("B", 0), ("A", 1), ("B", 1), ("Chairman", 2)]
    assert [r for r, _ in seen(run, 2)] == ["Response A", "Response B"]
    assert run.turns[4].call.model == "gpt-5.1"


def test_debate_with_judge() -> None:
    run = swarm(
        {
            "swarm_type": "DebateWithJudge",
            "task": "T",
            "agents": agents("Pro", "Con", "Judge"),
            "max_loops": 2,
        }
    )
    assert [n for n, _ in order(run)] == ["Pro", "Con", "Judge"] * 2
    assert [t.call.role for t in run.turns[:3]] == ["pro", "con", "judge"]


def test_round_robin_rotates() -> None:
    run = swarm({"swarm_type": "RoundRobin", "task": "T", "agents": agents("A", "B", "C"), "max_loops": 2})
    assert [n for n, _ in order(run)] == ["A", "B", "C", "B", "C", "A"]


def test_planner_worker() -> None:
    run = swarm({"swarm_type": "PlannerWorkerSwarm", "task": "T", "agents": agents("A", "B")})
    assert order(run) == [("Planner", 0), ("A", 1), ("B", 1), ("Judge", 2)]


@pytest.mark.parametrize(("variant", "workers"), [(None, 4), ("medium", 6), ("heavy", 8)])
@pytest.mark.parametrize("loops_field", ["heavy_swarm_max_loops", "heavy_swarm_loops_per_agent"])
def test_heavy_swarm(variant: str | None, workers: int, loops_field: str) -> None:
    run = swarm(
        {
            "swarm_type": "HeavySwarm",
            "task": "T",
            "heavy_swarm_variant": variant,
            loops_field: 2,
            "heavy_swarm_worker_model_name": "wm",
        }
    )
    names = [n for n, _ in order(run)]
    assert names[0] == "Question-Generator-Agent" and names[-1] == "Synthesis-Agent"
    assert len(names) == 2 + 2 * workers
    assert {t.call.model for t in run.turns[1:-1]} == {"wm"}
    assert len(seen(run, len(names) - 1)) == 1 + workers  # question + last round


def test_heavy_swarm_bad_variant_is_422_when_strict() -> None:
    with pytest.raises(ValidationFailed):
        swarm({"swarm_type": "HeavySwarm", "task": "T", "heavy_swarm_variant": "huge"})
    assert swarm({"swarm_type": "HeavySwarm", "task": "T", "heavy_swarm_variant": "huge"}, strict=False).turns


def test_batched_grid_as_swarm_type() -> None:
    run = swarm(
        {"swarm_type": "BatchedGridWorkflow", "tasks": ["t1", "t2"], "agents": agents("A", "B")},
        llm=make_llm(ECHO),
    )
    assert run.output == [{"A": "A says hi", "B": "B says hi"}] * 2
    assert {t.phase for t in run.turns} == {0}


def test_auto_swarm_builder_type_and_derivation() -> None:
    run = swarm({"swarm_type": "AutoSwarmBuilder", "task": "Plan a product launch"})
    derived = [a["agent_name"] for a in derive_agents("Plan a product launch", "gpt-4.1")]
    assert [n for n, _ in order(run)] == ["AutoSwarmBuilder", *derived]
    assert derive_agents("Plan a product launch", "m") == derive_agents("Plan a product launch", "m")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"rearrange_flow": "A -> B"}, "AgentRearrange"),
        ({"messages": [{"role": "user", "content": "x"}]}, "GroupChat"),
        ({"task": "Let us vote on it"}, "MajorityVoting"),
        ({"task": "Do these in parallel"}, "ConcurrentWorkflow"),
        ({"task": "Write a report"}, "SequentialWorkflow"),
    ],
)
def test_auto_is_deterministic(body: dict[str, Any], expected: str) -> None:
    run = swarm({"swarm_type": "auto", "task": "T", "agents": agents("A", "B"), **body})
    assert run.resolved_type == expected and run.swarm_type == "auto"


def test_tasks_run_once_per_task_and_return_history() -> None:
    body = {"swarm_type": "SequentialWorkflow", "tasks": ["t1", "t2"], "agents": agents("A", "B")}
    run = swarm(body, llm=make_llm(ECHO))
    assert [t.call.task for t in run.turns] == ["t1", "t1", "t2", "t2"]
    assert seen(run, 2) == []  # a new task starts a fresh conversation
    assert [o["task"] for o in run.output] == ["t1", "t2"]
    assert run.output[0]["output"][1] == {"role": "B", "content": "B says hi"}
    final = swarm({**body, "return_history": False}, llm=make_llm(ECHO))
    assert final.output == ["B says hi", "B says hi"]
    single = swarm(
        {
            "swarm_type": "SequentialWorkflow",
            "task": "t",
            "agents": agents("A", "B"),
            "return_history": False,
        },
        llm=make_llm(ECHO),
    )
    assert single.output == "B says hi"


def test_rules_img_and_per_agent_loops() -> None:
    run = swarm(
        {
            "swarm_type": "SequentialWorkflow",
            "task": "T",
            "rules": "Be brief.",
            "img": "http://x/i.png",
            "agents": [{"agent_name": "A", "system_prompt": "Sys", "max_loops": 2}, {"agent_name": "B"}],
        }
    )
    assert [n for n, _ in order(run)] == ["A", "A", "B"]
    assert run.turns[0].call.system_prompt == "Sys\n\nRules:\nBe brief."
    assert run.turns[2].call.system_prompt == "Rules:\nBe brief."
    assert "Be brief." in run.turns[0].call.seen_text()
    assert [r for r, _ in seen(run, 1)] == ["A"]  # second loop sees its first answer
    assert [r for r, _ in seen(run, 2)] == ["A"]  # B sees only A's final answer
    assert len(run.output) == 2 and run.images == 1 and {t.call.images for t in run.turns} == {1}


# GraphWorkflow / AdvancedResearch run on the workflow engines (tests/seeds/test_seed_003.py).
@pytest.mark.parametrize("swarm_type", [t for t in SWARM_TYPES if t not in WORKFLOW_SWARM_TYPES])
def test_usage_sums_and_shapes_for_every_type(swarm_type: str) -> None:
    run = swarm(
        {
            "swarm_type": swarm_type,
            "task": "Vote on the plan",
            "agents": agents("A", "B", "C"),
            "rearrange_flow": "A -> B, C" if swarm_type == "AgentRearrange" else None,
        }
    )
    assert run.turns, swarm_type
    per_agent = run.per_agent_usage()
    assert sum(u["input_tokens"] for u in per_agent.values()) == run.input_tokens
    assert sum(u["output_tokens"] for u in per_agent.values()) == run.output_tokens
    assert run.input_tokens == sum(t.result.input_tokens for t in run.turns) > 0
    # Every call's input counts what it saw, including earlier outputs in its history.
    for turn in run.turns:
        assert turn.result.input_tokens >= sum(len(m.content.split()) for m in turn.call.history)
    assert [t.call.call_index for t in run.turns] == list(range(len(run.turns)))
    phases = [t.phase for t in run.turns]
    assert phases == sorted(phases)
    if swarm_type not in ("BatchedGridWorkflow", "SpreadSheetSwarm"):
        assert all(set(item) == {"role", "content"} for item in run.output)
    assert run.simulated_seconds > 0


def test_determinism_and_fixture_error_stops_run() -> None:
    body = {"swarm_type": "SequentialWorkflow", "task": "T", "agents": agents("A", "B", "C")}
    assert swarm(body).output == swarm(body).output
    llm = make_llm([{"match": {"agent_name": "B"}, "respond": {"error": {"status": 503, "detail": "down"}}}])
    run = swarm(body, llm=llm)
    assert run.error is not None and (run.error.status, run.error.detail) == (503, "down")
    assert [n for n, _ in order(run)] == ["A", "B"] and len(run.output) == 1


def test_strict_errors_and_prism_placeholders() -> None:
    with pytest.raises(DomainError) as info:
        swarm({"swarm_type": "SequentialWorkflow", "agents": agents("A")})
    assert (info.value.status, info.value.body) == (400, {"detail": NO_TASK})
    with pytest.raises(DomainError) as info:
        swarm({"task": "T", "agents": [{"system_prompt": "x"}]})
    assert info.value.body == {"detail": "Agent validation error: Agent name is required."}
    run = swarm({}, strict=False)
    assert [t.call.agent_name for t in run.turns] == ["Agent"] and run.turns[0].call.task == ""
    assert run.swarm_type == "SequentialWorkflow" and run.number_of_agents == 1


def test_sequential_cpu_budget() -> None:
    import time

    llm = make_llm()
    spec = SwarmSpec.model_validate(
        {"swarm_type": "SequentialWorkflow", "task": "Write about cats", "agents": agents("A", "B", "C")}
    )
    start = time.process_time()
    for _ in range(100):
        run_swarm(
            spec,
            llm,
            default_model="gpt-4.1",
            strict=True,
            reject_misspelled_hierarchical=False,
            legacy_swarm_types=True,
        )
    assert (time.process_time() - start) / 100 < 0.003  # ~0.3 ms locally; generous for CI
