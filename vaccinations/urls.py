"""The medical worker's pages and the staff figures, mounted at /vaccinations/."""

from django.urls import path

from vaccinations import figures_views, views

app_name = "vaccinations"
urlpatterns = [
    path("", views.medic_home, name="medic_home"),
    path("person/", views.medic_person, name="medic_person"),  # R-VP-2: the identifier in the POST body
    path("entries/<int:pk>/correct/", views.medic_correct, name="medic_correct"),
    path("pending/", views.pending_list, name="pending_list"),  # R-VP-3
    path("pending/<int:pk>/", views.pending_decide, name="pending_decide"),
    path("pending/<int:pk>/document/", views.pending_document, name="pending_document"),
    path("figures/", figures_views.staff_figures, name="figures"),  # R-VP-6
    path("figures.<str:fmt>", figures_views.staff_figures_export, name="figures_export"),
]
