from django.urls import path

from ashyq.reference import views

app_name = "reference"
urlpatterns = [
    path("", views.region_list, name="region_list"),
    path("<slug:code>/", views.region_detail, name="region_detail"),
    path("<slug:code>/zone/", views.region_zone_set, name="region_zone_set"),
]
