"""Small screens and zoom (issue 26): every page reflows at 320 CSS px (WCAG 1.4.10), survives
raised text spacing (1.4.12), offers targets of at least 24 × 24 px (2.5.8), shows its h1 on the
first screen, and keeps its navigation usable by keyboard, by touch and without JavaScript.

One test per page, so xdist spreads them. The pages come from the demo world: a snippet run
through ``manage.py shell`` turns the demo objects into paths once per worker, and each account
logs in once per worker (its cookies are reused by every page it visits).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import _log_in
from tests.e2e.test_accessibility import AXE_OPTIONS
from tests.e2e.test_results import create_result

WIDTH, HEIGHT = 320, 640

VISITOR = None
MEMBER = "kommune-brilon"
TEAM = "team-iserlohn"
COORDINATOR = "koordination-menden"
COMMITTEE = "steuerkreis-arnsberg"
OFFICE = "buero"

# (who, page): one page of every route each role reaches; forms, the editor and the diff included.
PAGES: list[tuple[str | None, str]] = [
    (VISITOR, "home"),
    (VISITOR, "municipalities"),
    (VISITOR, "municipality"),
    (VISITOR, "templates"),
    (VISITOR, "template"),
    (VISITOR, "projects"),
    (VISITOR, "project"),
    (VISITOR, "team"),
    (VISITOR, "result"),
    (VISITOR, "versions"),
    (VISITOR, "diff"),
    (VISITOR, "agreements"),
    (VISITOR, "agreement"),
    (VISITOR, "join"),
    (VISITOR, "join-thanks"),
    (VISITOR, "cohorts"),
    (VISITOR, "guides"),
    (VISITOR, "guides-month"),
    (VISITOR, "guides-topic"),
    (VISITOR, "guide"),
    (VISITOR, "guide-versions"),
    (VISITOR, "guide-compare"),
    (VISITOR, "glossary"),
    (VISITOR, "term"),
    (VISITOR, "dates"),
    (VISITOR, "date"),
    (VISITOR, "suggest"),
    (VISITOR, "newsletter"),
    (VISITOR, "subscribe"),
    (VISITOR, "issue"),
    (VISITOR, "search"),
    (VISITOR, "login"),
    (VISITOR, "password-reset"),
    (VISITOR, "password-reset-done"),
    (VISITOR, "password-reset-confirm"),
    (VISITOR, "password-reset-complete"),
    (VISITOR, "impressum"),
    (VISITOR, "datenschutz"),
    (VISITOR, "barrierefreiheit"),
    (VISITOR, "leichte-sprache"),
    (VISITOR, "not-found"),
    (MEMBER, "home"),
    (MEMBER, "account"),
    (MEMBER, "password-change"),
    (MEMBER, "my-data"),
    (MEMBER, "copy"),
    (MEMBER, "copy-versions"),
    (MEMBER, "copy-compare"),
    (MEMBER, "committee"),
    (MEMBER, "dates-mine"),
    (MEMBER, "items"),
    (MEMBER, "item-create"),
    (MEMBER, "item"),
    (MEMBER, "notifications"),
    (MEMBER, "search"),
    (TEAM, "project"),
    (TEAM, "result"),
    (TEAM, "editor"),
    (TEAM, "result-create"),
    (TEAM, "comment-edit"),
    (COORDINATOR, "team"),
    (COORDINATOR, "project-edit"),
    (COORDINATOR, "project-create"),
    (COORDINATOR, "publish"),
    (COORDINATOR, "proposals"),
    (COORDINATOR, "proposal-create"),
    (COORDINATOR, "proposal"),
    (COMMITTEE, "committee"),
    (COMMITTEE, "meetings"),
    (COMMITTEE, "meeting"),
    (COMMITTEE, "meeting-held"),
    (COMMITTEE, "meeting-create"),
    (OFFICE, "home"),
    (OFFICE, "staff"),
    (OFFICE, "project-import"),
    (OFFICE, "seat-add"),
    (OFFICE, "requests"),
    (OFFICE, "request"),
    (OFFICE, "invite"),
    (OFFICE, "guide-create"),
    (OFFICE, "guide-edit"),
    (OFFICE, "term-create"),
    (OFFICE, "term-edit"),
    (OFFICE, "date-create"),
    (OFFICE, "date-edit"),
    (OFFICE, "series-create"),
    (OFFICE, "suggestions"),
    (OFFICE, "issue-create"),
    (OFFICE, "issue-edit"),
    (OFFICE, "issue-preview"),
    (OFFICE, "issue-send"),
    (OFFICE, "issue-progress"),
    (OFFICE, "item-edit"),
    (OFFICE, "legal-edit"),
    (OFFICE, "outbox"),
]

# The pages axe checks at 320 px (issue 26, "Done when" 4).
AXE_PAGES: list[tuple[str | None, str]] = [
    (VISITOR, "home"),
    (VISITOR, "project"),
    (VISITOR, "result"),
    (TEAM, "editor"),
    (VISITOR, "diff"),
    (COMMITTEE, "meeting"),
    (VISITOR, "search"),
]

_PATHS = """
import json
from django.urls import reverse as r
from network.dates.models import Appointment
from network.discussion.models import Comment
from network.guides.models import Guide, Term
from network.joining.models import JoinRequest
from network.newsletter.models import Issue, NewsItem
from projects.models import Adoption, LeadProject, Template
from steering.models import Agreement, Meeting, Proposal

project = LeadProject.objects.get(slug="offene-regionale-datenplattform")
result = project.results.order_by("id").first()
p, rid = project.slug, result.id
adoption = Adoption.objects.select_related("municipality").order_by("id").first()
copy = dict(municipality=adoption.municipality.slug, result_id=adoption.copy_id)
template = Template.objects.order_by("id").first()
planned = Meeting.objects.filter(state="planned").order_by("id").first()
held = Meeting.objects.exclude(state="planned").order_by("id").first()
guide = Guide.objects.order_by("id").first()
term = Term.objects.order_by("id").first()
comment = Comment.objects.filter(result=result, parent=None, author__username="team-iserlohn")
sent = Issue.objects.filter(state="sent").order_by("id").first()
draft = Issue.objects.filter(state="draft").order_by("id").first()
submitted = NewsItem.objects.filter(state="submitted").order_by("id").first()
print(json.dumps({
    "home": r("home"),
    "municipalities": r("municipality-list"),
    "municipality": r("municipality-detail", args=["menden"]),
    "staff": r("staff-list", args=["iserlohn"]),
    "copy": r("copies:result", kwargs=copy),
    "copy-versions": r("copies:versions", kwargs=copy),
    "copy-compare": r("copies:compare", kwargs=copy),
    "templates": r("templates:list"),
    "template": r("templates:detail", args=[template.id]),
    "account": r("account"),
    "password-change": r("password_change"),
    "my-data": r("my-data"),
    "login": r("login"),
    "password-reset": r("password_reset"),
    "password-reset-done": r("password_reset_done"),
    "password-reset-confirm": r("password_reset_confirm", args=["MQ", "abgelaufen"]),
    "password-reset-complete": r("password_reset_complete"),
    "projects": r("projects:list"),
    "project-create": r("projects:create"),
    "project-import": r("projects:import"),
    "project": r("projects:detail", args=[p]),
    "project-edit": r("projects:edit", args=[p]),
    "team": r("projects:team", args=[p]),
    "result-create": r("projects:result-create", args=[p]),
    "result": r("projects:result", args=[p, rid]),
    "editor": r("projects:result-edit", args=[p, rid]),
    "versions": r("projects:result-versions", args=[p, rid]),
    "diff": r("projects:result-compare", args=[p, rid]),
    "publish": r("projects:result-publish", args=[p, rid]),
    "committee": r("steering:committee"),
    "seat-add": r("steering:seat-add"),
    "meetings": r("steering:meetings"),
    "meeting-create": r("steering:meeting-create"),
    "meeting": r("steering:meeting", args=[planned.id]),
    "meeting-held": r("steering:meeting", args=[held.id]),
    "proposals": r("steering:proposals"),
    "proposal-create": r("steering:proposal-create"),
    "proposal": r("steering:proposal", args=[Proposal.objects.order_by("id").first().id]),
    "agreements": r("steering:agreements"),
    "agreement": r("steering:agreement", args=[Agreement.objects.order_by("id").first().number]),
    "join": r("joining:join"),
    "join-thanks": r("joining:thanks"),
    "requests": r("joining:request-list"),
    "request": r("joining:request-detail", args=[JoinRequest.objects.order_by("id").first().id]),
    "invite": r("joining:invite", args=["brilon"]),
    "cohorts": r("joining:cohorts"),
    "guides": r("guides:list"),
    "guide-create": r("guides:create"),
    "guides-month": r("guides:month"),
    "guides-topic": r("guides:topic", args=[guide.topics.order_by("id").first().slug]),
    "guide": r("guides:detail", args=[guide.slug]),
    "guide-edit": r("guides:edit", args=[guide.slug]),
    "guide-versions": r("guides:versions", args=[guide.slug]),
    "guide-compare": r("guides:compare", args=[guide.slug]),
    "glossary": r("guides:glossary"),
    "term-create": r("guides:term-create"),
    "term": r("guides:term", args=[term.slug]),
    "term-edit": r("guides:term-edit", args=[term.slug]),
    "dates": r("dates:list"),
    "date-create": r("dates:create"),
    "date": r("dates:detail", args=[
        Appointment.objects.filter(kind="klassentreffen").order_by("id").first().id]),
    "date-edit": r("dates:edit", args=[Appointment.objects.order_by("id").first().id]),
    "dates-mine": r("dates:mine"),
    "series-create": r("dates:series-create"),
    "suggest": r("dates:suggest"),
    "suggestions": r("dates:suggestions"),
    "newsletter": r("newsletter:archive"),
    "subscribe": r("newsletter:subscribe"),
    "issue-create": r("newsletter:issue-create"),
    "issue": r("newsletter:issue", args=[sent.id]),
    "issue-edit": r("newsletter:issue-edit", args=[draft.id]),
    "issue-preview": r("newsletter:issue-preview", args=[draft.id]),
    "issue-send": r("newsletter:issue-send", args=[draft.id]),
    "issue-progress": r("newsletter:issue-progress", args=[sent.id]),
    "items": r("newsletter:items"),
    "item-create": r("newsletter:item-create"),
    "item": r("newsletter:item", args=[submitted.id]),
    "item-edit": r("newsletter:item-edit", args=[submitted.id]),
    "notifications": r("notifications:list"),
    "comment-edit": r("discussion:edit", args=[comment.order_by("id").first().id]),
    "search": r("search") + "?q=Daten",
    "impressum": r("legal-impressum"),
    "datenschutz": r("legal-datenschutz"),
    "barrierefreiheit": r("legal-barrierefreiheit"),
    "leichte-sprache": r("legal-leichte-sprache"),
    "legal-edit": r("legal-impressum-edit"),
    "outbox": r("outbox"),
    "not-found": "/einladung/gibt-es-nicht/",
}))
"""

# WCAG 1.4.12's own test values.
TEXT_SPACING = """
* { line-height: 1.5 !important; letter-spacing: 0.12em !important;
    word-spacing: 0.16em !important; }
p { margin-bottom: 2em !important; }
"""

# Visually hidden helpers (skip link off screen, the native file input under its label, the
# "kr-visually-hidden" texts) are excepted from clipping and target size, as 2.5.8 and 1.4.12
# except them: nobody sees or taps them.
_JS_HELPERS = """
const hidden = (el) => {
  for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
    const s = getComputedStyle(node);
    if (s.display === 'none' || s.visibility === 'hidden') return true;
    const r = node.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1) return true;
    if (s.clip === 'rect(0px, 0px, 0px, 0px)' || s.clipPath === 'inset(50%)') return true;
    if (r.right <= 0 || r.bottom <= 0 && s.position === 'absolute') return true;
  }
  return false;
};
const describe = (el) => {
  let text = el.tagName.toLowerCase();
  if (el.id) text += '#' + el.id;
  if (el.className && typeof el.className === 'string') text += '.' + el.className.trim().split(/\\s+/).join('.');
  const label = (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 40);
  return label ? `${text} "${label}"` : text;
};
"""

# Elements that reach past the viewport's right edge, outside any scrolling box of their own.
_OVERFLOWING = (
    "() => {"
    + _JS_HELPERS
    + """
  const width = document.documentElement.clientWidth;
  const inScroller = (el) => {
    for (let node = el.parentElement; node && node !== document.body; node = node.parentElement) {
      const x = getComputedStyle(node).overflowX;
      if (x === 'auto' || x === 'scroll' || x === 'hidden' || x === 'clip') return true;
    }
    return false;
  };
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.right > width + 0.5 && !inScroller(el) && !hidden(el)) {
      out.push(`${describe(el)}: ${Math.round(r.left)}–${Math.round(r.right)} px`);
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, width, out: out.slice(0, 8)};
}"""
)

# Boxes that scroll sideways must be regions a keyboard user can reach and a screen reader names.
_UNLABELLED_SCROLLERS = (
    "() => {"
    + _JS_HELPERS
    + """
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const x = getComputedStyle(el).overflowX;
    if (x !== 'auto' && x !== 'scroll') continue;
    if (el.scrollWidth <= el.clientWidth + 1 || hidden(el)) continue;
    const named = el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
    if (!(named && el.tabIndex >= 0 && el.getAttribute('role') === 'region')) {
      out.push(`${describe(el)}: ${el.scrollWidth} px in ${el.clientWidth} px`);
    }
  }
  return out;
}"""
)

# An element with overflow hidden whose own text no longer fits its box.
_CLIPPED = (
    "() => {"
    + _JS_HELPERS
    + """
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const s = getComputedStyle(el);
    const clipsX = s.overflowX === 'hidden' || s.overflowX === 'clip';
    const clipsY = s.overflowY === 'hidden' || s.overflowY === 'clip';
    if (!clipsX && !clipsY) continue;
    if (!(el.innerText || '').trim() || hidden(el)) continue;
    const wide = clipsX && el.scrollWidth > el.clientWidth + 2;
    const tall = clipsY && el.scrollHeight > el.clientHeight + 2;
    if (wide || tall) {
      out.push(`${describe(el)}: ${el.scrollWidth}×${el.scrollHeight} px in ${el.clientWidth}×${el.clientHeight} px`);
    }
  }
  return out;
}"""
)

# WCAG 2.5.8: a target is at least 24 × 24 px, or a 24 px circle around its centre touches no
# other target; links inside running text and controls the browser sizes are excepted.
_SMALL_TARGETS = (
    "() => {"
    + _JS_HELPERS
    + """
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, '
    + '[role=button], [role=link], [role=tab], [role=checkbox], [role=menuitem], '
    + '[tabindex]:not([tabindex="-1"])';
  const targets = [...document.querySelectorAll(selector)].filter((el) => !hidden(el));
  const inRunningText = (el) => {
    if (el.tagName !== 'A' || getComputedStyle(el).display !== 'inline') return false;
    let block = el.parentElement;
    while (block && getComputedStyle(block).display.startsWith('inline')) block = block.parentElement;
    const own = el.textContent.trim().length;
    return block && block.textContent.replace(/\\s+/g, ' ').trim().length > own;
  };
  const rects = targets.map((el) => el.getBoundingClientRect());
  const distance = (x, y, r) => Math.hypot(
    Math.max(r.left - x, 0, x - r.right), Math.max(r.top - y, 0, y - r.bottom));
  const out = [];
  targets.forEach((el, i) => {
    const r = rects[i];
    if (r.width >= 23.5 && r.height >= 23.5) return;
    if (inRunningText(el)) return;
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    const crowded = rects.some((other, j) => {
      if (j === i || targets[j].contains(el) || el.contains(targets[j])) return false;
      const small = other.width < 23.5 || other.height < 23.5;
      if (small) {
        const ox = other.left + other.width / 2, oy = other.top + other.height / 2;
        return Math.hypot(ox - x, oy - y) < 24;
      }
      return distance(x, y, other) < 12;
    });
    if (crowded) out.push(`${describe(el)}: ${Math.round(r.width)}×${Math.round(r.height)} px`);
  });
  return out;
}"""
)


def _key(who: str | None, name: str) -> str:
    return f"{who or 'gast'}:{name}"


@pytest.fixture(scope="session")
def demo_paths(manage: Callable[..., str]) -> dict[str, str]:
    return json.loads(manage("shell", "-c", _PATHS).strip().splitlines()[-1])


@pytest.fixture(scope="session")
def sessions(browser: Browser, base_url: str) -> Iterator[dict[str | None, dict]]:
    """Each account's cookies, logged in through the real form once per worker, on demand."""
    states: dict[str | None, dict] = {}

    class States(dict):
        def __missing__(self, who: str | None) -> dict:
            context = browser.new_context(base_url=base_url, locale="de-DE")
            if who is not None:
                page = context.new_page()
                _log_in(page, who)
            states[who] = context.storage_state()
            context.close()
            return states[who]

    yield States()


def _context(browser: Browser, base_url: str, state: dict, **options) -> BrowserContext:
    return browser.new_context(
        base_url=base_url,
        locale="de-DE",
        timezone_id="Europe/Berlin",
        viewport={"width": WIDTH, "height": HEIGHT},
        storage_state=state,
        **options,
    )


def assert_fits(page: Page) -> None:
    """Nothing scrolls sideways but labelled, focusable regions; nothing sticks out of the page.

    ``clientWidth`` is the viewport less a vertical scrollbar, where the browser draws one.
    """
    overflow = page.evaluate(_OVERFLOWING)
    assert overflow["out"] == [], overflow
    assert overflow["scrollWidth"] <= overflow["width"] <= WIDTH, overflow
    assert page.evaluate(_UNLABELLED_SCROLLERS) == []


def _open(page: Page, path: str, *, expected_status: int = 200, settle: bool = False) -> None:
    """Open ``path`` (its scripts have run once ``load`` fired); ``settle`` waits for quiet."""
    response = page.goto(path)
    assert response is not None and response.status == expected_status, (
        f"{path}: {response and response.status}"
    )
    if settle:
        page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", level=1)).to_be_visible()


@pytest.mark.parametrize(("who", "name"), PAGES, ids=[_key(*page) for page in PAGES])
def test_page_reflows_at_320_px(browser: Browser, base_url, sessions, demo_paths, who, name):
    # The text-spacing styles are injected, and the page's CSP (rightly) refuses injected styles.
    context = _context(browser, base_url, sessions[who], bypass_csp=True)
    page = context.new_page()
    try:
        _open(page, demo_paths[name], expected_status=404 if name == "not-found" else 200)

        box = page.get_by_role("heading", level=1).first.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= HEIGHT, (
            f"h1 nicht auf dem ersten Bildschirm: {box}"
        )

        assert_fits(page)
        assert page.evaluate(_SMALL_TARGETS) == []

        page.add_style_tag(content=TEXT_SPACING)
        assert page.evaluate(_CLIPPED) == []
        assert_fits(page)
    finally:
        context.close()


@pytest.mark.parametrize(("who", "name"), AXE_PAGES, ids=[_key(*page) for page in AXE_PAGES])
def test_no_wcag_violation_at_320_px(browser: Browser, base_url, sessions, demo_paths, who, name):
    context = _context(browser, base_url, sessions[who])
    page = context.new_page()
    try:
        _open(page, demo_paths[name], settle=True)
        results = Axe().run(page, options=AXE_OPTIONS)
        assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"
    finally:
        context.close()


# --- The header's navigation on a small screen ------------------------------------------------


def _nav(page: Page):
    return page.get_by_role("navigation", name="Hauptnavigation")


def _menu(page: Page):
    return _nav(page).get_by_role("button", name="Menü")


def test_navigation_opens_and_closes_by_keyboard(browser: Browser, base_url, sessions):
    context = _context(browser, base_url, sessions[OFFICE])
    page = context.new_page()
    try:
        _open(page, "/")
        projects = _nav(page).get_by_role("link", name="Leitprojekte")
        expect(projects).to_be_hidden()
        expect(_menu(page)).to_have_attribute("aria-expanded", "false")

        # From the top of the page: skip link, brand, then the menu button.
        for _ in range(3):
            page.keyboard.press("Tab")
        expect(_menu(page)).to_be_focused()
        page.keyboard.press("Enter")
        expect(_menu(page)).to_have_attribute("aria-expanded", "true")
        expect(projects).to_be_visible()
        # One column, all of it inside the screen (the longest list: the office's).
        items = _nav(page).get_by_role("listitem")
        lefts = {round(item.bounding_box()["x"]) for item in items.all()}
        assert len(lefts) == 1, lefts
        for item in items.all():
            box = item.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, box
        page.keyboard.press("Tab")
        expect(_nav(page).get_by_role("link", name="Start")).to_be_focused()

        page.keyboard.press("Escape")
        expect(_menu(page)).to_have_attribute("aria-expanded", "false")
        expect(_menu(page)).to_be_focused()
        expect(projects).to_be_hidden()

        page.keyboard.press("Space")
        expect(projects).to_be_visible()
        page.keyboard.press("Space")
        expect(projects).to_be_hidden()

        # The search stays in reach with the menu closed.
        expect(page.get_by_role("searchbox", name="Im Netzwerk suchen")).to_be_visible()
    finally:
        context.close()


def test_navigation_opens_and_closes_by_touch(browser: Browser, base_url, sessions):
    context = _context(browser, base_url, sessions[VISITOR], has_touch=True, is_mobile=True)
    page = context.new_page()
    try:
        _open(page, "/")
        glossary = _nav(page).get_by_role("link", name="Vokabelheft")
        expect(glossary).to_be_hidden()

        _menu(page).tap()
        expect(_menu(page)).to_have_attribute("aria-expanded", "true")
        expect(glossary).to_be_visible()
        _menu(page).tap()
        expect(_menu(page)).to_have_attribute("aria-expanded", "false")
        expect(glossary).to_be_hidden()

        # Open again, then a tap on the page below the list puts it away.
        _menu(page).tap()
        expect(glossary).to_be_visible()
        page.touchscreen.tap(WIDTH / 2, HEIGHT - 8)
        expect(glossary).to_be_hidden()

        _menu(page).tap()
        glossary.tap()
        expect(page.get_by_role("heading", level=1)).to_have_text("Vokabelheft")
    finally:
        context.close()


@pytest.mark.parametrize("who", [VISITOR, OFFICE], ids=["gast", "geschaeftsstelle"])
def test_without_javascript_every_navigation_link_shows(browser: Browser, base_url, sessions, who):
    context = _context(browser, base_url, sessions[who], java_script_enabled=False)
    page = context.new_page()
    try:
        _open(page, "/")
        expect(_nav(page).get_by_role("button", name="Menü")).to_have_count(0)
        links = _nav(page).get_by_role("link")
        assert links.count() >= 11
        for link in links.all():
            expect(link).to_be_visible()
            box = link.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, box
            link.focus()
            expect(link).to_be_focused()
        assert_fits(page)
    finally:
        context.close()


def test_wide_screen_shows_the_whole_navigation_without_a_button(
    browser: Browser, base_url, sessions
):
    context = browser.new_context(
        base_url=base_url, locale="de-DE", viewport={"width": 1280, "height": 800}
    )
    page = context.new_page()
    try:
        _open(page, "/")
        expect(_menu(page)).to_be_hidden()
        expect(_nav(page).get_by_role("link", name="Schülerzeitung")).to_be_visible()
    finally:
        context.close()


# --- Long words, addresses and code ----------------------------------------------------------

LONG_URL = "https://daten.menden.de/" + "haushalt/" * 12 + "produktbereiche-2026.csv"
LONG_WORD = "Haushaltsdatenveröffentlichungsdurchführungsbestimmungsentwurfsfassung" * 2
LONG_CODE = "const spalten = [" + ", ".join(f"'spalte_{n}'" for n in range(30)) + "];"


def test_long_words_addresses_and_code_wrap_in_result_diff_and_editor(
    browser: Browser, base_url, sessions, manage
):
    body = (
        f"# Quellen\n\nDie Datei liegt unter {LONG_URL}.\n\n{LONG_WORD}\n\n```\n{LONG_CODE}\n```\n"
    )
    path = create_result(
        manage,
        [
            {"title": "Lange Adressen", "summary": LONG_URL, "body": body, "note": "Erste Fassung"},
            {
                "title": "Lange Adressen",
                "summary": LONG_URL,
                "body": body + f"\n`{LONG_WORD}` und <{LONG_URL}?neu>\n",
                "note": "Adresse ergänzt",
            },
        ],
    )
    context = _context(browser, base_url, sessions[TEAM])
    page = context.new_page()
    try:
        # The result, its diff and the edit form show the long text; the version list fits, too.
        for suffix in ["", "vergleich/?von=1&zu=2", "bearbeiten/", "versionen/"]:
            _open(page, path + suffix)
            if suffix != "versionen/":
                expect(page.locator("main")).to_contain_text("produktbereiche-2026.csv")
            assert_fits(page)

        # The shared editor (it starts by itself): its lines wrap instead of scrolling sideways.
        _open(page, path + "bearbeiten/")
        content = page.locator(".cm-content")
        expect(content).to_contain_text("produktbereiche-2026.csv")
        scroller = page.locator(".cm-scroller").evaluate("e => [e.scrollWidth, e.clientWidth]")
        assert scroller[0] <= scroller[1], scroller
        assert_fits(page)
    finally:
        context.close()


# --- The file input speaks German --------------------------------------------------------------


def test_file_input_shows_german_texts_and_the_chosen_files_name(
    browser: Browser, base_url, sessions, demo_paths
):
    context = _context(browser, base_url, sessions[MEMBER])
    page = context.new_page()
    try:
        _open(page, demo_paths["item-create"])
        field = page.locator(".kr-file")
        # The native control is still the one the label names, and it still takes the focus.
        native = page.get_by_label(re.compile(r"^Bild\b"))
        expect(native).to_have_attribute("type", "file")
        expect(field).to_contain_text("Datei auswählen")
        expect(field).to_contain_text("Keine Datei ausgewählt")
        native.focus()
        expect(native).to_be_focused()

        name = "titelbild-der-sommerausgabe-mit-einem-sehr-langen-dateinamen-2026.png"
        native.set_input_files({"name": name, "mimeType": "image/png", "buffer": b"\x89PNG"})
        expect(field).to_contain_text(name)
        expect(field).not_to_contain_text("Keine Datei ausgewählt")
        assert_fits(page)
    finally:
        context.close()
