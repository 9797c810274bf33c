from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JoiningConfig(AppConfig):
    name = "network.joining"
    label = "joining"
    verbose_name = _("Beitritt und Klassen")
