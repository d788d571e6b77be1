"""The public planning figures, mounted at /stats/vaccinations/ (R-VP-6, R-PR-5)."""

from django.urls import path

from vaccinations import figures_views

app_name = "vaccination_stats"
urlpatterns = [path("", figures_views.public_figures, name="public")]
