"""A municipality's adopted copies, under /kommunen/<municipality>/nachnutzungen/: the same
result pages as in a lead project, plus following the template and offering back."""

from django.urls import path

from projects import document_views, reuse_views, views

app_name = "copies"

urlpatterns = [
    path("<int:result_id>/", views.result_detail, name="result"),
    path("<int:result_id>/bearbeiten/", views.result_edit, name="edit"),
    path("<int:result_id>/versionen/", views.result_versions, name="versions"),
    path("<int:result_id>/vergleich/", views.result_compare, name="compare"),
    path("<int:result_id>/wiederherstellen/", views.result_restore, name="restore"),
    path("<int:result_id>/anhaenge/", document_views.attachment_upload, name="attachment-upload"),
    path(
        "<int:result_id>/anhaenge/<int:attachment_id>/",
        document_views.attachment_download,
        name="attachment",
    ),
    path(
        "<int:result_id>/anhaenge/<int:attachment_id>/ersetzen/",
        document_views.attachment_replace,
        name="attachment-replace",
    ),
    path(
        "<int:result_id>/anhaenge/<int:attachment_id>/entfernen/",
        document_views.attachment_delete,
        name="attachment-delete",
    ),
    path("<int:result_id>/pdf/", document_views.result_document, {"fmt": "pdf"}, name="pdf"),
    path("<int:result_id>/odt/", document_views.result_document, {"fmt": "odt"}, name="odt"),
    path("<int:result_id>/uebernehmen/", reuse_views.copy_take_over, name="take-over"),
    path("<int:result_id>/verwerfen/", reuse_views.copy_dismiss, name="dismiss"),
    path("<int:result_id>/stand/", reuse_views.copy_status, name="status"),
    path("<int:result_id>/angebot/", reuse_views.copy_offer, name="offer"),
]
