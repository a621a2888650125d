"""The dashboard's routes in the full contract: honest media types and JSON shapes, checked by
Schemathesis against the app, and the never-ending event feed skipped (each case of it would wait for
a timeout: about 10 s in-process)."""

from __future__ import annotations

import json
import threading
from typing import Any

import jsonschema_rs
from starlette.testclient import TestClient

from mockswarms.contract import FULL_CONTRACT_PATH
from mockswarms.contract.verify import run_verification
from mockswarms.http.app import create_app

FULL: dict[str, Any] = json.loads(FULL_CONTRACT_PATH.read_text(encoding="utf-8"))
DASHBOARD = "^/__mockswarms/(ui|events|faults/stats|accounts/\\{key\\}/usage|fixtures$)"


def _response(path: str, status: str, media: str) -> dict[str, Any]:
    return dict(FULL["paths"][path]["get"]["responses"][status]["content"][media])


def _validate(path: str, body: Any) -> None:
    schema = {**_response(path, "200", "application/json")["schema"], "components": FULL["components"]}
    jsonschema_rs.validator_for(schema).validate(body)


def test_pages_declare_the_media_types_they_are_served_with() -> None:
    with TestClient(create_app(), follow_redirects=False) as client:
        bare = client.get("/__mockswarms/ui")
        page = client.get("/__mockswarms/ui/")
        script = client.get("/__mockswarms/ui/app.js")
        missing = client.get("/__mockswarms/ui/secret.txt")
    ui = FULL["paths"]["/__mockswarms/ui"]["get"]["responses"]
    assert bare.status_code == 308 and "308" in ui
    assert bare.headers["location"] == ui["308"]["headers"]["Location"]["schema"]["const"]
    assert page.status_code == 200
    assert list(FULL["paths"]["/__mockswarms/ui/"]["get"]["responses"]["200"]["content"]) == ["text/html"]
    assert page.headers["content-type"].split(";")[0] == "text/html"
    asset = FULL["paths"]["/__mockswarms/ui/{name}"]["get"]["responses"]
    assert script.headers["content-type"].split(";")[0] in asset["200"]["content"]
    assert missing.status_code == 404 and "404" in asset


def test_json_read_outs_match_their_declared_shapes() -> None:
    rule = {"id": "down", "match": {"path": "/health"}, "action": {"type": "error", "status": 503}}
    with TestClient(create_app(accounts=[{"key": "sk-usage"}])) as client:
        assert client.post("/__mockswarms/faults", json=rule).status_code == 201
        assert client.get("/health").status_code == 503
        assert client.get("/v1/models/available", headers={"x-api-key": "sk-usage"}).status_code == 200
        usage = client.get("/__mockswarms/accounts/sk-usage/usage")
        stats = client.get("/__mockswarms/faults/stats")
    assert usage.status_code == 200
    _validate("/__mockswarms/accounts/{key}/usage", usage.json())
    assert stats.status_code == 200
    assert [(f["id"], f["matched"], f["fired"]) for f in stats.json()["faults"]] == [("down", 1, 1)]
    _validate("/__mockswarms/faults/stats", stats.json())


def test_event_feed_is_declared_endless_and_as_an_event_stream() -> None:
    operation = FULL["paths"]["/__mockswarms/events"]["get"]
    assert operation["x-mockswarms-endless"] is True
    assert list(operation["responses"]["200"]["content"]) == ["text/event-stream"]
    events = operation["responses"]["200"]["content"]["text/event-stream"]["schema"]["anyOf"]
    assert [e["properties"]["event"]["const"] for e in events] == ["entry", "reset", "skipped"]


def test_schemathesis_over_the_dashboard_routes_passes_and_skips_the_endless_feed() -> None:
    outcome: dict[str, Any] = {}

    def run() -> None:
        outcome["report"] = run_verification(
            FULL, app=create_app(), include_path=DASHBOARD, max_examples=3, stateful=False
        )

    worker = threading.Thread(target=run, daemon=True)  # a hang fails the test instead of the session
    worker.start()
    worker.join(timeout=120)
    assert not worker.is_alive(), "the run did not finish"
    report = outcome["report"]
    problems = [f"{f.operation} · {f.check} · {f.title}: {f.message[:300]}" for f in report.failures]
    problems += [e for op in report.operations.values() for e in op.errors] + report.errors
    assert problems == []
    assert {label for label in report.operations if label.startswith("GET")} == {
        "GET /__mockswarms/ui",
        "GET /__mockswarms/ui/",
        "GET /__mockswarms/ui/{name}",
        "GET /__mockswarms/accounts/{key}/usage",
        "GET /__mockswarms/faults/stats",
        "GET /__mockswarms/fixtures",
    }
