"""The on-demand computation of the candidate lists (R-LD-2) with its progress:
the commission or an operator asks for a period, the worker computes it, and
the run's page shows how far it has got, then the candidates of each region."""

from django import forms
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from ashyq.accounts.access import role_required
from ashyq.accounts.models import Role
from ashyq.reference.models import Region
from leaders import rules
from leaders.models import ComputeRun, RunStatus
from leaders.services import compute as services

RUNS_PER_PAGE = 20
RUNNERS = (Role.COMMISSION, Role.OPERATOR)


class ComputeForm(forms.Form):
    period_start = forms.DateField(
        label=_("First day of the period"),
        help_text=_("A Monday that starts a two-week period; the period must have closed."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


@require_http_methods(["GET", "POST"])
@role_required(*RUNNERS)
def compute(request):
    now = timezone.now()
    form = ComputeForm(request.POST or None, initial={"period_start": rules.last_closed_period(now)[0]})
    if request.method == "POST" and form.is_valid():
        try:
            run = services.compute_run_request(
                period_start=form.cleaned_data["period_start"],
                requested_by=request.user,
                now=now,
                language=get_language(),
            )
        except services.LeadersError as error:
            form.add_error("period_start", str(error))
        else:
            return redirect("leaders:run", pk=run.pk)
    runs = ComputeRun.objects.select_related("requested_by").order_by("-requested_at", "-id")
    page = Paginator(runs, RUNS_PER_PAGE).get_page(request.GET.get("page"))
    status = 400 if form.errors else 200
    return render(request, "leaders/compute.html", {"form": form, "page": page}, status=status)


@require_GET
@role_required(*RUNNERS)
def run(request, pk: int):
    run = get_object_or_404(ComputeRun.objects.select_related("requested_by"), pk=pk)
    if request.GET.get("format") == "json":
        return JsonResponse({"status": run.status, "progress": run.progress, "message": run.message})
    regions = {region.code: region for region in Region.objects.filter(code__in=list(run.result))}
    counts = sorted(
        ((code, regions.get(code), count) for code, count in run.result.items()),
        key=lambda row: str(row[1] or row[0]),
    )
    pending = run.status in (RunStatus.QUEUED, RunStatus.RUNNING)
    context = {"run": run, "counts": counts, "pending": pending}
    if request.headers.get("HX-Request"):
        # The page polls its state (htmx) instead of reloading itself: only the part that
        # changes, and the status read out once when it changes (was: the last one seen).
        context["announce"] = request.GET.get("was", run.status) != run.status
        return render(request, "leaders/_run_state.html", context)
    return render(request, "leaders/run.html", context)
