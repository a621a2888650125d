"""Images per request are capped (``mockswarms.limits.MAX_IMAGES``): each is billed $0.25, and one agent
completion with 100,000 ``imgs`` once took a $100 account to -$24,900.

``imgs`` lists (agent, agent batch items, batched grid) are capped in the request shapes like the other
list caps (422 naming the field, every profile); chat counts ``image_url`` parts over all messages
(OpenAI 400 naming ``messages``; prism stays lenient and bills nothing anyway)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockswarms.http.app import create_app
from mockswarms.limits import MAX_IMAGES

NOW = "2026-03-01T20:00:00Z"
PREMIUM = {"x-api-key": "sk-mock-premium"}
AGENT = {"agent_name": "Viewer", "model_name": "gpt-4o"}


def client(profile: str = "docs") -> TestClient:
    return TestClient(create_app(profile=profile, now=NOW, seed=1))


def credits(c: TestClient) -> Decimal:
    return Decimal(str(c.get("/v1/account/credits", headers=PREMIUM).json()["total_credits"]))


def chat(images: int, messages: int = 1) -> dict[str, Any]:
    """``images`` image parts spread over ``messages`` user messages."""
    per, extra = divmod(images, messages)
    content = [
        [{"type": "text", "text": "Look"}]
        + [{"type": "image_url", "image_url": {"url": "https://x/y.png"}}] * (per + (i < extra))
        for i in range(messages)
    ]
    return {"model": "gpt-4o", "messages": [{"role": "user", "content": c} for c in content]}


def test_the_cap_is_100() -> None:
    assert MAX_IMAGES == 100


@pytest.mark.parametrize(
    ("path", "payload", "loc"),
    [
        (
            "/v1/agent/completions",
            {"agent_config": AGENT, "task": "t", "imgs": ["https://x/y.png"] * (MAX_IMAGES + 1)},
            ["body", "imgs"],
        ),
        (
            "/v1/agent/batch/completions",
            [
                {"agent_config": AGENT, "task": "t"},
                {"agent_config": AGENT, "task": "t", "imgs": ["u"] * (MAX_IMAGES + 1)},
            ],
            ["body", 1, "imgs"],
        ),
        (
            "/v1/batched-grid-workflow/completions",
            {"agent_completions": [AGENT], "tasks": ["t"], "max_loops": 1, "imgs": ["u"] * (MAX_IMAGES + 1)},
            ["body", "imgs"],
        ),
    ],
)
@pytest.mark.parametrize("profile", ["docs", "prism"])
def test_imgs_over_the_cap_are_422s_naming_the_field(
    path: str, payload: Any, loc: list[Any], profile: str
) -> None:
    c = client(profile)
    before = credits(c)
    r = c.post(path, json=payload, headers=PREMIUM)
    assert r.status_code == 422, r.text
    (item,) = r.json()["detail"]
    assert item["loc"] == loc
    assert item["type"] == "too_long"
    assert item["msg"] == f"List should have at most {MAX_IMAGES} items after validation, not 101"
    assert credits(c) == before


def test_agent_imgs_at_the_cap_are_billed_per_image() -> None:
    c = client()
    payload = {"agent_config": AGENT, "task": "t", "imgs": ["https://x/y.png"] * MAX_IMAGES}
    r = c.post("/v1/agent/completions", json=payload, headers=PREMIUM)
    assert r.status_code == 200, r.text
    assert r.json()["usage"]["img_cost"] == 25.0


@pytest.mark.parametrize("messages", [1, 3])
def test_chat_image_parts_over_the_cap_are_an_openai_400(messages: int) -> None:
    c = client()
    before = credits(c)
    r = c.post("/v1/chat/completions", json=chat(MAX_IMAGES + 1, messages), headers=PREMIUM)
    assert r.status_code == 400, r.text
    assert r.json() == {
        "error": {
            "message": f"Invalid 'messages': too many images. Expected at most {MAX_IMAGES} image_url "
            f"content parts in all messages, but got {MAX_IMAGES + 1} instead.",
            "type": "invalid_request_error",
            "code": "invalid_request",
            "param": "messages",
        }
    }
    assert credits(c) == before


def test_chat_image_parts_at_the_cap_are_billed() -> None:
    c = client()
    before = credits(c)
    r = c.post("/v1/chat/completions", json=chat(MAX_IMAGES, 4), headers=PREMIUM)
    assert r.status_code == 200, r.text
    assert before - credits(c) >= Decimal("0.25") * MAX_IMAGES


def test_prism_chat_stays_lenient_on_image_parts() -> None:
    r = client("prism").post("/v1/chat/completions", json=chat(MAX_IMAGES + 1), headers={"x-api-key": "k"})
    assert r.status_code == 200, r.text
