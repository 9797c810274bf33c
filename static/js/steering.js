// The meeting page: the tally of each vote changes live as delegates vote (one websocket,
// reconnect with backoff, counts fetched again whenever the socket (re)connects). Texts come from the page.
(function () {
  "use strict";
  const root = document.querySelector("[data-live-url]");
  if (!root) return;
  const status = document.getElementById("live-status");
  let retry = 1000;
  let revoked = null;

  function announce(message) {
    if (status) status.textContent = message;
  }

  function showTally(itemId, counts) {
    const box = document.querySelector('[data-tally="' + itemId + '"]');
    if (!box) return;
    for (const name of ["yes", "no", "abstain"]) {
      const cell = box.querySelector('[data-count="' + name + '"]');
      if (cell && name in counts) cell.textContent = String(counts[name]);
    }
    const outcome = box.querySelector("[data-outcome]");
    if (outcome && counts.outcomeText !== undefined) outcome.textContent = counts.outcomeText;
  }

  // Raised by every live tally: a page fetched before one arrived is older than what it shows.
  let tallies = 0;

  async function resync() {
    // Votes cast while the socket was away: read the counts from the page as it is now.
    const before = tallies;
    const response = await fetch(window.location.pathname, { headers: { "X-Requested-With": "fetch" } });
    if (!response.ok) return;
    const html = await response.text();
    // From here on nothing awaits, so no tally can slip in before the counts are shown.
    if (tallies !== before) { resync(); return; }
    const page = new DOMParser().parseFromString(html, "text/html");
    for (const box of page.querySelectorAll("[data-tally]")) {
      const counts = {};
      for (const cell of box.querySelectorAll("[data-count]")) counts[cell.dataset.count] = cell.textContent;
      const outcome = box.querySelector("[data-outcome]");
      if (outcome) counts.outcomeText = outcome.textContent;
      showTally(box.dataset.tally, counts);
    }
  }

  function connect() {
    const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    const socket = new WebSocket(scheme + window.location.host + root.dataset.liveUrl);
    socket.addEventListener("message", (message) => {
      const data = JSON.parse(message.data);
      if (data.event === "welcome") {
        retry = 1000;
        root.dataset.liveState = "open";
        // Also on the first welcome: a vote cast between rendering the page and joining the
        // meeting's group reached no socket of this page.
        resync();
      } else if (data.event === "tally") {
        tallies += 1;
        showTally(data.item, {
          yes: data.yes, no: data.no, abstain: data.abstain,
          outcomeText: data.outcome_label ? "– " + data.outcome_label : undefined,
        });
        announce(data.text);
      } else if (data.event === "notice") {
        announce(data.text);
      } else if (data.event === "revoked") {
        revoked = data.text || root.dataset.textRevoked || "";
      }
    });
    socket.addEventListener("close", (event) => {
      root.dataset.liveState = "closed";
      if (revoked !== null || event.code === 4401 || event.code === 4403) {
        // Access ended (logout, the seat's term is over): say why, and do not knock again.
        root.dataset.liveState = "revoked";
        announce(revoked || root.dataset.textRevoked || "");
        return;
      }
      announce(root.dataset.textOffline || "");
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    });
  }

  connect();
})();
