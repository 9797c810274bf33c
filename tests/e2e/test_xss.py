"""XSS: a corpus of hostile texts, saved as results, shown on every page of a result, runs nowhere.

One result is created through the services (``manage``): each of its versions adds one or two
payloads to its body, carries a few in its change note, and its title and summary change with
them too. The coordinator then opens the project page, the result, its edit page, its versions,
the comparison of the first with the last version, both with hostile query parameters, uploads
an attachment whose file name is a payload, and gets a conflict page whose submitted text holds
every payload again. A second test has an editor save such a version while the coordinator
watches the result and the project page, so it arrives through the live updates. On each page:

* no payload ran: ``window.__xss(n)`` (defined by an init script, reported to the test even
  from frames and across navigations) was never called, no dialog opened, no frame appeared and
  the page did not navigate away;
* no payload survived as markup: no element anywhere in the document has an ``on*`` or an htmx
  attribute, no URL attribute begins with ``javascript:``, ``vbscript:`` or ``data:`` (after
  removing whitespace and control characters and lowercasing), and there is no element of a
  kind the app never renders on these pages (script without our own ``src``, iframe, object,
  svg, math, img, base, style, meta refresh …);
* the payloads are there, as text: the check above cannot pass on a page that dropped them.

Everything runs twice: with the Content-Security-Policy (and no CSP violation may occur), and
with it bypassed, so a payload that slipped through would really run. The CSP is the second
wall, not the first.
"""

from __future__ import annotations

import functools
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.test_results import COORDINATOR, EDITOR, PROJECT, create_result

# Every payload calls XSS, which becomes ``__xss(n)``, n its number (1-based) in this list.
_RAW_PAYLOADS = [
    # Script elements, plain and disguised, and closing the element the text is shown in.
    "<script>XSS</script>",
    "<SCRIPT>XSS</SCRIPT>",
    '<script src="data:text/javascript,XSS"></script>',
    "<scr<script>ipt>XSS</scr</script>ipt>",
    "</textarea><script>XSS</script>",
    "</title><script>XSS</script>",
    "</pre><script>XSS</script>",
    "--><script>XSS</script><!--",
    "</textarea><img src=x onerror=XSS>",
    # Event-handler attributes.
    "<img src=x onerror=XSS>",
    '<img src="x" onerror="XSS">',
    "<IMG SRC=x OnErRoR=XSS>",
    "<img src=x onerror=XSS//",
    "<svg onload=XSS>",
    "<svg/onload=XSS>",
    "<svg><script>XSS</script></svg>",
    "<body onload=XSS>",
    "<details open ontoggle=XSS>",
    "<input autofocus onfocus=XSS>",
    "<video><source onerror=XSS></video>",
    "<marquee onstart=XSS>x</marquee>",
    '<div onmouseover="XSS" style="position:fixed;inset:0">x</div>',
    # Frames, objects and elements that carry a URL.
    '<iframe src="javascript:XSS"></iframe>',
    '<iframe srcdoc="<script>parent.XSS</script>"></iframe>',
    '<object data="javascript:XSS"></object>',
    '<embed src="javascript:XSS">',
    '<a href="javascript:XSS">x</a>',
    '<a href="&#106;avascript:XSS">x</a>',
    '<a href="jav&#x09;ascript:XSS">x</a>',
    '<a href=" javascript:XSS">x</a>',
    '<form action="javascript:XSS"><button>x</button></form>',
    '<button formaction="javascript:XSS">x</button>',
    '<svg><a xlink:href="javascript:XSS"><text y="20">x</text></a></svg>',
    # data: URLs, as HTML and as SVG images.
    '<a href="data:text/html,<script>XSS</script>">x</a>',
    "<img src=\"data:image/svg+xml,<svg onload='XSS'>\">",
    "[x](data:text/html,<script>XSS</script>)",
    "[x](DATA:text/html;charset=utf-8,<script>XSS</script>)",
    "![x](data:image/svg+xml,<svg/onload=XSS>)",
    # Other elements with a will of their own.
    "<math><mtext><table><mglyph><style><img src=x onerror=XSS>",
    "<style>@import 'javascript:XSS';</style>",
    '<base href="javascript:XSS//">',
    '<meta http-equiv="refresh" content="0;url=javascript:XSS">',
    '<div style="background:url(javascript:XSS)">x</div>',
    '<noscript><p title="</noscript><img src=x onerror=XSS>">',
    '<div hx-get="/" hx-trigger="load" hx-on::after-request="XSS">x</div>',
    '<a hx-on:click="XSS" href="#">x</a>',
    # Markdown links and images.
    "[x](javascript:XSS)",
    "[x](JaVaScRiPt:XSS)",
    "[x](javascript&#58;XSS)",
    "[x](&#106;avascript:XSS)",
    "[x](&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;XSS)",
    "[x](<javascript:XSS>)",
    "[x]( javascript:XSS )",
    "[x](java\nscript:XSS)",
    "[x](<java\tscript:XSS>)",
    "[x](java&#x0A;script:XSS)",
    "[x](vbscript:XSS)",
    "![x](javascript:XSS)",
    '![x"onerror="XSS](x)',
    "[x][ref1]\n\n[ref1]: javascript:XSS",
    '[x][ref2]\n\n[ref2]: <JaVaScRiPt:XSS> "t"',
    "<javascript:XSS>",
    "<JAVASCRIPT:XSS>",
    '[x](javascript:XSS "t\\" onmouseover=\\"XSS")',
    '[x" onmouseover="XSS](https://example.org/)',
    '[x](https://example.org/ "\\" onmouseover=\\"XSS")',
    '[x](https://example.org/"onmouseover="XSS)',
    '## "><img src=x onerror=XSS>',
    "| a |\n|---|\n| <img src=x onerror=XSS> |",
    # Breaking out of attributes and quotes.
    '" onmouseover="XSS',
    "' onmouseover='XSS",
    '"><img src=x onerror=XSS>',
    "'><svg onload=XSS>",
    '" autofocus onfocus="XSS',
    # Template injection, for every engine that might ever render a string twice.
    "{{7*7}}{{constructor.constructor('XSS')()}}",
    "${XSS}#{XSS}",
    "{% debug %}{{ request }}{{XSS}}",
    "[[${XSS}]]<%= XSS %>",
]
PAYLOADS = [raw.replace("XSS", f"__xss({n})") for n, raw in enumerate(_RAW_PAYLOADS, start=1)]
assert len(PAYLOADS) >= 50 and len(set(PAYLOADS)) == len(PAYLOADS)


def payload(raw: str) -> str:
    """The numbered payload of a raw entry: ``payload("<svg onload=XSS>")``."""
    return PAYLOADS[_RAW_PAYLOADS.index(raw)]


BREAKOUT = payload("</textarea><script>XSS</script>")  # for fields shown in a textarea


NOTE_MAX = 100  # the version note's column (history_change_reason) holds 100 characters

# Where ``__xss(n)`` reports to: the page's own list and, through a binding, the test itself.
RECORD_HITS = """
window.__xssHits = [];
window.__xss = (n) => {
  window.__xssHits.push(n);
  window.__xssReport(n);
};
"""
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  // The shared editor's own style element (CodeMirror), which the CSP refuses as designed
  // (its rules live in coedit.css, issue 26): in <head>, for its generated classes only.
  const el = event.target;
  if (el && el.localName === "style" && el.parentNode === document.head &&
      /^\\s*\\.ͼ/.test(el.textContent || "")) return;
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""

# What in the document could run: a list of findings, empty on a clean page.
FIND_ACTIVE_MARKUP = """
() => {
  const urlAttributes = new Set([
    "href", "src", "action", "formaction", "xlink:href", "data", "srcdoc", "srcset",
    "background", "poster", "codebase", "dynsrc", "lowsrc", "ping", "content",
  ]);
  const forbiddenTags = new Set([
    "iframe", "frame", "frameset", "object", "embed", "applet", "base", "svg", "math",
    "style", "noscript", "marquee", "video", "audio", "source", "img", "details", "portal",
  ]);
  const ownOrigin = window.location.origin;
  const found = [];
  const describe = (el) => el.outerHTML.slice(0, 160);
  // The app's own icons (issue 26): inline SVG in currentColor, hidden from assistive
  // technology, nothing in them but path data. Nothing a payload could make looks like this
  // and runs; anything more is still reported.
  const iconAttributes = new Set(["class", "viewbox", "aria-hidden", "focusable", "width", "height"]);
  const ownIcon = (el) =>
    el.localName === "svg" && el.classList.contains("kr-icon") &&
    el.getAttribute("aria-hidden") === "true" &&
    [...el.attributes].every((a) => iconAttributes.has(a.name.toLowerCase())) &&
    [...el.children].every((child) => child.localName === "path" &&
      [...child.attributes].every((a) => a.name === "d") && child.children.length === 0);
  // The attachment list's own controls (documents/_attachments.html, for those who may edit):
  // a closed <details class="kr-no-print"> right in a list item of the "Anhänge" section, a
  // plain-text <summary> (the escaped file name) first, then only its forms to replace or
  // remove that attachment on this site and a note. A <details> a payload made is elsewhere,
  // carries other attributes (open, ontoggle …) or has markup in its summary; still reported.
  const attachmentControls = (el) => {
    if (el.localName !== "details" || el.attributes.length !== 1 ||
        el.getAttribute("class") !== "kr-no-print") return false;
    const item = el.parentElement;
    const section = item && item.closest("section");
    if (!item || item.localName !== "li" || !section ||
        section.getAttribute("aria-labelledby") !== "anhaenge" ||
        item.parentElement.parentElement !== section) return false;
    const [summary, ...rest] = el.children;
    if (!summary || summary.localName !== "summary" || summary.attributes.length !== 0 ||
        summary.children.length !== 0) return false;
    return rest.every((child) =>
      (child.localName === "p" && child.children.length === 0) ||
      (child.localName === "form" && child.getAttribute("method") === "post" &&
        /\\/(ersetzen|entfernen)\\/$/.test(new URL(child.action, document.baseURI).pathname) &&
        new URL(child.action, document.baseURI).origin === ownOrigin));
  };
  // The shared editor's own style sheet (CodeMirror, issue 21: the editor starts with the
  // edit page): a bare <style> the running editor puts into <head>, starting with a rule for
  // its generated classes (".ͼ…"); the CSP refuses it, and no payload reaches <head>.
  const editorStyle = (el) =>
    el.localName === "style" && el.parentNode === document.head && el.attributes.length === 0 &&
    /^\\s*\\.ͼ/.test(el.textContent) && !!window.klassenraumCoedit;
  for (const el of document.querySelectorAll("*")) {
    const tag = el.localName;
    if (forbiddenTags.has(tag) && !ownIcon(el) && !editorStyle(el) && !attachmentControls(el))
      found.push(`element <${tag}>: ${describe(el)}`);
    if (tag === "script") {
      const src = el.getAttribute("src");
      if (!src || new URL(src, document.baseURI).origin !== ownOrigin || el.textContent.trim())
        found.push(`script: ${describe(el)}`);
    }
    if (tag === "meta" && el.hasAttribute("http-equiv"))
      found.push(`meta http-equiv: ${describe(el)}`);
    if (tag === "link" && !el.closest("head")) found.push(`link in body: ${describe(el)}`);
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith("on")) found.push(`${name} on <${tag}>: ${describe(el)}`);
      const htmx = name.startsWith("hx-") || name.startsWith("data-hx-");
      if (htmx && !(tag === "body" && name === "hx-headers"))
        found.push(`${name} on <${tag}>: ${describe(el)}`);
      if (urlAttributes.has(name)) {
        const value = attr.value.replace(/[\\s\\u0000-\\u001f\\u007f-\\u009f]+/g, "").toLowerCase();
        const url = name === "content" ? value.replace(/^\\d*;?url=/, "") : value;
        if (/^(javascript|vbscript|data):/.test(url))
          found.push(`${name}=${attr.value} on <${tag}>: ${describe(el)}`);
      }
    }
  }
  return found;
}
"""


@dataclass(frozen=True)
class Probe:
    path: str  # /leitprojekte/…/ergebnisse/<id>/
    revisions: int
    title: str  # the current one
    summary: str


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _title(tag: str, payload: str) -> str:
    return _one_line(f"Sicherheitsprobe {tag} {payload}")[:200]


def _notes() -> list[str]:
    """Every payload that fits into a note, packed in order into notes of at most 100 chars."""
    notes = [""]
    for payload in (p for p in PAYLOADS if len(p) <= NOTE_MAX):
        joined = f"{notes[-1]} {payload}".strip()
        if len(joined) <= NOTE_MAX:
            notes[-1] = joined
        else:
            notes.append(payload)
    return notes


def _versions(tag: str) -> list[dict[str, str]]:
    """One version per note: each one's body adds the next one or two payloads (the last body
    holds them all), its title and summary carry those, its note the next packed payloads."""
    notes = _notes()
    versions = []
    shown = 0
    for number, note in enumerate(notes, start=1):
        upto = -(-number * len(PAYLOADS) // len(notes))  # ceil: spread evenly, end with all
        added, shown = PAYLOADS[shown:upto], upto
        fields = {
            "body": "\n\n".join(PAYLOADS[:upto]),
            "title": _title(tag, " ".join(added)),
            "summary": _one_line(" ".join(added))[:400],
            "note": note,
        }
        if not versions:
            fields |= {"kind": "concept", "maturity": "tested"}
        versions.append(fields)
    return versions


@pytest.fixture(scope="module")
def probe(manage: Callable[..., str]) -> Probe:
    versions = _versions(uuid.uuid4().hex[:6])
    path = create_result(manage, versions)
    return Probe(
        path=path,
        revisions=len(versions),
        title=versions[-1]["title"],
        summary=versions[-1]["summary"],
    )


def test_the_probe_carries_every_payload_in_body_note_title_or_summary():
    """Guards the corpus and its distribution, so no payload is only nominally tested."""
    versions = _versions("t")
    assert versions[-1]["body"] == "\n\n".join(PAYLOADS)
    notes = [version["note"] for version in versions]
    short = [payload for payload in PAYLOADS if len(payload) <= NOTE_MAX]
    assert len(short) >= 50 and all(any(p in note for note in notes) for p in short)
    assert all(len(note) <= NOTE_MAX for note in notes)
    assert len(versions) <= 50  # one page of the versions list shows them all


@dataclass
class Watch:
    """A browser context in which every run payload, dialog and CSP violation is recorded."""

    context: BrowserContext
    csp: bool
    hits: list[int] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def new_page(self) -> Page:
        page = self.context.new_page()
        page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        return page

    def check(self, page: Page, where: str, *, shown: str | None = PAYLOADS[0]) -> None:
        """The page stayed put, nothing ran, no active markup; ``shown`` is there as text."""
        assert page.url.split("?")[0].endswith(where.split("?")[0]), (where, page.url)
        assert len(page.frames) == 1, (where, [frame.url for frame in page.frames])
        if shown is not None:
            expect(page.locator("main")).to_contain_text(shown)
        assert page.evaluate("window.__xssHits") == [], where
        assert self.hits == [], (where, [PAYLOADS[n - 1] for n in self.hits])
        assert self.dialogs == [], (where, self.dialogs)
        assert page.evaluate(FIND_ACTIVE_MARKUP) == [], where
        if self.csp:
            assert page.evaluate("window.__cspViolations") == [], where


@pytest.fixture(params=[True, False], ids=["mit-csp", "ohne-csp"])
def watch(request: pytest.FixtureRequest, new_context) -> Watch:
    """Twice: with the page's CSP in force, and bypassed, so a payload that got through runs."""
    csp = request.param
    watch = Watch(context=new_context(bypass_csp=not csp), csp=csp)
    watch.context.expose_function("__xssReport", lambda n: watch.hits.append(n))
    watch.context.add_init_script(RECORD_HITS)
    watch.context.add_init_script(RECORD_CSP_VIOLATIONS)
    return watch


def test_no_payload_runs_or_survives_as_markup(watch: Watch, log_in, probe: Probe):
    page = watch.new_page()
    log_in(page, COORDINATOR)
    check = functools.partial(watch.check, page)

    # The project page lists the result with its title and summary.
    page.goto(PROJECT)
    expect(page.get_by_role("heading", level=1)).to_have_text("Offene regionale Datenplattform")
    expect(page.get_by_role("link", name=probe.title, exact=True)).to_be_visible()
    check(PROJECT, shown=probe.summary)

    page.goto(probe.path)
    expect(page.get_by_role("heading", level=1)).to_have_text(probe.title)
    expect(page.locator("#ergebnis-stand")).to_contain_text(f"Version {probe.revisions},")
    check(probe.path)
    expect(page.locator("#ergebnis-inhalt")).to_contain_text(PAYLOADS[-1])

    edit = f"{probe.path}bearbeiten/"
    page.goto(edit)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"„{probe.title}“ bearbeiten")
    expect(page.get_by_label("Inhalt (optional)", exact=True)).to_have_value("\n\n".join(PAYLOADS))
    check(edit, shown=None)

    versions = f"{probe.path}versionen/"
    page.goto(versions)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Versionen von „{probe.title}“")
    expect(page.get_by_role("row")).to_have_count(probe.revisions + 1)
    check(versions, shown=_versions("t")[0]["note"])

    compare = f"{probe.path}vergleich/?von=1&zu={probe.revisions}"
    page.goto(compare)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"„{probe.title}“: Versionen vergleichen"
    )
    check(compare)
    expect(page.get_by_role("region", name="Unterschiede").last).to_contain_text(PAYLOADS[-1])

    # Reflected: the query parameters of the comparison and of the versions list.
    quoted = urllib.parse.quote(payload('"><img src=x onerror=XSS>'))
    bad_compare = f"{probe.path}vergleich/?von={quoted}&zu={quoted}"
    response = page.goto(bad_compare)
    assert response is not None and response.status == 400
    expect(page.get_by_role("alert")).to_contain_text("Bitte wählen Sie zwei Versionen")
    check(bad_compare, shown=None)
    page.goto(f"{versions}?seite={quoted}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Versionen von „{probe.title}“")
    check(versions, shown=None)

    # An attachment whose file name is a payload: listed on the result page, never served inline.
    name = f"{payload('<img src=x onerror=XSS>')}.html"
    page.goto(probe.path)
    page.get_by_label("Datei", exact=True).set_input_files(
        files=[{"name": name, "mimeType": "text/html", "buffer": PAYLOADS[0].encode()}]
    )
    page.get_by_role("button", name="Anhang hochladen", exact=True).click()
    expect(page.locator(".kr-messages")).to_contain_text("Der Anhang ist hochgeladen.")
    attachment = page.get_by_role("region", name="Anhänge").get_by_role("link", name=name).first
    expect(attachment).to_be_visible()
    check(probe.path, shown=name)
    download = page.request.get(attachment.get_attribute("href"))
    assert download.ok
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers.get("x-content-type-options") == "nosniff"

    # A conflict: the edit form is sent from the version before the current one, holding
    # every payload again (in reverse order, so the diff has to show them all).
    page.goto(edit + "?einfach=1")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"„{probe.title}“ bearbeiten")
    page.locator("input[name=base_revision]").evaluate("el => { el.value = Number(el.value) - 1 }")
    mine = "\n\n".join(reversed(PAYLOADS))
    page.get_by_label("Titel", exact=True).fill(_title("Konflikt", BREAKOUT))
    page.get_by_label("Kurzbeschreibung (optional)", exact=True).fill(" ".join(PAYLOADS[-3:]))
    page.get_by_label("Inhalt (optional)", exact=True).fill(mine)
    page.get_by_label("Was haben Sie geändert? (optional)", exact=True).fill(BREAKOUT)
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.get_by_role("button", name="Speichern", exact=True).click()
    assert posted.value.status == 409
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Das Ergebnis wurde inzwischen geändert"
    )
    expect(page.get_by_role("region", name="Ihre Fassung")).to_contain_text(PAYLOADS[-1])
    expect(page.get_by_label("Inhalt (optional)", exact=True)).to_have_value(mine)
    check(edit)


def test_no_payload_runs_when_a_version_is_pushed_live(
    watch: Watch, new_context, log_in, manage: Callable[..., str]
):
    """The result page swaps in the pushed partial, the project page announces the title: an
    editor's save full of payloads reaches both, as text."""
    path = create_result(
        manage,
        [
            {
                "title": _title(uuid.uuid4().hex[:6], "live"),
                "body": "Noch harmlos.",
                "maturity": "tested",
                "note": "Erste Fassung",
            }
        ],
    )
    result_page, project_page = watch.new_page(), watch.new_page()
    log_in(result_page, COORDINATOR)
    result_page.goto(path)
    project_page.goto(PROJECT)
    for page in (result_page, project_page):
        expect(page.locator("[data-live-url]")).to_have_attribute("data-live-connected", "true")

    editor = new_context().new_page()  # another person, in her own browser
    log_in(editor, EDITOR)
    editor.goto(f"{path}bearbeiten/?einfach=1")
    title = _title("live", f"{PAYLOADS[0]} {BREAKOUT}")
    editor.get_by_label("Titel", exact=True).fill(title)
    editor.get_by_label("Kurzbeschreibung (optional)", exact=True).fill(" ".join(PAYLOADS[:3]))
    editor.get_by_label("Inhalt (optional)", exact=True).fill("\n\n".join(reversed(PAYLOADS)))
    editor.get_by_label("Was haben Sie geändert? (optional)", exact=True).fill(BREAKOUT)
    editor.get_by_role("button", name="Speichern", exact=True).click()
    expect(editor.locator(".kr-messages")).to_contain_text("Gespeichert als Version 2.")

    expect(result_page.locator("#ergebnis-version")).to_have_text("2")
    expect(result_page.locator("#live-status")).to_contain_text("hat Version 2 gespeichert")
    content = result_page.locator("#ergebnis-inhalt")
    expect(content).not_to_contain_text("Noch harmlos.")
    expect(content).to_contain_text(PAYLOADS[-1])
    watch.check(result_page, path)
    expect(project_page.locator("#live-status")).to_contain_text(title)
    watch.check(project_page, PROJECT, shown=title)
