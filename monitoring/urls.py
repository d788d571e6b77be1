from django.urls import path

from monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("", views.venue_search, name="venue_search"),
    path("venues/<int:pk>/", views.venue_history, name="venue_history"),
    path("venues/<int:pk>/inspected/", views.venue_inspected, name="venue_inspected"),
    path("photos/drafts/<int:pk>/", views.draft_photo, name="draft_photo"),
    path("violations/", views.violation_list, name="violation_list"),
    path("violations/<int:pk>/decide/", views.violation_decide, name="violation_decide"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("sanctions/<int:pk>/appeal/", views.sanction_appeal, name="sanction_appeal"),
    path("sanctions/<int:pk>/return/", views.sanction_return, name="sanction_return"),
    path("appeals/", views.appeal_list, name="appeal_list"),
    path("appeals/<int:pk>/decide/", views.appeal_decide, name="appeal_decide"),
]
