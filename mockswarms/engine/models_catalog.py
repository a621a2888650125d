"""The model catalogue the simulator advertises (reference §g), with owners for ``/v1/models``.

No source gives a canonical list; this is every model name the docs use. Whether a model is
premium-only is decided by ``gates.is_premium_model``; the catalogue only lists names.
"""

from __future__ import annotations

__all__ = ["MODELS", "TOOLS", "owner_of"]

MODELS: tuple[str, ...] = (
    "gpt-4.1",
    "gpt-4.1-mini",
    "gpt-4o",
    "gpt-4o-mini",
    "gpt-4-turbo",
    "gpt-4",
    "gpt-3.5-turbo",
    "gpt-5",
    "gpt-5.1",
    "gpt-5.4",
    "openai/gpt-4.1",
    "openai/gpt-4.1-mini",
    "openai/gpt-4o",
    "openai/o3-mini",
    "claude-sonnet-4-20250514",
    "claude-sonnet-4",
    "claude-sonnet-4-5",
    "claude-haiku-4-5",
    "claude-haiku-3.5",
    "claude-3-7-sonnet-latest",
    "claude-opus-4-8",
    "anthropic/claude-sonnet-4-5",
    "anthropic/claude-opus-4-8",
    "grok-4",
    "xai/grok-4",
    "gemini-2.5-pro",
    "gemini/gemini-2.5-pro",
    "groq/openai/gpt-oss-120b",
    "groq/llama-3.1-70b-versatile",
    "groq/llama-3.1-8b-instant",
    "groq/llama3-70b-8192",
    "llama-3.1-8b-instant",
    "deepseek/deepseek-reasoner",
)

TOOLS: tuple[str, ...] = ("auto_search", "web_scraper")

_OWNERS = (
    ("groq/", "groq"),
    ("openai/", "openai"),
    ("gpt-", "openai"),
    ("anthropic/", "anthropic"),
    ("claude", "anthropic"),
    ("xai/", "xai"),
    ("grok", "xai"),
    ("gemini", "google"),
    ("deepseek", "deepseek"),
    ("llama", "meta"),
    ("openrouter/", "openrouter"),
)


def owner_of(model: str) -> str:
    for prefix, owner in _OWNERS:
        if model.startswith(prefix):
            return owner
    return "swarms"
