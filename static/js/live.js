// Live pages: one websocket per page, reconnect with backoff, resync after reconnect,
// presence lists and announcements through aria-live. No framework; texts come from the
// page (data-text-* attributes), so they are translated with everything else.
(function () {
  "use strict";
  const root = document.querySelector("[data-live-url]");
  if (!root) return;
  const text = (name) => root.dataset["text" + name] || "";
  const status = document.getElementById("live-status");
  let revision = Number(root.dataset.liveRevision || 0);
  const baseRevision = revision;
  let retry = 1000;
  // Set once the server closed the socket because access ended (logout, lost rights):
  // reconnecting would only be refused again, so the page says why and stays quiet.
  let revoked = null;

  // Fills %(name)s placeholders in one pass, so a "$" or a placeholder inside a value stays
  // as typed.
  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, (whole, key) => (key in values ? String(values[key]) : whole));
  }

  function announce(message, link) {
    if (!status) return;
    status.replaceChildren(document.createTextNode(message));
    if (link) {
      const anchor = document.createElement("a");
      anchor.className = "kern-link";
      anchor.href = link.href;
      anchor.textContent = link.text;
      status.append(" ", anchor);
    }
  }

  function renderPresence(people, more) {
    const list = document.getElementById("presence-list");
    const summary = document.getElementById("presence-status");
    if (!list) return;
    const items = people.map((person) => {
      const item = document.createElement("li");
      item.textContent = person.mode === "editing"
        ? person.name + " " + text("Editing") : person.name;
      return item;
    });
    if (more) {
      const item = document.createElement("li");
      item.textContent = fill(text("More"), { n: more });
      items.push(item);
    }
    list.replaceChildren(...items);
    if (summary) summary.textContent = people.length ? text("Online") : text("Alone");
  }

  function compareLink(from, to) {
    const url = root.dataset.liveCompareUrl;
    return url ? { href: url + "?von=" + from + "&zu=" + to, text: text("Compare") } : null;
  }

  async function resync() {
    const partial = root.dataset.livePartialUrl;
    const target = document.getElementById("ergebnis-inhalt");
    if (!partial || !target) return;
    const response = await fetch(partial, { headers: { "X-Requested-With": "fetch" } });
    if (!response.ok) return;
    target.outerHTML = await response.text();
    const stand = document.getElementById("ergebnis-version");
    if (stand) stand.textContent = revision;
    // After an outage both facts matter: live again, and a newer version was fetched.
    const resumed = status && status.textContent === text("Resumed") ? text("Resumed") + " " : "";
    announce(resumed + fill(text("Newer"), { n: revision }));
  }

  function onVersion(data) {
    if (data.revision <= revision && root.dataset.liveMode !== "editing") return;
    const before = revision;
    revision = Math.max(revision, data.revision);
    const message = data.author
      ? fill(text("Saved"), { n: data.revision, name: data.author })
      : fill(text("Newer"), { n: data.revision });
    if (root.dataset.liveMode === "editing") {
      const alert = document.getElementById("live-conflict");
      if (alert && data.revision > baseRevision) {
        alert.hidden = false;
        const body = alert.querySelector("[data-live-conflict-text]");
        body.textContent = message + " " + text("Unsaved");
        const link = alert.querySelector("a");
        const compare = compareLink(baseRevision, data.revision);
        if (link && compare) { link.href = compare.href; }
      }
      announce(message);
      return;
    }
    const target = document.getElementById("ergebnis-inhalt");
    if (target && data.html) target.outerHTML = data.html;
    const stand = document.getElementById("ergebnis-version");
    if (stand) stand.textContent = data.revision;
    announce(message, compareLink(before, data.revision));
  }

  function connect() {
    const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    const socket = new WebSocket(scheme + window.location.host + root.dataset.liveUrl);
    socket.addEventListener("open", () => { retry = 1000; });
    socket.addEventListener("message", (message) => {
      const data = JSON.parse(message.data);
      document.dispatchEvent(new CustomEvent("klassenraum:live", { detail: data }));
      if (data.event === "welcome" || data.event === "resumed") {
        root.dataset.liveConnected = "true";
        if (status && status.dataset.paused === "true") { announce(text("Resumed")); status.dataset.paused = "false"; }
        if (data.revision && data.revision > revision) {
          if (root.dataset.liveMode === "editing") onVersion({ revision: data.revision, author: null });
          else { revision = data.revision; resync(); }
        }
      } else if (data.event === "paused") {
        root.dataset.liveConnected = "false";
        if (status) { status.dataset.paused = "true"; status.textContent = text("Paused"); }
      } else if (data.event === "presence") {
        renderPresence(data.people, data.more || 0);
      } else if (data.event === "version") {
        onVersion(data);
      } else if (data.event === "result") {
        announce(fill(text("Result"), { name: data.author, n: data.revision, title: data.title }));
      } else if (data.event === "notice") {
        announce(data.text);
      } else if (data.event === "revoked") {
        revoked = data.text || text("Revoked");
      }
    });
    socket.addEventListener("close", (event) => {
      root.dataset.liveConnected = "false";
      renderPresence([]);
      const summary = document.getElementById("presence-status");
      if (revoked !== null || event.code === 4401 || event.code === 4403) {
        revoked = revoked || text("Revoked");
        root.dataset.liveRevoked = "true";
        // The page's live region says it (the start page has only its presence line).
        if (status) { status.dataset.paused = "false"; announce(revoked); }
        if (summary) summary.textContent = status ? "" : revoked;
        return;
      }
      if (summary) summary.textContent = text("Offline");
      if (status) { status.dataset.paused = "true"; status.textContent = text("Paused"); }
      window.setTimeout(connect, retry + Math.random() * 250);
      retry = Math.min(retry * 2, 8000);
    });
  }
  connect();
})();
