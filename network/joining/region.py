"""The 59 towns and municipalities of Südwestfalen, by district: the towns the join form offers
in this network.

The join form lists the municipalities in the database (``network/joining/selectors.py``);
this module brings the region's towns there, each into its district: the demo world does it,
and a new installation with ``manage.py seed_region``. Towns already in the database keep their
own record.
"""

from __future__ import annotations

from django.db import transaction

from workspace import districts as D
from workspace.models import Municipality
from workspace.text import german_slugify

SOUTH_WESTPHALIA: dict[str, list[str]] = {
    D.HOCHSAUERLANDKREIS: [
        "Arnsberg", "Bestwig", "Brilon", "Eslohe", "Hallenberg", "Marsberg", "Medebach",
        "Meschede", "Olsberg", "Schmallenberg", "Sundern", "Winterberg",
    ],
    D.MAERKISCHER_KREIS: [
        "Altena", "Balve", "Halver", "Hemer", "Herscheid", "Iserlohn", "Kierspe", "Lüdenscheid",
        "Meinerzhagen", "Menden", "Nachrodt-Wiblingwerde", "Neuenrade", "Plettenberg",
        "Schalksmühle", "Werdohl",
    ],
    D.OLPE: ["Attendorn", "Drolshagen", "Finnentrop", "Kirchhundem", "Lennestadt", "Olpe", "Wenden"],
    D.SOEST: [
        "Anröchte", "Bad Sassendorf", "Ense", "Erwitte", "Geseke", "Lippetal", "Lippstadt",
        "Möhnesee", "Rüthen", "Soest", "Warstein", "Welver", "Werl", "Wickede (Ruhr)",
    ],
    D.SIEGEN_WITTGENSTEIN: [
        "Bad Berleburg", "Bad Laasphe", "Burbach", "Erndtebrück", "Freudenberg", "Hilchenbach",
        "Kreuztal", "Netphen", "Neunkirchen", "Siegen", "Wilnsdorf",
    ],
}  # fmt: skip

# The towns of the list that are Gemeinden (the others are Städte).
GEMEINDEN = {
    "Bestwig", "Eslohe", "Finnentrop", "Kirchhundem", "Wenden", "Anröchte", "Bad Sassendorf",
    "Ense", "Lippetal", "Möhnesee", "Welver", "Wickede (Ruhr)", "Burbach", "Erndtebrück",
    "Neunkirchen", "Wilnsdorf", "Herscheid", "Nachrodt-Wiblingwerde", "Schalksmühle",
}  # fmt: skip


@transaction.atomic
def region_seed() -> int:
    """Put the region's towns that are missing into the database, as municipalities that are
    not (yet) members; returns how many were added. A second run adds nothing."""
    districts = D.south_westphalia_districts()
    wanted = {
        german_slugify(name): (name, key)
        for key, names in SOUTH_WESTPHALIA.items()
        for name in names
    }
    present = set(Municipality.objects.filter(slug__in=wanted).values_list("slug", flat=True))
    missing = [
        Municipality(
            name=name,
            slug=slug,
            district=districts[key],
            kind=Municipality.Kind.MUNICIPALITY if name in GEMEINDEN else Municipality.Kind.CITY,
        )
        for slug, (name, key) in wanted.items()
        if slug not in present
    ]
    for municipality in missing:
        municipality.full_clean()
    Municipality.objects.bulk_create(missing)
    return len(missing)
