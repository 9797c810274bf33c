// The main navigation folds behind a disclosure button on small screens (and at high zoom).
// The button exists only once this script runs: without JavaScript the full list shows.
// Whether the list is folded at all is the stylesheet's decision (a media query), so on wide
// screens the button stays hidden and the list stays open whatever the button says.
(function () {
  "use strict";
  const nav = document.querySelector("[data-nav]");
  const list = nav && nav.querySelector("ul[id]");
  if (!list) return;

  const SVG = "http://www.w3.org/2000/svg";
  const icon = document.createElementNS(SVG, "svg");
  icon.setAttribute("class", "kr-icon");
  icon.setAttribute("viewBox", "0 0 24 24");
  icon.setAttribute("aria-hidden", "true");
  icon.setAttribute("focusable", "false");
  const bars = document.createElementNS(SVG, "path");
  bars.setAttribute("d", "M3 6h18M3 12h18M3 18h18");
  icon.append(bars);

  const label = document.createElement("span");
  label.className = "kern-label";
  label.textContent = nav.dataset.textMenu || "Menü";

  const button = document.createElement("button");
  button.type = "button";
  button.className = "kern-btn kern-btn--secondary kr-nav__toggle";
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", list.id);
  button.append(icon, label);
  list.before(button);
  nav.closest("header")?.classList.add("kr-header--js");

  function setOpen(open) {
    button.setAttribute("aria-expanded", String(open));
  }

  button.addEventListener("click", () => {
    setOpen(button.getAttribute("aria-expanded") !== "true");
  });

  // Escape closes the open list and brings the focus back to where the list came from.
  nav.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || button.getAttribute("aria-expanded") !== "true") return;
    setOpen(false);
    button.focus();
  });

  // The open list lies over the page; a tap or a focus elsewhere puts it away.
  document.addEventListener("click", (event) => {
    if (!nav.contains(event.target)) setOpen(false);
  });
  nav.addEventListener("focusout", (event) => {
    if (event.relatedTarget && !nav.contains(event.relatedTarget)) setOpen(false);
  });
})();
