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

document.addEventListener("DOMContentLoaded", () => {
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
