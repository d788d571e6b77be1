"""Mounted by the lead at /monitoring/ops/."""

from django.urls import path

from monitoring import ops_views

app_name = "monitoring_ops"

urlpatterns = [
    path("outages/", ops_views.outages, name="outages"),
    path("outages/<int:pk>/", ops_views.outage_edit, name="outage_edit"),
    path("risk/", ops_views.risk, name="risk"),
    path("flags/", ops_views.flags, name="flags"),
    path("participants/", ops_views.participants, name="participants"),
    path("participants.<str:fmt>", ops_views.participants_export, name="participants_export"),
]
