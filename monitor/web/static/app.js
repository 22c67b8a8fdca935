// Small progressive enhancements; every page works without them.
"use strict";

function openAncestors(element) {
  for (let node = element; node; node = node.parentElement) {
    if (node.tagName === "DETAILS") node.open = true;
  }
}

function showLinkedComment() {
  if (!location.hash.startsWith("#c-")) return;
  const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
  if (!target) return;
  openAncestors(target);
  target.classList.add("linked");
  target.scrollIntoView({ block: "center" });
}

// Drag across a coverage chart to show only that stretch of days: the page reloads with since/until set,
// and the server picks a finer interval for the shorter range.
function zoomable(svg) {
  const bars = Array.from(svg.querySelectorAll("rect.bar"));
  const selection = svg.querySelector("rect.zoom-selection");
  if (!bars.length || !selection) return;
  const hint = svg.closest("figure")?.querySelector(".zoom-hint");
  if (hint) hint.hidden = false;
  let start = null;
  const toSvgX = (event) => {
    const point = svg.createSVGPoint();
    point.x = event.clientX;
    point.y = event.clientY;
    return point.matrixTransform(svg.getScreenCTM().inverse()).x;
  };
  const draw = (a, b) => {
    selection.setAttribute("x", String(Math.min(a, b)));
    selection.setAttribute("width", String(Math.abs(b - a)));
  };
  svg.addEventListener("pointerdown", (event) => {
    start = toSvgX(event);
    svg.setPointerCapture(event.pointerId);
    draw(start, start);
    event.preventDefault();
  });
  svg.addEventListener("pointermove", (event) => { if (start !== null) draw(start, toSvgX(event)); });
  svg.addEventListener("pointerup", (event) => {
    if (start === null) return;
    const end = toSvgX(event);
    const low = Math.min(start, end), high = Math.max(start, end);
    start = null;
    const chosen = bars.filter((bar) => {
      const x = Number(bar.getAttribute("x")), w = Number(bar.getAttribute("width"));
      return x + w >= low && x <= high;
    });
    if (high - low < 4 || !chosen.length) { draw(0, 0); return; }
    const url = new URL(location.href);
    url.searchParams.set("since", chosen[0].dataset.day);
    url.searchParams.set("until", chosen[chosen.length - 1].dataset.last);
    url.searchParams.delete("page");
    url.searchParams.delete("after");
    location.assign(url.toString());
  });
}

// "2026-11-24T09:30:00+01:00" -> "24 Nov 2026, 09:30" in the stamp's own offset, as the server renders it.
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
function readable(stamp) {
  const parts = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?/.exec(stamp || "");
  if (!parts) return stamp || "";
  const day = `${Number(parts[3])} ${MONTHS[Number(parts[2]) - 1]} ${parts[1]}`;
  return parts[4] ? `${day}, ${parts[4]}:${parts[5]}` : day;
}

function timeElement(stamp) {
  const time = document.createElement("time");
  if (!stamp) return time;
  time.dateTime = stamp;
  time.title = stamp;
  time.textContent = readable(stamp);
  return time;
}

function cell(row, ...content) {
  const td = row.insertCell();
  for (const item of content) td.append(item);  // strings become text nodes: scraped text stays text
  return td;
}

function runCounts(run) {
  return run.pages_fetched ? ` · ${run.pages_fetched} pages, ${run.articles_new} new, ${run.comments_new} comments` : "";
}

// The sources page keeps itself current: it polls the JSON API and rewrites the table cells (no reload).
function liveSources(table) {
  const every = Number(table.dataset.live) * 1000;
  const runsTable = document.querySelector("table.runs[data-live]");
  const status = document.querySelector("p.server");
  async function refresh() {
    // The runs first: a run only moves on from "running", so the sources read after them never lag behind them.
    let runs = null;
    if (runsTable) {
      const query = runsTable.dataset.source ? `&source=${encodeURIComponent(runsTable.dataset.source)}` : "";
      const answer = await fetch(`/api/runs?limit=${runsTable.dataset.limit}${query}`, { credentials: "same-origin" });
      if (answer.ok) runs = (await answer.json()).runs;
    }
    const answer = await fetch("/api/sources", { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (!answer.ok) return;
    const data = await answer.json();
    if (status) status.dataset.running = String(data.server.running);
    for (const source of data.sources) {
      const row = Array.from(table.tBodies[0].rows).find((r) => r.dataset.source === source.name);
      if (!row) continue;
      row.className = `health-${source.health.replaceAll(" ", "-")}`;
      const last = row.querySelector("td.last-run");
      if (last) {
        last.replaceChildren();
        if (source.last_run) last.append(`${source.last_run.status} `, timeElement(source.last_run.started), runCounts(source.last_run));
        else last.append("never");
      }
      const next = row.querySelector("td.next-run");
      if (next) {
        next.replaceChildren();
        if (source.paused) {
          const span = document.createElement("span");
          span.className = "muted";
          span.textContent = "paused";
          next.append(span);
        } else if (!data.server.running) {
          const span = document.createElement("span");
          span.className = "muted";
          span.textContent = "not running";
          next.append(span);
        } else next.append(source.next_run ? timeElement(source.next_run) : "-");
      }
      const health = row.querySelector("td.health");
      if (health) {
        health.replaceChildren(source.health);
        if (source.reason) {
          const reason = document.createElement("span");
          reason.className = "reason";
          reason.textContent = source.reason;
          health.append(` (${source.failures_in_a_row} in a row): `, reason);
        }
      }
    }
    if (runsTable && runs) renderRuns(runsTable, runs);
    table.dataset.refreshed = String(Number(table.dataset.refreshed || 0) + 1);
  }
  window.setInterval(() => { refresh().catch(() => {}); }, every);
}

function renderRuns(table, runs) {
  const body = document.createElement("tbody");
  for (const run of runs) {
    const row = body.insertRow();
    row.className = `status-${run.status}`;
    row.dataset.run = String(run.id);
    if (run.status === "running") cell(row, String(run.id));
    else {
      const log = document.createElement("a");  // an ended run's log, from the state store on any machine
      log.href = `/api/runs/${run.id}/log`;
      log.title = "its log";
      log.textContent = String(run.id);
      cell(row, log);
    }
    cell(row, run.source);
    cell(row, run.status);
    cell(row, timeElement(run.started));
    cell(row, timeElement(run.ended));
    for (const key of ["pages_fetched", "not_modified", "articles_new", "articles_updated", "comments_new"]) {
      cell(row, String(run[key] ?? ""));
    }
    const errors = Object.entries(run.errors || {}).map(([kind, count]) => `${kind} ${count}`).join(", ");
    cell(row, errors + (run.reason ? ` ${run.reason}` : ""));
  }
  if (!runs.length) cell(body.insertRow(), "No runs recorded yet.").colSpan = 11;
  table.tBodies[0].replaceWith(body);
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("svg.coverage-chart").forEach(zoomable);
  document.querySelectorAll("table.sources[data-live]").forEach(liveSources);
  const tools = document.querySelector(".thread-tools");
  if (tools) {
    tools.hidden = false;
    tools.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-expand]");
      if (!button) return;
      const open = button.dataset.expand === "all";
      document.querySelectorAll(".thread details.replies").forEach((d) => { d.open = open; });
    });
  }
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.requestSubmit());
  });
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
  showLinkedComment();
  window.addEventListener("hashchange", showLinkedComment);
});
