"""Request gates before any work runs (reference §c, §d, §e): auth, premium, credits, prompt length.

Order (ARCHITECTURE "request pipeline"): auth 401/403 → premium endpoint / model 403 → credit
pre-check 402 → rate limiter 429 → validation. Gate errors raised here carry no rate-limit headers.
Every error has an OpenAI-format variant (``openai=True``) for ``/v1/chat/completions`` and ``/v1/models``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Literal

from mockswarms.config import Settings
from mockswarms.errors import APIError, DomainError, OpenAIError, ValidationFailed, fastapi_error_item
from mockswarms.state.base import Balances

__all__ = [
    "FREE_MODEL_ALTERNATIVES",
    "INSUFFICIENT_CREDITS_DETAIL",
    "MODEL_FIELDS",
    "PREMIUM_ENDPOINTS",
    "PREMIUM_MODELS",
    "PremiumFeature",
    "auth_error",
    "batch_size_error",
    "check_batch_size",
    "check_credits",
    "check_premium_endpoint",
    "check_premium_models",
    "check_prompt_length",
    "extract_key",
    "insufficient_credits_error",
    "is_premium_endpoint",
    "is_premium_model",
    "is_premium_tier",
    "named_models",
    "premium_endpoint_error",
    "premium_model_error",
    "premium_required_error",
    "prompt_too_long_error",
    "settle_threshold",
]

UPGRADE_URL = "https://swarms.world/platform/account"
DOCS_URL = "https://docs.swarms.ai"


class PremiumFeature:
    """A premium-only endpoint: the name and one-sentence pitch used in its 403 ``detail``."""

    __slots__ = ("blurb", "name")

    def __init__(self, name: str, blurb: str) -> None:
        self.name, self.blurb = name, blurb


# Reference §a rows #4, #9, #18, #28, #29 and §c.
PREMIUM_ENDPOINTS: dict[str, PremiumFeature] = {
    "/v1/agent/batch/completions": PremiumFeature(
        "Batch Agent Completions",
        "This feature allows you to process multiple agent tasks concurrently in a single request.",
    ),
    "/v1/swarm/batch/completions": PremiumFeature(
        "Batch Swarm Completions",
        "This feature allows you to run multiple swarms concurrently in a single request.",
    ),
    "/v1/reasoning-agent/completions": PremiumFeature(
        "Reasoning Agents",
        "This feature provides advanced multi-step reasoning agents for complex problem solving.",
    ),
    "/v1/batched-grid-workflow/completions": PremiumFeature(
        "Batched Grid Workflow",
        "This feature allows you to run every agent against every task in a single request.",
    ),
    "/v1/graph-workflow/completions": PremiumFeature(
        "Graph Workflow",
        "This feature allows you to orchestrate agents as a directed graph of dependent steps.",
    ),
}

# Reference §g, [DOCS] pricing.mdx: free tier → 403. Plus any ``groq/*`` model.
PREMIUM_MODELS: frozenset[str] = frozenset(
    {
        "gpt-5",
        "gpt-4.1",
        "gemini-2.5-pro",
        "claude-4-opus-20250514",
        "claude-4-sonnet-20250514",
        "claude-haiku-4-5",
        "claude-opus-4-1",
        "claude-sonnet-4-5",
        "xai/grok-4",
        "xai/grok-4-fast-reasoning",
        "xai/grok-4-fast-non-reasoning",
        "xai/grok-4-latest",
    }
)
FREE_MODEL_ALTERNATIVES: tuple[str, ...] = ("gpt-4o-mini", "gpt-4.1-mini", "gpt-4o", "claude-haiku-3.5")

INSUFFICIENT_CREDITS_DETAIL = (
    "Insufficient credits. Please add more credits to continue using the API. Visit "
    "https://swarms.world/platform/account to purchase additional credits and ensure uninterrupted service."
)
LEGACY_PREMIUM_DETAIL = (
    "This endpoint is limited to premium subscribers. Your current account is on the free tier and does not "
    "include access to this feature. To unlock this endpoint and other premium features, please consider "
    "upgrading your account at https://swarms.world/platform/account. Premium subscriptions provide access "
    "to high-throughput batch processing, concurrent execution, and enterprise-scale workflow capabilities."
)
_PREMIUM_PITCH = (
    "Your current account is on the free tier, which does not include access to premium features. "
    "To unlock this and other premium capabilities, please upgrade your account at "
    "https://swarms.world/platform/account. Premium subscriptions provide access to high-throughput "
    "batch processing, concurrent execution, advanced reasoning agents, and enterprise-scale workflow "
    "orchestration."
)


# -- auth --------------------------------------------------------------------------------------------
def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:  # plain dicts are case-sensitive; Starlette's Headers are not
        lowered = name.lower()
        for key, candidate in headers.items():
            if key.lower() == lowered:
                return candidate
    return value


def extract_key(headers: Mapping[str, str], settings: Settings) -> str | None:
    """The API key: ``x-api-key`` first, then ``Authorization: Bearer`` when ``bearer_enabled``.

    Blank values count as missing.
    """
    key = (_header(headers, "x-api-key") or "").strip()
    if key:
        return key
    if settings.bearer_enabled:
        scheme, _, token = (_header(headers, "authorization") or "").strip().partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return token.strip()
    return None


def auth_error(kind: Literal["missing", "invalid"], settings: Settings, *, openai: bool = False) -> APIError:
    """Missing key → 401 ``API key is required`` (or FastAPI's 422 missing-header body when
    ``auth_missing_mode`` is ``"422"``); unknown key → ``auth_invalid_status`` ``Invalid API Key``.
    OpenAI routes always answer missing keys with 401 in OpenAI format."""
    if kind == "missing":
        if openai:
            return OpenAIError(401, "API key is required", code="invalid_api_key")
        if settings.auth_missing_mode == "422":
            item = fastapi_error_item(["header", "x-api-key"], "Field required", "missing")
            item["input"] = None  # FastAPI always sends the key, null for a missing header
            return ValidationFailed([item])
        return APIError(401, "API key is required")
    status = int(settings.auth_invalid_status)
    if openai:
        return OpenAIError(status, "Invalid API Key", code="invalid_api_key")
    return APIError(status, "Invalid API Key")


# -- premium ------------------------------------------------------------------------------------------
def is_premium_tier(tier: str) -> bool:
    return tier in ("premium", "enterprise")


def _premium_body(settings: Settings, detail: str, legacy_detail: str, **extra: object) -> dict[str, object]:
    if settings.premium_error_shape == "detail":
        return {"detail": legacy_detail}
    error: dict[str, object] = {
        "type": "premium_access_required",
        "message": "Premium subscription required",
        "detail": detail,
        "status_code": 403,
        "upgrade_url": UPGRADE_URL,
        "documentation": DOCS_URL,
    }
    error.update(extra)
    return {"error": error}


def premium_endpoint_error(path: str, settings: Settings, *, openai: bool = False) -> APIError:
    feature = PREMIUM_ENDPOINTS.get(path) or PremiumFeature("this endpoint", "")
    detail = f"Access to {feature.name} requires a premium subscription. "
    detail += (feature.blurb + " " if feature.blurb else "") + _PREMIUM_PITCH
    if openai:
        return OpenAIError(403, detail, code="premium_access_required")
    return APIError(403, body=_premium_body(settings, detail, LEGACY_PREMIUM_DETAIL))


def is_premium_endpoint(path: str) -> bool:
    return path in PREMIUM_ENDPOINTS


def premium_required_error(path: str, settings: Settings, *, openai: bool = False) -> APIError:
    """Alias of :func:`premium_endpoint_error` (the simulator's name for it)."""
    return premium_endpoint_error(path, settings, openai=openai)


def check_premium_endpoint(path: str, tier: str, settings: Settings, *, openai: bool = False) -> None:
    """403 for a free account on a premium-only path (when ``premium_endpoint_gate`` is on)."""
    if settings.premium_endpoint_gate and path in PREMIUM_ENDPOINTS and not is_premium_tier(tier):
        raise premium_endpoint_error(path, settings, openai=openai)


def is_premium_model(model: str) -> bool:
    name = model.strip().lower()
    return name in PREMIUM_MODELS or name.startswith("groq/")


def premium_model_error(model: str, settings: Settings, *, openai: bool = False) -> APIError:
    alternatives = ", ".join(FREE_MODEL_ALTERNATIVES)
    detail = (
        f"The model '{model}' is only available on premium plans. Your current account is on the free "
        f"tier. Free-tier alternatives: {alternatives}. To use '{model}', please upgrade your account at "
        f"{UPGRADE_URL}."
    )
    if openai:
        return OpenAIError(403, detail, code="premium_model_required", param="model")
    body = _premium_body(
        settings, detail, detail, model=model, suggested_models=list(FREE_MODEL_ALTERNATIVES)
    )
    return APIError(403, body=body)


def check_premium_models(
    models: Iterable[str | None], tier: str, settings: Settings, *, openai: bool = False
) -> None:
    """403 on the first premium-only model a free account asks for. An omitted model (``None``)
    means ``settings.default_model`` — ``gpt-4.1`` in the docs profile, itself premium-only."""
    if not settings.premium_model_gate or is_premium_tier(tier):
        return
    for model in models:
        name = model if model else settings.default_model
        if is_premium_model(name):
            raise premium_model_error(name, settings, openai=openai)


# Every body field that names a model some agent runs on: the agents' own, and the built-in agents'
# (directors, judges, chairmen, HeavySwarm's question and worker agents, research workers).
MODEL_FIELDS = frozenset(
    {
        "model_name",
        "director_model_name",
        "heavy_swarm_question_agent_model_name",
        "heavy_swarm_worker_model_name",
        "council_judge_model_name",
        "chairman_model",
        "worker_model_name",
    }
)


def named_models(payload: object) -> list[str]:
    """Every model a raw request body names in a ``MODEL_FIELDS`` field, at any depth (agents,
    handoffs, batch items, research ``config``), in document order. Iterative; the body's depth is
    already bounded at parse time."""
    found: list[str] = []
    stack: list[object] = [payload]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key in MODEL_FIELDS and isinstance(value, str) and value.strip():
                    found.append(value)
            stack.extend(reversed([v for v in node.values() if isinstance(v, (dict, list))]))
        elif isinstance(node, list):
            stack.extend(reversed([v for v in node if isinstance(v, (dict, list))]))
    return found


# -- credits --------------------------------------------------------------------------------------------
def insufficient_credits_error(*, openai: bool = False) -> APIError:
    """402 with the [SRV] body (reference §e / §i row 26); no rate-limit headers."""
    if openai:
        return OpenAIError(402, INSUFFICIENT_CREDITS_DETAIL, code="insufficient_quota")
    return APIError(402, INSUFFICIENT_CREDITS_DETAIL)


def check_credits(balances: Balances, settings: Settings, *, openai: bool = False) -> None:
    """The pre-check before any work: ``total_credits`` at or below the threshold → 402."""
    if settings.credit_gate == "precheck" and balances.total <= settings.credit_threshold:
        raise insufficient_credits_error(openai=openai)


def settle_threshold(settings: Settings, cost: Decimal) -> Decimal | None:
    """The ``threshold`` for ``StateStore.settle``: ``precheck`` re-checks the $1.00 floor; ``postrun``
    (legacy [SRV]) refuses when the balance is below the cost (total <= cost - 1e-6, amounts have
    6 places); ``off`` never refuses."""
    if settings.credit_gate == "precheck":
        return settings.credit_threshold
    if settings.credit_gate == "postrun":
        return cost - Decimal("0.000001")
    return None


# -- request size -----------------------------------------------------------------------------------------
def prompt_too_long_error(limit: int, *, openai: bool = False) -> APIError:
    message = f"Prompt is too long. Please provide a prompt that is less than {limit:,} tokens."
    if openai:
        return OpenAIError(400, message, code="context_length_exceeded")
    return DomainError(400, message)


def check_prompt_length(tokens: int, tier: str, settings: Settings, *, openai: bool = False) -> None:
    """400 when task + history + system prompts exceed the tier's limit (200,000 / 2,000,000)."""
    limit = settings.prompt_limit_free if tier == "free" else settings.prompt_limit_premium
    if tokens > limit:
        raise prompt_too_long_error(limit, openai=openai)


def batch_size_error(limit: int, noun: str = "agents") -> APIError:
    return DomainError(
        400, f"ERROR: BATCH SIZE EXCEEDED - You can only run up to {limit} batch {noun} at a time."
    )


def check_batch_size(size: int, settings: Settings, *, swarms: bool = False) -> None:
    """Batch caps: ``agent_batch_max`` (default 10) or, with ``swarms``, ``swarm_batch_max`` (default
    none); ``None`` = no cap. Not applied without semantic validation (the ``prism`` profile)."""
    limit = settings.swarm_batch_max if swarms else settings.agent_batch_max
    if limit is not None and size > limit and settings.semantic_validation:
        raise batch_size_error(limit, "swarms" if swarms else "agents")
