from django.urls import path

from workspace.audit import views

urlpatterns = [
    path("sicherheitsprotokoll/", views.security_log, name="security-log"),
    path("konto/sicherheitsprotokoll/", views.my_security_log, name="my-security-log"),
]
