"""endpoints/pipeline.py: the fast config dump equals pydantic's, field order included."""

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockswarms.http.endpoints.pipeline import agent_configs, dump_set_fields
from mockswarms.shapes.requests import AgentSpec

_SCALAR_FIELDS = {
    "agent_name": st.text(max_size=20),
    "description": st.none() | st.text(max_size=20),
    "model_name": st.none() | st.sampled_from(["gpt-4o", "gpt-4o-mini", "claude-sonnet-4-20250514"]),
    "max_tokens": st.none() | st.integers(0, 10**6),
    "temperature": st.none() | st.floats(0, 2),
    "max_loops": st.none() | st.integers(1, 100) | st.just("auto"),
    "streaming_on": st.none() | st.booleans(),
    "role": st.none() | st.text(max_size=8),
}


@settings(max_examples=300)
@given(st.fixed_dictionaries({}, optional=_SCALAR_FIELDS))
def test_the_fast_dump_is_pydantics_for_scalar_configs(body: dict[str, Any]) -> None:
    spec = AgentSpec.model_validate(body, strict=True)
    assert list(dump_set_fields(spec).items()) == list(spec.model_dump(exclude_none=True).items())


@pytest.mark.parametrize(
    "body",
    [
        {"agent_name": "A", "tools_list_dictionary": [{"type": "function", "function": {"name": "f"}}]},
        {"agent_name": "A", "mcp_config": {"url": "http://x", "authorization_token": "sk-secret-value-1"}},
        {"agent_name": "A", "llm_args": {"top_p": 0.5}, "tags": ["x"]},
        {"agent_name": "A", "an_extra_field": 1, "another": None},
        {"agent_name": "A", "handoffs": [{"agent_name": "B", "model_name": "gpt-4o"}]},
    ],
)
def test_anything_but_scalars_goes_through_pydantic(body: dict[str, Any]) -> None:
    spec = AgentSpec.model_validate(body, strict=True)
    assert list(dump_set_fields(spec).items()) == list(spec.model_dump(exclude_none=True).items())


def test_agent_configs_mask_secrets_and_keep_clean_configs_whole() -> None:
    clean = AgentSpec.model_validate({"agent_name": "A", "model_name": "gpt-4o"}, strict=True)
    secret = AgentSpec.model_validate(
        {"agent_name": "B", "mcp_config": {"url": "http://x", "authorization_token": "sk-secret-value-1"}},
        strict=True,
    )
    [first, second] = agent_configs([clean, secret])
    assert first == clean.model_dump(exclude_none=True)
    assert second["mcp_config"]["authorization_token"] == "…ue-1"
    assert agent_configs([AgentSpec.model_validate({"model_name": "gpt-4o"})]) == []  # unnamed: not kept
