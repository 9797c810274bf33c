"""The demo world: complete, idempotent, and never in a real installation."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from workspace.models import Cohort, Membership, Municipality, User
from workspace.permissions import is_network_member, is_network_office

pytestmark = pytest.mark.django_db


def _dump() -> str:
    out = StringIO()
    call_command("dumpdata", "--natural-foreign", "--indent=1", stdout=out)
    return out.getvalue()


def test_seeding_twice_gives_identical_data():
    call_command("seed_demo", stdout=StringIO())
    first = _dump()
    call_command("seed_demo", stdout=StringIO())
    assert _dump() == first


def test_demo_world_has_the_network_of_the_page():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert Municipality.objects.members().count() == 20
    assert set(Municipality.objects.pioneers().values_list("name", flat=True)) == {
        "Arnsberg",
        "Bad Berleburg",
        "Menden",
        "Olpe",
        "Soest",
    }
    assert Municipality.objects.get(name="Lüdenscheid").district.name == "Märkischer Kreis"
    # The join form's list: all 59 towns of Südwestfalen, the 39 others not (yet) members.
    assert Municipality.objects.count() == 59
    assert Municipality.objects.filter(district__state__name="Nordrhein-Westfalen").count() == 59
    assert list(Cohort.objects.values_list("year", flat=True)) == [2020, 2021]
    klasse_2020 = Municipality.objects.filter(cohort__year=2020)
    assert klasse_2020.filter(joined_on__year=2020).count() == 13
    for username in [
        "buero",
        "steuerkreis-arnsberg",
        "koordination-menden",
        "team-iserlohn",
        "kommune-brilon",
    ]:
        user = User.objects.get(username=username)
        assert user.check_password("demo")
        assert username in out.getvalue()
    assert is_network_office(User.objects.get(username="buero"))
    assert not is_network_office(User.objects.get(username="kommune-brilon"))
    assert is_network_member(User.objects.get(username="kommune-brilon"))
    assert Membership.objects.get(user__username="team-iserlohn").municipality.name == "Iserlohn"


def test_seeding_is_refused_without_debug(settings):
    settings.DEBUG = False
    settings.TESTING = False
    with pytest.raises(CommandError, match="DEBUG=1"):
        call_command("seed_demo", stdout=StringIO())
    assert not Municipality.objects.exists()
