from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ashyq.accounts.access import role_required
from ashyq.accounts.models import Role
from ashyq.registries import RegistryUnavailable
from statuses.selectors import history_for, status_for
from visitors.forms import LinkIinForm
from visitors.services import LinkRefused, citizen_link_iin


@require_http_methods(["GET", "POST"])
@role_required(Role.CITIZEN)
def link_iin(request):
    if request.user.iin_index:
        return redirect("visitors:me")
    form = LinkIinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            citizen_link_iin(user=request.user, iin=form.cleaned_data["iin"], now=timezone.now())
        except ValidationError as exc:
            form.add_error("iin", exc)
        except LinkRefused as exc:
            form.add_error(None, exc.message)
        except RegistryUnavailable:
            form.add_error(None, _("The mobile operators' registry does not answer. Try again in a few minutes."))
        else:
            messages.success(request, _("Your IIN is linked. This is your status."))
            return redirect("visitors:me")
    return render(request, "visitors/link_iin.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET"])
@role_required(Role.CITIZEN)
def me(request):
    """My status: the colour full-screen, until when, why, how fresh, and its history
    (R-ST-7, R-ST-9, R-ST-10). Nobody sees another person's status remotely (R-CI-8)."""
    if not request.user.iin_index:
        return redirect("visitors:link_iin")
    context = {
        "report": status_for(iin=request.user.iin),
        "history": history_for(iin=request.user.iin, limit=50),
    }
    return render(request, "visitors/me.html", context)
