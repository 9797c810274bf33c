from django.urls import path

from network.dates import views

app_name = "dates"

urlpatterns = [
    path("", views.appointment_list, name="list"),
    path("neu/", views.appointment_create, name="create"),
    path("<int:pk>/", views.appointment_detail, name="detail"),
    path("<int:pk>/bearbeiten/", views.appointment_edit, name="edit"),
    path("<int:pk>/anmelden/", views.register, name="register"),
    path("<int:pk>/abmelden/", views.cancel, name="cancel"),
    path("<int:pk>/termin.ics", views.appointment_ics, name="ics"),
    path("meine/", views.mine, name="mine"),
    path("meine/kalender-erneuern/", views.feed_token_renew, name="token-renew"),
    path("pausenhof/reihe/neu/", views.series_create, name="series-create"),
    path("pausenhof/thema-vorschlagen/", views.suggest, name="suggest"),
    path("pausenhof/themenvorschlaege/", views.suggestion_list, name="suggestions"),
    path(
        "pausenhof/themenvorschlaege/<int:pk>/einplanen/",
        views.suggestion_schedule,
        name="suggestion-schedule",
    ),
    path(
        "pausenhof/themenvorschlaege/<int:pk>/ablehnen/",
        views.suggestion_decline,
        name="suggestion-decline",
    ),
    path("kalender.ics", views.feed, name="feed"),
    path("kalender/<slug:kind>.ics", views.feed_kind, name="feed-kind"),
    path("kalender/persoenlich/<str:token>.ics", views.feed_personal, name="feed-personal"),
]
