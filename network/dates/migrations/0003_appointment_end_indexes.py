"""Indexes by a date's end: what is to come and the latest past, without reading the history."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("dates", "0002_search_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="appointment",
            index=models.Index(fields=["ends_at", "id"], name="dates_appointment_end"),
        ),
        migrations.AddIndex(
            model_name="appointment",
            index=models.Index(fields=["kind", "ends_at"], name="dates_appointment_kind_end"),
        ),
    ]
