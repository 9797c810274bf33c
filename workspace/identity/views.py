"""Pages of the identity app: the login page with providers, linking an existing account."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from allauth.account.utils import perform_login
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.internal.flows.login import record_authentication
from allauth.socialaccount.models import SocialLogin
from allauth.usersessions.models import UserSession
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from requests import RequestException

from workspace.access import decide, require_login
from workspace.forms import KernFormMixin, LoginForm
from workspace.identity.models import IdentityProvider
from workspace.identity.selectors import open_sessions_of
from workspace.identity.services import user_session_end
from workspace.models import User

PENDING_LINK = "identity_pending_link"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class LoginView(auth_views.LoginView):
    """``/konto/anmelden/``: password (axes still counts failures) and the providers' buttons.

    A correct password goes through allauth's login, so a person with a second factor is asked
    for it before the session is theirs.
    """

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["identity_providers"] = list(
            IdentityProvider.objects.only("slug", "button_text", "issuer")
        )
        return context

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        origins = sorted({_origin(p.issuer) for p in context["identity_providers"]})
        if origins and settings.CONTENT_SECURITY_POLICY:
            # A provider's button posts here and is redirected there: Chromium applies
            # form-action to that redirect too.
            response["Content-Security-Policy"] = settings.CONTENT_SECURITY_POLICY.replace(
                "form-action 'self'", "form-action 'self' " + " ".join(origins)
            )
        return response

    def form_valid(self, form):
        return perform_login(self.request, form.get_user(), redirect_url=self.get_success_url())


def provider_logout_url(provider: IdentityProvider, request: HttpRequest) -> str | None:
    """Where the browser logs out at ``provider`` too, if the provider offers that."""
    try:
        with get_adapter().get_requests_session() as session:
            response = session.get(provider.discovery_url, timeout=5)
            response.raise_for_status()
            endpoint = response.json().get("end_session_endpoint")
    except (RequestException, ValueError):
        return None
    if not endpoint or urlsplit(endpoint).scheme not in ("http", "https"):
        return None
    query = urlencode(
        {
            "client_id": provider.client_id,
            "post_logout_redirect_uri": request.build_absolute_uri(reverse("home")),
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


class LogoutView(auth_views.LogoutView):
    """Log out here; after a login through a provider, offer to log out there as well.

    A link, not a redirect: the logout is a form, and the page's Content-Security-Policy
    (form-action 'self') would stop a form's redirect to another origin.
    """

    def post(self, request, *args, **kwargs):
        slug = request.session.get("identity_provider")
        response = super().post(request, *args, **kwargs)
        provider = IdentityProvider.objects.filter(slug=slug).first() if slug else None
        end_session_url = provider_logout_url(provider, request) if provider else None
        if end_session_url is None:
            return response
        return render(
            request,
            "identity/logged_out.html",
            {"provider": provider, "end_session_url": end_session_url},
        )


def offer_linking(request: HttpRequest, sociallogin: SocialLogin) -> None:
    """A first login whose address belongs to a local account: link only after proof."""
    email = (sociallogin.user.email or "").strip()
    if not email:
        return
    if not User.objects.filter(email__iexact=email, is_active=True).exists():
        return
    request.session[PENDING_LINK] = sociallogin.serialize()
    raise ImmediateHttpResponse(redirect("identity-link"))


class LinkForm(KernFormMixin, forms.Form):
    username = forms.CharField(label=gettext_lazy("Benutzername"), max_length=150)
    password = forms.CharField(
        label=gettext_lazy("Passwort"), strip=False, widget=forms.PasswordInput
    )

    def __init__(self, *args, email: str, request: HttpRequest, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.email = email
        self.request = request
        self.user: User | None = None
        self.apply_kern_classes()

    def clean(self):
        cleaned = super().clean()
        user = authenticate(
            self.request, username=cleaned.get("username"), password=cleaned.get("password")
        )
        if user is None or user.email.strip().lower() != self.email.lower():
            raise forms.ValidationError(
                _(
                    "Benutzername oder Passwort stimmen nicht, oder das Konto hat eine andere Adresse."
                )
            )
        self.user = user
        return cleaned


@require_http_methods(["GET", "POST"])
def link(request: HttpRequest) -> HttpResponse:
    """``/konto/verknuepfen/``: prove an existing account is yours, then it is linked."""
    data = request.session.get(PENDING_LINK)
    if not data:
        require_login(request.user)
        return redirect("account")
    sociallogin = SocialLogin.deserialize(data)
    form = LinkForm(
        request.POST if request.method == "POST" else None,
        email=sociallogin.user.email,
        request=request,
    )
    if request.method == "POST" and form.is_valid():
        del request.session[PENDING_LINK]
        sociallogin.connect(request, form.user)
        record_authentication(request, sociallogin)
        messages.success(request, _("Ihr Konto ist jetzt mit dem Anmeldedienst verknüpft."))
        return perform_login(
            request,
            form.user,
            redirect_url=sociallogin.get_redirect_url(request),
            signal_kwargs={"sociallogin": sociallogin},
        )
    provider = IdentityProvider.objects.filter(slug=sociallogin.account.provider).first()
    return render(request, "identity/link.html", {"form": form, "provider": provider})


@require_http_methods(["GET"])
def session_list(request: HttpRequest) -> HttpResponse:
    """``/konto/sitzungen/``: where the person is logged in; any session can be ended."""
    require_login(request.user)
    return render(
        request,
        "identity/session_list.html",
        {
            "sessions": list(open_sessions_of(request.user)),
            "current_key": request.session.session_key,
        },
    )


@require_POST
def session_end(request: HttpRequest, pk: int) -> HttpResponse:
    require_login(request.user)
    user_session = UserSession.objects.filter(pk=pk, user=request.user).first()
    decide(request.user, sees=user_session is not None)
    current = user_session.session_key == request.session.session_key
    user_session_end(user=request.user, user_session=user_session)
    if current:
        return redirect("login")
    messages.success(request, _("Die Sitzung ist beendet."))
    return redirect("identity-sessions")
