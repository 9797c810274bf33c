import codecs
from collections.abc import Callable
from functools import partial
from urllib.parse import unquote_to_bytes

from asgiref.sync import iscoroutinefunction
from axes import middleware as axes_middleware
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.middleware import (
    AuthenticationMiddleware as DjangoAuthenticationMiddleware,
)
from django.contrib.auth.middleware import auser
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.middleware import MessageMiddleware as DjangoMessageMiddleware
from django.contrib.messages.storage import default_storage
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.core.handlers.wsgi import get_bytes_from_wsgi
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.middleware.common import CommonMiddleware as DjangoCommonMiddleware
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject, empty
from simple_history.middleware import HistoryRequestMiddleware


class ContentSecurityPolicyMiddleware:
    """Send the Content-Security-Policy of ``settings.CONTENT_SECURITY_POLICY`` on every page,
    together with the other fixed security headers of the settings.

    Django 5.2 has no CSP of its own; the policy allows only our own origin, so nothing can be
    loaded from a CDN and no injected inline script runs. The headers that Django's
    SecurityMiddleware and XFrameOptionsMiddleware would add one by one (no sniffing, the
    referrer policy, the opener policy, frame options) are checked and written once at start
    and put into each answer in one step; those middlewares stay in place (``check --deploy``
    asks for them, and the redirect to HTTPS and HSTS are theirs) and find them set. A header a
    view set itself is kept.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        fixed = HttpResponse()
        if settings.CONTENT_SECURITY_POLICY:
            fixed["Content-Security-Policy"] = settings.CONTENT_SECURITY_POLICY
        if settings.SECURE_CONTENT_TYPE_NOSNIFF:
            fixed["X-Content-Type-Options"] = "nosniff"
        if settings.SECURE_REFERRER_POLICY:
            policy = settings.SECURE_REFERRER_POLICY
            fixed["Referrer-Policy"] = ",".join(
                [part.strip() for part in policy.split(",")] if isinstance(policy, str) else policy
            )
        if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
            fixed["Cross-Origin-Opener-Policy"] = settings.SECURE_CROSS_ORIGIN_OPENER_POLICY
        fixed["X-Frame-Options"] = settings.X_FRAME_OPTIONS.upper()
        # As ResponseHeaders keeps them: by the lower-case name, already checked and encoded.
        self.fixed = {
            name: entry for name, entry in fixed.headers._store.items() if name != "content-type"
        }
        # For a view marked @xframe_options_exempt (which XFrameOptionsMiddleware leaves alone).
        self.fixed_framable = {k: v for k, v in self.fixed.items() if k != "x-frame-options"}
        # HSTS as SecurityMiddleware words it, for an answer to a request that came over HTTPS.
        strict = {}
        if settings.SECURE_HSTS_SECONDS:
            sts = f"max-age={settings.SECURE_HSTS_SECONDS}"
            if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
                sts += "; includeSubDomains"
            if settings.SECURE_HSTS_PRELOAD:
                sts += "; preload"
            strict = {"strict-transport-security": ("Strict-Transport-Security", sts)}
        self.fixed_secure = self.fixed | strict
        self.fixed_framable_secure = self.fixed_framable | strict

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        store = response.headers._store
        framable = getattr(response, "xframe_options_exempt", False)
        if request.is_secure():
            fixed = self.fixed_framable_secure if framable else self.fixed_secure
        else:
            fixed = self.fixed_framable if framable else self.fixed
        store.update(fixed | store)  # a header the view set itself wins
        return response


class UserLanguageMiddleware:
    """A logged-in person's chosen language wins over the browser's Accept-Language.

    Runs after authentication; the LocaleMiddleware before it has already picked the browser's
    language for everyone else.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            # No session, nobody logged in: the user need not be looked up for this.
            return self.get_response(request)
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user and user.is_authenticated else ""
        if language and language != request.LANGUAGE_CODE:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


# A strict UTF-8 for the multipart parser, which otherwise decodes every field with
# errors="replace" and so would store broken bytes as U+FFFD without anyone noticing.
STRICT_UTF8 = "kr-utf-8-strict"


def _strict_utf8_search(name: str) -> codecs.CodecInfo | None:
    if name != STRICT_UTF8.replace("-", "_"):
        return None
    utf8 = codecs.lookup("utf-8")
    return codecs.CodecInfo(
        name=STRICT_UTF8,
        encode=utf8.encode,
        decode=lambda data, errors="strict": utf8.decode(data, "strict"),
    )


codecs.register(_strict_utf8_search)

_TEXT_BODIES = ("application/x-www-form-urlencoded", "application/json", "text/")


def _utf8_form_data(raw: bytes) -> str:
    """Decode an urlencoded query or body as UTF-8, raw bytes and %-escapes alike (strict)."""
    return unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")


class RequestEncodingMiddleware:
    """Answer 400 to a request whose text is not UTF-8 or holds NUL, before anything reads it.

    Without it, Django decoded a multipart body by whatever charset it declared, replaced
    broken bytes in form fields and queries with U+FFFD (mojibake reached the database),
    refused a foreign charset on an urlencoded body with an English page and a traceback in
    the log, and let NUL through to PostgreSQL, which fails on it. Placed before CSRF and the
    views, the first to read a request's data, so a refused request changes nothing; the page
    says in the visitor's language that nothing was saved.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self._acceptable(request):
            if request.path_info.startswith("/api/"):
                # Machines get the API's own error shape (workspace/api/schema.py).
                return JsonResponse(
                    {"detail": translation.gettext("Kein gültiger UTF-8-Text, oder Nullzeichen.")},
                    status=400,
                )
            return HttpResponseBadRequest(
                render_to_string("bad_encoding.html", request=None),
                content_type="text/html; charset=utf-8",
            )
        return self.get_response(request)

    def _acceptable(self, request: HttpRequest) -> bool:
        # A path's <str:…> parts (tokens, agreement numbers) reach queries as they come.
        if "\x00" in request.path_info:
            return False
        charset = request.content_params.get("charset")
        if charset is not None:
            try:
                if codecs.lookup(charset).name != "utf-8":
                    return False
            except LookupError:
                return False
        scope = getattr(request, "scope", None)
        query = (
            scope.get("query_string", b"")
            if scope is not None
            else get_bytes_from_wsgi(request.environ, "QUERY_STRING", "")
        )
        try:
            if query and "\x00" in _utf8_form_data(query):
                return False
        except UnicodeDecodeError:
            return False
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        content_type = request.content_type or ""
        try:
            if content_type == "multipart/form-data":
                request.encoding = STRICT_UTF8
                # Parsed here once; CSRF and the view read the same QueryDict.
                return not _has_nul(request.POST)
            if content_type.startswith(_TEXT_BODIES):
                body = request.body
                text = (
                    _utf8_form_data(body)
                    if content_type == "application/x-www-form-urlencoded"
                    else body.decode("utf-8")
                )
                return "\x00" not in text
        except UnicodeDecodeError:
            return False
        return True


def _has_nul(data) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in data.lists())


# --- The cheap chain: what every request pays for, done once or only when needed -------------


class CommonMiddleware(DjangoCommonMiddleware):
    """Django's, checking a request's host against ``ALLOWED_HOSTS`` once per distinct host and
    settings (a refused host is refused every time, with Django's own ``DisallowedHost``);
    with user agents to refuse or ``PREPEND_WWW``, Django's check runs unchanged."""

    _allowed_hosts: set[str] = set()

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        if settings.DISALLOWED_USER_AGENTS or settings.PREPEND_WWW:
            return super().process_request(request)
        host = request._get_raw_host()
        if host not in self._allowed_hosts:
            request.get_host()  # raises DisallowedHost for a host the settings do not allow
            if len(self._allowed_hosts) < 256:
                self._allowed_hosts.add(host)
        return None

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        store = response.headers._store
        if response.status_code == 404 or response.streaming or "content-length" in store:
            return super().process_response(request, response)  # the slash redirect is Django's
        # The length of the finished body, stored as ResponseHeaders keeps a header.
        store["content-length"] = ("Content-Length", str(len(response.content)))
        return response


@receiver(setting_changed)
def _forget_decisions(setting: str, **kwargs) -> None:
    """A test that changes the hosts or languages gets decisions made under its settings."""
    if setting in ("ALLOWED_HOSTS", "DEBUG", "USE_X_FORWARDED_HOST", "USE_X_FORWARDED_PORT"):
        CommonMiddleware._allowed_hosts.clear()
    if setting in ("LANGUAGES", "LANGUAGE_CODE", "LANGUAGE_COOKIE_NAME"):
        LocaleMiddleware._decided.clear()


_VARY_LANGUAGE = ("Vary", "Accept-Language")


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's, for an app without language prefixes in its paths: the language a request's
    cookie and Accept-Language decide is looked up once per distinct pair, and activated only
    when the thread does not speak it already (it is the same translation object)."""

    _decided: dict[tuple[str, str], str] = {}

    def process_request(self, request: HttpRequest) -> None:
        pair = (
            request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, ""),
            request.META.get("HTTP_ACCEPT_LANGUAGE", ""),
        )
        language = self._decided.get(pair)
        if language is None:
            language = translation.get_language_from_request(request, check_path=False)
            if len(self._decided) < 1024 and len(pair[1]) <= 200:
                self._decided[pair] = language
        if translation.get_language() != language:
            translation.activate(language)
        request.LANGUAGE_CODE = language

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        store = response.headers._store
        if "vary" in store:
            patch_vary_headers(response, ("Accept-Language",))
        else:
            store["vary"] = _VARY_LANGUAGE
        if "content-language" not in store:
            # The language the request speaks (UserLanguageMiddleware and a changed profile
            # set it with the translation); asking the translation machinery again is dearer.
            language = getattr(request, "LANGUAGE_CODE", None) or translation.get_language()
            # A code of settings.LANGUAGES (ASCII, checked by Django), stored as
            # ResponseHeaders keeps a header.
            store["content-language"] = ("Content-Language", language)
        return response


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's, with the session store of a request that brings no session cookie made only
    when something reads or writes the session (a login, a form's second step): a visitor's
    page that never touches it pays nothing for it, and gets no cookie, as before."""

    def process_request(self, request: HttpRequest) -> None:
        session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        if session_key is None:
            request.session = SimpleLazyObject(self.SessionStore)
        else:
            request.session = self.SessionStore(session_key)

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        session = getattr(request, "session", None)
        if isinstance(session, SimpleLazyObject) and session._wrapped is empty:
            return response
        return super().process_response(request, response)


def _request_person(request: HttpRequest):
    if not hasattr(request, "_cached_user"):
        session = request.session
        kept = getattr(session, "kept_person", None)
        user = kept() if kept is not None else None
        if user is None:
            user = auth.get_user(request)
            if user.is_authenticated and hasattr(session, "keep_person"):
                session.keep_person(user)
        request._cached_user = user
    return request._cached_user


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    """Django's, taking the person from the session store when it read them along with the
    session (workspace.sessions.SessionStore: one round trip to the cache, no query); else
    Django's ``get_user``, whose answer the store keeps for the session's next request."""

    def process_request(self, request: HttpRequest) -> None:
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            request.user = SimpleLazyObject(lambda: _request_person(request))
        else:
            # No session cookie, nobody logged in (``get_user`` would find no key): a login
            # during this request sets ``request.user`` itself.
            request.user = AnonymousUser()
        request.auser = partial(auser, request)


class MessageMiddleware(DjangoMessageMiddleware):
    """Django's, with the message storage made when something reads or adds a message: a
    request that never looks (a file, a bare answer) reads no cookie and no session for it."""

    def process_request(self, request: HttpRequest) -> None:
        request._messages = SimpleLazyObject(lambda: default_storage(request))

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        messages = getattr(request, "_messages", None)
        if isinstance(messages, SimpleLazyObject) and messages._wrapped is empty:
            return response
        return super().process_response(request, response)


class AxesMiddleware(axes_middleware.AxesMiddleware):
    """axes' own (answering a locked-out login with its page), deciding once at start
    whether it runs on the synchronous path (WSGI) instead of asking on every request; the
    subclass axes' documentation invites for changing ``__call__``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        super().__init__(get_response)
        self.is_async = iscoroutinefunction(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.is_async:
            return self.__acall__(request)
        response = self.get_response(request)
        if settings.AXES_ENABLED and getattr(request, "axes_locked_out", None):
            credentials = getattr(request, "axes_credentials", None)
            response = get_lockout_response(request, response, credentials)
        return response


def history_request_middleware(get_response: Callable[[HttpRequest], HttpResponse]):
    """simple_history's request context, for requests that may write: history rows take
    their author from it. Services name the author themselves; GET, HEAD and OPTIONS never
    write a version, and skip the context-local's set and delete."""
    record = HistoryRequestMiddleware(get_response)

    def middleware(request: HttpRequest) -> HttpResponse:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return get_response(request)
        return record(request)

    return middleware
