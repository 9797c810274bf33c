from django.urls import path

from steering import document_views, views

app_name = "steering"

urlpatterns = [
    path("", views.committee, name="committee"),
    path("sitze/neu/", views.seat_add, name="seat-add"),
    path("sitze/<int:seat_id>/beenden/", views.seat_end, name="seat-end"),
    path("sitzungen/", views.meeting_list, name="meetings"),
    path("sitzungen/neu/", views.meeting_create, name="meeting-create"),
    path("sitzungen/<int:meeting_id>/", views.meeting_detail, name="meeting"),
    path("sitzungen/<int:meeting_id>/tagesordnung/", views.meeting_agenda, name="meeting-agenda"),
    path("sitzungen/<int:meeting_id>/einladen/", views.meeting_invite, name="meeting-invite"),
    path("sitzungen/<int:meeting_id>/eroeffnen/", views.meeting_open, name="meeting-open"),
    path("sitzungen/<int:meeting_id>/protokoll/", views.meeting_minutes, name="meeting-minutes"),
    path("sitzungen/<int:meeting_id>/top/<int:item_id>/abstimmen/", views.vote, name="vote"),
    path(
        "sitzungen/<int:meeting_id>/top/<int:item_id>/schliessen/",
        views.vote_close,
        name="vote-close",
    ),
    path("vorlagen/", views.proposal_list, name="proposals"),
    path("vorlagen/neu/", views.proposal_create, name="proposal-create"),
    path("vorlagen/<int:proposal_id>/", views.proposal_detail, name="proposal"),
    path("vereinbarungen/", views.agreement_list, name="agreements"),
    path("vereinbarungen/<str:number>/", views.agreement_detail, name="agreement"),
    # Documents: PDF (``?archiv=1``: PDF/A-3a) and ODT.
    path(
        "vereinbarungen/<str:number>/pdf/",
        document_views.agreement_document,
        {"fmt": "pdf"},
        name="agreement-pdf",
    ),
    path(
        "vereinbarungen/<str:number>/odt/",
        document_views.agreement_document,
        {"fmt": "odt"},
        name="agreement-odt",
    ),
    path(
        "sitzungen/<int:meeting_id>/protokoll/pdf/",
        document_views.minutes_document,
        {"fmt": "pdf"},
        name="minutes-pdf",
    ),
    path(
        "sitzungen/<int:meeting_id>/protokoll/odt/",
        document_views.minutes_document,
        {"fmt": "odt"},
        name="minutes-odt",
    ),
]
