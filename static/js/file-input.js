// File inputs speak the page's language: the browser labels its own button in the browser's
// language ("Choose File"), so a German button and the chosen file's name are laid over it.
// The native input stays where it was, transparent on top of the button: a click, a tap, the
// keyboard, dropping a file and every screen reader still work on the real control. Without
// JavaScript the native control simply shows.
(function () {
  "use strict";
  const SVG = "http://www.w3.org/2000/svg";

  function uploadIcon() {
    const icon = document.createElementNS(SVG, "svg");
    icon.setAttribute("class", "kr-icon");
    icon.setAttribute("viewBox", "0 0 24 24");
    icon.setAttribute("aria-hidden", "true");
    icon.setAttribute("focusable", "false");
    const path = document.createElementNS(SVG, "path");
    path.setAttribute("d", "M12 15V4m-5 5 5-5 5 5M4 15v4a1 1 0 0 0 1 1h14a1 1 0 0 0 1-1v-4");
    icon.append(path);
    return icon;
  }

  function enhance(box) {
    const input = box.querySelector("input[type=file]");
    if (!input || box.dataset.fileReady) return;
    box.dataset.fileReady = "true";
    const text = (name) => box.dataset["text" + name] || "";

    const control = document.createElement("span");
    control.className = "kr-file__control";
    const button = document.createElement("span");
    button.className = "kern-btn kern-btn--secondary kr-file__button";
    button.setAttribute("aria-hidden", "true");
    const label = document.createElement("span");
    label.className = "kern-label";
    label.textContent = text("Choose");
    button.append(uploadIcon(), label);
    const name = document.createElement("span");
    name.className = "kern-body kr-file__name";
    name.id = `${input.id || "datei"}_gewaehlt`;

    input.before(control);
    control.append(input, button);
    control.after(name);
    input.classList.add("kr-file__input");
    const described = input.getAttribute("aria-describedby");
    input.setAttribute("aria-describedby", described ? `${described} ${name.id}` : name.id);

    function show() {
      const files = input.files ? Array.from(input.files) : [];
      if (files.length === 0) name.textContent = text("None");
      else if (files.length === 1) name.textContent = files[0].name;
      else name.textContent = text("Many").replace("%(n)s", String(files.length));
    }
    input.addEventListener("change", show);
    show();
    box.classList.add("kr-file--ready");
  }

  document.querySelectorAll("[data-file-input]").forEach(enhance);
})();
