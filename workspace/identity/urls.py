from django.urls import path

from workspace.identity import oidc, views

urlpatterns = [
    path("anmelden/", views.LoginView.as_view(), name="login"),
    path("abmelden/", views.LogoutView.as_view(), name="logout"),
    path("verknuepfen/", views.link, name="identity-link"),
    # The names are allauth's: its provider builds its own addresses with them.
    path("dienst/<slug:provider_id>/", oidc.login, name="openid_connect_login"),
    path("dienst/<slug:provider_id>/zurueck/", oidc.callback, name="openid_connect_callback"),
]
