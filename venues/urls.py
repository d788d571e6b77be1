from django.urls import path

from venues import views

app_name = "venues"
urlpatterns = [
    path("", views.venue_list, name="venue_list"),
    path("sign-up/", views.sign_up, name="sign_up"),
    path("company/", views.company_claims, name="company_claims"),
    path("<int:pk>/", views.venue_detail, name="venue_detail"),
    path("applications/", views.application_list, name="application_list"),
    path("applications/new/", views.application_create, name="application_create"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
]
