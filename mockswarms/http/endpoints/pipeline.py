"""What every endpoint shares: the :class:`Reply` the routes serialise, strict body parsing into
FastAPI-style 422 items, and the steps of the billable pipeline (see ARCHITECTURE.md):
``sim.admit`` (premium gates, credit pre-check, limiter) → ``parse`` (422) → run (fake LLM) →
``check_prompt`` / ``fail_on_model_error`` → price → build the body → ``sim.charge`` (one atomic
store step: settle + log row + metrics) → reply.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.responses import Response

from mockswarms.engine import billing, gates, models_catalog
from mockswarms.engine.runs import Run
from mockswarms.engine.simulator import Caller, Simulator
from mockswarms.errors import APIError, OpenAIError, ValidationFailed
from mockswarms.journal import redacted
from mockswarms.limits import MAX_LIST_ITEMS
from mockswarms.shapes.agents import AgentUsage

M = TypeVar("M", bound=BaseModel)


@dataclass
class Reply:
    body: Any = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    # For SSE: builds the streaming response given the headers to send (rate-limit headers etc.).
    stream: Callable[[dict[str, str]], Response] | None = None


# A 422 lists at most this many items: the first, in pydantic's order (the body's fields in model
# order, a list's items by index). FastAPI lists them all: a 200 KB body of 100,000 wrong list items
# was answered with 10 MB. Fifty still names every field of a body with a few mistakes per agent.
MAX_ERROR_ITEMS = 50


def _pydantic_items(exc: ValidationError, prefix: Sequence[str | int] = ("body",)) -> list[dict[str, Any]]:
    items = []
    for error in exc.errors(include_url=False)[:MAX_ERROR_ITEMS]:
        item: dict[str, Any] = {
            "type": error["type"],
            "loc": [*prefix, *error["loc"]],
            "msg": error["msg"],
            "input": error.get("input"),
        }
        if "ctx" in error:
            item["ctx"] = {
                k: v if isinstance(v, int | float | str | bool) or v is None else str(v)
                for k, v in error["ctx"].items()
            }
        items.append(item)
    return items


def parse(model: type[M], payload: Any, prefix: Sequence[str | int] = ("body",)) -> M:
    if not isinstance(payload, dict):
        raise ValidationFailed(
            [
                {
                    "type": "model_attributes_type",
                    "loc": list(prefix),
                    "msg": "Input should be a valid dictionary or object to extract fields from",
                    "input": payload,
                }
            ]
        )
    try:
        # Strict: `false` is not an integer, `"1"` is not a number (the contract's types, exactly).
        return model.model_validate(payload, strict=True)
    except ValidationError as exc:
        raise ValidationFailed(_pydantic_items(exc, prefix)) from exc


def parse_list(model: type[M], payload: Any) -> list[M]:
    if not isinstance(payload, list):
        raise ValidationFailed(
            [{"type": "list_type", "loc": ["body"], "msg": "Input should be a valid list", "input": payload}]
        )
    if len(payload) > MAX_LIST_ITEMS:  # as pydantic says it; before parsing what is past the cap
        message = f"List should have at most {MAX_LIST_ITEMS} items after validation, not {len(payload)}"
        raise ValidationFailed([{"type": "too_long", "loc": ["body"], "msg": message, "input": payload}])
    return [parse(model, item, ("body", index)) for index, item in enumerate(payload)]


def body_field(data: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def named_model(payload: Any, key: str = "model_name") -> list[str]:
    """The one model a raw body names at ``key`` (for the premium gate); none when absent or empty."""
    model = body_field(payload, key)
    return [model] if isinstance(model, str) and model else []


def model_names(sim: Simulator, configs: Any) -> list[str]:
    """Model names of agent configs in a raw body, the default filling in (for the premium gate)."""
    names: list[str] = []
    for config in configs if isinstance(configs, list) else [configs]:
        if isinstance(config, dict):
            name = config.get("model_name")
            names.append(name if isinstance(name, str) and name else sim.settings.default_model)
    return names


def fail_on_model_error(run: Run, *, openai: bool = False) -> None:
    """A fixture error from "the model" stops the request: nothing is billed or counted."""
    if run.error is not None:
        if openai:
            raise OpenAIError(run.error.status, run.error.detail, code="model_error")
        raise APIError(run.error.status, run.error.detail)


def check_prompt(sim: Simulator, caller: Caller, run: Run) -> None:
    longest = max((turn.result.input_tokens for turn in run.turns), default=0)
    sim.check_prompt(caller, longest)


def agent_rate_cost(sim: Simulator, run: Run, *, images: int = 0) -> tuple[AgentUsage, Decimal]:
    """Agent-rate pricing of a run with no tool or MCP fees (chat, reasoning, auto-swarm-builder …)."""
    return billing.agent_usage(
        run.input_tokens, run.output_tokens, images=images, settings=sim.settings, now=now(sim)
    )


def now(sim: Simulator) -> datetime:
    return sim.clock.now()


_SCALARS = frozenset({str, int, float, bool})


def dump_set_fields(model: BaseModel) -> dict[str, Any]:
    """``model.model_dump(exclude_none=True)``, read straight from the instance when every value is
    a plain scalar and there are no extra fields (an agent config usually: pydantic's serializer
    took 6 µs for its 31 fields, a third of that here); anything else goes through pydantic."""
    if model.__pydantic_extra__:
        return model.model_dump(exclude_none=True)
    data: dict[str, Any] = {}
    for name, value in model.__dict__.items():
        if value is None:
            continue
        if type(value) not in _SCALARS:  # nested models, lists, dicts, enums: pydantic's own dump
            return model.model_dump(exclude_none=True)
        data[name] = value
    return data


def agent_configs(specs: Any) -> list[dict[str, Any]]:
    configs = []
    for spec in specs or []:
        data = dump_set_fields(spec) if isinstance(spec, BaseModel) else dict(spec)
        if data.get("agent_name"):
            # MCP tokens and header values never reach /v1/agents/list (``data`` is ours: a fresh dump).
            configs.append(redacted(data))
    return configs


def require_legacy(sim: Simulator) -> None:
    if not sim.settings.legacy_endpoints:
        raise APIError(404, "Not Found")


def visible_models(sim: Simulator, caller: Caller) -> list[str]:
    if caller.tier != "free" or not sim.settings.premium_model_gate:
        return list(models_catalog.MODELS)
    return [m for m in models_catalog.MODELS if not gates.is_premium_model(m)]
