"""WSGI entry point: production serves HTTP through WSGI workers (see README)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workspace.settings")

application = get_wsgi_application()
