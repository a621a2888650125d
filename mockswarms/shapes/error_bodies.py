"""Error bodies: FastAPI-style ``{"detail": ...}``, 422 lists, the premium 403, OpenAI errors."""

from __future__ import annotations

from typing import Annotated, Any, NotRequired

from pydantic import ConfigDict, with_config
from typing_extensions import TypedDict

from mockswarms.shapes.body import ABSENT, OUT

__all__ = [
    "ErrorDetail",
    "HTTPValidationError",
    "OpenAIError",
    "OpenAIErrorResponse",
    "PremiumError",
    "PremiumErrorResponse",
    "ValidationErrorItem",
]


@with_config(ConfigDict(extra="allow", json_schema_extra={"examples": [{"detail": "API key is required"}]}))
class ErrorDetail(TypedDict):
    """FastAPI-style error: ``{"detail": "..."}`` (400, 401, 402, 403, 404, 405, 413, 429, 500).

    ``detail`` is an object for advanced-research validation errors (``{"error_code", "message"}``)
    and a list for schema validation errors (:class:`HTTPValidationError`).
    """

    detail: str | list[dict[str, Any]] | dict[str, Any]


@with_config(OUT)
class ValidationErrorItem(TypedDict):
    type: str
    loc: list[str | int]
    msg: str
    input: NotRequired[Annotated[Any, ABSENT]]


@with_config(
    ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [{"detail": [{"type": "missing", "loc": ["body", "model"], "msg": "Field required"}]}]
        },
    )
)
class HTTPValidationError(TypedDict):
    """FastAPI 422: a list of ``{type, loc, msg, input?}`` items."""

    detail: list[ValidationErrorItem]


@with_config(OUT)
class PremiumError(TypedDict):
    type: str
    message: str
    detail: str
    status_code: int
    upgrade_url: str
    documentation: str


@with_config(
    ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "error": {
                        "type": "premium_access_required",
                        "message": "Premium subscription required",
                        "detail": "Access to Batch Agent Completions requires a premium subscription.",
                        "status_code": 403,
                        "upgrade_url": "https://swarms.world/platform/account",
                        "documentation": "https://docs.swarms.ai",
                    }
                }
            ]
        },
    )
)
class PremiumErrorResponse(TypedDict):
    """403 for a premium endpoint on the free tier (current shape, reference §c)."""

    error: PremiumError


@with_config(OUT)
class OpenAIError(TypedDict):
    message: str
    type: str
    code: str | None
    param: str | None


@with_config(
    ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "error": {
                        "message": "At least one message with role 'user' is required.",
                        "type": "invalid_request_error",
                        "code": "invalid_request",
                        "param": None,
                    }
                }
            ]
        },
    )
)
class OpenAIErrorResponse(TypedDict):
    """Errors of ``/v1/chat/completions`` and ``/v1/models`` (OpenAI format)."""

    error: OpenAIError
