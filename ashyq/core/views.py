from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from ashyq.accounts.access import role_required
from ashyq.accounts.models import Role
from ashyq.core import tasks
from ashyq.core.selectors import last_heartbeat, readiness
from ashyq.queue import enqueue
from ashyq.reference.models import Region

# Roles whose work lives in one app start there.
HOME_REDIRECTS = {
    Role.OWNER: "venues:venue_list",
    Role.CITIZEN: "visitors:me",
    Role.MEDIC: "vaccinations:medic_home",
}
# The home page of the other roles.
HOME_TEMPLATES = {
    Role.AKIMAT: "core/home_regional.html",
    Role.INSPECTOR: "core/home_regional.html",
    Role.SANITARY: "core/home_regional.html",
    Role.COMMISSION: "core/home_national.html",
    Role.OPERATOR: "core/home_national.html",
}


@require_GET
def home(request):
    user = request.user
    if not user.is_authenticated:
        return render(request, "core/home_public.html")
    if user.role in HOME_REDIRECTS:
        return redirect(HOME_REDIRECTS[user.role])
    context = {}
    if user.role in (Role.COMMISSION, Role.OPERATOR):
        context["regions"] = Region.objects.visible_to(user)
    elif user.region_id:
        context["zone"] = user.region.current_zone(timezone.localdate())
    return render(request, HOME_TEMPLATES[user.role], context)


@require_GET
@never_cache
def healthz(request):
    """Liveness for load balancers and compose: the process answers, nothing more."""
    return HttpResponse("ok", content_type="text/plain")


@require_GET
@never_cache
def readyz(request):
    """Readiness: 200 when the database, the cache and a worker (its heartbeat younger
    than HEARTBEAT_MAX_AGE) are all fine, else 503 naming what failed; JSON either way."""
    checks = readiness(now=timezone.now())
    failed = [check.name for check in checks if not check.ok]
    body = {
        "status": "unavailable" if failed else "ready",
        "failed": failed,
        "checks": {check.name: {"ok": check.ok, "detail": check.detail} for check in checks},
    }
    return JsonResponse(body, status=503 if failed else 200)


@require_http_methods(["GET", "POST"])
@role_required(Role.OPERATOR)
def system(request):
    if request.method == "POST":
        enqueue(tasks.heartbeat)
        messages.info(request, _("A test task was queued: the worker's heartbeat below changes when it runs."))
        return redirect("core:system")
    context = {
        "heartbeat": last_heartbeat(),
        "broker": settings.CELERY_BROKER_URL.split("://", 1)[0],
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
    }
    return render(request, "core/system.html", context)
