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

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("svg.coverage-chart").forEach(zoomable);
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
