"""Settings of `make bench`'s throughput servers: the app's own, plus one bare view.

``BENCH_MIDDLEWARE=0`` removes every middleware (the floor Django itself sets); otherwise the
app's full middleware runs in front of the bare view and of every page.
"""

import os

from workspace.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bare_urls"
if os.environ.get("BENCH_MIDDLEWARE") == "0":
    MIDDLEWARE = []
