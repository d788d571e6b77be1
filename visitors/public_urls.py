"""Check-in pages at the top of the site (mounted at "" by ashyq/urls.py)."""

from django.urls import path

from visitors import report_views, views

app_name = "checkin"
urlpatterns = [
    # R-VN-4: what the QR encodes; no trailing slash, to keep the code small.
    path("q/<str:token>", views.scan, name="scan"),
    path("guard/", views.guard_page, name="guard"),  # R-CI-2, R-CI-6
    path("check/", views.check, name="check"),  # R-CI-8: what the neutral QR opens
    path("check/qr.png", views.check_qr, name="check_qr"),
    path("guard/lookup/", views.guard_lookup_view, name="guard_lookup"),  # the form of checkin:guard
    path("guard/exit/", views.guard_exit_view, name="guard_exit"),  # R-CI-6: its exit form
    path("sanitary/", report_views.sanitary_reports, name="sanitary"),  # R-CI-3
    path("sanitary/reports.<str:fmt>", report_views.sanitary_export, name="sanitary_export"),
]
