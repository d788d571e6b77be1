"""Public pages: the verification at /verify/ (R-VP-5) and the figures at /stats/vaccinations/ (R-VP-6)."""

from django.urls import path

from vaccinations import public_views

app_name = "verify"
urlpatterns = [
    path("", public_views.verify, name="verify"),
    path("keys.json", public_views.keys, name="keys"),
    path("revoked.json", public_views.revoked, name="revoked"),
    path("sw.js", public_views.service_worker, name="service_worker"),
]
