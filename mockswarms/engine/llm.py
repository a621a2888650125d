"""What one simulated LLM call sees and what it returns: the seam between architectures and the fake LLM.

Swarm architectures, workflows and endpoints build :class:`LLMCall` values (exactly what the agent
"sees") and hand them to an :class:`LLM`; the fake LLM (``fakellm.FakeLLM``) answers from fixtures or
seeded Faker text. Nothing here knows about HTTP.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from mockswarms.engine.records import filled_at_once

__all__ = ["LLM", "NO_PACING", "LLMCall", "LLMError", "LLMResult", "Message", "Pacing"]


@filled_at_once
@dataclass(frozen=True)
class Message:
    role: str
    content: str


@filled_at_once
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
    # OpenAI's `tool_choice` and `response_format` (chat): without a fixture rule, a forced tool is
    # answered with a call to it and a JSON format with JSON (FakeLLM._structured).
    tool_choice: str | Mapping[str, Any] | None = None
    response_format: Mapping[str, Any] | None = None

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


@filled_at_once
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
