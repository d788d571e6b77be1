from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from ashyq.accounts.views import language_set

admin.site.site_header = "Ashyq"
admin.site.site_title = "Ashyq"

urlpatterns = [
    path("", include("ashyq.core.urls")),
    path("accounts/", include("ashyq.accounts.urls")),
    path("auth/phone/", include("ashyq.sms.urls")),
    path("regions/", include("ashyq.reference.urls")),
    path("me/vaccinations/", include("vaccinations.citizen_urls")),
    path("me/", include("visitors.urls")),
    path("vaccinations/", include("vaccinations.urls")),
    path("verify/", include("vaccinations.public_urls")),
    path("venues/", include("venues.urls")),
    path("", include("venues.codes.urls")),
    path("", include("visitors.public_urls")),
    path("monitoring/", include("monitoring.urls")),
    path("monitoring/ops/", include("monitoring.ops_urls")),
    path("leaders/", include("leaders.urls")),
    path("", include("leaders.figures_urls")),
    path("stats/vaccinations/", include("vaccinations.stats_urls")),
    path("stats/", include("leaders.stats_urls")),
    # Django's set_language, which also keeps a signed-in person's choice.
    path("i18n/setlang/", language_set, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
]

if settings.REGISTRY_MOCKS_ENABLED:
    urlpatterns += [path("mock/", include("ashyq.mocks.urls"))]
# Uploaded files (violation photos) are never served from MEDIA_URL: only through the
# monitoring views, which check the viewer's region.
