"""``manage.py seed_scale``: a tiny synthetic network that the pages, rules and search serve
like a real one; and the command refuses what it must (SQLite, a filled database)."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from projects.models import HistoricalResult, LeadProject, Result, TeamMembership
from tests.matrix import HIDE, LOGIN, OK, check_answer, client_for
from workspace.models import Membership, Municipality, User

ROOT = Path(__file__).resolve().parents[2]


def test_on_sqlite_it_stops_with_a_german_message(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "PYTEST_XDIST_WORKER", "PYTEST_CURRENT_TEST")
    }
    env.update(DEBUG="1", SQLITE_PATH=str(tmp_path / "leer.sqlite3"))
    done = subprocess.run(  # noqa: S603 – our own manage.py with fixed arguments
        [sys.executable, "manage.py", "seed_scale", "--scale", "0.001"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "seed_scale schreibt nur in PostgreSQL" in done.stderr
    assert not (tmp_path / "leer.sqlite3").exists() or (
        (tmp_path / "leer.sqlite3").stat().st_size == 0
    )


def _seed(**options) -> str:
    out = StringIO()
    call_command("seed_scale", scale=0.001, jobs=1, stdout=out, **options)
    return out.getvalue()


@pytest.mark.services
@pytest.mark.django_db
def test_a_tiny_network_serves_like_a_real_one(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    report = _seed()
    assert "Fertig in" in report and "groß" in report

    # Counts as scaled (national figures × 0.001, with small floors).
    assert User.objects.count() >= 100
    assert Municipality.objects.count() >= 11
    assert LeadProject.objects.count() == 10
    assert Result.objects.filter(project__isnull=False).count() == 50
    assert HistoricalResult.objects.filter(project__isnull=False).count() == 1000
    assert Result.objects.filter(municipality__isnull=False).count() == 30  # adopted copies
    # Every result's current row is its last history row.
    result = Result.objects.filter(project__isnull=False).order_by("pk").first()
    last = HistoricalResult.objects.filter(id=result.pk).order_by("-history_id").first()
    assert (last.revision, last.body) == (result.revision, result.body)

    # Refused a second time: the database now holds more than the demo world.
    with pytest.raises(CommandError, match="mehr als die Demo-Welt"):
        _seed()

    # A visitor sees a public project; a team-only project stays hidden from anyone outside
    # its team (login for visitors, 404 for others) and opens for its team.
    public = LeadProject.objects.filter(visibility="public").first()
    url = public.get_absolute_url()
    check_answer(client_for(None).get(url), OK, url=url, where="Besucher, öffentlich")
    team_only = LeadProject.objects.filter(visibility="team")
    assert team_only.exists()
    for project in team_only[:3]:
        url = project.get_absolute_url()
        member = TeamMembership.objects.filter(project=project).first().user
        outsider = (
            User.objects.filter(memberships__municipality__is_member=True)
            .exclude(team_memberships__project=project)
            .exclude(groups__name="Geschäftsstelle")
            .first()
        )
        check_answer(client_for(None).get(url), LOGIN, url=url, where="Besucher, Team")
        check_answer(client_for(outsider).get(url), HIDE, url=url, where="Mitglied, Team")
        check_answer(client_for(member).get(url), OK, url=url, where="Team, Team")
    # A network-only project: members of the network see it, staff of non-members do not.
    network = LeadProject.objects.filter(visibility="network").first()
    if network is not None:
        url = network.get_absolute_url()
        member = (
            Membership.objects.filter(municipality__is_member=True, ended_on__isnull=True)
            .exclude(user__team_memberships__project=network)
            .first()
            .user
        )
        check_answer(client_for(member).get(url), OK, url=url, where="Mitglied, Netzwerk")

    # The search finds a published result of a public project by the words of its title.
    found = Result.objects.filter(
        project__visibility="public", maturity="tested", is_archived=False
    ).first()
    assert found is not None
    response = client_for(None).get("/suche/", {"q": found.title.split(" (")[0]})
    assert response.status_code == 200
    assert found.get_absolute_url() in response.content.decode()
