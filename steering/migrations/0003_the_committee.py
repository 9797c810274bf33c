"""The one committee, with the default rules, so that no page has to create it on first use."""

from django.db import migrations


def create(apps, schema_editor):
    apps.get_model("steering", "Committee").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("steering", "0002_agreements_are_immutable")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
