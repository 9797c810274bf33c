"""Every open session gets the record a login now leaves (allauth's UserSession), so a
person's sessions are found by that record alone (workspace.personal_data.sessions_of).

Sessions from before had one only if allauth made the login; this decodes each open session
once, here, instead of on every search for a person's sessions.
"""

from django.conf import settings
from django.db import migrations
from django.utils import timezone


def record_open_sessions(apps, schema_editor):
    from django.contrib.sessions.backends.db import SessionStore

    Session = apps.get_model("sessions", "Session")
    UserSession = apps.get_model("usersessions", "UserSession")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    db = schema_editor.connection.alias
    recorded = set(UserSession.objects.using(db).values_list("session_key", flat=True))
    owners = {}
    sessions = Session.objects.using(db).filter(expire_date__gt=timezone.now())
    for key, data in sessions.values_list("session_key", "session_data").iterator():
        if key in recorded:
            continue
        user_id = SessionStore().decode(data).get("_auth_user_id")
        if user_id is not None and str(user_id).isdigit():
            owners[key] = int(user_id)
    existing = set(
        User.objects.using(db).filter(pk__in=set(owners.values())).values_list("pk", flat=True)
    )
    UserSession.objects.using(db).bulk_create(
        UserSession(session_key=key, user_id=user_id, ip="0.0.0.0", user_agent="")  # noqa: S104
        for key, user_id in owners.items()
        if user_id in existing
    )


class Migration(migrations.Migration):
    dependencies = [
        ("identity", "0001_initial"),
        ("sessions", "0001_initial"),
        ("usersessions", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(record_open_sessions, migrations.RunPython.noop)]
