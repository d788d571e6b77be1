"""The owner's figures of one venue, beside his venue pages (mounted at "" by ashyq/urls.py)."""

from django.urls import path

from leaders import stats_views

app_name = "figures"
urlpatterns = [
    path("venues/<int:pk>/figures/", stats_views.venue_figures, name="venue_figures"),
]
