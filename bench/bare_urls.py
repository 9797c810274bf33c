"""The app's URLs plus ``/_bench/leer/``, a view that does nothing (only for `make bench`)."""

from django.http import HttpResponse
from django.urls import include, path


def bare(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("_bench/leer/", bare), path("", include("workspace.urls"))]
