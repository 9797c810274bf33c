// The bell in the header: the unread count over the person's own websocket, updated the
// moment something new arrives, without a reload. Texts come from the page (data-text-*).
(function () {
  "use strict";
  const bell = document.querySelector("[data-bell]");
  if (!bell || !window.WebSocket) return;
  const count = bell.querySelector("[data-bell-count]");
  const label = bell.querySelector("[data-bell-label]");
  let retry = 1000;
  let revoked = null;

  function revoke(reason) {
    bell.dataset.bellRevoked = "true";
    if (count) count.hidden = true;
    if (label) label.textContent = " (" + reason + ")";
    // Pages with a live region of their own say it there too, where it is announced.
    const region = document.getElementById("live-status");
    if (region && !region.textContent) region.textContent = reason;
  }

  function show(unread) {
    bell.dataset.bellUnread = String(unread);
    if (count) {
      count.textContent = unread > 99 ? "99+" : String(unread);
      count.hidden = unread === 0;
    }
    if (label) {
      const text = unread === 0 ? bell.dataset.textNone
        : unread === 1 ? bell.dataset.textOne
        : (bell.dataset.textMany || "").replace("%(n)s", String(unread));
      label.textContent = " (" + text + ")";
    }
  }

  function connect() {
    const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    const socket = new WebSocket(scheme + window.location.host + bell.dataset.bellSocket);
    socket.addEventListener("open", () => { retry = 1000; });
    socket.addEventListener("message", (message) => {
      const data = JSON.parse(message.data);
      if (data.event === "count") show(data.unread);
      else if (data.event === "revoked") revoked = data.text || bell.dataset.textRevoked || "";
    });
    socket.addEventListener("close", (event) => {
      if (revoked !== null || event.code === 4401 || event.code === 4403) {
        // Logged out (here or elsewhere): nothing to count any more; the bell says why.
        revoke(revoked || bell.dataset.textRevoked || "");
        return;
      }
      window.setTimeout(connect, retry + Math.random() * 250);
      retry = Math.min(retry * 2, 30000);
    });
  }
  connect();
})();
