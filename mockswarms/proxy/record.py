"""Write each proxied exchange as a fixture file that ``mockswarms serve --fixtures DIR`` replays.

One YAML file per distinct request, named from what it is (``post-v1-agent-completions--writer--
summarise-the-news--1a2b3c4d.yaml``; a query string adds its start and a short hash of the whole
query; the same request overwrites its file, so names are stable and a diff shows what changed
upstream). A file holds the whole answer under ``exchanges`` (see
:mod:`mockswarms.engine.recordings`) and, for agent completions, a fake-LLM ``rule`` with the
answer's text and token counts, so the simulator bills what was recorded. Secrets are redacted
before anything is written: the caller's key and anything that looks like a key or token.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from mockswarms.engine.recordings import redact, redact_json, request_match
from mockswarms.proxy.drift import Answer

__all__ = ["Recorder", "file_name"]

_SLUG = re.compile(r"[^a-z0-9]+")


def _slug(text: str, limit: int = 40) -> str:
    return _SLUG.sub("-", text.lower()).strip("-")[:limit].strip("-")


def file_name(match: dict[str, Any]) -> str:
    route = f"{match['method']} {match['path']}"
    parts = [_slug(route)]
    for key in ("agent_name", "task"):
        if match.get(key):
            parts.append(_slug(str(match[key])))
    if match.get("stream"):
        parts.append("stream")
    digest = str(match.get("request_sha256", ""))
    query = str(match.get("query") or "")
    if query:
        # Requests that differ only in their query string get files of their own: the start of the
        # query to read, a hash of all of it (and of the body, if any) to tell them apart.
        parts.append(_slug(query, 24))
        digest = hashlib.sha256(f"{query}\n{digest}".encode()).hexdigest()
    if len(_slug(route, limit=len(route))) > len(parts[0]):
        # The path was cut: two long paths alike up to the cut (ids) would share a file.
        digest = hashlib.sha256(f"{match['path']}\n{digest}".encode()).hexdigest()
    if digest:
        parts.append(digest[:8])
    return "--".join(p for p in parts if p) + ".yaml"


class _Dumper(yaml.SafeDumper):
    """Multi-line strings as literal blocks: recorded frames and texts stay readable in a review."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def _agent_rule(match: dict[str, Any], answer: Answer, secrets: Iterable[str]) -> dict[str, Any] | None:
    """A fake-LLM rule for an agent completion: its text and token counts."""
    if match["path"] != "/v1/agent/completions" or answer.status != 200 or not match.get("agent_name"):
        return None
    text, usage = None, None
    if answer.events is None:
        ok, data = answer.json()
        if ok and isinstance(data, dict):
            outputs = data.get("outputs")
            if isinstance(outputs, list) and outputs and isinstance(outputs[-1], dict):
                content = outputs[-1].get("content")
                text = content if isinstance(content, str) else None
            usage = data.get("usage")
    else:
        pieces = []
        for event in answer.events:
            try:
                data = event.json()
            except ValueError:
                continue
            if event.event == "chunk" and isinstance(data, dict) and isinstance(data.get("content"), str):
                pieces.append(data["content"])
            elif event.event == "usage":
                usage = data
        text = "".join(pieces) if pieces else None
    if text is None or not isinstance(usage, dict):
        return None
    respond: dict[str, Any] = {"text": redact(text, secrets)}
    for key in ("input_tokens", "output_tokens"):
        if isinstance(usage.get(key), int):
            respond[key] = usage[key]
    rule_match = {"endpoint": "agent", "agent_name": match["agent_name"]}
    if match.get("model"):
        rule_match["model"] = match["model"]
    if match.get("task"):
        rule_match["task"] = match["task"]
    return {
        "id": f"recorded-{str(match.get('request_sha256', ''))[:12]}",
        "match": rule_match,
        "respond": respond,
    }


def _swarm_rules(match: dict[str, Any], answer: Answer, secrets: Iterable[str]) -> list[dict[str, Any]]:
    """Fake-LLM rules for a swarm completion: each agent's recorded text (agents that answered once).

    The simulator then writes the same text for the same task, so the tokens it counts — and the
    money it charges on replay — follow the recorded answer. Token counts per agent are not in the
    answer, so they are the simulator's count of that text.
    """
    if match["path"] != "/v1/swarm/completions" or answer.status != 200 or not match.get("task"):
        return []
    texts: dict[str, list[str]] = {}
    if answer.events is None:
        ok, data = answer.json()
        output = data.get("output") if ok and isinstance(data, dict) else None
        for item in output if isinstance(output, list) else []:
            if (
                isinstance(item, dict)
                and isinstance(item.get("role"), str)
                and isinstance(item.get("content"), str)
            ):
                texts.setdefault(item["role"], []).append(item["content"])
    else:
        pieces: dict[str, list[str]] = {}
        for event in answer.events:
            try:
                data = event.json()
            except ValueError:
                continue
            if (
                event.event == "chunk"
                and isinstance(data, dict)
                and isinstance(data.get("agent"), str)
                and isinstance(data.get("content"), str)
            ):
                pieces.setdefault(data["agent"], []).append(data["content"])
        texts = {agent: ["".join(chunks)] for agent, chunks in pieces.items()}
    rules = []
    digest = str(match.get("request_sha256", ""))[:12]
    for index, (agent, answers) in enumerate(texts.items()):
        if len(answers) != 1:
            continue  # several turns of one agent: which answer goes with which turn is not recorded
        rule_match: dict[str, Any] = {"endpoint": "swarm", "agent_name": agent, "task": match["task"]}
        if match.get("swarm_type"):
            rule_match["swarm_type"] = match["swarm_type"]
        rules.append(
            {
                "id": f"recorded-{digest}-{index}",
                "match": rule_match,
                "respond": {"text": redact(answers[0], secrets)},
            }
        )
    return rules


class Recorder:
    """Writes exchanges under ``directory`` (created if missing)."""

    def __init__(self, directory: Path, upstream: str) -> None:
        self.directory = directory
        parts = urlsplit(upstream)
        self.upstream = f"{parts.scheme}://{parts.hostname or ''}" + (f":{parts.port}" if parts.port else "")
        directory.mkdir(parents=True, exist_ok=True)

    def record(
        self, method: str, path: str, query: str, request_body: bytes, answer: Answer, secrets: Iterable[str]
    ) -> Path:
        secrets = tuple(s for s in secrets if s)
        match, decoded = request_match(method, path, query, request_body, secrets)
        response: dict[str, Any] = {
            "status": answer.status,
            "content_type": answer.headers.get("content-type", ""),
        }
        if answer.events is None:
            response["body"] = redact(answer.body.decode("utf-8", "replace"), secrets)
        else:
            response["frames"] = [
                {"at": round(at, 4), "text": redact(text, secrets)} for at, text in answer.raw_frames
            ]
        exchange: dict[str, Any] = {"match": match}
        if decoded is not None:
            exchange["request"] = {"body": redact_json(decoded, secrets)}
        exchange["response"] = response
        document: dict[str, Any] = {
            "description": f"Recorded by mockswarms proxy from {self.upstream}; secrets redacted.",
            "exchanges": [exchange],
        }
        rule = _agent_rule(match, answer, secrets)
        rules = [rule] if rule is not None else _swarm_rules(match, answer, secrets)
        if rules:
            document["rules"] = rules
        target = self.directory / file_name(match)
        temporary = target.with_suffix(".yaml.tmp")
        temporary.write_text(
            yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1000),
            encoding="utf-8",
        )
        os.replace(temporary, target)  # a watching simulator never reads a half-written file
        return target
