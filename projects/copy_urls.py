"""A municipality's adopted copies, under /kommunen/<municipality>/nachnutzungen/: the same
result pages as in a lead project, plus following the template and offering back."""

from django.urls import path

from projects import reuse_views, views

app_name = "copies"

urlpatterns = [
    path("<int:result_id>/", views.result_detail, name="result"),
    path("<int:result_id>/bearbeiten/", views.result_edit, name="edit"),
    path("<int:result_id>/versionen/", views.result_versions, name="versions"),
    path("<int:result_id>/vergleich/", views.result_compare, name="compare"),
    path("<int:result_id>/wiederherstellen/", views.result_restore, name="restore"),
    path("<int:result_id>/anhaenge/", views.attachment_upload, name="attachment-upload"),
    path(
        "<int:result_id>/anhaenge/<int:attachment_id>/",
        views.attachment_download,
        name="attachment",
    ),
    path("<int:result_id>/uebernehmen/", reuse_views.copy_take_over, name="take-over"),
    path("<int:result_id>/verwerfen/", reuse_views.copy_dismiss, name="dismiss"),
    path("<int:result_id>/stand/", reuse_views.copy_status, name="status"),
    path("<int:result_id>/angebot/", reuse_views.copy_offer, name="offer"),
]
