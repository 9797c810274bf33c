from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from workspace import views
from workspace.api import token_views
from workspace.metrics import metrics_view
from workspace.models import LegalPage
from workspace.search import search_page  # SEARCH

urlpatterns = [
    path("", views.home, name="home"),
    path("kommunen/", views.municipality_list, name="municipality-list"),
    path("kommunen/<slug:slug>/", views.municipality_detail, name="municipality-detail"),
    path("kommunen/<slug:slug>/mitarbeitende/", views.staff_list, name="staff-list"),
    path("kommunen/<slug:slug>/mitarbeitende/<int:pk>/beenden/", views.staff_end, name="staff-end"),
    path("kommunen/<slug:municipality>/nachnutzungen/", include("projects.copy_urls")),
    path("vorlagen/", include("projects.template_urls")),
    path("konto/", views.account, name="account"),
    path("konto/passwort/", views.PasswordChangeView.as_view(), name="password_change"),
    path("konto/daten/", views.my_data, name="my-data"),
    path("konto/zugaenge/", token_views.token_list, name="api-tokens"),
    path("konto/zugaenge/<int:pk>/widerrufen/", token_views.token_revoke, name="api-token-revoke"),
    path("konto/daten.json", views.my_data_json, name="my-data-json"),
    # The login page (password and providers), logout, second factors and sessions.
    path("konto/", include("workspace.identity.urls")),
    path(
        "konto/passwort-vergessen/",
        views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "konto/passwort-vergessen/gesendet/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "konto/passwort-neu/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "konto/passwort-neu/fertig/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("leitprojekte/", include("projects.urls")),
    path("steuerkreis/", include("steering.urls")),
    path("oparl/v1/", include("steering.oparl.urls")),
    path("", include("network.joining.urls")),
    path("", include("network.guides.urls")),
    path("termine/", include("network.dates.urls")),
    path("schuelerzeitung/", include("network.newsletter.urls")),
    path("benachrichtigungen/", include("workspace.notification_views")),  # NOTIFY
    path("diskussion/", include("network.discussion.urls")),  # NOTIFY
    path("suche/", search_page, name="search"),  # SEARCH
    path("api/v1/", include("workspace.api.urls")),
    path("", include("workspace.audit.urls")),  # AUDIT: the security log
    path("healthz", views.healthz, name="healthz"),
    path("metriken/", metrics_view, name="metrics"),
    path("postausgang/", views.outbox, name="outbox"),
    path("postausgang/<int:pk>/erneut-senden/", views.outbox_resend, name="outbox-resend"),
    *[
        path(f"{kind}/", views.legal, {"kind": kind}, name=f"legal-{kind}")
        for kind in LegalPage.Kind.values
    ],
    *[
        path(f"{kind}/bearbeiten/", views.legal_edit, {"kind": kind}, name=f"legal-{kind}-edit")
        for kind in LegalPage.Kind.values
    ],
    path("verwaltung/", admin.site.urls),
]
