"""``/konto/zugaenge/``: a person's own access tokens — create (shown once), list, revoke."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from workspace.access import require_login
from workspace.api import services
from workspace.api.forms import AccessTokenForm
from workspace.api.models import AccessToken


@require_http_methods(["GET", "POST"])
def token_list(request):
    require_login(request.user)
    form = AccessTokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        row, created = services.access_token_create(
            user=request.user,
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
            expires_at=form.expires_at(),
        )
        messages.success(
            request,
            _(
                "Der Zugang „%(name)s“ ist angelegt. Kopieren Sie ihn jetzt: er wird nur einmal gezeigt."
            )
            % {"name": row.name},
        )
        form = AccessTokenForm()
    tokens = list(AccessToken.objects.filter(user=request.user))
    return render(
        request,
        "api/tokens.html",
        {"form": form, "tokens": tokens, "created": created},
        status=400 if form.errors else 200,
    )


@require_POST
def token_revoke(request, pk: int):
    require_login(request.user)
    # Someone else's token does not exist for this person.
    token = get_object_or_404(AccessToken, pk=pk, user=request.user)
    if services.access_token_revoke(token=token, by=request.user):
        messages.success(request, _("Der Zugang „%(name)s“ ist widerrufen.") % {"name": token.name})
    return redirect("api-tokens")
