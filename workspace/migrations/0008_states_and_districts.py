"""States and districts become data (issue 27); municipalities point at their district.

Three steps, each its own transaction: PostgreSQL refuses to alter a table in the transaction
that has just updated its rows while their foreign keys are still unchecked (deferred).
This first one adds the tables and the new, still optional reference.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("workspace", "0007_accesstoken"),
    ]

    operations = [
        migrations.CreateModel(
            name="State",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100, unique=True, verbose_name="Name")),
                ("slug", models.SlugField(max_length=100, unique=True, verbose_name="Kurzname")),
                (
                    "official_key",
                    models.CharField(
                        help_text="Die ersten zwei Ziffern des Gemeindeschlüssels, zum Beispiel 05.",
                        max_length=2,
                        unique=True,
                        verbose_name="Amtlicher Schlüssel",
                    ),
                ),
            ],
            options={
                "verbose_name": "Land",
                "verbose_name_plural": "Länder",
                "ordering": ["name"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("official_key__regex", "^[0-9]{2}$")),
                        name="workspace_state_official_key_two_digits",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="District",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100, verbose_name="Name")),
                ("slug", models.SlugField(max_length=100, unique=True, verbose_name="Kurzname")),
                (
                    "kind",
                    models.CharField(
                        choices=[("kreis", "Kreis"), ("kreisfreie-stadt", "Kreisfreie Stadt")],
                        default="kreis",
                        max_length=16,
                        verbose_name="Art",
                    ),
                ),
                (
                    "official_key",
                    models.CharField(
                        blank=True,
                        help_text="Die ersten fünf Ziffern des Gemeindeschlüssels, zum Beispiel 05958.",
                        max_length=5,
                        verbose_name="Amtlicher Kreisschlüssel",
                    ),
                ),
                (
                    "state",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="districts",
                        to="workspace.state",
                        verbose_name="Land",
                    ),
                ),
            ],
            options={
                "verbose_name": "Kreis",
                "verbose_name_plural": "Kreise",
                "ordering": ["name", "pk"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("state", "name"), name="workspace_district_name_unique_in_state"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("official_key", ""),
                            ("official_key__regex", "^[0-9]{5}$"),
                            _connector="OR",
                        ),
                        name="workspace_district_official_key_five_digits",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("official_key", ""), _negated=True),
                        fields=("official_key",),
                        name="workspace_district_official_key_unique",
                        violation_error_message="Einen Kreis mit diesem Schlüssel gibt es schon.",
                    ),
                ],
            },
        ),
        migrations.AddField(
            model_name="municipality",
            name="district_ref",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="workspace.district",
            ),
        ),
    ]
