from django.urls import path

from steering.oparl import views

app_name = "oparl"

urlpatterns = [
    path("", views.system, name="system"),
    path("file/<str:ident>/inhalt/", views.file_content, name="file-content"),
    path("<str:segment>/", views.object_list, name="list"),
    path("<str:segment>/<str:ident>/", views.object_detail, name="object"),
]
