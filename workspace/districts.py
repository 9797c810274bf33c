"""The state and the districts the network starts with: North Rhine-Westphalia and the five
districts of Südwestfalen (migration ``workspace 0009`` creates the same rows).

Code that needs one of them (the demo world, the region's towns, tests) asks here, so a
database without them (a fresh test database, a flushed one) gets them on first use.
"""

from __future__ import annotations

from workspace.models import District, State

NORTH_RHINE_WESTPHALIA = ("05", "Nordrhein-Westfalen", "nordrhein-westfalen")

# Official district keys (the first five digits of the AGS).
HOCHSAUERLANDKREIS = "05958"
MAERKISCHER_KREIS = "05962"
OLPE = "05966"
SIEGEN_WITTGENSTEIN = "05970"
SOEST = "05974"

SOUTH_WESTPHALIA: dict[str, tuple[str, str]] = {
    HOCHSAUERLANDKREIS: ("Hochsauerlandkreis", "hochsauerlandkreis"),
    MAERKISCHER_KREIS: ("Märkischer Kreis", "maerkischer-kreis"),
    OLPE: ("Kreis Olpe", "kreis-olpe"),
    SOEST: ("Kreis Soest", "kreis-soest"),
    SIEGEN_WITTGENSTEIN: ("Kreis Siegen-Wittgenstein", "kreis-siegen-wittgenstein"),
}


def north_rhine_westphalia() -> State:
    key, name, slug = NORTH_RHINE_WESTPHALIA
    state, _ = State.objects.get_or_create(official_key=key, defaults={"name": name, "slug": slug})
    return state


def south_westphalia_district(key: str) -> District:
    """One of the five districts by its official key, created if it is missing."""
    name, slug = SOUTH_WESTPHALIA[key]
    district = District.objects.filter(official_key=key).first()
    if district is None:
        district = District.objects.create(
            official_key=key, name=name, slug=slug, state=north_rhine_westphalia()
        )
    return district


def south_westphalia_districts() -> dict[str, District]:
    """The five districts by official key (one query when they exist)."""
    found = {d.official_key: d for d in District.objects.filter(official_key__in=SOUTH_WESTPHALIA)}
    for key in SOUTH_WESTPHALIA.keys() - found.keys():
        found[key] = south_westphalia_district(key)
    return found
