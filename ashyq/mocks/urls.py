"""Mounted at /mock/ when REGISTRY_MOCKS_ENABLED: a registry lives at REGISTRY_URL + "<name>/"."""

from django.urls import path, re_path

from ashyq.mocks import views
from ashyq.mocks.models import Registry

app_name = "mocks"

_NAMES = "|".join(Registry.values)

urlpatterns = [
    path("subscribers/lookup/", views.subscriber_lookup, {"name": Registry.SUBSCRIBERS}, name="subscriber-lookup"),
    re_path(r"^(?P<name>pcr|contacts|vaccinations)/lookup/$", views.person_lookup, name="person-lookup"),
    path("companies/<str:bin>/", views.company_detail, {"name": Registry.COMPANIES}, name="company"),
    # The client quotes the number; a "/" inside it stays a "/", so take the whole rest of the path.
    path(
        "notifications/<path:number>/", views.notification_detail, {"name": Registry.NOTIFICATIONS}, name="notification"
    ),
    re_path(rf"^(?P<name>{_NAMES})/$", views.feed, name="feed"),
]
