from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "ashyq.core"
    label = "core"
    verbose_name = _("System")

    def ready(self):
        from ashyq.core import checks  # noqa: F401  (registers the deploy checks)
