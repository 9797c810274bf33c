from django.urls import include, path

from workspace.identity import oidc, views

urlpatterns = [
    path("anmelden/", views.LoginView.as_view(), name="login"),
    path("abmelden/", views.LogoutView.as_view(), name="logout"),
    # allauth reverses its own name for the login page.
    path("anmelden/", views.LoginView.as_view(), name="account_login"),
    path("verknuepfen/", views.link, name="identity-link"),
    path("zweiter-faktor/", include("workspace.identity.mfa_urls")),
    path("sitzungen/", views.session_list, name="identity-sessions"),
    path("sitzungen/<int:pk>/beenden/", views.session_end, name="identity-session-end"),
    # The names are allauth's: its provider builds its own addresses with them.
    path("dienst/<slug:provider_id>/", oidc.login, name="openid_connect_login"),
    path("dienst/<slug:provider_id>/zurueck/", oidc.callback, name="openid_connect_callback"),
]
