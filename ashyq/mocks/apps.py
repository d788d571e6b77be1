from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MocksConfig(AppConfig):
    """Stand-ins for the other agencies' registries (R-RG-1), served over HTTP under
    /mock/ when REGISTRY_MOCKS_ENABLED is on (never in production)."""

    name = "ashyq.mocks"
    label = "mocks"
    verbose_name = _("Mock registries")
