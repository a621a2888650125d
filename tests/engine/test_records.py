"""engine/records.py: the run path's frozen dataclasses (call, result, turn, agent) filled at once."""

import dataclasses
import inspect
from typing import Any

import pytest

from mockswarms.engine.llm import LLMCall, LLMResult, Message, Pacing
from mockswarms.engine.runs import ResolvedAgent, Turn


def _generated(cls: type) -> Any:
    """The same fields in a plain frozen dataclass: what ``__init__`` would be without the fast fill."""
    spec = [(f.name, f.type, f) for f in dataclasses.fields(cls)]
    return dataclasses.make_dataclass(f"Plain{cls.__name__}", spec, frozen=True)


CASES: list[tuple[type, tuple[Any, ...], dict[str, Any]]] = [
    (Message, ("user", "hi"), {}),
    (LLMCall, ("agent", "A", "gpt-4o", "task"), {}),
    (
        LLMCall,
        ("swarm", "A", "m", "t", "sys", "critic", (Message("a", "b"),), "X", 2, 3, 9, 0.5),
        {"images": 1},
    ),
    (LLMCall, (), {"endpoint": "chat", "agent_name": "A", "model": "m", "task": "t", "context": {"k": "v"}}),
    (LLMResult, ("text", ("te", "xt"), 3, 2), {}),
    (LLMResult, ("", (), 1, 0), {"pacing": Pacing(0.5, 10.0), "rule": "r1", "latency": 0.25}),
    (ResolvedAgent, ("A", "gpt-4o"), {"loops": 2, "tools": ({"type": "function"},)}),
    (Turn, (LLMCall("agent", "A", "m", "t"), LLMResult("x", ("x",), 1, 1), 0), {}),
]


def _parameters(cls: type) -> list[tuple[str, str, Any]]:
    return [(p.name, repr(p.default), p.kind) for p in inspect.signature(cls).parameters.values()]


@pytest.mark.parametrize(("cls", "args", "kwargs"), CASES)
def test_the_fast_init_builds_what_the_generated_one_builds(
    cls: type, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    fast, plain = cls(*args, **kwargs), _generated(cls)(*args, **kwargs)
    assert dataclasses.asdict(fast) == dataclasses.asdict(plain)
    assert repr(fast).split("(", 1)[1] == repr(plain).split("(", 1)[1]
    assert _parameters(cls) == _parameters(_generated(cls))
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.__setattr__(dataclasses.fields(cls)[0].name, "changed")


def test_default_factories_give_each_instance_its_own_value() -> None:
    first, second = LLMCall("agent", "A", "m", "t"), LLMCall("agent", "A", "m", "t")
    assert first.context == {} and first.context is not second.context
    assert first == second and Message("a", "b") == Message("a", "b")
    assert hash(Message("a", "b")) == hash(Message("a", "b"))


def test_missing_and_unknown_arguments_fail_as_with_dataclasses() -> None:
    with pytest.raises(TypeError):
        LLMCall("agent", "A")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Message("a", "b", nope=1)  # type: ignore[call-arg]
