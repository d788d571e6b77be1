from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SmsConfig(AppConfig):
    name = "ashyq.sms"
    label = "sms"
    verbose_name = _("SMS sign-in")

    def ready(self):
        from ashyq.sms import checks  # noqa: F401  (registers the deploy checks)
