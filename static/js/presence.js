// Who is online in the network: a live list on the start page, fed by /ws/netzwerk/.
(function () {
  "use strict";
  const section = document.querySelector("[data-presence-url]");
  if (!section) return;
  const script = document.currentScript;
  const list = document.getElementById("presence-list");
  const status = document.getElementById("presence-status");
  const sockets = new Map(); // socket name -> person
  let ownSocket = null;
  let retry = 1000;

  function render() {
    const names = new Map();
    for (const [socket, person] of sockets) {
      if (socket !== ownSocket) names.set(person.id, person.name);
    }
    list.replaceChildren(...[...names.values()].sort().map((name) => {
      const item = document.createElement("li");
      item.textContent = name;
      return item;
    }));
    status.textContent = names.size ? script.dataset.textOnline : script.dataset.textAlone;
  }

  function connect() {
    const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    const ws = new WebSocket(scheme + window.location.host + section.dataset.presenceUrl);
    ws.addEventListener("open", () => { retry = 1000; });
    ws.addEventListener("message", (message) => {
      const data = JSON.parse(message.data);
      if (data.event === "welcome") { ownSocket = data.socket; render(); return; }
      if (data.event === "leave") sockets.delete(data.socket);
      else sockets.set(data.socket, data.person);
      render();
    });
    ws.addEventListener("close", () => {
      sockets.clear();
      ownSocket = null;
      status.textContent = script.dataset.textOffline;
      list.replaceChildren();
      window.setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    });
  }
  connect();
})();
