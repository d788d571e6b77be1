from django.urls import path

from visitors import views

app_name = "visitors"
urlpatterns = [
    path("", views.me, name="me"),
    path("link/", views.link_iin, name="link_iin"),
    path("lookups/", views.my_lookups, name="my_lookups"),  # R-PR-4
    path("visits/", views.my_visits, name="my_visits"),  # R-PR-4
]
