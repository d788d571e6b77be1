from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VaccinationsConfig(AppConfig):
    name = "vaccinations"
    verbose_name = _("Vaccination passport")

    def ready(self):
        from vaccinations import checks  # noqa: F401 - registers the key check
