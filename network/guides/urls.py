from django.urls import path

from network.guides import document_views, views

app_name = "guides"

urlpatterns = [
    path("leitfaeden/", views.guide_list, name="list"),
    path("leitfaeden/neu/", views.guide_create, name="create"),
    path("leitfaeden/dieser-monat/", views.guide_month, name="month"),
    path("leitfaeden/themen/<slug:topic_slug>/", views.guide_topic, name="topic"),
    path("leitfaeden/<slug:slug>/", views.guide_detail, name="detail"),
    path("leitfaeden/<slug:slug>/bearbeiten/", views.guide_edit, name="edit"),
    path("leitfaeden/<slug:slug>/versionen/", views.guide_versions, name="versions"),
    path("leitfaeden/<slug:slug>/vergleich/", views.guide_compare, name="compare"),
    path("leitfaeden/<slug:slug>/wiederherstellen/", views.guide_restore, name="restore"),
    # Documents (``?archiv=1``: PDF/A-3a; ``?version=n``) and attachments.
    path("leitfaeden/<slug:slug>/pdf/", document_views.guide_document, {"fmt": "pdf"}, name="pdf"),
    path("leitfaeden/<slug:slug>/odt/", document_views.guide_document, {"fmt": "odt"}, name="odt"),
    path(
        "leitfaeden/<slug:slug>/anhaenge/",
        document_views.attachment_upload,
        name="attachment-upload",
    ),
    path(
        "leitfaeden/<slug:slug>/anhaenge/<int:attachment_id>/",
        document_views.attachment_download,
        name="attachment",
    ),
    path(
        "leitfaeden/<slug:slug>/anhaenge/<int:attachment_id>/ersetzen/",
        document_views.attachment_replace,
        name="attachment-replace",
    ),
    path(
        "leitfaeden/<slug:slug>/anhaenge/<int:attachment_id>/entfernen/",
        document_views.attachment_delete,
        name="attachment-delete",
    ),
    path("vokabelheft/", views.glossary, name="glossary"),
    path("vokabelheft/neu/", views.term_create, name="term-create"),
    path("vokabelheft/<slug:slug>/", views.term_detail, name="term"),
    path("vokabelheft/<slug:slug>/bearbeiten/", views.term_edit, name="term-edit"),
]
