from django.urls import path

from venues.codes import views

app_name = "codes"
urlpatterns = [
    path("venues/<int:pk>/codes/", views.venue_codes, name="venue_codes"),
    path("venues/<int:pk>/codes/<int:code_pk>.png", views.code_png, name="code_png"),
    path("venues/<int:pk>/codes/<int:code_pk>.pdf", views.code_pdf, name="code_pdf"),
    path("venues/<int:pk>/codes/all.zip", views.codes_zip, name="codes_zip"),
    path("venues/<int:pk>/codes/reissue/", views.codes_reissue, name="codes_reissue"),
    path("venues/<int:pk>/guard/enable/", views.guard_enable, name="guard_enable"),
    path("venues/<int:pk>/guard/disable/", views.guard_disable, name="guard_disable"),
    path("signed-in/", views.after_sign_in, name="after_sign_in"),
    path("signed-in/guard-requests/<int:pk>/", views.guard_request_answer, name="guard_request_answer"),
    path("participants/", views.participant_regions, name="participants"),
    path("participants/<slug:region_code>/", views.participant_list, name="participant_list"),
    path("guide/", views.document, {"slug": "guide"}, name="guide"),
    path("guide/rules/", views.document, {"slug": "rules"}, name="rules"),
    path("guide/guide.pdf", views.document_pdf, {"slug": "guide"}, name="guide_pdf"),
    path("guide/rules.pdf", views.document_pdf, {"slug": "rules"}, name="rules_pdf"),
    path("guide/agreement/", views.document, {"slug": "agreement"}, name="agreement"),  # R-VN-1
    path("guide/agreement.pdf", views.document_pdf, {"slug": "agreement"}, name="agreement_pdf"),
]
