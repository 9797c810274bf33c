from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DatesConfig(AppConfig):
    name = "network.dates"
    label = "dates"
    verbose_name = _("Termine")
