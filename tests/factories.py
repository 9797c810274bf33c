"""factory_boy factories for the world the tests build."""

import datetime

import factory
from django.utils.text import slugify

from workspace import districts
from workspace.models import Cohort, District, Membership, Municipality, State, Topic, User


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort
        django_get_or_create = ("year",)

    year = 2020


class StateFactory(factory.django.DjangoModelFactory):
    """North Rhine-Westphalia unless told otherwise; found, not doubled, by its key."""

    class Meta:
        model = State
        django_get_or_create = ("official_key",)

    official_key = districts.NORTH_RHINE_WESTPHALIA[0]
    name = factory.LazyAttribute(
        lambda o: (
            districts.NORTH_RHINE_WESTPHALIA[1]
            if o.official_key == "05"
            else f"Land {o.official_key}"
        )
    )
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


_SOUTH_WESTPHALIA_BY_SLUG = {
    slug: (name, key) for key, (name, slug) in districts.SOUTH_WESTPHALIA.items()
}


class DistrictFactory(factory.django.DjangoModelFactory):
    """One of Südwestfalen's districts by its slug (``district__slug="kreis-olpe"``), found or
    created with its real name and key; any other slug makes a district of that name."""

    class Meta:
        model = District
        django_get_or_create = ("slug",)

    slug = "maerkischer-kreis"
    name = factory.LazyAttribute(
        lambda o: _SOUTH_WESTPHALIA_BY_SLUG.get(o.slug, (o.slug.replace("-", " ").title(),))[0]
    )
    official_key = factory.LazyAttribute(
        lambda o: _SOUTH_WESTPHALIA_BY_SLUG.get(o.slug, ("", ""))[1]
    )
    state = factory.SubFactory(StateFactory)


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality

    name = factory.Sequence(lambda n: f"Musterstadt {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    district = factory.SubFactory(DistrictFactory)
    is_member = True
    is_pioneer = False
    joined_on = datetime.date(2020, 9, 1)
    cohort = factory.SubFactory(CohortFactory)


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    name = factory.Sequence(lambda n: f"Thema {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    display_name = factory.Faker("name", locale="de_DE")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("geheim-und-lang-genug")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    municipality = factory.SubFactory(MunicipalityFactory)
    role = Membership.Role.STAFF
    started_on = datetime.date(2021, 1, 1)
