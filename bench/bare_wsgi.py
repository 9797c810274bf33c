"""The WSGI application of `make bench`'s throughput servers.

``BENCH_MIDDLEWARE=0`` takes every middleware away once the apps are ready (allauth refuses to
start without its middleware in the settings), so that server is the floor Django itself
sets; otherwise it is the app's own WSGI application with the full middleware.
"""

import os

import django
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.bare_settings")
django.setup(set_prefix=False)
if os.environ.get("BENCH_MIDDLEWARE") == "0":
    settings.MIDDLEWARE = []
application = WSGIHandler()
