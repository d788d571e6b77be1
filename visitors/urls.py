from django.urls import path

from visitors import views

app_name = "visitors"
urlpatterns = [
    path("", views.me, name="me"),
    path("link/", views.link_iin, name="link_iin"),
]
