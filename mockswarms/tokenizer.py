"""The simulator's one tokenizer: deterministic, documented, fast.

Rule: a token is a run of word characters or a single other non-space character, together with
the white space before it. ``count_tokens`` counts them; ``split_tokens`` returns them so that
``"".join(split_tokens(t)) == t`` (trailing white space rides on the last token). Empty text has 0.
"""

from __future__ import annotations

import re

__all__ = ["count_tokens", "split_capped", "split_tokens", "truncate_tokens"]

_TOKEN = re.compile(r"\s*(?:\w+|[^\w\s])")


def count_tokens(text: str) -> int:
    return len(_TOKEN.findall(text))


def split_tokens(text: str) -> list[str]:
    pieces = _TOKEN.findall(text)
    consumed = sum(len(p) for p in pieces)
    if consumed < len(text):
        if pieces:
            pieces[-1] += text[consumed:]
        else:
            pieces = [text]
    return pieces


def truncate_tokens(text: str, max_tokens: int) -> str:
    """The first ``max_tokens`` tokens of ``text`` (no trailing white space added)."""
    if max_tokens <= 0:
        return ""
    end = 0
    for index, match in enumerate(_TOKEN.finditer(text)):
        if index == max_tokens:
            return text[:end]
        end = match.end()
    return text


def split_capped(text: str, max_tokens: int | None) -> tuple[str, tuple[str, ...]]:
    """``(truncate_tokens(text, max_tokens), tuple(split_tokens(that)))`` with one scan of ``text``
    (``max_tokens`` None or below 1: no cap). The fake LLM needs both for every generated answer."""
    pieces = split_tokens(text)
    if max_tokens is not None and max_tokens >= 1 and len(pieces) > max_tokens:
        kept = tuple(pieces[:max_tokens])  # only the last piece carries trailing space, and it is cut
        return "".join(kept), kept
    return text, tuple(pieces) if text else ()
