"""One versioned text, two kinds: living results and guides are held to the same rules.

Every test runs once for a result (of a public lead project; hidden versions are its
drafts) and once for a guide (hidden versions are those written while it was planned):
every save is a version, a save that changes nothing writes none, a stale save is refused
and writes nothing (in the service and in the model), restoring writes a new version,
twenty simultaneous saves on PostgreSQL let exactly one through, the versions and compare
pages cost the same for 10 and 1,000 versions, and hidden versions stay hidden from readers.
"""

from __future__ import annotations

import datetime
import threading
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext

from network.guides import services as guide_services
from network.guides.models import Guide
from projects import services as project_services
from projects.models import Result, Visibility
from workspace.versioning.models import StaleRevision

pytestmark = pytest.mark.django_db

FIRST_BODY = "Fassung 1 mit einem Satz."
HIDDEN_BODY = "Geheimzwischenstand"  # one word, so a word diff shows it whole


@dataclass(frozen=True)
class Kind:
    """How a test writes one kind of versioned text through that kind's own services."""

    name: str
    model: type
    # Fields that make a text readable by everyone who sees it (published, out of draft).
    published: dict[str, Any]
    # What the compare page says when a version crosses from hidden to published.
    stage_change: str

    def create(self, world, *, hidden: bool = False):
        if self.model is Result:
            project = project_services.project_create(
                by=world.coordinator,
                title="Datenplattform",
                summary="-",
                lead_municipality=world.menden,
                visibility=Visibility.PUBLIC,
            )
            project_services.team_member_add(
                project=project, by=world.coordinator, user=world.editor, role="editor"
            )
            result = project_services.result_create(
                project=project, by=world.coordinator, title="Datenmodell", body=FIRST_BODY
            )
            if not hidden:
                self.update(result, world.coordinator, **self.published)
            return result
        fields = {} if hidden else {**self.published}
        return guide_services.guide_create(
            by=world.office,
            title="Beteiligung planen",
            summary="Worum es geht.",
            body=FIRST_BODY,
            authors=[world.editor],
            **fields,
        )

    def update(self, text, by, *, base_revision: int | None = None, **fields) -> bool:
        base = text.revision if base_revision is None else base_revision
        if self.model is Result:
            return project_services.result_update(result=text, by=by, base_revision=base, **fields)
        return guide_services.guide_update(guide=text, by=by, base_revision=base, **fields)

    def restore(self, text, by, *, revision: int, base_revision: int) -> None:
        if self.model is Result:
            project_services.result_restore(
                result=text, by=by, revision=revision, base_revision=base_revision
            )
        else:
            guide_services.guide_restore(
                guide=text, by=by, revision=revision, base_revision=base_revision
            )


RESULT = Kind(
    "result",
    Result,
    {"maturity": Result.Maturity.TESTED},
    "Reife: Entwurf → in der Praxis erprobt",
)
GUIDE = Kind(
    "guide",
    Guide,
    {"status": Guide.Status.PUBLISHED, "published_in": datetime.date(2025, 3, 1)},
    "Stand: bald verfügbar → veröffentlicht",
)


@pytest.fixture(params=[RESULT, GUIDE], ids=lambda kind: kind.name)
def kind(request) -> Kind:
    return request.param


@dataclass
class World:
    coordinator: Any
    editor: Any
    office: Any
    outsider: Any
    menden: Any


@pytest.fixture
def world(coordinator, editor, office, outsider, menden) -> World:
    return World(coordinator, editor, office, outsider, menden)


@pytest.fixture
def text(kind, world):
    return kind.create(world)


def _revisions(text) -> list[int]:
    return list(text.history.order_by("-revision").values_list("revision", flat=True))


# --- the write service and the model ---------------------------------------------------------


def test_every_save_is_a_version_with_author_and_note(kind, text, world):
    start = text.revision
    assert kind.update(text, world.editor, body="Fassung 2", note="Kapitel 2")
    assert text.revision == start + 1
    newest = text.history.first()
    assert (newest.revision, newest.history_user, newest.history_change_reason) == (
        start + 1,
        world.editor,
        "Kapitel 2",
    )
    assert newest.body == "Fassung 2"
    assert text.history.count() == start + 1


def test_a_save_that_changes_nothing_writes_no_version(kind, text, world):
    start = text.revision
    assert not kind.update(text, world.editor, body=text.body, title=text.title, note="nichts")
    assert _revisions(text)[0] == start and text.history.count() == start
    assert kind.model.objects.get(pk=text.pk).revision == start


def test_a_stale_save_is_refused_by_the_service_and_writes_nothing(kind, text, world):
    seen = text.revision
    kind.update(text, world.coordinator, body="Die andere war schneller.")
    with pytest.raises(StaleRevision) as refused:
        kind.update(text, world.editor, base_revision=seen, body="Meine Fassung")
    assert refused.value.current_revision == seen + 1
    fresh = kind.model.objects.get(pk=text.pk)
    assert (fresh.revision, fresh.body) == (seen + 1, "Die andere war schneller.")
    assert text.history.count() == seen + 1


def test_a_stale_instance_is_refused_by_the_model_itself(kind, text, world):
    seen = text.revision
    stale = kind.model.objects.get(pk=text.pk)
    kind.update(text, world.coordinator, body="Zuerst.")
    stale.body = "Danach, ohne es gesehen zu haben (Verwaltung, Import)."
    with pytest.raises(StaleRevision):
        stale.save()
    assert kind.model.objects.get(pk=text.pk).body == "Zuerst."
    assert text.history.count() == seen + 1


def test_restore_writes_a_new_version_and_keeps_every_old_one(kind, text, world):
    start = text.revision
    kind.update(text, world.editor, body="Fassung 2", title="Neuer Titel")
    before = list(text.history.order_by("revision").values_list("history_id", "body", "title"))
    kind.restore(text, world.editor, revision=start, base_revision=start + 1)
    fresh = kind.model.objects.get(pk=text.pk)
    assert (fresh.revision, fresh.body, fresh.title) == (start + 2, FIRST_BODY, before[0][2])
    after = list(text.history.order_by("revision").values_list("history_id", "body", "title"))
    assert after[: len(before)] == before  # the old versions as they were
    assert text.history.first().history_change_reason == f"wiederhergestellt aus Version {start}"
    with pytest.raises(ValidationError, match="schon die aktuelle"):
        kind.restore(text, world.editor, revision=start, base_revision=start + 2)
    with pytest.raises(ValidationError, match="gibt es nicht"):
        kind.restore(text, world.editor, revision=99, base_revision=start + 2)
    assert text.history.count() == start + 2


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_saves_of_one_revision_let_exactly_one_through(kind, world):
    text = kind.create(world)
    seen = text.revision
    barrier = threading.Barrier(20)
    outcomes: list[str] = []
    lock = threading.Lock()

    def save(n: int) -> None:
        close_old_connections()  # each thread its own connection
        mine = kind.model.objects.get(pk=text.pk)
        barrier.wait()
        try:
            kind.update(mine, world.editor, base_revision=seen, body=f"Fassung {n}")
            outcome = "saved"
        except StaleRevision:
            outcome = "refused"
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=save, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["refused"] * 19 + ["saved"]
    assert text.history.count() == seen + 1
    assert kind.model.objects.get(pk=text.pk).revision == seen + 1


# --- the pages -------------------------------------------------------------------------------


def _grow(text, by, up_to: int) -> None:
    """Versions up to ``up_to``, each a line longer; saved through the model (the rule under
    test is the page's cost, and the model is what every writer goes through)."""
    while text.revision < up_to:
        text.body = f"{text.body}\nZeile {text.revision}"
        text._history_user = by
        text.save()


# The queries, the same for 10 and 1,000 versions (asserted exactly, so a query per row or
# per version shows at once):
#   both pages, both kinds: 1 the session, 2 the user (with: are they the office?
#           workspace/backends.py);
#   result: 3 the project, 4 the result, 5–6 the user's and their groups' guardian
#           permissions on the project (team role);
#   guide:  3 the guide, 4 its authors (who edits, who reads planned versions);
#   versions page: one range of revisions through the (id, revision) index with their
#           authors, one body length of the version just below the page (the last row's
#           change), and the shell's membership check (the header's network menu);
#   compare page: the two newest revisions the reader may see (the defaults), and both
#           versions in one query.
PAGE_QUERIES = {"result": (9, 8), "guide": (7, 6)}  # (versions, compare)


def test_versions_and_compare_pages_cost_the_same_for_10_and_1000_versions(
    kind, text, world, as_user, django_assert_num_queries
):
    client = as_user(world.editor)
    first = text.revision  # a result's is 2: created as a draft, then tested
    _grow(text, world.editor, 10)
    with CaptureQueriesContext(connection) as versions_small:
        page = client.get(text.versions_url)
    assert page.status_code == 200 and len(page.context["versions"]) == 10
    with CaptureQueriesContext(connection) as compare_small:
        assert client.get(f"{text.compare_url}?von={first}&zu=10").status_code == 200
    _grow(text, world.editor, 1000)
    with django_assert_num_queries(len(versions_small.captured_queries)):
        page = client.get(f"{text.versions_url}?seite=3")
    assert [v.revision for v in page.context["versions"]][:2] == [900, 899]
    assert page.context["versions"][0].change == len("\nZeile 899")
    with django_assert_num_queries(len(compare_small.captured_queries)):
        response = client.get(f"{text.compare_url}?von={first}&zu=1000")
    assert response.context["diff"].words_added == (1000 - first) * 2  # "Zeile n" each
    counts = (len(versions_small.captured_queries), len(compare_small.captured_queries))
    assert counts == PAGE_QUERIES[kind.name]


def test_hidden_versions_stay_hidden_from_readers(kind, world, as_user):
    """Drafts of a result, a guide's versions from before publication: the team (the
    guide's editors) reads them on every page; a reader, logged in or not, sees neither
    their rows, nor their text, nor can restore them."""
    text = kind.create(world, hidden=True)
    kind.update(text, world.editor, body=HIDDEN_BODY)
    kind.update(text, world.editor, body="Für alle.", **kind.published)
    hidden = text.revision - 1  # the last hidden version
    anonymous, reader, team = as_user(None), as_user(world.outsider), as_user(world.editor)

    for client in (anonymous, reader):
        versions = client.get(text.versions_url)
        assert versions.status_code == 200
        assert [v.revision for v in versions.context["versions"]] == [text.revision]
        compare = client.get(f"{text.compare_url}?von={hidden}&zu={text.revision}")
        assert compare.status_code == 400
        assert HIDDEN_BODY not in compare.content.decode()
        default = client.get(text.compare_url)  # the newest the reader may see
        assert default.status_code == 200 and HIDDEN_BODY not in default.content.decode()
    assert (
        anonymous.post(
            text.restore_url, {"revision": hidden, "base_revision": text.revision}
        ).status_code
        == 302
    )
    assert (
        reader.post(
            text.restore_url, {"revision": hidden, "base_revision": text.revision}
        ).status_code
        == 403
    )
    assert kind.model.objects.get(pk=text.pk).body == "Für alle."

    assert [v.revision for v in team.get(text.versions_url).context["versions"]] == list(
        range(text.revision, 0, -1)
    )
    compare = team.get(f"{text.compare_url}?von={hidden}&zu={text.revision}")
    assert compare.status_code == 200 and HIDDEN_BODY in compare.content.decode()
    assert kind.stage_change in compare.content.decode()


def test_a_stale_restore_over_http_says_so_and_writes_nothing(kind, text, world, as_user):
    seen = text.revision
    kind.update(text, world.editor, body="Fassung 2")
    client = as_user(world.editor)
    done = client.post(text.restore_url, {"revision": seen, "base_revision": seen + 1}, follow=True)
    assert f"Version {seen} ist als neue Version {seen + 2} wiederhergestellt" in (
        done.content.decode()
    )
    stale = client.post(
        text.restore_url, {"revision": seen, "base_revision": seen + 1}, follow=True
    )
    assert "inzwischen geändert" in stale.content.decode()
    assert text.history.count() == seen + 2
