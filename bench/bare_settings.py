"""Settings of `make bench`'s throughput servers: the app's own, plus one bare view
(``/_bench/leer/``). bench/bare_wsgi.py removes the middleware for the floor."""

from workspace.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bare_urls"
