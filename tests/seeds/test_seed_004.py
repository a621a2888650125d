"""Seed 004 (Streaming API) under the ``docs-2025`` profile: the document's SSE parser prints the job id,
the agent, the streamed text, the tokens used and the cost (its ``event: metadata`` / ``usage
{tokens_used, cost}`` / ``done`` format). Under ``docs`` the same parser runs silently wrong, which is
why the README sends readers of 004 to ``docs-2025``.

The Quick Start and the Complete Example are tests/seeds/examples/s004_*.py. The "Error Handling" and
"Timeout Management" snippets are fragments (``url``/``payload`` undefined, ``return`` outside a
function) that cannot run on their own; their requests are the Quick Start's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from seed_harness import lines, run_python, server

from mockswarms.testing.server import RunningServer


@pytest.fixture(scope="module")
def sim() -> Iterator[RunningServer]:
    yield from server("docs-2025")


def test_quick_start_streams_without_printing(sim: RunningServer, tmp_path: Path) -> None:
    assert lines(run_python("s004_quick_start.py", sim, cwd=tmp_path)) == []


def test_complete_example_prints_job_agent_text_usage_and_cost(sim: RunningServer, tmp_path: Path) -> None:
    out = lines(run_python("s004_complete.py", sim, cwd=tmp_path))
    assert out[0] == "πŸš€ Starting streaming request..."
    assert re.fullmatch(r"Job ID: agent-[0-9a-f]{32}", out[1]), out[1]
    assert out[2:4] == ["Agent: Research Analyst", "-" * 40]
    text = out[4]
    assert len(text) > 20
    tokens = re.fullmatch(r"Tokens used: (\d+)", out[5])
    assert tokens and int(tokens[1]) > 0, out[5]
    cost = re.fullmatch(r"Cost: \$(\d+\.\d{4})", out[6])
    assert cost and float(cost[1]) > 0, out[6]
    assert out[7:] == ["", "βœ… Complete!", "", f"πŸ“ Total content: {len(text)} characters"]


def test_the_docs_profile_does_not_fit_this_document(tmp_path: Path) -> None:
    for docs in server("docs"):
        out = lines(run_python("s004_complete.py", docs, cwd=tmp_path))
    assert "Tokens used: None" in out and "Cost: $0.0000" in out
    assert not any(line.startswith("Job ID: agent-") for line in out)
