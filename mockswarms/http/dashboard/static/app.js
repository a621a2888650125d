// mockswarms dashboard: a plain client of the control API (no framework, no build step).
// Every write goes through the control endpoints; data is only ever put in the page as text.
"use strict";

const API = "/__mockswarms";
const MAX_ROWS = 2000; // requests kept in the page (the journal itself is a bounded ring buffer)
const state = {
  token: sessionStorage.getItem("mockswarms-admin-token") || "",
  entries: [], // journal entries, oldest first
  byId: new Map(),
  lastId: 0,
  selectedId: null,
  skipped: 0, // entries the feed left out under load
  accounts: [], // full keys stay here, never in the page
  selectedAccount: null,
  tab: "requests",
};

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

// Same mask as the server's journal: enough to tell keys apart, never the whole secret.
function maskKey(key) {
  if (!key) return "";
  return key.length >= 12 ? "…" + key.slice(-4) : "…"; // at most the last 4 characters
}

// Defence in depth for bodies: values under secret-looking names are shown masked.
const SECRET_NAME = /(^|[_-])(api[_-]?key|secret|password|authorization)($|[_-])|(^|[_-])token$/i;
function redact(value) {
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === "object") {
    const out = {};
    for (const [name, item] of Object.entries(value)) {
      const secret = typeof item === "string" && SECRET_NAME.test(name) && !item.startsWith("…"); // not twice
      out[name] = secret ? maskKey(item) : redact(item);
    }
    return out;
  }
  return value;
}

function pretty(value) {
  if (value === null || value === undefined) return "(none recorded)";
  if (typeof value === "string") return value;
  return JSON.stringify(redact(value), null, 2);
}

function showMessage(text, isError) {
  const box = $("message");
  box.textContent = text;
  box.className = isError ? "error" : "ok";
  box.hidden = !text;
  if (text && !isError) setTimeout(() => { if (box.textContent === text) box.hidden = true; }, 3000);
}

// -- control API -------------------------------------------------------------------------------------
function headers(write) {
  const h = { Accept: "application/json" };
  if (write) h["Content-Type"] = "application/json";
  if (state.token) h.Authorization = "Bearer " + state.token;
  return h;
}

async function api(method, path, body) {
  const response = await fetch(API + path, {
    method,
    headers: headers(method !== "GET"), // writes always say JSON: the control API may insist
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (_) { data = text; }
  if (response.status === 401) $("token-form").hidden = false;
  if (!response.ok) {
    const error = new Error(describeError(response.status, data));
    error.status = response.status;
    error.data = data;
    throw error;
  }
  return data;
}

function describeError(status, data) {
  let detail = data && typeof data === "object" ? data.detail || data.error || data : data;
  if (Array.isArray(detail)) detail = detail.map((d) => (d.loc || []).join(".") + ": " + d.msg).join("; ");
  if (detail && typeof detail === "object") detail = JSON.stringify(detail);
  return status + " " + (detail || "");
}

async function attempt(action, success) {
  try {
    const result = await action();
    if (success) showMessage(success, false);
    return result;
  } catch (error) {
    showMessage(error.message, true);
    return null;
  }
}

// -- live journal feed (SSE over fetch, so the admin token can travel in a header) ------------------
async function runFeed() {
  for (;;) {
    try {
      const response = await fetch(API + "/events?after=" + state.lastId, {
        headers: { Accept: "text/event-stream", ...(state.token ? { Authorization: "Bearer " + state.token } : {}) },
      });
      if (response.status === 401) $("token-form").hidden = false;
      if (!response.ok) throw new Error("events: " + response.status);
      setFeed(true);
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, "\n");
        let cut;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          handleFrame(buffer.slice(0, cut));
          buffer = buffer.slice(cut + 2);
        }
      }
    } catch (_) {
      // fall through to the retry below
    }
    setFeed(false);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

function setFeed(live) {
  const badge = $("feed-status");
  badge.textContent = live ? "live" : "reconnecting…";
  badge.className = "feed " + (live ? "on" : "off");
}

function handleFrame(frame) {
  let event = "message";
  const data = [];
  for (const line of frame.split("\n")) {
    if (line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
  }
  if (event === "entry") addEntry(JSON.parse(data.join("\n")));
  else if (event === "reset") resetEntries();
  else if (event === "skipped") {
    state.skipped += JSON.parse(data.join("\n")).count;
    updateCount();
  }
}

function resetEntries() {
  state.entries = [];
  state.byId.clear();
  state.lastId = 0;
  state.selectedId = null;
  state.skipped = 0;
  renderRequests();
  renderDetail();
}

let refreshTimer = null;
function addEntry(entry) {
  if (state.byId.has(entry.id)) return;
  state.byId.set(entry.id, entry);
  state.entries.push(entry);
  state.lastId = Math.max(state.lastId, entry.id);
  while (state.entries.length > MAX_ROWS) state.byId.delete(state.entries.shift().id);
  if (matches(entry)) $("requests-table").tBodies[0].prepend(requestRow(entry));
  updateCount();
  // Balances, windows and fault counters change with requests: refresh the visible tab soon.
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(refreshTab, 250);
}

// -- requests tab -------------------------------------------------------------------------------------
function statusMatches(status, filter) {
  return filter.split(",").map((f) => f.trim()).filter(Boolean).some((f) => {
    if (/^\dxx$/i.test(f)) return String(status)[0] === f[0];
    return String(status) === f;
  });
}

function matches(entry) {
  const key = $("filter-key").value.trim();
  const path = $("filter-path").value.trim();
  const status = $("filter-status").value.trim();
  if (key && !((entry.api_key || "").includes(key) || maskKey(key) === entry.api_key)) return false;
  if (path && !(entry.path + (entry.query ? "?" + entry.query : "")).includes(path)) return false;
  if (status && !statusMatches(entry.status, status)) return false;
  return true;
}

function formatCost(cost) {
  return cost === null || cost === undefined ? "" : "$" + cost;
}

function requestRow(entry) {
  const statusClass = entry.status >= 500 ? "s5" : entry.status >= 400 ? "s4" : "s2";
  const row = el(
    "tr",
    { "data-id": String(entry.id), class: entry.id === state.selectedId ? "selected" : "" },
    el("td", {}, entry.id),
    el("td", {}, (entry.simulated_at || "").replace("T", " ").slice(0, 23)),
    el("td", {}, entry.method),
    el("td", { class: "path" }, entry.path + (entry.query ? "?" + entry.query : "")),
    el("td", {}, entry.api_key || "—"),
    el("td", { class: "code " + statusClass }, entry.status),
    el("td", {}, entry.fault_rule || ""),
    el("td", { class: "num" }, formatCost(entry.cost)),
    el("td", { class: "num" }, entry.duration_ms.toFixed(1) + " ms"),
  );
  row.addEventListener("click", () => selectEntry(entry.id));
  return row;
}

function renderRequests() {
  const body = $("requests-table").tBodies[0];
  const rows = state.entries.filter(matches).reverse().map(requestRow);
  body.replaceChildren(...rows);
  updateCount();
}

function updateCount() {
  const shown = $("requests-table").tBodies[0].rows.length;
  $("request-count").textContent = shown + " of " + state.entries.length + " requests" +
    (state.skipped ? " (" + state.skipped + " more arrived too fast to show)" : "");
}

function selectEntry(id) {
  state.selectedId = id;
  for (const row of $("requests-table").tBodies[0].rows) {
    row.classList.toggle("selected", row.dataset.id === String(id));
  }
  renderDetail();
}

function renderDetail() {
  const box = $("request-detail");
  const entry = state.byId.get(state.selectedId);
  if (!entry) {
    box.replaceChildren(el("p", { class: "hint" }, "Click a request to see its bodies."));
    return;
  }
  const facts = [
    ["status", entry.status],
    ["key", entry.api_key || "none"],
    ["simulated at", entry.simulated_at],
    ["duration", entry.duration_ms + " ms"],
    ["cost", formatCost(entry.cost) || "—"],
    ["fault rule", entry.fault_rule || "—"],
  ];
  if (entry.retry_after !== null && entry.retry_after !== undefined) facts.push(["retry after", entry.retry_after + " s"]);
  const parts = [
    el("h2", {}, entry.method + " " + entry.path + (entry.query ? "?" + entry.query : "")),
    el("dl", {}, ...facts.flatMap(([name, value]) => [el("dt", {}, name), el("dd", {}, value)])),
    el("h3", {}, "Request body"),
    el("pre", { id: "detail-request" }, pretty(entry.body)),
  ];
  if (entry.streamed) {
    parts.push(el("h3", {}, "Response (server-sent events)"));
    const events = Array.isArray(entry.events) ? entry.events : null;
    if (!events) parts.push(el("p", { class: "hint" }, "Streamed response; its events were not recorded."));
    else {
      const list = el("ol", { id: "detail-events", class: "events" });
      for (const event of events) {
        list.append(el("li", {}, el("b", {}, event.event || "message"), el("pre", {}, pretty(event.data))));
      }
      parts.push(list);
    }
  } else {
    parts.push(el("h3", {}, "Response body"), el("pre", { id: "detail-response" }, pretty(entry.response)));
  }
  box.replaceChildren(...parts);
}

// -- accounts tab ---------------------------------------------------------------------------------------
async function loadAccounts() {
  const data = await attempt(() => api("GET", "/accounts"));
  if (!data) return;
  state.accounts = data.accounts;
  const body = $("accounts-table").tBodies[0];
  body.replaceChildren(
    ...data.accounts.map((account, index) => {
      const row = el(
        "tr",
        { "data-index": String(index), class: index === state.selectedAccount ? "selected" : "" },
        el("td", {}, maskKey(account.key)),
        el("td", {}, account.user_id),
        el("td", {}, account.tier),
        el("td", { class: "num" }, account.credit),
        el("td", { class: "num" }, account.free_credit),
        el("td", { class: "num" }, account.referral_credits),
        el("td", { class: "num" }, account.total_credits),
      );
      row.addEventListener("click", () => selectAccount(index, true));
      return row;
    }),
  );
  if (state.selectedAccount === null && data.accounts.length) state.selectedAccount = 0;
  if (state.selectedAccount !== null) await selectAccount(state.selectedAccount, false);
}

async function selectAccount(index, fillForm) {
  const first = state.selectedAccount !== index || $("account-detail").hidden;
  state.selectedAccount = index;
  for (const row of $("accounts-table").tBodies[0].rows) {
    row.classList.toggle("selected", row.dataset.index === String(index));
  }
  const account = state.accounts[index];
  if (!account) return;
  $("account-detail").hidden = false;
  $("account-title").textContent = maskKey(account.key) + " (" + account.user_id + ")";
  if (fillForm || first) {
    $("edit-tier").value = account.tier;
    for (const [field, id] of BALANCE_FIELDS) {
      $(id).value = String(account[field]);
      $(id).dataset.original = String(account[field]);
    }
    $("edit-tier").dataset.original = account.tier;
  }
  const usage = await attempt(() => api("GET", "/accounts/" + encodeURIComponent(account.key) + "/usage"));
  if (usage) renderUsage(usage);
}

const BALANCE_FIELDS = [
  ["credit", "edit-credit"],
  ["free_credit", "edit-free-credit"],
  ["referral_credits", "edit-referral-credits"],
];

async function saveAccount(event) {
  event.preventDefault();
  const account = state.accounts[state.selectedAccount];
  if (!account) return;
  const change = {};
  if ($("edit-tier").value !== $("edit-tier").dataset.original) change.tier = $("edit-tier").value;
  // Only fields the user changed, as typed: the server keeps them as exact decimals.
  for (const [field, id] of BALANCE_FIELDS) {
    const value = $(id).value.trim();
    if (value !== $(id).dataset.original) change[field] = value;
  }
  const saved = await attempt(
    () => api("PUT", "/accounts/" + encodeURIComponent(account.key), change),
    "Saved " + maskKey(account.key),
  );
  if (saved) {
    state.selectedAccount = state.selectedAccount;
    await loadAccounts();
    await selectAccount(state.selectedAccount, true);
  }
}

function formatSeconds(seconds) {
  if (seconds >= 3600) return (seconds / 3600).toFixed(1) + " h";
  if (seconds >= 60) return (seconds / 60).toFixed(1) + " min";
  return seconds.toFixed(0) + " s";
}

function renderUsage(usage) {
  $("windows-table").tBodies[0].replaceChildren(
    ...usage.windows.map((w) =>
      el(
        "tr",
        { "data-window": w.name, class: w.limit !== null && w.used >= w.limit ? "exceeded" : "" },
        el("td", {}, w.name),
        el("td", { class: "num used" }, w.used),
        el("td", { class: "num" }, w.limit === null ? "unlimited" : w.limit),
        el("td", { class: "num" }, formatSeconds(w.resets_in)),
      ),
    ),
  );
  $("spent-total").textContent = "total $" + usage.spent;
  $("spend-chart").replaceChildren(spendChart(usage.spend));
}

// Cumulative spend as a step line, x = simulated time, y = dollars.
function spendChart(points) {
  const NS = "http://www.w3.org/2000/svg";
  const width = 560, height = 160, left = 64, bottom = 24, top = 10, right = 10;
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("class", "chart");
  svg.setAttribute("role", "img");
  const add = (tag, attrs, text) => {
    const node = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    svg.append(node);
    return node;
  };
  const base = height - bottom;
  add("line", { x1: left, y1: base, x2: width - right, y2: base, class: "axis" });
  add("line", { x1: left, y1: top, x2: left, y2: base, class: "axis" });
  if (!points.length) {
    add("text", { x: width / 2, y: height / 2, "text-anchor": "middle", class: "hint" }, "no spend yet");
    return svg;
  }
  const times = points.map((p) => Date.parse(p.at));
  const totals = points.map((p) => Number(p.total));
  const t0 = times[0], t1 = Math.max(times[times.length - 1], t0 + 1000);
  const most = Math.max(...totals) || 1;
  const x = (t) => left + ((t - t0) / (t1 - t0)) * (width - left - right);
  const y = (v) => base - (v / most) * (base - top);
  let d = `M ${x(t0)} ${y(0)}`;
  points.forEach((_, i) => { d += ` L ${x(times[i])} ${y(i ? totals[i - 1] : 0)} L ${x(times[i])} ${y(totals[i])}`; });
  d += ` L ${width - right} ${y(totals[totals.length - 1])}`;
  add("path", { d, class: "spend" });
  add("text", { x: left - 4, y: top + 8, "text-anchor": "end", class: "label" }, "$" + most.toFixed(4));
  add("text", { x: left - 4, y: base, "text-anchor": "end", class: "label" }, "$0");
  add("text", { x: left, y: base + 14, class: "label" }, points[0].at.slice(0, 19).replace("T", " "));
  add("text", { x: width - right, y: base + 14, "text-anchor": "end", class: "label" },
    points[points.length - 1].at.slice(0, 19).replace("T", " "));
  return svg;
}

// -- clock tab --------------------------------------------------------------------------------------
function showClock(clock) {
  $("header-clock").textContent = clock.now.replace("T", " ").slice(0, 19) + (clock.frozen ? " (frozen)" : "");
  $("clock-now").textContent = clock.now;
  $("clock-state").textContent = clock.frozen ? "frozen" : "running";
}

async function loadClock() {
  const clock = await attempt(() => api("GET", "/clock"));
  if (clock) showClock(clock);
}

async function changeClock(change, message) {
  const clock = await attempt(() => api("PUT", "/clock", change), message);
  if (clock) {
    showClock(clock);
    refreshTab();
  }
}

// -- faults tab -------------------------------------------------------------------------------------
function faultTemplate(name, path, now) {
  const match = path ? { path } : {};
  switch (name) {
    case "every3-503": return { match, selector: { every_nth: 3 }, action: { type: "error", status: 503 } };
    case "latency": return { match, action: { type: "latency", distribution: "fixed", seconds: 1.5 } };
    case "reset": return { match, action: { type: "reset" } };
    case "sse-disconnect": return { match, action: { type: "sse_disconnect", after_events: 3 } };
    case "storm-429": {
      const until = new Date(Date.parse(now) + 60000).toISOString();
      return { match, selector: { until }, action: { type: "error", status: 429, retry_after: 1 } };
    }
    default: throw new Error("unknown template " + name);
  }
}

async function addFault(event) {
  event.preventDefault();
  const clock = await attempt(() => api("GET", "/clock"));
  if (!clock) return;
  const rule = faultTemplate($("fault-template").value, $("fault-path").value.trim(), clock.now);
  const added = await attempt(() => api("POST", "/faults", rule));
  if (added) {
    showMessage("Added fault rule " + added.id, false);
    await loadFaults();
  }
}

function compact(value) {
  return value && Object.keys(value).length ? JSON.stringify(value) : "—";
}

async function loadFaults() {
  const data = await attempt(() => api("GET", "/faults/stats"));
  if (!data) return;
  $("faults-table").tBodies[0].replaceChildren(
    ...data.faults.map((rule) =>
      el(
        "tr",
        { "data-rule": rule.id },
        el("td", {}, rule.id),
        el("td", {}, compact(rule.match)),
        el("td", {}, compact(rule.selector)),
        el("td", {}, compact(rule.action)),
        el("td", { class: "num matched" }, rule.matched),
        el("td", { class: "num fired" }, rule.fired),
        el("td", {}, el("button", {
          type: "button",
          class: "delete",
          onclick: async () => {
            if (await attempt(() => api("DELETE", "/faults/" + encodeURIComponent(rule.id)), "Deleted " + rule.id)) {
              await loadFaults();
            }
          },
        }, "Delete")),
      ),
    ),
  );
}

// -- fixtures and contract tab -------------------------------------------------------------------------
function reportLines(report) {
  const box = el("div");
  if (!report || typeof report !== "object") {
    box.append(el("pre", {}, pretty(report)));
    return box;
  }
  const facts = [];
  for (const name of ["ok", "rules", "files", "changed", "reloaded_at"]) {
    if (name in report && !Array.isArray(report[name])) facts.push(name + ": " + report[name]);
  }
  if (facts.length) box.append(el("p", {}, facts.join(" · ")));
  const errors = report.errors || report.problems || [];
  if (errors.length) {
    box.append(el("ul", { class: "errors" }, ...errors.map((e) => el("li", {}, typeof e === "string" ? e : JSON.stringify(e)))));
  } else if ("ok" in report) {
    box.append(el("p", { class: "hint" }, "No errors."));
  }
  return box;
}

async function loadFixtures() {
  const box = $("fixtures-info");
  try {
    const data = await api("GET", "/fixtures");
    const parts = [];
    const dirs = Array.isArray(data.dirs) ? data.dirs : [];
    const rules = Array.isArray(data.rules) ? data.rules : [];
    const sources = [...new Set(rules.map((r) => r.source).filter(Boolean))];
    parts.push(el("p", {}, (dirs.length ? "Directories: " + dirs.join(", ") : "No fixture directories configured") +
      " · " + (typeof data.files === "number" ? data.files : sources.length) + " file(s), " + rules.length + " active rule(s)"));
    if (sources.length) parts.push(el("ul", { id: "fixture-files" }, ...sources.map((s) => el("li", {}, s))));
    if (rules.length) {
      parts.push(el("table", { id: "fixture-rules" },
        el("thead", {}, el("tr", {}, el("th", {}, "rule"), el("th", {}, "priority"), el("th", {}, "from"))),
        el("tbody", {}, ...rules.map((r) => el("tr", {},
          el("td", {}, r.id), el("td", { class: "num" }, r.priority),
          el("td", {}, r.source ? r.source + (r.line ? ":" + r.line : "") : "added at run time"))))));
    }
    if (data.last_reload) $("reload-report").replaceChildren(reportLines(data.last_reload));
    box.replaceChildren(...parts);
  } catch (error) {
    box.replaceChildren(el("p", { class: "hint" }, "This server does not list its fixture files (" + error.message + ")."));
  }
}

async function reloadFixtures() {
  try {
    const report = await api("POST", "/fixtures/reload");
    $("reload-report").replaceChildren(reportLines(report));
    showMessage("Fixtures reloaded", false);
  } catch (error) {
    // 422 carries the report with file:line errors
    $("reload-report").replaceChildren(reportLines(error.data));
    showMessage(error.message, true);
  }
  await loadFixtures();
}

async function loadViolations() {
  const data = await attempt(() => api("GET", "/violations"));
  if (!data) return;
  $("violations-total").textContent = data.total + " in total, " + data.count + " kept";
  $("violations-table").tBodies[0].replaceChildren(
    ...data.violations.map((v) =>
      el(
        "tr",
        {},
        el("td", {}, v.method),
        el("td", { class: "path" }, v.path),
        el("td", {}, v.operation || "—"),
        el("td", {}, v.kind),
        el("td", {}, (v.location || []).join(".")),
        el("td", {}, v.message),
      ),
    ),
  );
}

// -- tabs and wiring ------------------------------------------------------------------------------------
function refreshTab() {
  if (state.tab === "accounts") loadAccounts();
  else if (state.tab === "faults") loadFaults();
  else if (state.tab === "fixtures") { loadFixtures(); loadViolations(); }
  else if (state.tab === "clock") loadClock();
}

function showTab(name) {
  state.tab = name;
  for (const button of document.querySelectorAll("#tabs button")) {
    button.classList.toggle("active", button.dataset.tab === name);
  }
  for (const panel of document.querySelectorAll(".panel")) panel.hidden = panel.id !== "panel-" + name;
  refreshTab();
}

function wire() {
  for (const button of document.querySelectorAll("#tabs button")) {
    button.addEventListener("click", () => showTab(button.dataset.tab));
  }
  for (const id of ["filter-key", "filter-path", "filter-status"]) $(id).addEventListener("input", renderRequests);
  $("clear-journal").addEventListener("click", async () => {
    if (await attempt(() => api("DELETE", "/journal"), "Journal cleared")) {
      const last = state.lastId;
      resetEntries();
      state.lastId = last; // the ids go on; do not fetch the cleared ones again
    }
  });
  $("account-form").addEventListener("submit", saveAccount);
  $("clock-freeze").addEventListener("click", () => changeClock({ frozen: true }, "Clock frozen"));
  $("clock-unfreeze").addEventListener("click", () => changeClock({ frozen: false }, "Clock running"));
  $("clock-set-form").addEventListener("submit", (event) => {
    event.preventDefault();
    changeClock({ now: $("clock-set-input").value.trim() }, "Clock set");
  });
  $("clock-advance-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const seconds = Number($("advance-amount").value) * Number($("advance-unit").value);
    changeClock({ advance_seconds: seconds }, "Clock advanced by " + seconds + " s");
  });
  $("fault-form").addEventListener("submit", addFault);
  $("reload-fixtures").addEventListener("click", reloadFixtures);
  $("clear-violations").addEventListener("click", async () => {
    if (await attempt(() => api("DELETE", "/violations"), "Violations cleared")) loadViolations();
  });
  $("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    state.token = $("token-input").value.trim();
    $("token-input").value = "";
    sessionStorage.setItem("mockswarms-admin-token", state.token);
    $("token-form").hidden = true;
    refreshTab();
    loadClock();
  });
}

// Once a second: the header clock, and the accounts tab (windows count down in simulated time).
function tick() {
  if (document.hidden) return; // a background tab does not poll
  loadClock();
  if (state.tab === "accounts") loadAccounts();
}

wire();
loadClock();
setInterval(tick, 1000);
runFeed();
