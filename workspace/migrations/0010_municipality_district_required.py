"""The district reference replaces the code and is required; names may repeat (the official
key may not, where it is given)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("workspace", "0009_municipality_districts_as_data"),
    ]

    operations = [
        # Blank first, so going back can add the code column to filled tables again.
        migrations.AlterField(
            model_name="municipality",
            name="district",
            field=models.CharField(blank=True, default="", max_length=3),
        ),
        migrations.RemoveField(model_name="municipality", name="district"),
        migrations.RenameField(
            model_name="municipality", old_name="district_ref", new_name="district"
        ),
        migrations.AlterField(
            model_name="municipality",
            name="district",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="municipalities",
                to="workspace.district",
                verbose_name="Kreis",
            ),
        ),
        migrations.AlterField(
            model_name="municipality",
            name="name",
            field=models.CharField(max_length=100, verbose_name="Name"),
        ),
        migrations.AlterModelOptions(
            name="municipality",
            options={
                "ordering": ["name", "pk"],
                "verbose_name": "Kommune",
                "verbose_name_plural": "Kommunen",
            },
        ),
        migrations.AddConstraint(
            model_name="municipality",
            constraint=models.UniqueConstraint(
                condition=models.Q(("official_key", ""), _negated=True),
                fields=("official_key",),
                name="workspace_municipality_official_key_unique",
                violation_error_message="Eine Kommune mit diesem Schlüssel gibt es schon.",
            ),
        ),
        migrations.AddIndex(
            model_name="municipality",
            index=models.Index(
                condition=models.Q(("is_member", True)),
                fields=["-is_pioneer", "name", "id"],
                name="workspace_member_list_order",
            ),
        ),
        migrations.AddIndex(
            model_name="municipality",
            index=models.Index(fields=["name", "id"], name="workspace_municipality_by_name"),
        ),
    ]
