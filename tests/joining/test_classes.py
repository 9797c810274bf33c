"""/klassen/: each class with its members, and the growth chart whose numbers equal the table's
and the database's."""

from __future__ import annotations

import datetime
import re

import pytest

from tests.factories import MunicipalityFactory
from workspace.models import Cohort, Municipality

pytestmark = pytest.mark.django_db

JOINS = [
    # name, joined on, cohort year (None: a pioneer)
    ("Arnsberg", datetime.date(2020, 6, 1), None),
    ("Soest", datetime.date(2020, 6, 15), None),
    ("Attendorn", datetime.date(2020, 9, 3), 2020),
    ("Brilon", datetime.date(2020, 9, 30), 2020),
    ("Burbach", datetime.date(2020, 12, 1), 2020),
    ("Wilnsdorf", datetime.date(2021, 1, 20), 2020),
    ("Winterberg", datetime.date(2021, 2, 2), 2020),
    ("Olsberg", datetime.date(2022, 5, 9), 2022),
    ("Hemer", datetime.date(2024, 11, 11), 2024),
]


@pytest.fixture
def network(db):
    cohorts = {year: Cohort.objects.create(year=year) for year in (2020, 2022, 2024)}
    for name, joined_on, year in JOINS:
        MunicipalityFactory(
            name=name,
            is_member=True,
            is_pioneer=year is None,
            cohort=cohorts.get(year),
            joined_on=joined_on,
        )
    MunicipalityFactory(name="Bestwig", is_member=False, cohort=None, joined_on=None)
    return cohorts


def _chart_points(html: str) -> dict[str, int]:
    return {
        month: int(total)
        for month, total in re.findall(
            r'<circle[^>]*data-month="([\d-]+)" data-total="(\d+)"', html
        )
    }


def _table_rows(html: str) -> dict[str, int]:
    return {
        month: int(total)
        for month, total in re.findall(
            r'<tr class="kern-table__row" data-month="([\d-]+)">.*?data-total="(\d+)"',
            html,
            re.DOTALL,
        )
    }


def _members_until(month: str) -> int:
    year, number = map(int, month.split("-"))
    end = datetime.date(year + (number == 12), number % 12 + 1, 1)
    return Municipality.objects.members().filter(joined_on__lt=end).count()


def test_the_chart_the_table_and_the_database_agree(client, network):
    html = client.get("/klassen/").content.decode()
    chart, table = _chart_points(html), _table_rows(html)
    assert chart == table
    assert list(chart) == [
        "2020-06",
        "2020-09",
        "2020-12",
        "2021-01",
        "2021-02",
        "2022-05",
        "2024-11",
    ]
    for month, total in chart.items():
        assert total == _members_until(month), month
    assert max(chart.values()) == Municipality.objects.members().count() == 9


def test_a_new_member_moves_the_chart_table_and_class(client, network):
    MunicipalityFactory(
        name="Meschede",
        is_member=True,
        cohort=network[2024],
        joined_on=datetime.date(2024, 11, 25),
    )
    html = client.get("/klassen/").content.decode()
    assert _chart_points(html)["2024-11"] == _table_rows(html)["2024-11"] == 10
    section = html.split('id="klasse-2024"', 1)[1].split("</section>", 1)[0]
    assert "Hemer" in section and "Meschede" in section and "2 Mitglieder" in section


def test_each_class_lists_its_members_and_pioneers_stand_apart(client, network):
    html = client.get("/klassen/").content.decode()
    klasse_2020 = html.split('id="klasse-2020"', 1)[1].split("</section>", 1)[0]
    assert "5 Mitglieder" in klasse_2020
    for name in ("Attendorn", "Brilon", "Burbach", "Wilnsdorf", "Winterberg"):
        assert name in klasse_2020
    assert "Arnsberg" not in klasse_2020 and "Bestwig" not in html
    pioneers = html.split('id="pioniere"', 1)[1].split("</section>", 1)[0]
    assert "Arnsberg" in pioneers and "Soest" in pioneers


def test_the_chart_is_an_image_with_a_name_and_a_description(client, network):
    html = client.get("/klassen/").content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'role="img"' in svg and 'aria-labelledby="wachstum-titel wachstum-beschreibung"' in svg
    assert "Von 2 Mitgliedern im Juni 2020 auf 9 im November 2024" in svg


def test_members_without_a_date_are_counted_and_named(client, network):
    MunicipalityFactory(name="Lennestadt", is_member=True, cohort=None, joined_on=None)
    html = client.get("/klassen/").content.decode()
    assert "Eine weitere Kommune ist Mitglied" in html
    assert "Zum Netzwerk gehören 10 Kommunen" in html


def test_the_classes_page_runs_the_same_queries_for_ten_times_the_members(
    client, network, django_assert_num_queries
):
    # 1 cohorts, 2 their members, 3 pioneers, 4 the members' dates for the growth.
    with django_assert_num_queries(4):
        client.get("/klassen/")
    for n in range(80):
        MunicipalityFactory(
            name=f"Testkommune {n}",
            is_member=True,
            cohort=network[2022],
            joined_on=datetime.date(2022, 1 + n % 12, 1),
        )
    with django_assert_num_queries(4):
        assert client.get("/klassen/").status_code == 200


def test_no_members_yet_shows_an_empty_table_and_no_chart(client, db):
    html = client.get("/klassen/").content.decode()
    assert "Noch keine Mitglieder." in html and "<svg" not in html.split('id="wachstum"')[1]
