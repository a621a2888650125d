"""One ``SwarmSpec`` run: the architecture, the two workflow types 003 lists, and ``output_type``.

- ``GraphWorkflow`` and ``AdvancedResearch`` are ``swarm_type`` values in seed 003's architecture table.
  They run on the engines of their dedicated endpoints (``workflows.run_graph`` /
  ``workflows.run_advanced_research``) with the swarm's fields: GraphWorkflow takes ``agents`` (required,
  400 ``"GraphWorkflow requires at least one agent."`` as on ``/v1/graph-workflow/completions``) and the
  optional ``edges`` / ``entry_points`` / ``end_points`` (no edges: every agent is an entry and an end,
  all run in parallel); AdvancedResearch takes ``director_model_name`` and, as its worker model, the
  first agent's ``model_name``. Their ``output`` is the conversation of the turns that ran.
- Every other type runs in :mod:`mockswarms.engine.architectures`.
- Then ``output_type`` (the request's, else ``default_output_type``) shapes the conversation
  (:mod:`mockswarms.engine.output_types`); per task when ``tasks`` has several entries;
  ``return_history: false`` keeps the last message only (see ``_shape``).
- ``hierarchical_echo = "as-sent"`` echoes the misspelt ``HiearchicalSwarm`` as sent (the only spelling
  swarms-client 0.1.6 accepts back) instead of ``HierarchicalSwarm``.
- ``invalid_swarm_type_detail``: the one-message 400 that seed 001 documents for an unknown
  ``swarm_type`` (switch ``invalid_swarm_type_status``), checked on the raw body before the schema.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from mockswarms.engine import architectures, workflows
from mockswarms.engine.llm import LLM
from mockswarms.engine.output_types import shape_conversation
from mockswarms.engine.runs import Run, SwarmRun
from mockswarms.errors import DomainError, ValidationFailed, fastapi_error_item
from mockswarms.shapes.requests import (
    SWARM_TYPES,
    AdvancedResearchRequest,
    GraphWorkflowRequest,
    SwarmSpec,
)

__all__ = ["INVALID_SWARM_TYPE_DETAIL", "check_swarm_type_value", "run_swarm_spec"]

INVALID_SWARM_TYPE_DETAIL = "Failed to create swarm: Invalid swarm_type specified"  # seed 001


def check_swarm_type_value(payload: Any, *, status: int) -> None:
    """With ``status`` 400, an unknown ``swarm_type`` string is seed 001's one-message 400 (else the
    schema answers 422 with the FastAPI list)."""
    if status != 400 or not isinstance(payload, dict):
        return
    value = payload.get("swarm_type")
    if isinstance(value, str) and value not in SWARM_TYPES:
        raise DomainError(400, INVALID_SWARM_TYPE_DETAIL)


def _conversation(run: Run) -> list[dict[str, Any]]:
    return [{"role": turn.call.agent_name, "content": turn.result.text} for turn in run.turns]


_GRAPH_EXTRAS = ("edges", "entry_points", "end_points")


def _graph(spec: SwarmSpec, llm: LLM, *, default_model: str, strict: bool) -> SwarmRun:
    extra = spec.model_extra or {}
    # Plain data in, so the workflow request applies its own field types (agent and edge shapes).
    fields: dict[str, Any] = {
        "name": spec.name,
        "description": spec.description,
        "agents": [a.model_dump(exclude_unset=True) for a in spec.agents or []],
        "max_loops": spec.max_loops,
        "task": spec.task or (spec.tasks[0] if spec.tasks else None),
        "img": spec.img,
        **{key: extra[key] for key in _GRAPH_EXTRAS if key in extra},
    }
    try:
        req = GraphWorkflowRequest.model_validate(fields)
    except ValidationError as exc:
        if strict:  # the graph fields are schema errors, like on /v1/graph-workflow/completions
            raise ValidationFailed(
                [
                    fastapi_error_item(["body", *e["loc"]], e["msg"], e["type"], e.get("input"))
                    for e in exc.errors()
                ]
            ) from exc
        req = GraphWorkflowRequest.model_validate({k: v for k, v in fields.items() if k not in _GRAPH_EXTRAS})
    run = workflows.run_graph(req, llm, default_model=default_model, strict=strict)
    return _as_swarm_run(run, "GraphWorkflow")


def _research(spec: SwarmSpec, llm: LLM, *, strict: bool) -> SwarmRun:
    config: dict[str, Any] = {
        "name": spec.name or "Advanced Research",
        "description": spec.description or "Advanced Research",
        # A swarm's max_loops of 0 means once, as for every architecture.
        "max_loops": spec.max_loops if spec.max_loops and spec.max_loops > 0 else 1,
    }
    if spec.director_model_name:
        config["director_model_name"] = spec.director_model_name
    if spec.agents and spec.agents[0].model_name:
        config["worker_model_name"] = spec.agents[0].model_name
    task = spec.task or (spec.tasks[0] if spec.tasks else None)
    req = AdvancedResearchRequest.model_validate({"config": config, "task": task})
    run = workflows.run_advanced_research(req, llm, strict=strict)
    return _as_swarm_run(run, "AdvancedResearch")


def _as_swarm_run(run: Run, swarm_type: str) -> SwarmRun:
    return SwarmRun(
        turns=run.turns,
        output=_conversation(run),
        number_of_agents=run.number_of_agents,
        error=run.error,
        images=run.images,
        swarm_type=swarm_type,
        resolved_type=swarm_type,
    )


def _is_conversation(output: Any) -> bool:
    return isinstance(output, list) and all(
        isinstance(m, dict) and ("role" in m or "agent_name" in m) for m in output
    )


def _is_per_task(output: Any) -> bool:
    return (
        isinstance(output, list)
        and bool(output)
        and all(isinstance(i, dict) and set(i) == {"task", "output"} for i in output)
    )


def _shape(output: Any, output_type: str | None, *, return_history: bool) -> Any:
    """The architectures ran with the whole history; here it becomes what the request asked for.

    ``return_history: false`` keeps only the last message: its text without an ``output_type`` (the
    documented final answer), else that message in the ``output_type``'s shape (``dict`` stays an
    object, which clients that parse ``output`` as one rely on).
    """

    def one(conversation: list[dict[str, Any]]) -> Any:
        if not return_history:
            conversation = conversation[-1:]
            if output_type is None:
                last = conversation[0] if conversation else {}
                return last.get("content", last.get("result", ""))
        return conversation if output_type is None else shape_conversation(conversation, output_type)

    if _is_per_task(output):
        if not return_history:
            return [one(item["output"]) for item in output]
        return [{**item, "output": one(item["output"])} for item in output]
    if _is_conversation(output):
        return one(output)
    return output  # not a conversation (BatchedGridWorkflow rows)


def run_swarm_spec(
    spec: SwarmSpec,
    llm: LLM,
    *,
    default_model: str,
    strict: bool,
    reject_misspelled_hierarchical: bool,
    legacy_swarm_types: bool,
    default_output_type: str | None = None,
    hierarchical_echo: str = "corrected",
) -> SwarmRun:
    """Run one swarm and shape its ``output``. Raises ValidationFailed (422) / DomainError (400)."""
    if spec.swarm_type == "GraphWorkflow":
        run = _graph(spec, llm, default_model=default_model, strict=strict)
    elif spec.swarm_type == "AdvancedResearch":
        run = _research(spec, llm, strict=strict)
    else:
        run = architectures.run_swarm(
            spec.model_copy(update={"return_history": True}),  # _shape applies return_history
            llm,
            default_model=default_model,
            strict=strict,
            reject_misspelled_hierarchical=reject_misspelled_hierarchical,
            legacy_swarm_types=legacy_swarm_types,
        )
    run.output = _shape(
        run.output, spec.output_type or default_output_type, return_history=spec.return_history is not False
    )
    if hierarchical_echo == "as-sent" and spec.swarm_type == "HiearchicalSwarm":
        run.swarm_type = spec.swarm_type  # clients of 2025 (swarms-client 0.1.6) know only this spelling
    return run
