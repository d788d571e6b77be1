"""The citizen's passport, mounted at /me/vaccinations/ (R-VP-3, R-VP-4)."""

from django.urls import path

from vaccinations import citizen_views

app_name = "vaccinations_me"
urlpatterns = [
    path("", citizen_views.passport, name="passport"),
    path("certificate.pdf", citizen_views.certificate_pdf, name="certificate_pdf"),
    path("add/", citizen_views.self_entry, name="self_entry"),
]
