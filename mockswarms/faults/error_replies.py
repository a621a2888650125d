"""The API's own error bodies and headers for an ``error`` action (OpenAI format on OpenAI paths)."""

from __future__ import annotations

import math

from mockswarms.errors import APIError, OpenAIError
from mockswarms.faults.rules import ErrorAction

_DETAILS = {
    402: (
        "Insufficient credits. Please add more credits to continue using the API. Visit "
        "https://swarms.world/platform/account "
        "to purchase additional credits and ensure uninterrupted service."
    ),
    408: "Request Timeout",
    429: (
        "Rate limit exceeded for minute window(s). Upgrade to Premium for increased limits "
        "(2,000/min, 10,000/hour, 100,000/day) at "
        "https://swarms.world/platform/account for just $99/month."
    ),
    500: "An unexpected error occurred: Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


_OPENAI_PATHS = ("/v1/chat/completions", "/v1/models")


def error_response(action: ErrorAction, path: str, now: float) -> APIError:
    """The API's own error for ``action`` (OpenAI format on the OpenAI-compatible paths)."""
    detail = action.detail or _DETAILS[action.status]
    headers: dict[str, str] = {}
    if action.status == 429:
        reset = math.ceil(now) + action.retry_after
        headers = {
            "X-RateLimit-Limit-Minute": "100",
            "X-RateLimit-Remaining-Minute": "0",
            "X-RateLimit-Limit-Day": "1200",
            "X-RateLimit-Remaining-Day": "1100",
            "X-RateLimit-Reset": str(reset),
            "X-RateLimit-Tier": "free",
            "Retry-After": str(action.retry_after),
        }
    if path.startswith(_OPENAI_PATHS):
        return OpenAIError(action.status, detail, headers=headers)
    return APIError(action.status, detail, headers=headers)
