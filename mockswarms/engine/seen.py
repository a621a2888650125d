"""What one LLM call sees, summarised without re-reading the whole conversation on every turn.

A swarm's later turns see every earlier output. Tokenising ``seen_text()`` afresh each turn (for the
input-token count) and hashing it (for the generated text's seed) made a run of N turns cost O(N²)
characters: a 20x20 SequentialWorkflow took 3 s, 100x100 minutes. Both are now computed part by part
(system prompt, each history message, task), and each part is read once and remembered:

- ``seen_tokens(call) == count_tokens(call.seen_text())`` exactly: the count is additive over the parts
  ``seen_text`` joins with ``"\\n"`` (a newline never joins two tokens; white space alone is no token).
- ``seen_digest(call)`` is a BLAKE2b digest of (system prompt digest, history digest, task digest), the
  history digest chaining its messages' digests in order: equal for calls that see the same parts,
  different (with overwhelming probability) otherwise.
- A history that extends one summarised recently (``HISTORY_MEMO_SIZE`` kept) only reads its new
  messages, so a run costs O(its output), not O(turns²).

The part memo is bounded by the characters it holds (``MAX_MEMO_CHARS``, least recently used out
first). Any part a request body can carry is remembered: a 5 MB task re-read by each of 100 agents
took 34 s. Only a part longer than ``MAX_MEMO_PART`` (the whole memo) is re-read each time. Locks
make both memos safe for runs executing in worker threads.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any

from mockswarms.engine.llm import LLMCall, Message
from mockswarms.tokenizer import count_tokens

__all__ = ["HISTORY_MEMO_SIZE", "MAX_MEMO_CHARS", "MAX_MEMO_PART", "seen", "seen_digest", "seen_tokens"]

MAX_MEMO_CHARS = 16 * 1024 * 1024
MAX_MEMO_PART = MAX_MEMO_CHARS  # above the 10 MiB body cap: every part of a request can be remembered
HISTORY_MEMO_SIZE = 16

_Summary = tuple[int, bytes]  # (tokens, 16-byte digest)


def _summarise(text: str) -> _Summary:
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
    return count_tokens(text), digest


class _PartMemo:
    def __init__(self, max_chars: int) -> None:
        self._parts: OrderedDict[str, _Summary] = OrderedDict()
        self._chars = 0
        self._max_chars = max_chars
        self._lock = threading.Lock()

    def get(self, text: str) -> _Summary:
        if len(text) > MAX_MEMO_PART:
            return _summarise(text)
        with self._lock:
            cached = self._parts.get(text)
            if cached is not None:
                self._parts.move_to_end(text)
                return cached
        summary = _summarise(text)
        with self._lock:
            if text not in self._parts:
                self._parts[text] = summary
                self._chars += len(text)
                while self._chars > self._max_chars:
                    evicted, _ = self._parts.popitem(last=False)
                    self._chars -= len(evicted)
        return summary


_MEMO = _PartMemo(MAX_MEMO_CHARS)
_EMPTY_DIGEST = bytes(16)


def _part(text: str) -> _Summary:
    return _MEMO.get(text) if text else (0, _EMPTY_DIGEST)


class _HistoryMemo:
    """Summaries of recent histories, so a history that extends one seen before costs only its new
    messages (a sequential run's turn N sees turn N-1's history plus one message)."""

    def __init__(self, size: int) -> None:
        self._entries: list[tuple[tuple[Message, ...], int, Any]] = []
        self._size = size
        self._lock = threading.Lock()

    def _longest_prefix(self, history: tuple[Message, ...]) -> tuple[tuple[Message, ...], int, Any] | None:
        best = None
        with self._lock:
            for entry in reversed(self._entries):
                prefix = entry[0]
                n = len(prefix)
                if best is not None and n <= len(best[0]):
                    continue
                # The identity check on the last element rejects most candidates without a scan.
                if n <= len(history) and (n == 0 or history[n - 1] is prefix[-1]) and history[:n] == prefix:
                    best = entry
                    if n == len(history):
                        break
        return best

    def summary(self, history: tuple[Message, ...]) -> _Summary:
        if not history:  # most calls: nothing to look up
            return _NO_HISTORY
        best = self._longest_prefix(history)
        if best is None:
            start, tokens, hasher = 0, 0, hashlib.blake2b(digest_size=16)
        else:
            start, tokens, hasher = len(best[0]), best[1], best[2].copy()
        if start == len(history) and best is not None:
            return tokens, hasher.digest()
        for message in history[start:]:
            if message.content:
                part_tokens, digest = _MEMO.get(message.content)
                tokens += part_tokens
                hasher.update(digest)
        with self._lock:
            self._entries.append((history, tokens, hasher.copy()))
            del self._entries[: -self._size]
        return tokens, hasher.digest()


_HISTORIES = _HistoryMemo(HISTORY_MEMO_SIZE)
_NO_HISTORY: _Summary = (0, hashlib.blake2b(digest_size=16).digest())


def seen(call: LLMCall) -> tuple[int, str]:
    """``(seen_tokens(call), seen_digest(call))`` with one look-up of each part (the fake LLM needs
    both for every call)."""
    history_tokens, history_digest = _HISTORIES.summary(call.history)
    system_tokens, system_digest = _part(call.system_prompt)
    task_tokens, task_digest = _part(call.task)
    digest = hashlib.blake2b(system_digest + history_digest + task_digest, digest_size=16).hexdigest()
    return system_tokens + history_tokens + task_tokens, digest


def seen_tokens(call: LLMCall) -> int:
    """``count_tokens(call.seen_text())``, from remembered counts."""
    return seen(call)[0]


def seen_digest(call: LLMCall) -> str:
    """A hex digest of everything the call sees (see the module docstring)."""
    return seen(call)[1]
