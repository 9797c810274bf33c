"""North Rhine-Westphalia and the five districts of Südwestfalen as rows; each municipality's
former district code (hsk, mk, oe, so, si) becomes a reference to its row. Reversible: going
back writes the codes again (and refuses if a municipality lies outside the five)."""

from django.db import migrations

STATE = {"name": "Nordrhein-Westfalen", "slug": "nordrhein-westfalen", "official_key": "05"}

# code of the choices this replaces → (name, slug, official district key)
DISTRICTS = {
    "hsk": ("Hochsauerlandkreis", "hochsauerlandkreis", "05958"),
    "mk": ("Märkischer Kreis", "maerkischer-kreis", "05962"),
    "oe": ("Kreis Olpe", "kreis-olpe", "05966"),
    "so": ("Kreis Soest", "kreis-soest", "05974"),
    "si": ("Kreis Siegen-Wittgenstein", "kreis-siegen-wittgenstein", "05970"),
}


def forward(apps, schema_editor):
    State = apps.get_model("workspace", "State")
    District = apps.get_model("workspace", "District")
    Municipality = apps.get_model("workspace", "Municipality")
    state, _ = State.objects.get_or_create(
        official_key=STATE["official_key"],
        defaults={"name": STATE["name"], "slug": STATE["slug"]},
    )
    for code, (name, slug, key) in DISTRICTS.items():
        district, _ = District.objects.get_or_create(
            official_key=key, defaults={"name": name, "slug": slug, "state": state}
        )
        Municipality.objects.filter(district=code).update(district_ref=district)
    unknown = Municipality.objects.filter(district_ref__isnull=True)
    if unknown.exists():
        names = ", ".join(unknown.values_list("name", flat=True)[:10])
        raise RuntimeError(f"Kommunen mit unbekanntem Kreis: {names}")


def backward(apps, schema_editor):
    Municipality = apps.get_model("workspace", "Municipality")
    code_of = {key: code for code, (_name, _slug, key) in DISTRICTS.items()}
    outside = Municipality.objects.exclude(district_ref__official_key__in=code_of)
    if outside.exists():
        names = ", ".join(outside.values_list("name", flat=True)[:10])
        raise RuntimeError(
            f"Diese Kommunen liegen in keinem der fünf Kreise Südwestfalens: {names}"
        )
    for key, code in code_of.items():
        Municipality.objects.filter(district_ref__official_key=key).update(district=code)


class Migration(migrations.Migration):
    dependencies = [
        ("workspace", "0008_states_and_districts"),
    ]

    operations = [migrations.RunPython(forward, backward)]
