from django.urls import path

from ashyq.sms import views

app_name = "sms"
urlpatterns = [
    path("", views.phone, name="phone"),
    path("code/", views.code, name="code"),
    path("code/resend/", views.resend, name="resend"),
    path("outbox/", views.outbox, name="outbox"),
]
