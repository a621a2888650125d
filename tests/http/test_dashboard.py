"""The dashboard at /__mockswarms/ui/, driven in a real headless Chromium (Debian's chromium and
chromedriver; Selenium is never allowed to fetch a browser or driver), plus its control endpoints
and protection checked over plain HTTP."""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from mockswarms.http.app import create_app
from mockswarms.testing.server import RunningServer, serve

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
UI = "/__mockswarms/ui/"
PREMIUM = {"x-api-key": "sk-mock-premium"}
AGENT_RUN = {"agent_config": {"agent_name": "writer", "model_name": "gpt-4o-mini"}, "task": "Say hi"}

browser_only = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="chromium and chromedriver are not installed (apt-get install chromium chromium-driver)",
)


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    with serve(seed=7) as running:
        yield running


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if CHROMIUM is None or CHROMEDRIVER is None:
        pytest.skip("chromium and chromedriver are not installed (apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1440,900",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(arg)
    # The Service path skips Selenium Manager; offline mode makes sure it never downloads anything.
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SE_OFFLINE", "true")
        browser = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    browser.set_page_load_timeout(20)
    try:
        yield browser
    finally:
        browser.quit()


@pytest.fixture()
def page(server: RunningServer, driver: Any) -> Any:
    """A fresh simulator and a freshly loaded dashboard with its live feed connected."""
    httpx.post(server.url("/__mockswarms/reset"), json={}, timeout=10).raise_for_status()
    driver.get(server.url(UI))
    wait_for(lambda: driver.find_element("id", "feed-status").text == "live", 10)
    return driver


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(os.environ.get("MOCKSWARMS_DASHBOARD_SHOTS") or tmp_path_factory.mktemp("dashboard-shots"))


def wait_for(condition: Callable[[], Any], timeout: float, interval: float = 0.02) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = condition()
        except Exception as exc:  # element not there yet, stale after a re-render …
            last = exc
        if last and not isinstance(last, Exception):
            return last
        time.sleep(interval)
    raise AssertionError(f"not true within {timeout} s (last: {last!r})")


def rows(driver: Any, table: str) -> list[list[str]]:
    """The table's cells as text, read in one script call (no stale elements mid re-render)."""
    script = (
        "return Array.from(document.querySelectorAll(arguments[0]), "
        "row => Array.from(row.cells, cell => cell.textContent))"
    )
    result: list[list[str]] = driver.execute_script(script, f"#{table} tbody tr")
    return result


def click(driver: Any, selector: str, containing: str = "") -> None:
    """Click the first element matching ``selector`` (and holding ``containing``), found and clicked in
    one script call: tables re-render as data arrives, so a found element may be replaced a moment later."""
    script = (
        "const hit = Array.from(document.querySelectorAll(arguments[0]))"
        ".find(e => e.textContent.includes(arguments[1])); if (hit) hit.click(); return !!hit;"
    )
    wait_for(lambda: driver.execute_script(script, selector, containing), 3)


def show_tab(driver: Any, name: str) -> None:
    driver.find_element("id", f"tab-{name}").click()
    wait_for(lambda: driver.find_element("id", f"panel-{name}").is_displayed(), 5)


def no_secret_on_page(driver: Any) -> None:
    source = driver.page_source
    for secret in ("sk-mock-premium", "sk-mock-free", "sk-mock-broke"):
        assert secret not in source


# -- the browser --------------------------------------------------------------------------------------
@browser_only
def test_a_request_made_with_httpx_shows_up_live_with_its_bodies(
    page: Any, server: RunningServer, shots: Path
) -> None:
    started = time.monotonic()
    response = httpx.post(server.url("/v1/agent/completions"), headers=PREMIUM, json=AGENT_RUN, timeout=10)
    assert response.status_code == 200
    row = wait_for(lambda: rows(page, "requests-table"), 1.0)[0]
    assert time.monotonic() - started < 1.5  # the request itself plus at most a second to appear
    number, _, method, path, key, status, fault, cost, duration = row
    assert (number, method, path, key, status, fault) == (
        "1",
        "POST",
        "/v1/agent/completions",
        "…mium",
        "200",
        "",
    )
    assert cost.startswith("$")
    assert Decimal(cost[1:]) == Decimal(str(response.json()["usage"]["total_cost"]))
    assert duration.endswith(" ms")

    click(page, "#requests-table tbody tr")
    request_body = wait_for(lambda: page.find_element("id", "detail-request").text, 2)
    assert '"task": "Say hi"' in request_body
    assert response.json()["job_id"] in page.find_element("id", "detail-response").text
    no_secret_on_page(page)
    page.save_screenshot(str(shots / "requests.png"))


@browser_only
def test_requests_filter_by_key_path_and_status(page: Any, server: RunningServer) -> None:
    httpx.post(server.url("/v1/agent/completions"), headers=PREMIUM, json=AGENT_RUN, timeout=10)
    httpx.get(server.url("/v1/models"), headers={"x-api-key": "sk-mock-free"}, timeout=10)
    httpx.get(server.url("/v1/account/credits"), headers={"x-api-key": "sk-nobody-has-this"}, timeout=10)
    wait_for(lambda: len(rows(page, "requests-table")) == 3, 2)

    page.find_element("id", "filter-key").send_keys("sk-mock-free")  # a full key matches its mask
    wait_for(lambda: [r[3] for r in rows(page, "requests-table")] == ["/v1/models"], 2)
    page.find_element("id", "filter-key").clear()
    page.find_element("id", "filter-status").send_keys("4xx")
    wait_for(
        lambda: [(r[3], r[5]) for r in rows(page, "requests-table")] == [("/v1/account/credits", "403")], 2
    )
    page.find_element("id", "filter-status").clear()
    page.find_element("id", "filter-path").send_keys("/v1/agent")
    wait_for(lambda: [r[3] for r in rows(page, "requests-table")] == ["/v1/agent/completions"], 2)


@browser_only
def test_a_streamed_response_shows_its_events(page: Any, server: RunningServer) -> None:
    body = {**AGENT_RUN, "stream": True}
    with httpx.stream(
        "POST", server.url("/v1/agent/completions"), headers=PREMIUM, json=body, timeout=10
    ) as r:
        assert r.status_code == 200
        raw = r.read().decode()
    wait_for(lambda: rows(page, "requests-table"), 2)
    click(page, "#requests-table tbody tr")
    events = wait_for(lambda: page.find_elements("css selector", "#detail-events > li"), 2)
    assert len(events) == raw.count("\n\n")
    no_secret_on_page(page)


@browser_only
def test_a_fault_added_from_a_template_makes_the_next_calls_fail_as_it_says(
    page: Any, server: RunningServer, shots: Path
) -> None:
    from selenium.webdriver.support.ui import Select

    show_tab(page, "faults")
    Select(page.find_element("id", "fault-template")).select_by_value("every3-503")
    path = page.find_element("id", "fault-path")
    path.clear()
    path.send_keys("/v1/agent/completions")
    page.find_element("id", "add-fault").click()
    wait_for(lambda: rows(page, "faults-table"), 2)

    statuses = [
        httpx.post(server.url("/v1/agent/completions"), headers=PREMIUM, json=AGENT_RUN, timeout=10)
        for _ in range(3)
    ]
    assert [r.status_code for r in statuses] == [200, 200, 503]
    assert statuses[2].json() == {"detail": "Service Unavailable"}
    # matched 3, fired once, shown in the table once the feed brings the requests in
    wait_for(lambda: [r[4:6] for r in rows(page, "faults-table")] == [["3", "1"]], 3)
    assert rows(page, "faults-table")[0][2:4] == [
        '{"every_nth":3}',
        '{"type":"error","status":503,"retry_after":1}',
    ]
    page.save_screenshot(str(shots / "faults.png"))

    # 429 storm: every matching call, with the API's Retry-After
    Select(page.find_element("id", "fault-template")).select_by_value("storm-429")
    path.clear()
    path.send_keys("/v1/models")
    page.find_element("id", "add-fault").click()
    wait_for(lambda: len(rows(page, "faults-table")) == 2, 2)
    stormed = httpx.get(server.url("/v1/models"), headers=PREMIUM, timeout=10)
    assert stormed.status_code == 429
    assert stormed.headers["retry-after"] == "1"

    # delete both from the page: calls succeed again
    for _ in range(2):
        left = len(rows(page, "faults-table")) - 1
        click(page, "#faults-table button.delete")
        wait_for(lambda left=left: len(rows(page, "faults-table")) == left, 2)
    wait_for(lambda: rows(page, "faults-table") == [], 2)
    assert httpx.get(server.url("/v1/models"), headers=PREMIUM, timeout=10).status_code == 200
    assert httpx.get(server.url("/__mockswarms/faults"), timeout=10).json() == {"faults": []}


@browser_only
def test_advancing_the_clock_from_the_page_resets_a_rate_window(
    page: Any, server: RunningServer, shots: Path
) -> None:
    limited = httpx.put(
        server.url("/__mockswarms/accounts/sk-mock-premium"), json={"limits": {"minute": 2}}, timeout=10
    )
    assert limited.status_code == 200
    codes = [
        httpx.post(
            server.url("/v1/agent/completions"), headers=PREMIUM, json=AGENT_RUN, timeout=10
        ).status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 429]

    show_tab(page, "accounts")
    click(page, "#accounts-table tbody tr", "user-premium")
    wait_for(lambda: rows(page, "windows-table")[0][:3] == ["minute", "2", "2"], 3)
    wait_for(lambda: page.find_elements("css selector", "#spend-chart svg path.spend"), 3)
    page.save_screenshot(str(shots / "accounts.png"))

    show_tab(page, "clock")
    before = page.find_element("id", "clock-now").text
    amount = page.find_element("id", "advance-amount")
    amount.clear()
    amount.send_keys("61")
    from selenium.webdriver.support.ui import Select

    Select(page.find_element("id", "advance-unit")).select_by_value("1")
    page.find_element("id", "clock-advance").click()
    wait_for(lambda: page.find_element("id", "clock-now").text != before, 3)
    page.save_screenshot(str(shots / "clock.png"))

    limits = httpx.get(server.url("/v1/rate/limits"), headers=PREMIUM, timeout=10).json()
    assert limits["rate_limits"]["minute"]["count"] == 0
    assert (
        httpx.post(
            server.url("/v1/agent/completions"), headers=PREMIUM, json=AGENT_RUN, timeout=10
        ).status_code
        == 200
    )
    show_tab(page, "accounts")
    wait_for(lambda: rows(page, "windows-table")[0][:3] == ["minute", "1", "2"], 3)


@browser_only
def test_a_balance_edit_on_the_page_shows_in_account_credits(page: Any, server: RunningServer) -> None:
    show_tab(page, "accounts")
    click(page, "#accounts-table tbody tr", "user-free")
    wait_for(lambda: "user-free" in page.find_element("id", "account-title").text, 3)
    credit = page.find_element("id", "edit-credit")
    credit.clear()
    credit.send_keys("12.345678")
    page.find_element("id", "save-account").click()
    wait_for(lambda: "Saved" in page.find_element("id", "message").text, 3)
    credits = httpx.get(server.url("/v1/account/credits"), headers={"x-api-key": "sk-mock-free"}, timeout=10)
    assert credits.json() == {
        "credit": 12.345678,
        "free_credit": 20.0,
        "referral_credits": 0.0,
        "total_credits": 32.345678,
    }
    no_secret_on_page(page)


@browser_only
def test_fixtures_tab_shows_files_reload_errors_with_file_and_line_and_violations(
    driver: Any, tmp_path: Path, shots: Path
) -> None:
    (tmp_path / "greetings.yaml").write_text("- {id: greeting, respond: {text: hello}}\n", encoding="utf-8")
    with serve(fixtures=[str(tmp_path)], fixtures_watch=False) as running:
        driver.get(running.url(UI))
        show_tab(driver, "fixtures")
        wait_for(lambda: rows(driver, "fixture-rules"), 3)
        assert rows(driver, "fixture-rules")[0][0] == "greeting"
        assert rows(driver, "fixture-rules")[0][2].endswith("greetings.yaml:1")
        assert driver.find_element("id", "fixture-files").text.endswith("greetings.yaml")

        (tmp_path / "broken.yaml").write_text("- id: b\n  respond: {nonsense: 1}\n", encoding="utf-8")
        click(driver, "#reload-fixtures")
        report = wait_for(lambda: driver.find_element("css selector", "#reload-report ul.errors").text, 3)
        assert "broken.yaml:" in report and "ok: false" in driver.find_element("id", "reload-report").text
        assert report.split("broken.yaml:")[1].split(":")[0].isdigit()  # file:line

        bad = httpx.post(running.url("/v1/agent/completions"), headers=PREMIUM, json={"task": 5}, timeout=10)
        assert bad.status_code in (200, 422)
        wait_for(lambda: rows(driver, "violations-table"), 3)
        assert rows(driver, "violations-table")[0][:2] == ["POST", "/v1/agent/completions"]
        driver.save_screenshot(str(shots / "fixtures.png"))


@browser_only
def test_with_an_admin_token_the_page_asks_for_it_and_then_works(driver: Any) -> None:
    with serve(admin_token="dash-admin-token-1234") as guarded:
        driver.get(guarded.url(UI))
        wait_for(lambda: driver.find_element("id", "token-form").is_displayed(), 5)
        driver.find_element("id", "token-input").send_keys("dash-admin-token-1234")
        driver.find_element("css selector", "#token-form button").click()
        # The feed retries once a second; with the token it connects.
        wait_for(lambda: driver.find_element("id", "feed-status").text == "live", 5)
        httpx.get(guarded.url("/v1/models"), headers=PREMIUM, timeout=10)
        wait_for(lambda: [r[3] for r in rows(driver, "requests-table")] == ["/v1/models"], 2)
        assert "dash-admin-token-1234" not in driver.page_source
        driver.execute_script("sessionStorage.clear()")


@browser_only
def test_secret_looking_body_fields_are_masked_in_the_details(page: Any, server: RunningServer) -> None:
    body = {**AGENT_RUN, "agent_config": {**AGENT_RUN["agent_config"], "api_key": "sk-live-abcdef123456"}}
    httpx.post(server.url("/v1/agent/completions"), headers=PREMIUM, json=body, timeout=10)
    wait_for(lambda: rows(page, "requests-table"), 2)
    click(page, "#requests-table tbody tr")
    shown = wait_for(lambda: page.find_element("id", "detail-request").text, 2)
    assert '"api_key": "…3456"' in shown
    assert "sk-live-abcdef123456" not in page.page_source


# -- pages and feeds over plain HTTP -----------------------------------------------------------------------
def test_pages_are_served_with_a_strict_content_security_policy() -> None:
    client = TestClient(create_app())
    page = client.get(UI)
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert '<script src="app.js" defer></script>' in page.text
    assert "http://" not in page.text and "https://" not in page.text  # nothing from a CDN
    assert client.get(UI + "app.js").headers["content-type"] == "text/javascript; charset=utf-8"
    assert client.get(UI + "style.css").headers["content-type"] == "text/css; charset=utf-8"
    bare = client.get(UI.rstrip("/"), follow_redirects=False)
    assert (bare.status_code, bare.headers["location"]) == (308, UI)
    missing = client.get(UI + "control.py")
    assert (missing.status_code, missing.json()) == (404, {"detail": "Not Found"})


async def test_pages_and_feeds_refuse_clients_off_the_loopback() -> None:
    transport = httpx.ASGITransport(app=create_app(), client=("203.0.113.9", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://simulator") as client:
        page = await client.get(UI)
        assert page.status_code == 403
        assert page.json() == {
            "detail": "The dashboard only answers loopback clients (set --admin-token to open it)"
        }
        for path in (
            "/__mockswarms/events",
            "/__mockswarms/faults/stats",
            "/__mockswarms/accounts/sk-mock-free/usage",
        ):
            refused = await client.get(path)
            assert refused.status_code == 403, path
            assert "loopback" in refused.json()["detail"]


def test_with_an_admin_token_pages_load_and_every_data_call_needs_it() -> None:
    client = TestClient(create_app(admin_token="dash-admin-token-1234"))
    page = client.get(UI)
    assert page.status_code == 200 and "dash-admin-token-1234" not in page.text
    for path in (
        "/__mockswarms/events",
        "/__mockswarms/faults/stats",
        "/__mockswarms/accounts/sk-mock-free/usage",
    ):
        assert client.get(path).status_code == 401, path
    bearer = {"Authorization": "Bearer dash-admin-token-1234"}
    assert client.get("/__mockswarms/faults/stats", headers=bearer).json() == {"faults": []}


def test_account_usage_reports_windows_and_exact_spend() -> None:
    client = TestClient(create_app(now="2026-03-02T10:00:00Z"))
    costs = []
    for _ in range(2):
        run = client.post("/v1/agent/completions", headers=PREMIUM, json=AGENT_RUN)
        costs.append(Decimal(str(run.json()["usage"]["total_cost"])))
    usage = client.get("/__mockswarms/accounts/sk-mock-premium/usage").json()
    assert usage["key"] == "…mium"
    assert (usage["user_id"], usage["tier"]) == ("user-premium", "premium")
    assert [(w["name"], w["used"], w["limit"]) for w in usage["windows"]] == [
        ("minute", 2, 2000),
        ("hour", 2, 10000),
        ("day", 2, 100000),
    ]
    assert usage["windows"][0]["resets_in"] == 60.0  # the clock is frozen at the runs' instant
    assert [Decimal(p["cost"]) for p in usage["spend"]] == costs
    assert Decimal(usage["spent"]) == Decimal(usage["spend"][-1]["total"]) == sum(costs)
    credits = client.get("/v1/account/credits", headers=PREMIUM).json()
    assert Decimal("100.00") - Decimal(usage["spent"]) == Decimal(str(credits["credit"]))
    journal = client.get("/__mockswarms/journal").json()["entries"]
    assert [e["cost"] for e in journal][2:] == ["0"]  # reading credits is free
    assert [Decimal(e["cost"]) for e in journal][:2] == costs  # what each request was charged
    missing = client.get("/__mockswarms/accounts/sk-nobody/usage")
    assert (missing.status_code, missing.json()) == (404, {"detail": "No such account"})


def _feed(server: RunningServer, query: str, count: int, timeout: float = 5) -> list[tuple[str, str]]:
    """The first ``count`` (event, id) pairs of the journal feed."""
    seen: list[tuple[str, str]] = []
    with httpx.stream("GET", server.url("/__mockswarms/events" + query), timeout=timeout) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        event, ident = "message", ""
        for line in response.iter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("id: "):
                ident = line[4:]
            elif line == "" and event != "message":
                seen.append((event, ident))
                event, ident = "message", ""
                if len(seen) == count:
                    break
    return seen


def test_the_journal_feed_resumes_after_an_id_and_announces_resets(server: RunningServer) -> None:
    httpx.post(server.url("/__mockswarms/reset"), json={}, timeout=10)
    for _ in range(3):
        httpx.get(server.url("/v1/models"), headers=PREMIUM, timeout=10)
    assert _feed(server, "?after=1", 2) == [("entry", "2"), ("entry", "3")]
    # resuming past the newest id (the simulator was reset or restarted since): start over
    assert _feed(server, "?after=50", 4) == [("reset", ""), ("entry", "1"), ("entry", "2"), ("entry", "3")]
    bad = httpx.get(server.url("/__mockswarms/events?after=first"), timeout=10)
    assert (bad.status_code, bad.json()) == (422, {"detail": "after must be an integer journal id"})

    seen: list[str] = []
    with httpx.stream("GET", server.url("/__mockswarms/events?after=3"), timeout=5) as response:
        lines = response.iter_lines()
        httpx.post(server.url("/__mockswarms/reset"), json={}, timeout=10)
        httpx.get(server.url("/v1/models"), headers=PREMIUM, timeout=10)
        for line in lines:
            if line.startswith(("event: ", "id: ")):
                seen.append(line)
            if line == "event: entry":
                break
    assert seen == ["event: reset", "id: 1", "event: entry"]


def test_open_feeds_are_capped() -> None:
    from mockswarms.http.dashboard.feeds import MAX_FEEDS

    with serve() as running, contextlib.ExitStack() as stack:
        client = stack.enter_context(httpx.Client(timeout=5))
        for _ in range(MAX_FEEDS):
            opened = stack.enter_context(client.stream("GET", running.url("/__mockswarms/events")))
            assert opened.status_code == 200
        refused = client.get(running.url("/__mockswarms/events"))
        assert refused.status_code == 429
        assert refused.json() == {
            "detail": f"Too many open event feeds (at most {MAX_FEEDS}); close a dashboard tab"
        }


def test_streamed_journal_entries_keep_their_events() -> None:
    client = TestClient(create_app())
    streamed = client.post("/v1/agent/completions", headers=PREMIUM, json={**AGENT_RUN, "stream": True})
    frames = [f for f in streamed.text.split("\n\n") if f]
    entry = client.get("/__mockswarms/journal").json()["entries"][-1]
    assert entry["streamed"] is True and entry["response"] is None
    assert len(entry["events"]) == len(frames)
    first = frames[0].split("\n")
    assert entry["events"][0]["event"] == (first[0][7:] if first[0].startswith("event: ") else "message")
    plain = client.post("/v1/agent/completions", headers=PREMIUM, json=AGENT_RUN)
    assert "events" not in client.get("/__mockswarms/journal").json()["entries"][-1]
    assert plain.status_code == 200


def test_sse_events_parse_frames_skip_pings_and_drop_a_cut_frame() -> None:
    from mockswarms.journal import sse_events

    raw = b'event: metadata\ndata: {"job_id": "j1"}\n\n: ping\n\nid: 7\ndata: [DONE]\r\n\r\ndata: {"cut'
    assert sse_events(raw) == [
        {"event": "metadata", "data": {"job_id": "j1"}},
        {"event": "message", "id": "7", "data": "[DONE]"},
    ]


def add_template(page: Any, template: str, path_glob: str) -> None:
    from selenium.webdriver.support.ui import Select

    show_tab(page, "faults")
    before = len(rows(page, "faults-table"))
    Select(page.find_element("id", "fault-template")).select_by_value(template)
    path = page.find_element("id", "fault-path")
    path.clear()
    path.send_keys(path_glob)
    page.find_element("id", "add-fault").click()
    wait_for(lambda: len(rows(page, "faults-table")) == before + 1, 2)


@browser_only
def test_wire_templates_reset_disconnect_and_delay_as_they_say(page: Any, server: RunningServer) -> None:
    add_template(page, "reset", "/v1/models")
    with pytest.raises(httpx.TransportError):  # the connection is reset before any response byte
        httpx.get(server.url("/v1/models"), headers=PREMIUM, timeout=10)

    add_template(page, "sse-disconnect", "/v1/agent/completions")
    body = {**AGENT_RUN, "stream": True}
    buffer = ""
    url = server.url("/v1/agent/completions")
    with (
        contextlib.suppress(httpx.TransportError),  # the stream is cut: no terminating chunk
        httpx.stream("POST", url, headers=PREMIUM, json=body, timeout=10) as r,
    ):
        assert r.status_code == 200
        for text in r.iter_text():
            buffer += text
    frames = [f for f in buffer.split("\n\n") if f.strip()]
    assert len(frames) == 3

    latency_started = time.monotonic()
    add_template(page, "latency", "/health")
    httpx.get(server.url("/health"), timeout=10)
    assert time.monotonic() - latency_started >= 1.5


@browser_only
def test_freezing_and_setting_the_clock_from_the_page(page: Any, server: RunningServer) -> None:
    show_tab(page, "clock")
    click(page, "#clock-freeze")
    wait_for(lambda: page.find_element("id", "clock-state").text == "frozen", 3)
    assert httpx.get(server.url("/__mockswarms/clock"), timeout=10).json()["frozen"] is True
    instant = page.find_element("id", "clock-set-input")
    instant.send_keys("2030-01-01T00:00:00Z")
    click(page, "#clock-set-form button")
    wait_for(lambda: page.find_element("id", "clock-now").text.startswith("2030-01-01T00:00:00"), 3)
    assert httpx.get(server.url("/__mockswarms/clock"), timeout=10).json() == {
        "now": "2030-01-01T00:00:00.000000+00:00",
        "frozen": True,
    }
    bad = page.find_element("id", "clock-set-input")
    bad.clear()
    bad.send_keys("next tuesday")
    click(page, "#clock-set-form button")
    # the control API's own error, shown as it said it
    message = wait_for(lambda: page.find_element("id", "message").text.startswith("422 "), 3)
    assert message
    assert page.find_element("id", "message").get_attribute("class") == "error"


@browser_only
def test_a_tier_edit_on_the_page_reaches_the_account(page: Any, server: RunningServer) -> None:
    from selenium.webdriver.support.ui import Select

    show_tab(page, "accounts")
    click(page, "#accounts-table tbody tr", "user-free")
    wait_for(lambda: "user-free" in page.find_element("id", "account-title").text, 3)
    Select(page.find_element("id", "edit-tier")).select_by_value("premium")
    page.find_element("id", "save-account").click()
    wait_for(lambda: "Saved" in page.find_element("id", "message").text, 3)
    account = httpx.get(server.url("/__mockswarms/accounts/sk-mock-free"), timeout=10).json()
    assert (account["tier"], account["free_credit"]) == ("premium", 20.0)  # balances untouched
    limits = httpx.get(server.url("/v1/rate/limits"), headers={"x-api-key": "sk-mock-free"}, timeout=10)
    assert limits.json()["tier"] == "premium"


async def test_the_feed_sends_the_backlog_whole_then_at_most_max_per_poll(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from types import SimpleNamespace

    from mockswarms.http.dashboard import feeds

    monkeypatch.setattr(feeds, "MAX_PER_POLL", 2)
    monkeypatch.setattr(feeds, "POLL_SECONDS", 0)
    app = create_app()
    store = app.state.simulator.store

    async def record(count: int) -> None:
        for _ in range(count):
            entry_id = await store.incr("journal_seq")
            await store.journal_append({"id": entry_id, "path": "/health", "response": None}, 1000)

    await record(5)
    feed = feeds._journal_feed(SimpleNamespace(app=app), 0)  # type: ignore[arg-type]
    backlog = [await anext(feed) for _ in range(5)]
    assert [(e["event"], e["id"]) for e in backlog] == [("entry", str(i)) for i in range(1, 6)]
    await record(5)  # five arrive within one poll
    burst = [await anext(feed) for _ in range(3)]
    assert burst[0] == {"event": "skipped", "data": '{"count":3}'}
    assert [(e["event"], e["id"]) for e in burst[1:]] == [("entry", "9"), ("entry", "10")]
    await feed.aclose()


def test_pages_and_feeds_refuse_a_foreign_host_or_origin() -> None:
    client = TestClient(create_app())
    rebound = {"host": "attacker.example"}  # DNS rebinding: a foreign name pointed at 127.0.0.1
    for path in (UI, UI + "app.js", "/__mockswarms/events", "/__mockswarms/accounts/sk-mock-free/usage"):
        refused = client.get(path, headers=rebound)
        assert refused.status_code == 403, path
        assert "Host 'attacker.example'" in refused.json()["detail"]
    foreign = client.get("/__mockswarms/faults/stats", headers={"origin": "https://attacker.example"})
    assert foreign.status_code == 403
    assert foreign.json() == {
        "detail": "Cross-origin requests to the control API are refused (Origin 'https://attacker.example')"
    }
    assert client.get(UI, headers={"host": "localhost:8000"}).status_code == 200
