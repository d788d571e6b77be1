from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ashyq.accounts.access import can_write_region, get_region_for_user, role_required
from ashyq.accounts.models import Role
from ashyq.reference.forms import ZoneChangeForm
from ashyq.reference.models import Region
from ashyq.reference.services import zone_set

REGION_ROLES = (Role.AKIMAT, Role.INSPECTOR, Role.SANITARY, Role.COMMISSION, Role.OPERATOR)


@require_GET
@role_required(Role.COMMISSION, Role.OPERATOR)
def region_list(request):
    regions = Region.objects.visible_to(request.user).with_zone(timezone.localdate())
    return render(request, "reference/region_list.html", {"regions": regions})


@require_GET
@role_required(*REGION_ROLES)
def region_detail(request, code):
    region = get_region_for_user(request.user, code)
    return _render_detail(request, region, ZoneChangeForm(initial={"effective_from": timezone.localdate()}))


@require_POST
@role_required(*REGION_ROLES)
def region_zone_set(request, code):
    region = get_region_for_user(request.user, code, write=True)
    form = ZoneChangeForm(request.POST, earliest=_earliest_zone_day(request.user))
    if not form.is_valid():
        return _render_detail(request, region, form, status=400)
    zone_set(region=region, actor=request.user, **form.cleaned_data)
    messages.success(request, _("The zone was changed."))
    return redirect("reference:region_detail", code=region.code)


def _earliest_zone_day(user):
    """Akimats set zones from today on; an operator may correct the past (audited)."""
    return None if user.is_superuser or user.role == Role.OPERATOR else timezone.localdate()


def _render_detail(request, region, form, status=200):
    history = Paginator(region.zone_changes.select_related("set_by"), 20).get_page(request.GET.get("page"))
    context = {
        "region": region,
        "zone": region.current_zone(timezone.localdate()),
        "history": history,
        "form": form if can_write_region(request.user) else None,
    }
    return render(request, "reference/region_detail.html", context, status=status)
