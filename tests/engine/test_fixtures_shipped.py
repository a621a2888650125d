"""The shipped example fixtures (``fixtures/*.yaml``) as written, and what ``last_message`` means:
on a chat it is the final message of ``messages`` — so "count to three" matches."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from mockswarms import create_app
from mockswarms.engine.fixtures import FixtureRegistry, check_dirs, last_message
from mockswarms.engine.llm import LLMCall, Message

SHIPPED = Path(__file__).resolve().parents[2] / "fixtures"
PREMIUM = {"x-api-key": "sk-mock-premium"}


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app(fixtures=[SHIPPED], seed=1), base_url="http://test") as c:
        yield c


def test_shipped_fixture_files_are_valid() -> None:
    rules, problems = check_dirs([SHIPPED])
    assert problems == []
    assert "chat-streaming-chunks" in {r.id for r in rules}


@pytest.mark.parametrize(
    "messages",
    [
        [{"role": "user", "content": "count to three"}],
        [
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": "hello"},
            {"role": "assistant", "content": "Hi."},
            {"role": "user", "content": "Count to three"},
        ],
    ],
)
def test_count_to_three_matches_the_last_chat_message(
    client: TestClient, messages: list[dict[str, str]]
) -> None:
    body = {"model": "gpt-4o", "messages": messages}
    reply = client.post("/v1/chat/completions", json=body, headers=PREMIUM)
    assert reply.status_code == 200
    assert reply.json()["choices"][0]["message"]["content"] == "One, two, three."

    with client.stream("POST", "/v1/chat/completions", json={**body, "stream": True}, headers=PREMIUM) as r:
        lines = [line for line in r.iter_lines() if line.startswith("data: {")]

    deltas = [json.loads(line[6:])["choices"][0]["delta"].get("content") for line in lines]
    assert [d for d in deltas if d] == ["One", ", two", ", three."]


def test_an_earlier_count_to_three_does_not_match(client: TestClient) -> None:
    messages = [
        {"role": "user", "content": "count to three"},
        {"role": "assistant", "content": "One, two, three."},
        {"role": "user", "content": "now say something else"},
    ]
    reply = client.post(
        "/v1/chat/completions", json={"model": "gpt-4o", "messages": messages}, headers=PREMIUM
    )
    assert reply.status_code == 200
    assert reply.json()["choices"][0]["message"]["content"] != "One, two, three."


def test_last_message_in_runs_is_the_previous_message_of_the_history() -> None:
    history = (Message("Planner", "Plan: go"),)
    assert last_message(LLMCall(endpoint="swarm", agent_name="W", model="m", task="t", history=history)) == (
        "Plan: go"
    )
    assert last_message(LLMCall(endpoint="agent", agent_name="W", model="m", task="t")) == ""
    assert (
        last_message(LLMCall(endpoint="chat", agent_name="a", model="m", task="hi", history=history)) == "hi"
    )


def test_shipped_rules_match_through_the_registry() -> None:
    registry = FixtureRegistry([SHIPPED], watch=False)
    chat = LLMCall(endpoint="chat", agent_name="assistant", model="gpt-4o", task="COUNT TO THREE")
    rule = registry.match(chat)
    assert rule is not None and rule.id == "chat-streaming-chunks"


def test_every_yaml_example_of_the_fixture_reference_loads(tmp_path: Path) -> None:

    text = (SHIPPED / "README.md").read_text(encoding="utf-8")
    examples = re.findall(r"^```yaml\n(.*?)^```", text, re.S | re.M)
    assert len(examples) >= 7
    for index, example in enumerate(examples):
        (tmp_path / f"example-{index}.yaml").write_text(example)
    rules, problems = check_dirs([tmp_path])
    assert [str(p) for p in problems] == []
    assert len(rules) >= len(examples)


def test_fixture_reference_commands_run(tmp_path: Path) -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "mockswarms", "fixtures", "check", str(SHIPPED)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout
    assert re.fullmatch(r"OK: \d+ rule\(s\) in 4 file\(s\)\n", result.stdout)
