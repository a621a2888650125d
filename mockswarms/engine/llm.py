"""What one simulated LLM call sees and what it returns: the seam between architectures and the fake LLM.

Swarm architectures, workflows and endpoints build :class:`LLMCall` values (exactly what the agent
"sees") and hand them to an :class:`LLM`; the fake LLM (``fakellm.FakeLLM``) answers from fixtures or
seeded Faker text. Nothing here knows about HTTP.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

__all__ = ["LLM", "NO_PACING", "LLMCall", "LLMError", "LLMResult", "Message", "Pacing"]

T = TypeVar("T")


class _Factory:
    def __repr__(self) -> str:
        return "<factory>"  # as dataclasses shows a default factory in the signature


_FACTORY = _Factory()


def _filled_at_once(cls: type[T]) -> type[T]:
    """A frozen dataclass (without slots) whose ``__init__`` fills the instance dict directly.

    The generated one sets each field through ``object.__setattr__`` (frozen classes must): ~0.3 µs
    a field, 4.6 µs for an :class:`LLMCall`, built for every model call. Same parameters, defaults
    and factories; instances stay frozen (assigning a field still raises), equal and hashable alike.
    """
    params: list[str] = []
    lines: list[str] = []
    env: dict[str, Any] = {"_FACTORY": _FACTORY}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        assert not f.kw_only and f.init, f"{cls.__name__}.{f.name}: only plain positional fields"
        if f.default is not dataclasses.MISSING:
            env[f"_default_{f.name}"] = f.default
            params.append(f"{f.name}=_default_{f.name}")
        elif f.default_factory is not dataclasses.MISSING:
            env[f"_factory_{f.name}"] = f.default_factory
            params.append(f"{f.name}=_FACTORY")
            lines.append(f" if {f.name} is _FACTORY: {f.name} = _factory_{f.name}()")
        else:
            params.append(f.name)
        lines.append(f" d[{f.name!r}] = {f.name}")
    assert not hasattr(cls, "__post_init__") and not hasattr(cls, "__slots__"), cls
    source = f"def __init__(self, {', '.join(params)}):\n d = self.__dict__\n" + "\n".join(lines)
    exec(source, env)  # built from the class's own field names, as dataclasses does
    init = env["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = init  # type: ignore[method-assign]
    return cls


@_filled_at_once
@dataclass(frozen=True)
class Message:
    role: str
    content: str


@_filled_at_once
@dataclass(frozen=True)
class LLMCall:
    """One call of one agent inside one run. Fields are what fixture rules can match on."""

    endpoint: str  # "agent", "swarm", "chat", "reasoning", "graph", "grid", "auto-swarm-builder", "research"
    agent_name: str
    model: str
    task: str
    system_prompt: str = ""
    role: str = "worker"
    history: tuple[Message, ...] = ()  # conversation the agent sees before ``task`` (incl. earlier outputs)
    swarm_type: str | None = None
    loop_index: int = 0  # 0-based loop within the run
    call_index: int = 0  # 0-based position of this call within the run
    max_tokens: int | None = None
    temperature: float | None = None
    tools: tuple[Mapping[str, Any], ...] = ()  # OpenAI function schemas offered to the agent
    images: int = 0
    # Values a fixture template may use: e.g. {"previous_output": ..., "swarm_name": ...}.
    context: Mapping[str, str] = field(default_factory=dict)

    def seen_text(self) -> str:
        """Everything the model reads, in order: system prompt, history, task (what input tokens count)."""
        parts = [self.system_prompt, *(m.content for m in self.history), self.task]
        return "\n".join(p for p in parts if p)


@dataclass(frozen=True)
class Pacing:
    """Simulated timing: seconds to first token and tokens per second (0 = instantaneous)."""

    time_to_first_token: float = 0.0
    tokens_per_second: float = 0.0

    def duration(self, output_tokens: int) -> float:
        streaming = output_tokens / self.tokens_per_second if self.tokens_per_second > 0 else 0.0
        return self.time_to_first_token + streaming


NO_PACING = Pacing()  # answers at once (frozen: one shared instance)


@dataclass(frozen=True)
class LLMError:
    """A failure "from the model", e.g. a fixture answering 500."""

    status: int
    detail: str


@_filled_at_once
@dataclass(frozen=True)
class LLMResult:
    text: str
    chunks: tuple[str, ...]  # "".join(chunks) == text
    input_tokens: int
    output_tokens: int
    tool_calls: tuple[Mapping[str, Any], ...] = ()
    pacing: Pacing = Pacing()
    error: LLMError | None = None
    rule: str | None = None  # id of the fixture rule that answered, None for generated text
    # Simulated latency a fixture adds before the answer (seconds, on top of pacing).
    latency: float = 0.0

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens


class LLM(Protocol):
    def complete(self, call: LLMCall) -> LLMResult: ...
