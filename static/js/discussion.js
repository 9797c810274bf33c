// The discussion on a project or result page: comments written elsewhere appear without a
// reload. The live socket of the page (live.js) passes every message on as a
// "klassenraum:live" event; a comment message names the comment only, and its HTML is
// fetched through the same checked partial the page uses. Also: quote the marked passage.
(function () {
  "use strict";
  const list = document.querySelector("[data-comment-list]");
  if (!list) return;
  const status = document.getElementById("diskussion-status");

  function place(id, parent, html) {
    const existing = document.querySelector('[data-comment-item="' + id + '"]');
    if (existing) { existing.outerHTML = html; return; }
    const into = parent ? document.querySelector('[data-replies="' + parent + '"]') : list;
    if (!into) return;
    into.insertAdjacentHTML("beforeend", html);
    const empty = document.querySelector("[data-comment-empty]");
    if (empty) empty.remove();
    if (status) status.textContent = status.dataset.textNew || "";
  }

  document.addEventListener("klassenraum:live", async (event) => {
    const data = event.detail;
    if (!data || data.event !== "comment" || !data.url) return;
    const response = await fetch(data.url, { headers: { "X-Requested-With": "fetch" } });
    if (!response.ok) return;
    place(data.comment, data.parent, await response.text());
  });

  const button = document.querySelector("[data-quote-button]");
  const field = document.querySelector("[data-quote-field]");
  const body = document.getElementById("ergebnis-inhalt");
  if (button && field && body) {
    button.hidden = false;
    button.addEventListener("click", () => {
      const selection = window.getSelection();
      const text = selection ? selection.toString().trim() : "";
      if (text && body.contains(selection.anchorNode)) {
        field.value = text;
        field.focus();
      }
    });
  }
})();
