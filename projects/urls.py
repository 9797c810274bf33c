from django.urls import path

from projects import views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("neu/", views.project_create, name="create"),
    path("<slug:slug>/", views.project_detail, name="detail"),
    path("<slug:slug>/bearbeiten/", views.project_edit, name="edit"),
    path("<slug:slug>/stand/", views.project_status, name="status"),
    path("<slug:slug>/team/", views.project_team, name="team"),
    path("<slug:slug>/team/hinzufuegen/", views.team_add, name="team-add"),
    path("<slug:slug>/team/<int:member_id>/rolle/", views.team_role, name="team-role"),
    path("<slug:slug>/team/<int:member_id>/entfernen/", views.team_remove, name="team-remove"),
]
