from django.urls import path
from django.views.decorators.http import require_GET

from network.newsletter import views
from network.newsletter.feeds import IssueFeed

app_name = "newsletter"

urlpatterns = [
    path("", views.archive, name="archive"),
    path("feed/", require_GET(IssueFeed()), name="feed"),
    path("anmelden/", views.subscribe, name="subscribe"),
    path("bestaetigen/<str:token>/", views.confirm, name="confirm"),
    path("abmelden/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("ausgaben/neu/", views.issue_create, name="issue-create"),
    path("ausgaben/<int:issue_id>/", views.issue_detail, name="issue"),
    path("ausgaben/<int:issue_id>/bearbeiten/", views.issue_edit, name="issue-edit"),
    path("ausgaben/<int:issue_id>/vorschau/", views.issue_preview_html, name="issue-preview"),
    path(
        "ausgaben/<int:issue_id>/vorschau.txt",
        views.issue_preview_text,
        name="issue-preview-text",
    ),
    path("ausgaben/<int:issue_id>/versenden/", views.issue_send, name="issue-send"),
    path("ausgaben/<int:issue_id>/versand/", views.issue_progress, name="issue-progress"),
    path("ausgaben/<int:issue_id>/fortsetzen/", views.issue_resume, name="issue-resume"),
    path("beitraege/", views.item_list, name="items"),
    path("beitraege/neu/", views.item_create, name="item-create"),
    path("beitraege/<int:item_id>/", views.item_detail, name="item"),
    path("beitraege/<int:item_id>/bearbeiten/", views.item_edit, name="item-edit"),
    path("beitraege/<int:item_id>/annehmen/", views.item_accept, name="item-accept"),
    path("beitraege/<int:item_id>/ablehnen/", views.item_decline, name="item-decline"),
    path("beitraege/<int:item_id>/bild/", views.item_image, name="item-image"),
]
