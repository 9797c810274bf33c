"""States and districts are data: names may repeat across Germany, official keys may not, and
the migration maps the five former district codes of Südwestfalen onto rows (and back)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from tests.factories import DistrictFactory, MunicipalityFactory, StateFactory
from workspace.models import District, Municipality


@pytest.mark.django_db
def test_two_towns_may_share_a_name_in_different_districts():
    olpe = DistrictFactory(slug="kreis-olpe")
    bavaria = StateFactory(official_key="09", name="Bayern")
    coburg = DistrictFactory(slug="landkreis-coburg", state=bavaria, official_key="09473")
    first = MunicipalityFactory(name="Neustadt", slug="neustadt", district=olpe)
    second = MunicipalityFactory(
        name="Neustadt", slug="neustadt-bei-coburg", district=coburg, official_key="09473152"
    )
    second.full_clean()
    assert list(Municipality.objects.filter(name="Neustadt").order_by("pk")) == [first, second]
    assert second.district.state.name == "Bayern"


@pytest.mark.django_db
def test_an_official_key_belongs_to_one_municipality_only():
    MunicipalityFactory(official_key="05958004")
    twin = Municipality(
        name="Arnsberg", slug="arnsberg-2", district=DistrictFactory(), official_key="05958004"
    )
    with pytest.raises(ValidationError, match="Eine Kommune mit diesem Schlüssel gibt es schon"):
        twin.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


@pytest.mark.django_db
def test_towns_without_a_key_do_not_collide():
    MunicipalityFactory(official_key="")
    MunicipalityFactory(official_key="")
    assert Municipality.objects.filter(official_key="").count() == 2


@pytest.mark.django_db
def test_a_district_key_has_five_digits_and_is_unique():
    DistrictFactory(slug="kreis-soest")
    with pytest.raises(IntegrityError), transaction.atomic():
        District.objects.create(
            name="Doppelt", slug="doppelt", state=StateFactory(), official_key="05974"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        District.objects.create(name="Kurz", slug="kurz", state=StateFactory(), official_key="0597")


@pytest.mark.django_db
def test_a_district_in_use_cannot_be_deleted():
    municipality = MunicipalityFactory()
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        municipality.district.delete()


@pytest.mark.django_db(transaction=True)
def test_the_migration_maps_the_five_codes_to_districts_and_back():
    before = [("workspace", "0008_states_and_districts")]
    after = [("workspace", "0010_municipality_district_required")]
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate(before)
        old = MigrationExecutor(connection).loader.project_state(before).apps
        Old = old.get_model("workspace", "Municipality")
        codes = {"warstein": "so", "brilon": "hsk", "olpe": "oe", "siegen": "si", "iserlohn": "mk"}
        for slug, code in codes.items():
            Old.objects.create(name=slug.title(), slug=slug, district=code)

        executor = MigrationExecutor(connection)
        executor.migrate(after)
        new = executor.loader.project_state(after).apps
        New = new.get_model("workspace", "Municipality")
        districts = dict(New.objects.values_list("slug", "district__official_key"))
        assert districts == {
            "warstein": "05974",
            "brilon": "05958",
            "olpe": "05966",
            "siegen": "05970",
            "iserlohn": "05962",
        }
        assert set(New.objects.values_list("district__state__name", flat=True)) == {
            "Nordrhein-Westfalen"
        }

        executor = MigrationExecutor(connection)
        executor.migrate(before)
        old = executor.loader.project_state(before).apps
        restored = dict(
            old.get_model("workspace", "Municipality").objects.values_list("slug", "district")
        )
        assert restored == codes
    finally:
        MigrationExecutor(connection).migrate(latest)
