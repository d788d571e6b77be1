"""Check-in pages at the top of the site (mounted at "" by ashyq/urls.py)."""

from django.urls import path

from visitors import views

app_name = "checkin"
urlpatterns = [
    path("check/", views.check, name="check"),  # R-CI-8: what the neutral QR opens
    path("check/qr.png", views.check_qr, name="check_qr"),
    path("guard/lookup/", views.guard_lookup_view, name="guard_lookup"),  # the form of codes:guard
    path("sanitary/", views.sanitary_reports, name="sanitary"),  # R-CI-3
]
