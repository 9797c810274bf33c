from django.urls import path

from projects import reuse_views as views

app_name = "templates"

urlpatterns = [
    path("", views.template_list, name="list"),
    path("<int:template_id>/", views.template_detail, name="detail"),
    path("<int:template_id>/nachnutzen/", views.template_adopt, name="adopt"),
    path("<int:template_id>/angebote/<int:offer_id>/", views.offer_detail, name="offer"),
    path(
        "<int:template_id>/angebote/<int:offer_id>/annehmen/",
        views.offer_accept,
        name="offer-accept",
    ),
    path(
        "<int:template_id>/angebote/<int:offer_id>/ablehnen/",
        views.offer_decline,
        name="offer-decline",
    ),
]
