from django.urls import path

from network.joining import views

app_name = "joining"

urlpatterns = [
    path("mitmachen/", views.join, name="join"),
    path("mitmachen/danke/", views.thanks, name="thanks"),
    path("mitmachen/anfragen/", views.request_list, name="request-list"),
    path("mitmachen/anfragen/<int:pk>/", views.request_detail, name="request-detail"),
    path("mitmachen/anfragen/<int:pk>/annehmen/", views.request_accept, name="request-accept"),
    path("mitmachen/anfragen/<int:pk>/ablehnen/", views.request_decline, name="request-decline"),
    path("kommunen/<slug:slug>/einladen/", views.invite, name="invite"),
    path(
        "kommunen/<slug:slug>/einladungen/<int:pk>/zurueckziehen/",
        views.invitation_revoke,
        name="invitation-revoke",
    ),
    path("einladung/<str:token>/", views.invitation, name="invitation"),
    path("klassen/", views.cohorts, name="cohorts"),
]
