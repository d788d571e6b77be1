"""URLs of the statistics pages (mounted at /stats/): public (R-PR-5), the commission's
national view and one region's (R-CI-9)."""

from django.urls import path

from leaders import stats_views

app_name = "stats"
urlpatterns = [
    path("", stats_views.public, name="public"),
    path("national/", stats_views.national, name="national"),
    path("regions/<slug:code>/", stats_views.region, name="region"),
]
