"""Errors in the API's own formats. Domain code raises them; the HTTP layer renders them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "APIError",
    "DomainError",
    "OpenAIError",
    "ValidationFailed",
    "fastapi_error_item",
]


class APIError(Exception):
    """An HTTP error with an exact JSON body (``{"detail": ...}`` unless ``body`` says otherwise)."""

    def __init__(
        self,
        status: int,
        detail: Any = None,
        *,
        body: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.status = status
        self.body: dict[str, Any] = dict(body) if body is not None else {"detail": detail}
        self.headers: dict[str, str] = dict(headers or {})
        super().__init__(f"{status}: {self.body}")


class DomainError(APIError):
    """A semantic rejection found by domain code (bad flow, bad graph, batch too large, …)."""


class OpenAIError(APIError):
    """OpenAI-format error for ``/v1/chat/completions`` and ``/v1/models``."""

    TYPES = {
        400: "invalid_request_error",
        401: "authentication_error",
        402: "insufficient_quota",
        403: "permission_error",
        404: "not_found_error",
        422: "invalid_request_error",
        429: "rate_limit_error",
        500: "server_error",
    }

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        error_type = self.TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")
        body = {"error": {"message": message, "type": error_type, "code": code, "param": param}}
        super().__init__(status, body=body, headers=headers)


def fastapi_error_item(
    loc: Sequence[str | int], msg: str, error_type: str, input_value: Any = None
) -> dict[str, Any]:
    item: dict[str, Any] = {"type": error_type, "loc": list(loc), "msg": msg}
    if input_value is not None:
        item["input"] = input_value
    return item


class ValidationFailed(APIError):
    """422 with a FastAPI-style ``detail`` list of ``{type, loc, msg, input}`` items."""

    def __init__(self, items: list[dict[str, Any]]) -> None:
        super().__init__(422, items)
