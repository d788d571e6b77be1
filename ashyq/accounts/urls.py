from django.urls import path

from ashyq.accounts import views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.StaffSignInView.as_view(), name="login"),
    path("sign-out/", views.SignOutView.as_view(), name="logout"),
]
