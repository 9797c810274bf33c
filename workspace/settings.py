"""Settings of Klassenraum, read from the environment (django-environ).

Every variable is optional: without any, the embedded default runs (SQLite in WAL mode,
in-memory channel layer, mail to the console). A bad value fails loudly at start.
"""

import ipaddress
import os
import socket
import sys
from datetime import timedelta
from pathlib import Path

import environ
import redis.exceptions
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
# Under pytest the insecure development key is allowed; production never imports pytest.
TESTING = env.bool("KLASSENRAUM_TESTING", default="pytest" in sys.modules)
# Set by manage.py: commands like `makemigrations --check` or `migrate` sign nothing, so they
# run without a key; serving (wsgi.py, asgi.py) never does without one, and `check --deploy`
# names the stand-in key as insecure.
MANAGEMENT_COMMAND = env.bool("KLASSENRAUM_MANAGEMENT_COMMAND", default=False)

_INSECURE_DEV_KEY = "django-insecure-nur-fuer-die-lokale-entwicklung-klassenraum"
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not (DEBUG or TESTING or MANAGEMENT_COMMAND):
        raise ImproperlyConfigured(
            "SECRET_KEY fehlt: ohne DEBUG=1 braucht Klassenraum einen geheimen Schlüssel."
        )
    SECRET_KEY = _INSECURE_DEV_KEY

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if (DEBUG or TESTING) else []
)
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured("SITE_URL muss mit http:// oder https:// beginnen.")

INSTALLED_APPS = [
    "workspace",
    "workspace.identity",
    "workspace.audit",
    "projects",
    "steering",
    "network.joining",
    "network.guides",
    "network.dates",
    "network.newsletter",
    "network.discussion",  # NOTIFY
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Django's own widget templates, found through TEMPLATES below (FORM_RENDERER).
    "django.forms",
    "guardian",
    "simple_history",
    "channels",
    "django_htmx",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Single sign-on and second factors (workspace/identity): allauth's protocol code.
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
    "allauth.usersessions",
]

MIDDLEWARE = [
    # First, so it times the whole answer (workspace/metrics.py).
    "workspace.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Outside the security headers' middleware, so it finds X-Frame-Options already set.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Synchronous, so the WSGI path never goes through async_to_sync (servestatic's middleware
    # is async-only and cost every request a thread and an event loop). Behind nginx it only
    # serves what nginx does not (deploy/nginx serves /static/ itself).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "workspace.middleware.ContentSecurityPolicyMiddleware",
    # Django's, making a visitor's session store only when something uses it.
    "workspace.middleware.SessionMiddleware",
    # Django's, deciding each cookie and Accept-Language pair once (workspace/middleware.py).
    "workspace.middleware.LocaleMiddleware",
    # Before anything reads a request's data: non-UTF-8 text and NUL are answered with 400
    # (after the locale, so the page speaks the visitor's language).
    "workspace.middleware.RequestEncodingMiddleware",
    # Django's, checking the Host once per distinct host (workspace/middleware.py).
    "workspace.middleware.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, with the person read along with the session when the cache kept them.
    "workspace.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "workspace.middleware.UserLanguageMiddleware",
    # Django's, making the message storage only when something reads or adds a message.
    "workspace.middleware.MessageMiddleware",
    # Who must use a second factor can use nothing else until they have (workspace/identity).
    "workspace.identity.middleware.SecondFactorMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # simple_history's, for the requests that may write a version (not GET, HEAD, OPTIONS).
    "workspace.middleware.history_request_middleware",
    "workspace.access.LoginRequiredMiddleware",
    # Axes last, as its documentation asks: it answers a locked-out login itself (its own
    # middleware, deciding sync or async once; workspace/middleware.py).
    "workspace.middleware.AxesMiddleware",
    # After every check, so it only ever answers what the view answered (workspace/pagecache.py).
    "workspace.pagecache.PageCacheMiddleware",
]

ROOT_URLCONF = "workspace.urls"
WSGI_APPLICATION = "workspace.wsgi.application"
ASGI_APPLICATION = "workspace.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "workspace.context_processors.site",
            ],
        },
    },
]

# Widgets render through the project's template engine, so templates/django/forms/ can replace
# Django's select, which includes two templates for every option.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- Database -----------------------------------------------------------------------------
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db_url("DATABASE_URL")}
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_URL muss auf PostgreSQL zeigen (postgres://…).")
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env.str("SQLITE_PATH", default=str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so concurrent saves wait for it
                # (busy timeout) instead of failing with "database is locked" on upgrade.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache --------------------------------------------------------------------------------
# Per process by default. With several server processes set CACHE_URL (a Redis database of
# its own, e.g. redis://127.0.0.1:6379/1), so a changed glossary term reaches every process
# at once instead of when its cached copy expires.
CACHE_URL = env.str("CACHE_URL", default="")
# Parallel test workers (pytest-xdist) sharing one Redis each keep their own keys.
CACHE_KEY_PREFIX = env.str("CACHE_KEY_PREFIX", default="klassenraum") + (
    f"-{os.environ['PYTEST_XDIST_WORKER']}"
    if TESTING and "PYTEST_XDIST_WORKER" in os.environ
    else ""
)
# Both count their hits and misses for the metrics (workspace/metrics.py).
CACHES = {"default": {"BACKEND": "workspace.metrics.LocMemCacheWithMetrics"}}
if CACHE_URL:
    if not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured("CACHE_URL muss mit redis://, rediss:// oder unix:// beginnen.")
    CACHES = {
        "default": {
            "BACKEND": "workspace.metrics.RedisCacheWithMetrics",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }
# Sessions: with a shared cache read from it (one Redis GET instead of a database query on every
# request) and written to both; workspace/sessions.py ends someone else's session in both.
SESSION_ENGINE = (
    "workspace.sessions"  # cached_db, reading the session's person in the same round trip
    if CACHE_URL
    else "django.contrib.sessions.backends.db"
)
# The counters of the rate limits (workspace/ratelimit.py) are shared by all processes as soon
# as there is a Redis: CACHE_URL's, else REDIS_URL's (their keys start with the prefix).
_COUNTER_URL = CACHE_URL or env.str("REDIS_URL", default="")
CACHES["ratelimit"] = (
    {
        "BACKEND": "workspace.metrics.RedisCacheWithMetrics",
        "LOCATION": _COUNTER_URL,
        "KEY_PREFIX": CACHE_KEY_PREFIX,
    }
    if _COUNTER_URL.startswith(("redis://", "rediss://", "unix://"))
    else {"BACKEND": "workspace.metrics.LocMemCacheWithMetrics", "LOCATION": "ratelimit"}
)

# Rate limits of the public forms, per client address (generous: a town hall shares one) and
# per person (the account, else the e-mail address typed in): "<count>/<period>", the period
# s, m, h or d with an optional factor ("5/10m"). Each can be set in the environment, e.g.
# RATE_LIMIT_JOIN_ADDRESS=40/h or RATE_LIMIT_SEARCH_PERSON=30/m.
RATE_LIMITS = {
    "join": {"address": "30/h", "person": "3/h"},
    "newsletter": {"address": "30/h", "person": "3/h"},
    "password_reset": {"address": "30/h", "person": "3/h"},
    "suggestion": {"address": "30/h", "person": "5/h"},
    "barrier_report": {"address": "30/h", "person": "5/h"},
    "comment": {"address": "300/h", "person": "30/10m"},
    "search": {"address": "600/m", "person": "60/m"},
}
for _form, _limits in RATE_LIMITS.items():
    for _kind in _limits:
        _name = f"RATE_LIMIT_{_form.upper()}_{_kind.upper()}"
        _limits[_kind] = env.str(_name, default=_limits[_kind]).strip()
        _count, _slash, _period = _limits[_kind].partition("/")
        if not (
            _slash
            and _count.isdigit()
            and _period[-1:] in ("s", "m", "h", "d")
            and (_period[:-1] or "1").isdigit()
            and int(_period[:-1] or "1") > 0
        ):
            raise ImproperlyConfigured(
                f"{_name}: „{_limits[_kind]}“ ist keine Rate (z. B. 20/h oder 5/10m)."
            )

# Reading pages served whole from the cache and retired by every write (workspace/pagecache.py):
# on when the cache is shared, since a write in one process must retire the pages of all.
PAGE_CACHE = env.bool("PAGE_CACHE", default=bool(CACHE_URL))

# --- Channel layer ------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured("REDIS_URL muss mit redis://, rediss:// oder unix:// beginnen.")
    # Pub/sub: one PUBLISH per group send and one subscriber connection per process, however
    # many sockets are open. (The list-based RedisChannelLayer opened pool connections per
    # socket and failed with MaxConnectionsError when hundreds of pages opened at once.)
    # Parallel test workers (pytest-xdist) share one Redis: each gets its own groups and
    # presence keys (workspace/presence.py), as if it were a separate installation.
    CHANNEL_LAYER_PREFIX = env.str("CHANNEL_LAYER_PREFIX", default="klassenraum") + (
        f"-{os.environ['PYTEST_XDIST_WORKER']}"
        if TESTING and "PYTEST_XDIST_WORKER" in os.environ
        else ""
    )
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                # After Redis restarts, the first publish on the old connection fails; retry
                # it once on a fresh one instead of losing that event.
                "hosts": [
                    {"address": REDIS_URL, "retry_on_error": [redis.exceptions.ConnectionError]}
                ],
                "prefix": CHANNEL_LAYER_PREFIX,
            },
        }
    }
else:
    # The in-memory layer silently drops messages beyond a channel's capacity (default 100).
    # Channels' own, with its expiry sweep rationed so an event's cost per page does not grow
    # with the number of open pages (workspace/layers.py).
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "workspace.layers.InMemoryChannelLayer",
            "CONFIG": {"capacity": 1000},
        }
    }

# --- Mail ---------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Klassenraum <klassenraum@smartcities-schule.invalid>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# workspace/mail.py: a request never waits longer than this on a mail server that hangs; a
# mail that fails is tried again by the worker after each of these waits (seconds), then
# listed for the office ("Postausgang").
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
MAIL_RETRY_DELAYS = [
    int(seconds)
    for seconds in env.list("MAIL_RETRY_DELAYS", default=["60", "300", "1800", "7200", "21600"])
]
if any(seconds < 0 for seconds in MAIL_RETRY_DELAYS):
    raise ImproperlyConfigured("MAIL_RETRY_DELAYS sind Sekunden, keine negativen Zahlen.")

# --- Background work ----------------------------------------------------------------------
# Tasks wait in the database, so the embedded default needs no extra service; `make run`
# starts `manage.py db_worker` beside the server, production runs it as its own process.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- Portable lead projects ---------------------------------------------------------------
# What an imported archive may be (projects/portable.py): its size, its number of entries and
# what they unpack to, counted while reading (a zip's own headers are not trusted).
PORTABLE_MAX_ARCHIVE_BYTES = env.int("PORTABLE_MAX_ARCHIVE_BYTES", default=200 * 1024 * 1024)
PORTABLE_MAX_FILES = env.int("PORTABLE_MAX_FILES", default=5000)
PORTABLE_MAX_UNPACKED_BYTES = env.int("PORTABLE_MAX_UNPACKED_BYTES", default=1024 * 1024 * 1024)
for _name in ("PORTABLE_MAX_ARCHIVE_BYTES", "PORTABLE_MAX_FILES", "PORTABLE_MAX_UNPACKED_BYTES"):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} muss eine positive ganze Zahl sein.")

# --- Attachments (workspace/attachments.py) --------------------------------------------------
# clamd, spoken to with INSTREAM: "127.0.0.1:3310" or a socket path ("/run/clamav/clamd.ctl").
# Empty: uploads are not scanned. Set, every upload waits "in Prüfung" until clamd says clean.
# clamd's StreamMaxLength must be above the upload limit (25 MB).
CLAMD_ADDRESS = env.str("CLAMD_ADDRESS", default="")
CLAMD_TIMEOUT_SECONDS = env.int("CLAMD_TIMEOUT_SECONDS", default=30)
if CLAMD_ADDRESS and not (
    CLAMD_ADDRESS.startswith("/") or CLAMD_ADDRESS.rpartition(":")[2].isdigit()
):
    raise ImproperlyConfigured(
        "CLAMD_ADDRESS ist „Host:Port“ (z. B. 127.0.0.1:3310) oder der Pfad eines Sockets."
    )

# Newsletter sending (network/newsletter/services.py): a send task mails a batch, then queues
# the next; a sender that has not renewed its lease for this long is taken to have crashed,
# and its issue is resumed by the watchdog task waiting in the queue.
NEWSLETTER_BATCH_SIZE = env.int("NEWSLETTER_BATCH_SIZE", default=100)
NEWSLETTER_LEASE_SECONDS = env.float("NEWSLETTER_LEASE_SECONDS", default=60.0)

# Notifications (workspace/notifications.py): digests go out at this hour, local time;  # NOTIFY
# a comment (network/discussion) may be corrected for this many minutes.               # NOTIFY
NOTIFICATION_DIGEST_HOUR = env.int("NOTIFICATION_DIGEST_HOUR", default=6)  # NOTIFY
DISCUSSION_EDIT_MINUTES = env.int("DISCUSSION_EDIT_MINUTES", default=15)  # NOTIFY
# The background worker writes a notification's rows for this many people at a time.
NOTIFICATION_BATCH_SIZE = env.int("NOTIFICATION_BATCH_SIZE", default=1000)
# Where the channel layer lives in one process (the embedded default), the worker's new
# notifications cannot ring the bells of the web process: open bells ask this often (seconds).
NOTIFICATION_POLL_SECONDS = env.float("NOTIFICATION_POLL_SECONDS", default=5.0)
if not 0 <= NOTIFICATION_DIGEST_HOUR <= 23:  # NOTIFY
    raise ImproperlyConfigured("NOTIFICATION_DIGEST_HOUR muss zwischen 0 und 23 liegen.")  # NOTIFY

# --- Authentication -----------------------------------------------------------------------
AUTH_USER_MODEL = "workspace.User"
# Invitations to join (network/joining): single-use links that expire after this many days.
INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=14)
AUTHENTICATION_BACKENDS = [
    # Axes first, so a locked-out login is refused before a password is even checked.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, loading a request's person with what every page asks of them.
    "workspace.backends.UserBackend",
    "guardian.backends.ObjectPermissionBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Logging in through the municipalities' OpenID providers, second factors (workspace/identity).
# Providers are rows the office configures (IdentityProvider), never settings; the adapters
# hold the network's rules, allauth the protocol. No open sign-up.
ACCOUNT_ADAPTER = "workspace.identity.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "workspace.identity.adapters.SocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = False
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {"provider_class": "workspace.identity.oidc.MunicipalProvider"}
}
# Second factors: an authenticator app with recovery codes, passkeys and security keys
# (WebAuthn; a passkey alone also logs in). Managing them needs the session's own login (every
# factor is proven with a code or key when added), not a second password prompt, which people
# from a provider could not answer.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = "Klassenraum"
# A code of the step before or after counts too (RFC 6238, 5.2: one step for the way from the
# phone to the server and a phone clock a little off); each code still counts once.
MFA_TOTP_TOLERANCE = 1
MFA_REAUTHENTICATION_REQUIRED = False

# Nothing is ever granted to the anonymous user, so guardian needs no anonymous user row.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = True

# Login throttling: five wrong passwords for one name from one address lock that pair for
# a cool-off period; it always ends by itself, there is no permanent lock.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# axes looks for its middleware by its own path; ours is its subclass (workspace/middleware.py,
# in MIDDLEWARE above; tests/workspace/test_middleware_chain.py checks it is there).
SILENCED_SYSTEM_CHECKS = ["axes.W002"]
# Who the client is (workspace/clients.py): the peer of the connection, or, only when that
# peer is one of the TRUSTED_PROXIES (addresses or networks, with BEHIND_PROXY=1), the
# address it forwarded. Nobody is trusted by default.
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
if TRUSTED_PROXIES and not BEHIND_PROXY:
    raise ImproperlyConfigured("TRUSTED_PROXIES gilt nur mit BEHIND_PROXY=1.")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES: „{_proxy}“ ist keine IP-Adresse und kein Netz."
        ) from _error
AXES_CLIENT_IP_CALLABLE = "workspace.clients.client_address"

# The security log (workspace/audit): entries older than this many days are deleted by
# `manage.py security_log_purge` (a daily timer); nothing younger can be deleted at all.
SECURITY_LOG_RETENTION_DAYS = env.int("SECURITY_LOG_RETENTION_DAYS", default=400)
if SECURITY_LOG_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("SECURITY_LOG_RETENTION_DAYS muss mindestens 1 sein.")

# --- Metrics (workspace/metrics.py) ---------------------------------------------------------
# /metriken/ answers these networks (the client as workspace/clients.py names it) and anyone
# with the token; nobody else learns that it exists.
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=["127.0.0.1/32", "::1/128"])
for _network in METRICS_ALLOWED_NETWORKS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(
            f"METRICS_ALLOWED_NETWORKS: „{_network}“ ist kein Netz."
        ) from _error
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("Deutsch")), ("en", _("Englisch"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("kern", BASE_DIR / "node_modules" / "@kern-ux" / "native" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(BASE_DIR / "media"))
MEDIA_URL = "/media/"
# Uploads on the local file system by default (one node, or a share every node mounts). Several
# nodes without a shared disk keep them in an S3-compatible object store (MinIO, Ceph, a
# provider's): S3_BUCKET names the bucket, S3_ENDPOINT_URL the store, the keys come from
# AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY; `pip install -e '.[s3]'` brings django-storages.
# Files are never public there either: the app streams them after its check.
S3_BUCKET = env.str("S3_BUCKET", default="")
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("S3_REGION", default="") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
# Behind deploy/nginx: uploads leave through X-Accel-Redirect after the permission check
# (workspace/files.py), so no worker is tied up sending them.
SENDFILE_NGINX = env.bool("SENDFILE_NGINX", default=False)
# Tests never fetch static files in-process; scanning them for every test client is slow.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# --- Backups and the erasure ledger (workspace/backup.py, workspace/erasures.py) -----------
# Every erasure of a person is also written to this file, outside the database and outside
# MEDIA_ROOT, so that `manage.py restore` of an older backup erases them again. Beside the
# uploads by default (/var/lib/klassenraum/erasures.jsonl in deploy/), where the app may write.
ERASURE_LEDGER_PATH = env.str(
    "ERASURE_LEDGER_PATH", default=str(Path(MEDIA_ROOT).parent / "erasures.jsonl")
)
if not Path(ERASURE_LEDGER_PATH).is_absolute():
    raise ImproperlyConfigured("ERASURE_LEDGER_PATH muss ein absoluter Pfad sein.")
# Where pg_dump and pg_restore live, when not the first on PATH (e.g. /usr/lib/postgresql/17/bin).
POSTGRES_BIN_DIR = env.str("POSTGRES_BIN_DIR", default="")

# --- Security -----------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# No inline scripts or styles anywhere: everything comes from our own static files.
# --- REST API (/api/v1/, workspace/api/) ----------------------------------------------------
from workspace.api.conf import REST_FRAMEWORK, SPECTACULAR_SETTINGS  # noqa: E402, F401

# Requests per token (or logged-in person, or address) and window, counted in the shared cache.
API_THROTTLE_RATES = {
    "token": env.str("API_RATE_TOKEN", default="600/min"),
    "user": env.str("API_RATE_USER", default="600/min"),
    "anonymous": env.str("API_RATE_ANONYMOUS", default="120/min"),
}

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'; object-src 'none'"
)
if not DEBUG:
    # Behind a proxy that already redirects, this may be switched off; tests talk plain HTTP.
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not TESTING)
    if env.bool("BEHIND_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host- cookies are only sent over HTTPS, for this host and path "/": no subdomain
    # can plant or read them.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    LANGUAGE_COOKIE_NAME = "__Host-sprache"
    LANGUAGE_COOKIE_SECURE = True

# --- Logging ------------------------------------------------------------------------------
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured("LOG_FORMAT muss text oder json sein.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "workspace.jsonlog.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            **({"formatter": "json"} if LOG_FORMAT == "json" else {}),
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

# The network office runs the network: it holds every model permission of these apps
# globally (checked through guardian's accept_global_perms).
NETWORK_OFFICE_PERMISSION_APPS = [
    "workspace",
    "projects",
    "steering",
    "joining",
    "guides",
    "dates",
    "newsletter",
    "discussion",  # NOTIFY
    "axes",
]

# History is only ever added to: the admin's "revert" would bypass the services' rules.
SIMPLE_HISTORY_REVERT_DISABLED = True

# Live pages: every socket repeats a heartbeat; one silent for the timeout leaves the lists.
LIVE_HEARTBEAT_SECONDS = env.float("LIVE_HEARTBEAT_SECONDS", default=10.0)
LIVE_PRESENCE_TIMEOUT = env.float("LIVE_PRESENCE_TIMEOUT", default=25.0)
LIVE_BENCH_ROUTES = env.bool("LIVE_BENCH_ROUTES", default=False)
# Each websocket process names itself in every socket's welcome message (make serve and the
# systemd units set it), so an operator and the tests can tell where a socket landed.
WS_PROCESS_NAME = env.str("WS_PROCESS_NAME", default=f"{socket.gethostname()}-{os.getpid()}")
# Open sockets check their access anew when told (workspace.events.recheck_*), at the change
# of day (seat terms end by date, without any write) and at the latest every this many seconds
# (sessions expire without any write either).
LIVE_RECHECK_SECONDS = env.float("LIVE_RECHECK_SECONDS", default=300.0)
# Change notes ("Kapitel 3 ergänzt", "wiederhergestellt aus Version 4") may be longer than 100.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# --- Co-editing of living results (Yjs rooms, projects/coedit/) -------------------- COEDIT
# Seconds: the state is written COEDIT_SAVE_DELAY after the last edit and at least every   COEDIT
# COEDIT_SAVE_MAX_INTERVAL while editing goes on; a version after COEDIT_VERSION_IDLE      COEDIT
# without an edit; processes compare state vectors every COEDIT_EXCHANGE_INTERVAL.        COEDIT
COEDIT_SAVE_DELAY = env.float("COEDIT_SAVE_DELAY", default=2.0)  # COEDIT
COEDIT_SAVE_MAX_INTERVAL = env.float("COEDIT_SAVE_MAX_INTERVAL", default=10.0)  # COEDIT
COEDIT_VERSION_IDLE = env.float("COEDIT_VERSION_IDLE", default=45.0)  # COEDIT
COEDIT_EXCHANGE_INTERVAL = env.float("COEDIT_EXCHANGE_INTERVAL", default=10.0)  # COEDIT
# Untrusted frames (issue 20): the largest one a browser sends is a full sync of the longest   COEDIT
# allowed text (LONG_TEXT_MAX code points, at most 2 MB of UTF-8; measured: 1.9 MB for        COEDIT
# 500,000 code points, half emoji), so 4 MiB leaves room for the structure of a text edited  COEDIT
# by many. Per socket a token bucket: fast typing sends an update and a cursor per key,       COEDIT
# ~30 a second; a burst covers a reconnect's sync and a paste.                              COEDIT
COEDIT_FRAME_MAX_BYTES = env.int("COEDIT_FRAME_MAX_BYTES", default=4 * 1024 * 1024)  # COEDIT
COEDIT_MESSAGES_PER_SECOND = env.float("COEDIT_MESSAGES_PER_SECOND", default=100.0)  # COEDIT
COEDIT_MESSAGES_BURST = env.int("COEDIT_MESSAGES_BURST", default=500)  # COEDIT
if REDIS_URL:  # COEDIT: redis-py's 5 s socket timeout equals channels-redis's blocking read
    for _coedit_host in CHANNEL_LAYERS["default"]["CONFIG"]["hosts"]:  # COEDIT
        _coedit_host.setdefault("socket_timeout", 15)  # COEDIT: or idle processes lose it
