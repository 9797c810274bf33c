from django.urls import path

from projects import document_views, portable_views, reuse_views, views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("neu/", views.project_create, name="create"),
    path("importieren/", portable_views.project_import, name="import"),
    path("<slug:slug>/", views.project_detail, name="detail"),
    path("<slug:slug>/bearbeiten/", views.project_edit, name="edit"),
    path("<slug:slug>/stand/", views.project_status, name="status"),
    path("<slug:slug>/export/", portable_views.project_export, name="export"),
    path("<slug:slug>/team/", views.project_team, name="team"),
    path("<slug:slug>/team/hinzufuegen/", views.team_add, name="team-add"),
    path("<slug:slug>/team/<int:member_id>/rolle/", views.team_role, name="team-role"),
    path("<slug:slug>/team/<int:member_id>/entfernen/", views.team_remove, name="team-remove"),
    path("<slug:slug>/ergebnisse/neu/", views.result_create, name="result-create"),
    path("<slug:slug>/ergebnisse/<int:result_id>/", views.result_detail, name="result"),
    path(
        "<slug:slug>/ergebnisse/<int:result_id>/bearbeiten/",
        views.result_edit,
        name="result-edit",
    ),
    path(
        "<slug:slug>/ergebnisse/<int:result_id>/versionen/",
        views.result_versions,
        name="result-versions",
    ),
    path(
        "<slug:slug>/ergebnisse/<int:result_id>/vergleich/",
        views.result_compare,
        name="result-compare",
    ),
    path(
        "<slug:slug>/ergebnisse/<int:result_id>/wiederherstellen/",
        views.result_restore,
        name="result-restore",
    ),
    path(
        "<slug:slug>/ergebnisse/<int:result_id>/archivieren/",
        views.result_archive,
        name="result-archive",
    ),
    path(
        "<slug:slug>/ergebnisse/<int:result_id>/vorlage/",
        reuse_views.result_publish,
        name="result-publish",
    ),
    path(
        "<slug:slug>/ergebnisse/<int:result_id>/anhaenge/",
        document_views.attachment_upload,
        name="attachment-upload",
    ),
    path(
        "<slug:slug>/ergebnisse/<int:result_id>/anhaenge/<int:attachment_id>/",
        document_views.attachment_download,
        name="attachment",
    ),
    path(
        "<slug:slug>/ergebnisse/<int:result_id>/anhaenge/<int:attachment_id>/ersetzen/",
        document_views.attachment_replace,
        name="attachment-replace",
    ),
    path(
        "<slug:slug>/ergebnisse/<int:result_id>/anhaenge/<int:attachment_id>/entfernen/",
        document_views.attachment_delete,
        name="attachment-delete",
    ),
    # Documents: PDF (``?archiv=1``: PDF/A-3a), ODT; ``?version=n`` for an older version.
    path(
        "<slug:slug>/ergebnisse/<int:result_id>/pdf/",
        document_views.result_document,
        {"fmt": "pdf"},
        name="result-pdf",
    ),
    path(
        "<slug:slug>/ergebnisse/<int:result_id>/odt/",
        document_views.result_document,
        {"fmt": "odt"},
        name="result-odt",
    ),
    path(
        "<slug:slug>/dossier/pdf/",
        document_views.project_dossier,
        {"fmt": "pdf"},
        name="dossier-pdf",
    ),
    path(
        "<slug:slug>/dossier/odt/",
        document_views.project_dossier,
        {"fmt": "odt"},
        name="dossier-odt",
    ),
]
