"""Gates: auth extraction and errors, premium endpoints/models, credits, prompt length, batch cap."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mockswarms.config import Settings
from mockswarms.engine import gates
from mockswarms.errors import APIError, DomainError, OpenAIError, ValidationFailed
from mockswarms.state.base import Balances


def test_extract_key_order_and_bearer_switch() -> None:
    s = Settings()
    assert gates.extract_key({"x-api-key": "a", "authorization": "Bearer b"}, s) == "a"
    assert gates.extract_key({"Authorization": "bearer  b "}, s) == "b"
    assert gates.extract_key({"X-API-Key": " a "}, s) == "a"
    assert gates.extract_key({"x-api-key": "  ", "authorization": "Bearer b"}, s) == "b"
    assert gates.extract_key({"authorization": "Basic b"}, s) is None
    assert gates.extract_key({"authorization": "Bearer "}, s) is None
    assert gates.extract_key({}, s) is None
    assert gates.extract_key({"authorization": "Bearer b"}, Settings(bearer_enabled=False)) is None


def test_auth_errors_default_and_switches() -> None:
    s = Settings()
    missing = gates.auth_error("missing", s)
    assert (missing.status, missing.body) == (401, {"detail": "API key is required"})
    invalid = gates.auth_error("invalid", s)
    assert (invalid.status, invalid.body) == (403, {"detail": "Invalid API Key"})
    assert gates.auth_error("invalid", Settings(auth_invalid_status=401)).status == 401
    fastapi = gates.auth_error("missing", Settings(auth_missing_mode="422"))
    assert isinstance(fastapi, ValidationFailed)
    assert (fastapi.status, fastapi.body) == (
        422,
        {
            "detail": [
                {"type": "missing", "loc": ["header", "x-api-key"], "msg": "Field required", "input": None}
            ]
        },
    )
    assert not missing.headers and not invalid.headers


def test_auth_errors_openai() -> None:
    missing = gates.auth_error("missing", Settings(auth_missing_mode="422"), openai=True)
    assert isinstance(missing, OpenAIError)
    assert (missing.status, missing.body) == (
        401,
        {
            "error": {
                "message": "API key is required",
                "type": "authentication_error",
                "code": "invalid_api_key",
                "param": None,
            }
        },
    )
    invalid = gates.auth_error("invalid", Settings(), openai=True)
    assert invalid.status == 403 and invalid.body["error"]["type"] == "permission_error"


DOCS_BATCH_DETAIL = (
    "Access to Batch Agent Completions requires a premium subscription. This feature allows you to "
    "process multiple agent tasks concurrently in a single request. Your current account is on the free "
    "tier, which does not include access to premium features. To unlock this and other premium "
    "capabilities, please upgrade your account at https://swarms.world/platform/account. Premium "
    "subscriptions provide access to high-throughput batch processing, concurrent execution, advanced "
    "reasoning agents, and enterprise-scale workflow orchestration."
)


def test_premium_endpoint_docs_body_exact() -> None:
    with pytest.raises(APIError) as info:
        gates.check_premium_endpoint("/v1/agent/batch/completions", "free", Settings())
    assert info.value.status == 403
    assert info.value.body == {
        "error": {
            "type": "premium_access_required",
            "message": "Premium subscription required",
            "detail": DOCS_BATCH_DETAIL,
            "status_code": 403,
            "upgrade_url": "https://swarms.world/platform/account",
            "documentation": "https://docs.swarms.ai",
        }
    }
    assert not info.value.headers


@pytest.mark.parametrize("path", sorted(gates.PREMIUM_ENDPOINTS))
def test_every_premium_endpoint_gated_for_free_only(path: str) -> None:
    s = Settings()
    with pytest.raises(APIError) as info:
        gates.check_premium_endpoint(path, "free", s)
    feature = gates.PREMIUM_ENDPOINTS[path]
    assert info.value.body["error"]["detail"].startswith(
        f"Access to {feature.name} requires a premium subscription."
    )
    gates.check_premium_endpoint(path, "premium", s)
    gates.check_premium_endpoint(path, "enterprise", s)
    gates.check_premium_endpoint(path, "free", Settings(premium_endpoint_gate=False))
    assert gates.is_premium_endpoint(path)


def test_premium_endpoint_set_matches_reference() -> None:
    assert set(gates.PREMIUM_ENDPOINTS) == {
        "/v1/agent/batch/completions",
        "/v1/swarm/batch/completions",
        "/v1/reasoning-agent/completions",
        "/v1/batched-grid-workflow/completions",
        "/v1/graph-workflow/completions",
    }
    gates.check_premium_endpoint("/v1/agent/completions", "free", Settings())


def test_premium_endpoint_legacy_shape() -> None:
    error = gates.premium_required_error(
        "/v1/swarm/batch/completions", Settings(premium_error_shape="detail")
    )
    assert error.body == {"detail": gates.LEGACY_PREMIUM_DETAIL}
    assert error.body["detail"].startswith("This endpoint is limited to premium subscribers.")


@pytest.mark.parametrize("model", ["gpt-4.1", "gpt-5", "groq/llama-3.1-8b-instant", "xai/grok-4", "GPT-4.1"])
def test_premium_models(model: str) -> None:
    assert gates.is_premium_model(model)
    with pytest.raises(APIError) as info:
        gates.check_premium_models(["gpt-4o-mini", model], "free", Settings())
    error = info.value.body["error"]
    assert error["type"] == "premium_access_required" and error["model"] == model
    assert error["suggested_models"] == list(gates.FREE_MODEL_ALTERNATIVES)
    assert all(not gates.is_premium_model(m) for m in gates.FREE_MODEL_ALTERNATIVES)
    assert "Free-tier alternatives: gpt-4o-mini" in error["detail"]
    gates.check_premium_models([model], "premium", Settings())
    gates.check_premium_models([model], "free", Settings(premium_model_gate=False))


def test_omitted_model_uses_default_model() -> None:
    with pytest.raises(APIError) as info:
        gates.check_premium_models([None], "free", Settings())
    assert info.value.body["error"]["model"] == "gpt-4.1"
    gates.check_premium_models([None, ""], "free", Settings(default_model="gpt-4o-mini"))
    for free in ("gpt-4o-mini", "gpt-4o", "claude-sonnet-4-20250514", "gpt-4.1-mini"):
        assert not gates.is_premium_model(free)


def test_premium_model_openai_format() -> None:
    error = gates.premium_model_error("gpt-4.1", Settings(), openai=True)
    assert isinstance(error, OpenAIError)
    assert error.status == 403 and error.body["error"]["param"] == "model"


def test_insufficient_credits_body() -> None:
    error = gates.insufficient_credits_error()
    assert (error.status, error.body, error.headers) == (
        402,
        {
            "detail": (
                "Insufficient credits. Please add more credits to continue using the API. Visit "
                "https://swarms.world/platform/account to purchase additional credits and ensure "
                "uninterrupted service."
            )
        },
        {},
    )
    openai = gates.insufficient_credits_error(openai=True)
    assert openai.status == 402 and openai.body["error"]["type"] == "insufficient_quota"


def test_credit_precheck_at_or_below_threshold() -> None:
    s = Settings()
    gates.check_credits(Balances(credit=Decimal("1.000001")), s)
    with pytest.raises(APIError) as info:
        gates.check_credits(Balances(credit=Decimal("0.50"), free_credit=Decimal("0.50")), s)
    assert info.value.status == 402
    gates.check_credits(Balances(), Settings(credit_gate="off"))
    gates.check_credits(Balances(), Settings(credit_gate="postrun"))


def test_settle_threshold_per_gate() -> None:
    assert gates.settle_threshold(Settings(), Decimal("0.3")) == Decimal("1.00")
    assert gates.settle_threshold(Settings(credit_gate="postrun"), Decimal("0.3")) == Decimal("0.299999")
    assert gates.settle_threshold(Settings(credit_gate="off"), Decimal("0.3")) is None


def test_prompt_length_per_tier() -> None:
    s = Settings()
    gates.check_prompt_length(200_000, "free", s)
    with pytest.raises(DomainError) as info:
        gates.check_prompt_length(200_001, "free", s)
    assert (info.value.status, info.value.body) == (
        400,
        {"detail": "Prompt is too long. Please provide a prompt that is less than 200,000 tokens."},
    )
    gates.check_prompt_length(2_000_000, "premium", s)
    with pytest.raises(DomainError) as info:
        gates.check_prompt_length(2_000_001, "enterprise", s)
    assert info.value.body["detail"].endswith("less than 2,000,000 tokens.")
    with pytest.raises(OpenAIError):
        gates.check_prompt_length(11, "free", Settings(prompt_limit_free=10), openai=True)


def test_batch_cap() -> None:
    gates.check_batch_size(10, Settings())
    with pytest.raises(DomainError) as info:
        gates.check_batch_size(11, Settings())
    assert info.value.body == {
        "detail": "ERROR: BATCH SIZE EXCEEDED - You can only run up to 10 batch agents at a time."
    }
    gates.check_batch_size(500, Settings(agent_batch_max=None))


def test_swarm_batch_cap_is_off_by_default_and_named_when_set() -> None:
    gates.check_batch_size(500, Settings(), swarms=True)
    with pytest.raises(APIError) as info:
        gates.check_batch_size(4, Settings(swarm_batch_max=3), swarms=True)
    assert info.value.status == 400
    assert info.value.body == {
        "detail": "ERROR: BATCH SIZE EXCEEDED - You can only run up to 3 batch swarms at a time."
    }
    gates.check_batch_size(11, Settings(semantic_validation=False))  # prism: never rejects
