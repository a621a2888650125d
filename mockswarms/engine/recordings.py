"""Recorded exchanges: whole HTTP answers captured by ``mockswarms proxy --record DIR``, replayed by
``mockswarms serve --fixtures DIR``.

A recording lives in a fixture file under the top-level key ``exchanges`` (next to the ``rules`` the
fake LLM uses). Each exchange has a ``match`` (method, path, query, model, agent name, task, stream,
swarm type and an optional ``request_sha256`` of the redacted request body — delete it to match
looser) and a ``response`` (``status``, ``content_type`` and either the exact ``body`` text or the
SSE ``frames`` with the seconds ``at`` which each arrived). The first exchange whose match equals the
request's wins (files in sorted order, then file order).

:func:`redact` is shared by the recorder and the matcher, so a request is matched the way it was
written: API keys, bearer tokens, MCP/URL tokens, JWTs, URL passwords, values of secret-named fields
(``api_key``, ``x-api-key``, ``X-Auth-Token`` …) and every value of a ``headers`` object become
``[REDACTED]`` — at least what the request journal masks (:mod:`mockswarms.journal`: the same
field names and query parameters), always the same mark, so a recording diffs cleanly.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import yaml

from mockswarms.engine.fixture_problems import FixtureError, FixtureProblem
from mockswarms.journal import QUERY_SECRETS, SECRET_FIELDS
from mockswarms.limits import may_nest_deeper, too_deep

__all__ = [
    "REDACTED",
    "Recording",
    "RecordingSet",
    "SseFrame",
    "check_recordings",
    "load_recordings",
    "redact",
    "redact_json",
    "request_match",
]

REDACTED = "[REDACTED]"
RELOAD_INTERVAL = 1.0  # seconds between looks at the files' modification times
MATCH_KEYS = (
    "method",
    "path",
    "query",
    "model",
    "agent_name",
    "task",
    "stream",
    "swarm_type",
    "request_sha256",
)
# Field names whose values are secrets wherever they appear (not "total_tokens": whole words only),
# parts joined by "_" or "-" (``api_key``, ``x-api-key``, ``X-Auth-Token``); the journal's
# ``SECRET_FIELDS`` are all of this form.
_SECRET_NAME = (
    r"(?:[a-z0-9]+[_-])*(?:api[_-]?key|access[_-]?token|auth[_-]?token|mcp[_-]?token|token|secret|"
    r"password|authorization|bearer|credentials?|cookie)"
)
_SECRET_FIELD = re.compile(rf"^{_SECRET_NAME}$", re.IGNORECASE)
# Query parameters whose values are secrets: the journal's, those above, and these short ones.
_QUERY_SECRETS = QUERY_SECRETS | {"token", "key", "api_key", "apikey", "access_token", "secret", "auth"}
_SECRET_TEXT = (
    re.compile(r"\bsk-[A-Za-z0-9_\-]{6,}"),  # OpenAI/Swarms-style API keys
    re.compile(r"\b(?:ghp|gho|github_pat|xox[abp]|AKIA)[A-Za-z0-9_\-]{10,}"),
    re.compile(r"\beyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+"),  # JWTs
    re.compile(r"(?<=[Bb]earer )[A-Za-z0-9._~+/=\-]+"),
)
# A query parameter (its name percent-decoded before it is judged, as the journal does), a URL's
# password, a secret field's string value in JSON text, and the string values of a flat ``headers``
# object in JSON text (the journal's patterns for cut bodies).
_PARAM = re.compile(r"(?<=[?&;])([^=&?#;\s\"'<>\\]+)=([^&\s\"'\\]+)")
_USERINFO = re.compile(r"(://[^/?#@\s\"'\\:]*):([^/?#@\s\"'\\]+)@")
_SECRET_JSON_FIELD = re.compile(rf'("{_SECRET_NAME}"\s*:\s*)"(?:[^"\\]|\\.)*"', re.IGNORECASE)
_HEADERS = re.compile(r'("headers"\s*:\s*\{)([^{}]*)', re.IGNORECASE)
_HEADER_VALUE = re.compile(r'("(?:[^"\\]|\\.)*"\s*:\s*)"(?:[^"\\]|\\.)*"')
_log = logging.getLogger("mockswarms.recordings")


def _secret_name(name: str) -> bool:
    return name.lower() in SECRET_FIELDS or _SECRET_FIELD.match(name) is not None


def _param(match: re.Match[str]) -> str:
    name = unquote_plus(match.group(1))
    if name.lower() in _QUERY_SECRETS or _SECRET_FIELD.match(name):
        return f"{match.group(1)}={REDACTED}"
    return match.group(0)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every secret (the given ones and anything that looks like a key) replaced."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    for pattern in _SECRET_TEXT:
        text = pattern.sub(REDACTED, text)
    if "=" in text:
        text = _PARAM.sub(_param, text)
    if "@" in text:
        text = _USERINFO.sub(rf"\1:{REDACTED}@", text)
    if '"' in text:
        text = _SECRET_JSON_FIELD.sub(lambda m: f'{m.group(1)}"{REDACTED}"', text)
        text = _HEADERS.sub(
            lambda m: m.group(1) + _HEADER_VALUE.sub(lambda v: f'{v.group(1)}"{REDACTED}"', m.group(2)),
            text,
        )
    return text


def redact_json(value: Any, secrets: Iterable[str] = ()) -> Any:
    """A copy of a decoded JSON value with key-like strings redacted, and every string inside the
    value of a secret-named field or of a ``headers`` object replaced. Iterative: any depth."""
    secrets = tuple(secrets)

    def leaf(item: Any, hidden: bool) -> Any:
        if isinstance(item, str):
            return REDACTED if hidden else redact(item, secrets)
        return item

    def copy(item: Any, hidden: bool) -> Any:
        # A new empty container, filled later from the stack; anything else is final.
        if isinstance(item, dict):
            out: dict[Any, Any] = {}
            stack.append((item, out, hidden))
            return out
        if isinstance(item, list):
            items: list[Any] = []
            stack.append((item, items, hidden))
            return items
        return leaf(item, hidden)

    stack: list[tuple[Any, Any, bool]] = []
    root = copy(value, False)
    while stack:
        source, target, hidden = stack.pop()
        if isinstance(source, dict):
            for key, item in source.items():
                secret = hidden or (
                    isinstance(key, str)
                    and (_secret_name(key) or (key.lower() == "headers" and isinstance(item, dict)))
                )
                target[key] = copy(item, secret)
        else:
            target.extend(copy(item, hidden) for item in source)
    return root


def _canonical(body: bytes, secrets: Iterable[str]) -> tuple[Any, str]:
    """(redacted decoded body or None, sha256 of its canonical form)."""
    if not body.strip():
        return None, ""
    try:
        decoded = json.loads(body)
        if may_nest_deeper(body) and too_deep(decoded):
            # Deeper than any request the simulator accepts (it answers 422): matched as text,
            # never walked (json.dumps would overflow the stack where json.loads did not).
            raise ValueError("too deep")
    except (ValueError, RecursionError):
        text = redact(body.decode("utf-8", "replace"), secrets)
        return None, hashlib.sha256(text.encode()).hexdigest()
    clean = redact_json(decoded, secrets)
    canonical = json.dumps(clean, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return clean, hashlib.sha256(canonical.encode()).hexdigest()


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def request_match(
    method: str, path: str, query: str, body: bytes, secrets: Iterable[str] = ()
) -> tuple[dict[str, Any], Any]:
    """What a recording matches on for this request, and the redacted decoded body (None if not JSON)."""
    decoded, digest = _canonical(body, secrets)
    match: dict[str, Any] = {"method": method.upper(), "path": path}
    if query:
        match["query"] = redact("?" + query, secrets)[1:]  # its first parameter too
    if isinstance(decoded, dict):
        config = _mapping(decoded.get("agent_config"))
        listed = decoded.get("agents")
        agents = [a for a in listed if isinstance(a, dict)] if isinstance(listed, list) else []
        model = _text(decoded.get("model")) or _text(config.get("model_name"))
        if model is None and agents:
            model = ", ".join(str(a.get("model_name", "")) for a in agents)
        name = _text(config.get("agent_name")) or (
            ", ".join(str(a.get("agent_name", "")) for a in agents) if agents else None
        )
        task = _text(decoded.get("task"))
        messages = decoded.get("messages")
        if task is None and isinstance(messages, list) and messages and isinstance(messages[-1], dict):
            task = _text(messages[-1].get("content"))
        stream = decoded.get("stream") is True or config.get("streaming_on") is True
        for key, value in (
            ("model", model),
            ("agent_name", name),
            ("task", task),
            ("swarm_type", _text(decoded.get("swarm_type"))),
        ):
            if value is not None:
                match[key] = value
        match["stream"] = stream
    if digest:
        match["request_sha256"] = digest
    return match, decoded


@dataclass(frozen=True)
class SseFrame:
    at: float  # seconds after the response started
    text: str  # the frame exactly as sent, blank line included


@dataclass(frozen=True)
class Recording:
    match: Mapping[str, Any]
    status: int
    content_type: str
    body: str | None  # exact body text (non-streamed)
    frames: tuple[SseFrame, ...]  # streamed answers
    source: str
    line: int

    @property
    def streamed(self) -> bool:
        return self.body is None

    def matches(self, request: Mapping[str, Any]) -> bool:
        return all(request.get(key) == value for key, value in self.match.items())


class RecordingSet:
    """All recordings of a set of fixture directories; reloaded when a file changes."""

    def __init__(self, dirs: Sequence[Path]) -> None:
        self.dirs = tuple(dirs)
        self.recordings: tuple[Recording, ...] = ()
        # The last load's problems (empty when it was good): the files as they are now.
        self.problems: tuple[FixtureProblem, ...] = ()
        self._signature: tuple[tuple[str, int, int], ...] = ()
        self._checked = time.monotonic()

    def __len__(self) -> int:
        return len(self.recordings)

    def _files(self) -> list[Path]:
        files: list[Path] = []
        for directory in self.dirs:
            if directory.is_file():
                files.append(directory)
            elif directory.is_dir():
                files.extend(sorted(p for p in directory.rglob("*") if p.suffix in (".yaml", ".yml")))
        return files

    def _scan(self) -> tuple[tuple[str, int, int], ...]:
        out = []
        for path in self._files():
            try:
                stat = path.stat()
            except OSError:
                continue
            out.append((str(path), stat.st_mtime_ns, stat.st_size))
        return tuple(out)

    def load(self) -> None:
        """Read every file; raises :class:`FixtureError` (file:line problems) and keeps the old set."""
        signature = self._scan()
        recordings: list[Recording] = []
        problems: list[FixtureProblem] = []
        for name, _, _ in signature:
            found, bad = _load_file(Path(name))
            recordings.extend(found)
            problems.extend(bad)
        # Remembered even for a bad set: a broken file is not re-read (nor reported) on every poll.
        self._signature = signature
        self.problems = tuple(problems)
        if problems:
            raise FixtureError(problems)
        self.recordings = tuple(recordings)

    def reload(self) -> tuple[FixtureProblem, ...]:
        """Re-read every file now (the control API's reload): the problems found, if any — the
        previous recordings then stay active. Also kept in :attr:`problems`."""
        self._checked = time.monotonic()
        try:
            self.load()
        except FixtureError as exc:
            return tuple(exc.problems)
        return ()

    def maybe_reload(self) -> None:
        """Reload if a file changed (looked at most once a second); a bad new version keeps the old
        set and is logged, one warning per problem (``file:line: message``), once per change."""
        now = time.monotonic()
        if now - self._checked < RELOAD_INTERVAL:
            return
        self._checked = now
        if self._scan() != self._signature:
            for problem in self.reload():
                _log.warning("recordings not reloaded, the previous recordings stay active: %s", problem)

    def find(self, request: Mapping[str, Any]) -> Recording | None:
        for recording in self.recordings:
            if recording.matches(request):
                return recording
        return None


def check_recordings(dirs: Sequence[Path]) -> tuple[int, list[FixtureProblem]]:
    """(number of recorded exchanges, problems) under ``dirs``: for ``mockswarms fixtures check``."""
    recordings = RecordingSet(dirs)
    try:
        recordings.load()
    except FixtureError as exc:
        return 0, list(exc.problems)
    return len(recordings), []


def load_recordings(dirs: Sequence[Path]) -> RecordingSet:
    recordings = RecordingSet(dirs)
    recordings.load()
    return recordings


def _load_file(path: Path) -> tuple[list[Recording], list[FixtureProblem]]:
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
        root = yaml.compose(text, Loader=yaml.SafeLoader)  # the same document, with line numbers
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return [], []  # the rule loader reports unreadable files with their line
    if not isinstance(data, dict) or "exchanges" not in data:
        return [], []
    node = _child(root, "exchanges")
    line = node.start_mark.line + 1 if node is not None else 1
    items = data["exchanges"]
    if not isinstance(items, list):
        return [], [FixtureProblem(name, line, "'exchanges' must be a list")]
    item_nodes = node.value if isinstance(node, yaml.SequenceNode) else []
    found: list[Recording] = []
    problems: list[FixtureProblem] = []
    for index, item in enumerate(items):
        item_line = item_nodes[index].start_mark.line + 1 if index < len(item_nodes) else line
        try:
            found.append(_recording(item, name, item_line))
        except ValueError as exc:
            problems.append(FixtureProblem(name, item_line, f"exchanges[{index}]: {exc}"))
    return found, problems


def _child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if getattr(key_node, "value", None) == key:
                return value_node
    return None


def _recording(item: Any, source: str, line: int) -> Recording:
    if not isinstance(item, dict):
        raise ValueError("must be a mapping with 'match' and 'response'")
    match, response = item.get("match"), item.get("response")
    if not isinstance(match, dict) or not {"method", "path"} <= set(match):
        raise ValueError("'match' needs at least 'method' and 'path'")
    unknown = set(match) - set(MATCH_KEYS)
    if unknown:
        raise ValueError(f"unknown match key '{sorted(unknown)[0]}'")
    if not isinstance(response, dict) or not isinstance(response.get("status"), int):
        raise ValueError("'response' needs an integer 'status'")
    body, frames = response.get("body"), response.get("frames")
    if (body is None) == (frames is None):
        raise ValueError("'response' needs exactly one of 'body' or 'frames'")
    if body is not None and not isinstance(body, str):
        raise ValueError("'response.body' must be the exact body text")
    parsed: list[SseFrame] = []
    for frame in frames or []:
        if not isinstance(frame, dict) or not isinstance(frame.get("text"), str):
            raise ValueError("each frame needs 'text' (and 'at', seconds)")
        at = frame.get("at", 0)
        if not isinstance(at, int | float) or at < 0:
            raise ValueError("'at' must be a non-negative number of seconds")
        parsed.append(SseFrame(float(at), frame["text"]))
    return Recording(
        match=dict(match),
        status=response["status"],
        content_type=str(response.get("content_type") or "application/json"),
        body=body,
        frames=tuple(parsed),
        source=source,
        line=line,
    )
