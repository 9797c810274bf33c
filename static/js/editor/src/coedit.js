// Co-editing of a versioned text (a living result, a guide): the default editor of its edit
// page. CodeMirror 6 (Markdown) bound to a Yjs document that a small provider keeps in sync
// with the server over y-protocols. Every edit passes the authenticated server (no
// BroadcastChannel between tabs); undo is Yjs's undo manager. The text is saved as a version
// by "Version speichern" (with an optional note) or by the server's rules; the form beside
// it keeps the other fields, saved by its own button as a version of their own. Without
// JavaScript none of this runs and the page's plain form saves everything.
// Built by esbuild into ../coedit.min.js (`npm run build:editor`, part of `make install`).

import * as Y from "yjs";
import * as syncProtocol from "y-protocols/sync";
import * as awarenessProtocol from "y-protocols/awareness";
import * as encoding from "lib0/encoding";
import * as decoding from "lib0/decoding";
import { EditorView, keymap, drawSelection } from "@codemirror/view";
import { Compartment, EditorState } from "@codemirror/state";
import { defaultKeymap, indentWithTab } from "@codemirror/commands";
import { markdown } from "@codemirror/lang-markdown";
import { syntaxHighlighting, defaultHighlightStyle } from "@codemirror/language";
import { yCollab, yUndoManagerKeymap } from "y-codemirror.next";

const SYNC = 0;
const AWARENESS = 1;
const CONTROL = 100;
// Refusals the server gives after accepting, also when access ends while the socket is open
// (after a "revoked" control message saying why): retrying cannot help, so the provider stops.
// Other closes (4400 garbage, 4429 too fast, 1009 too big, a restart) are retried.
const FINAL = { 4401: "Unauthenticated", 4403: "Forbidden" };

/** A y-protocols provider over one websocket, with reconnects and our control messages. */
class Provider {
  constructor(url, doc, awareness, handlers) {
    this.url = url;
    this.doc = doc;
    this.awareness = awareness;
    this.handlers = handlers;
    this.socket = null;
    this.backoff = 500;
    this.stopped = false;
    this.onUpdate = (update, origin) => {
      if (origin === this) return;
      this.send(SYNC, (encoder) => syncProtocol.writeUpdate(encoder, update));
    };
    this.onAwareness = ({ added, updated, removed }, origin) => {
      if (origin !== "local") return;
      const clients = added.concat(updated, removed);
      this.send(AWARENESS, (encoder) =>
        encoding.writeVarUint8Array(
          encoder,
          awarenessProtocol.encodeAwarenessUpdate(this.awareness, clients),
        ),
      );
    };
    doc.on("update", this.onUpdate);
    awareness.on("update", this.onAwareness);
    window.addEventListener("pagehide", () => {
      awarenessProtocol.removeAwarenessStates(awareness, [doc.clientID], "local");
    });
    this.connect();
  }

  connect() {
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${window.location.host}${this.url}`);
    socket.binaryType = "arraybuffer";
    this.socket = socket;
    socket.onopen = () => {
      this.backoff = 500;
      this.handlers.status("Connected");
      // Our state vector: the server answers with what we lack; it asks for what it lacks.
      this.send(SYNC, (encoder) => syncProtocol.writeSyncStep1(encoder, this.doc));
      if (this.awareness.getLocalState() !== null) {
        this.send(AWARENESS, (encoder) =>
          encoding.writeVarUint8Array(
            encoder,
            awarenessProtocol.encodeAwarenessUpdate(this.awareness, [this.doc.clientID]),
          ),
        );
      }
    };
    socket.onmessage = (event) => this.receive(new Uint8Array(event.data));
    socket.onclose = (event) => {
      this.socket = null;
      const others = Array.from(this.awareness.getStates().keys()).filter(
        (client) => client !== this.doc.clientID,
      );
      awarenessProtocol.removeAwarenessStates(this.awareness, others, this);
      if (FINAL[event.code]) {
        this.stop();
        this.handlers.status(FINAL[event.code]);
        return;
      }
      if (this.stopped) return;
      this.handlers.status("Reconnecting");
      window.setTimeout(() => this.connect(), this.backoff);
      this.backoff = Math.min(this.backoff * 2, 8000);
    };
  }

  /** No more reconnects: access is gone, or the person was told why already. */
  stop() {
    this.stopped = true;
    if (this.socket && this.socket.readyState <= WebSocket.OPEN) this.socket.close();
  }

  send(type, write) {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) return false;
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, type);
    write(encoder);
    this.socket.send(encoding.toUint8Array(encoder));
    return true;
  }

  control(payload) {
    return this.send(CONTROL, (encoder) => encoding.writeVarString(encoder, JSON.stringify(payload)));
  }

  receive(data) {
    const decoder = decoding.createDecoder(data);
    const type = decoding.readVarUint(decoder);
    if (type === SYNC) {
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, SYNC);
      syncProtocol.readSyncMessage(decoder, encoder, this.doc, this);
      if (encoding.length(encoder) > 1) this.socket.send(encoding.toUint8Array(encoder));
    } else if (type === AWARENESS) {
      awarenessProtocol.applyAwarenessUpdate(
        this.awareness,
        decoding.readVarUint8Array(decoder),
        this,
      );
    } else if (type === CONTROL) {
      this.handlers.control(JSON.parse(decoding.readVarString(decoder)));
    }
  }
}

function start(root) {
  const form = document.querySelector("form[data-coedit-form]");
  const textarea = form.querySelector("textarea[name=body]");
  const field = textarea.closest(".kern-form-input") || textarea.parentElement;
  const mount = root.querySelector("[data-coedit-mount]");
  const status = root.querySelector("[data-coedit-status]");
  const saveButton = root.querySelector("[data-coedit-save]");
  const dialog = root.querySelector("[data-coedit-dialog]");
  const noteInput = dialog.querySelector("input[name=coedit_note]");
  const text = (name) => root.dataset[`text${name}`] || "";
  const baseRevision = form.querySelector("input[name=base_revision]");

  // The text moves into the shared editor; the form keeps the other fields.
  root.hidden = false;
  // The form field's own CSS sets its display, which would win over [hidden]: a class does.
  field.hidden = true;
  field.classList.add("kr-coedit-moved");
  document.querySelectorAll("[data-coedit-only]").forEach((element) => {
    element.hidden = false;
  });
  const layout = root.closest(".kr-coedit-layout");
  if (layout) layout.classList.add("kr-coedit-layout--active");
  const submit = form.querySelector("button[type=submit] .kern-label");
  if (submit && root.dataset.textSubmit) submit.textContent = root.dataset.textSubmit;
  const marker = document.createElement("input");
  marker.type = "hidden";
  marker.name = "gemeinsam";
  marker.value = "1";
  form.append(marker);

  const doc = new Y.Doc();
  const ytext = doc.getText("body");
  const awareness = new awarenessProtocol.Awareness(doc);
  // The server puts the name into every cursor; we only say where ours is.
  awareness.setLocalState({});
  const undoManager = new Y.UndoManager(ytext);

  let canEdit = true;
  let ready = false;
  // Set when the server said why it ends the session: its words win over the page's fallback.
  let reason = "";
  const editable = new Compartment();
  const view = new EditorView({
    parent: mount,
    state: EditorState.create({
      doc: "",
      extensions: [
        keymap.of([...yUndoManagerKeymap, ...defaultKeymap, indentWithTab]),
        drawSelection(),
        markdown(),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({
          "aria-labelledby": root.dataset.coeditLabel,
          "aria-describedby": [root.dataset.coeditHelp, status.id].join(" "),
          "aria-multiline": "true",
          role: "textbox",
        }),
        yCollab(ytext, awareness, { undoManager }),
        editable.of([]),
      ],
    }),
  });

  const say = (message) => {
    status.textContent = message;
  };
  const readOnly = () => {
    view.dispatch({
      effects: editable.reconfigure([EditorView.editable.of(false), EditorState.readOnly.of(true)]),
    });
    saveButton.disabled = true;
  };
  const followRevision = (revision) => {
    // A version the room wrote changed only the text: the form's fields stay current.
    if (baseRevision && revision && Number(baseRevision.value) < revision) {
      baseRevision.value = revision;
    }
  };
  let pendingSave = null;
  const provider = new Provider(root.dataset.coeditUrl, doc, awareness, {
    status(kind) {
      if (kind === "Connected") return;
      ready = false;
      if (kind === "Reconnecting") say(text("Reconnecting"));
      else {
        say(reason || text(kind));
        readOnly();
      }
    },
    control(message) {
      if (message.event === "welcome") {
        // After the server's sync step 1 (answered already): from now on it has our text.
        canEdit = message.can_edit;
        ready = true;
        followRevision(message.revision);
        say(text("Connected"));
        if (!canEdit) {
          readOnly();
          saveButton.hidden = true;
          say(text("Readonly"));
        }
      } else if (message.event === "revoked") {
        reason = message.text || "";
        provider.stop();
        readOnly();
        say(reason);
      } else if (message.event === "readonly") {
        canEdit = false;
        readOnly();
        saveButton.hidden = true;
        say(message.text || text("Readonly"));
      } else if (message.event === "limit") {
        say(message.text || text("Limit"));
      } else if (message.event === "version") {
        followRevision(message.revision);
        say(text("Version").replace("%(n)s", message.revision));
      } else if (message.event === "saved") {
        followRevision(message.revision);
        if (!message.revision) say(text("Nothing"));
        if (pendingSave) pendingSave(message);
        pendingSave = null;
      }
    },
  });

  // live.js warns an edit page of a newer version; here the text is shared, not stale.
  const conflict = document.getElementById("live-conflict");
  if (conflict) conflict.removeAttribute("id");

  const whenReady = async () => {
    for (let waited = 0; !ready && waited < 10000; waited += 100) {
      await new Promise((resolve) => window.setTimeout(resolve, 100));
    }
  };
  const requestVersion = async (note) => {
    await whenReady();
    return new Promise((resolve) => {
      pendingSave = resolve;
      if (!provider.control({ action: "version", note })) {
        pendingSave = null;
        resolve(null);
      }
      window.setTimeout(() => {
        if (pendingSave === resolve) {
          pendingSave = null;
          resolve(null);
        }
      }, 10000);
    });
  };

  // "Version speichern" asks for an optional note first (a modal dialog: Escape cancels).
  saveButton.hidden = false;
  saveButton.addEventListener("click", () => {
    noteInput.value = "";
    dialog.showModal();
    noteInput.focus();
  });
  dialog.addEventListener("close", async () => {
    if (dialog.returnValue !== "save") {
      saveButton.focus();
      return;
    }
    dialog.returnValue = "";
    saveButton.disabled = true;
    const answer = await requestVersion(noteInput.value.trim());
    saveButton.disabled = !canEdit;
    saveButton.focus();
    if (answer && answer.revision) {
      say(text("Saved").replace("%(n)s", answer.revision));
    }
  });
  window.klassenraumCoedit = { view, doc, ytext, provider, ready: () => ready };
}

document.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("coedit");
  if (root) start(root);
});
