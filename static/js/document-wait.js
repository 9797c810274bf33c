// The page that waits for a document the background worker makes: it asks again every few
// seconds and, once the document is there, shows the link to it in the status region (read
// out by screen readers). No timed reload: the reader stays in control of the page.
(function () {
  "use strict";
  const box = document.querySelector("[data-document-url]");
  if (!box) return;
  const url = box.dataset.documentUrl;
  const ready = box.querySelector("[data-document-ready]");
  const waitSeconds = Number(box.dataset.documentWait || "5");

  async function ask() {
    try {
      const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
      if (response.status === 200) {
        ready.hidden = false;
        return;
      }
    } catch (error) {
      // Offline for a moment: ask again.
    }
    window.setTimeout(ask, waitSeconds * 1000);
  }
  window.setTimeout(ask, waitSeconds * 1000);
})();
