"""gunicorn for Klassenraum's HTTP side (WSGI workers behind nginx; /ws/ goes to uvicorn).

Read by ``deploy/systemd/klassenraum-web.service`` and ``make serve``; every value can be set
from the environment file, so an operator changes no code.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
# Synchronous workers: Django's views are synchronous, and nginx buffers slow clients.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests, so a slow leak never grows without end.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
# X-Forwarded-* are believed only from the proxies the app trusts too (workspace/clients.py
# names the client from X-Forwarded-For; gunicorn itself only reads the scheme). gunicorn 23
# takes single addresses, no networks: those are left to the app's own check.
forwarded_allow_ips = ",".join(
    [
        address.strip()
        for address in os.environ.get("TRUSTED_PROXIES", "").split(",")
        if address.strip() and "/" not in address
    ]
)
proxy_allow_ips = forwarded_allow_ips
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"


def child_exit(server, worker):
    """A worker that ends takes its live gauges with it (prometheus_client multiprocess)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
