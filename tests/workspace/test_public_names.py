"""Without consent, no public page names a person: a crawl of the demo world as a visitor.

The crawl starts at the start page and follows every link on this site (pages, feeds, .ics
files) that an anonymous visitor can open. The demo's people have not agreed to show their
names, so none of their names may appear anywhere; their municipality does ("Mitarbeiter*in
der Stadt Menden"). Once a person agrees, their name appears — which shows the crawl reaches
the pages where names stand.
"""

from __future__ import annotations

import re
from collections import deque
from io import StringIO
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

from workspace.models import User

pytestmark = pytest.mark.django_db

LINK = re.compile(r"""(?:href|src)="([^"]+)\"""")
SKIP = ("/static/", "/media/", "/ws/", "/verwaltung/", "/konto/abmelden/")
LIMIT = 600


def _crawl(client: Client) -> dict[str, str]:
    """Every page reachable from "/" without login: path -> text."""
    seen: dict[str, str] = {}
    queue = deque(["/"])
    while queue and len(seen) < LIMIT:
        path = queue.popleft()
        if path in seen:
            continue
        response = client.get(path)
        if response.status_code != 200 or response.streaming:
            seen[path] = ""
            continue
        text = response.content.decode("utf-8", errors="replace")
        seen[path] = text
        if "html" not in response.get("Content-Type", ""):
            continue
        for href in LINK.findall(text):
            target = urldefrag(urljoin(path, href.replace("&amp;", "&")))[0]
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or not target.startswith("/"):
                continue
            if target.startswith(SKIP) or target in seen:
                continue
            queue.append(target)
    return seen


@pytest.fixture
def demo(settings):
    settings.DEBUG = True  # seed_demo refuses to run in a real installation
    call_command("seed_demo", "--quiet-accounts", stdout=StringIO())
    settings.DEBUG = False
    return list(User.objects.filter(is_active=True).exclude(display_name=""))


def _names(people) -> list[str]:
    return [p.get_display_name() for p in people if not p.username.startswith("buero")]


def test_no_public_page_names_anyone_without_consent(demo):
    assert not any(p.public_name for p in demo)
    pages = _crawl(Client())
    assert len(pages) > 100, f"Der Rundgang hat zu wenige Seiten erreicht: {len(pages)}"
    leaks = {name: [path for path, text in pages.items() if name in text] for name in _names(demo)}
    leaks = {name: paths for name, paths in leaks.items() if paths}
    assert not leaks, f"Namen ohne Einverständnis öffentlich: {leaks}"
    assert any("Mitarbeiter*in der Stadt Menden" in text for text in pages.values())


def test_with_consent_the_name_appears(demo):
    mehmet = User.objects.get(username="koordination-menden")
    mehmet.public_name = True
    mehmet.save()
    pages = _crawl(Client())
    assert any(mehmet.get_display_name() in text for text in pages.values())
