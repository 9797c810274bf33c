"""The 59 towns and municipalities of Südwestfalen, by district: what the join form offers.

Members already in the database keep their own record; a request for one of these names finds
that record by name, and a name not yet in the database is created with the district named here.
"""

from __future__ import annotations

from workspace.models import Municipality

D = Municipality.District

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

DISTRICT_OF: dict[str, str] = {
    name: district for district, names in SOUTH_WESTPHALIA.items() for name in names
}


def grouped_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Choices for a select: one group per district, the towns in alphabetical order."""
    return [
        (str(D(district).label), [(name, name) for name in sorted(names)])
        for district, names in SOUTH_WESTPHALIA.items()
    ]
