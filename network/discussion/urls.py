from django.urls import path

from network.discussion import views

app_name = "discussion"
urlpatterns = [
    path("leitprojekte/<slug:slug>/", views.project_comment, name="project-comment"),
    path("ergebnisse/<int:result_id>/", views.result_comment, name="result-comment"),
    path("beitraege/<int:comment_id>/", views.comment_partial, name="comment"),
    path("beitraege/<int:comment_id>/antworten/", views.reply, name="reply"),
    path("beitraege/<int:comment_id>/bearbeiten/", views.edit, name="edit"),
    path("beitraege/<int:comment_id>/ausblenden/", views.hide, name="hide"),
    path("beitraege/<int:comment_id>/einblenden/", views.unhide, name="unhide"),
]
