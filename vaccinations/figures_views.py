"""Planning figures (R-VP-6): per region and week, doses by vaccine and dose number and
people with a complete scheme; for health staff and the commission (with CSV/XLSX), and
on the public statistics with counts below 10 suppressed (R-PR-5)."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from ashyq.accounts.access import role_required
from ashyq.accounts.models import NATIONAL_ROLES, Role
from ashyq.exports import csv_response, xlsx_response
from ashyq.reference.models import Region
from vaccinations import rules, selectors
from vaccinations.forms import DEFAULT_WEEKS, FiguresForm

# Health staff of one region, and the commission and operators for every region.
FIGURE_ROLES = (Role.MEDIC, Role.SANITARY, *NATIONAL_ROLES)


def _weeks(request, *, regions=None) -> tuple[FiguresForm, date, date, Region | None]:
    today = timezone.localdate()
    last_default = rules.week_of(today)
    first_default = last_default - timedelta(weeks=DEFAULT_WEEKS - 1)
    bound = any(request.GET.get(name) for name in ("first", "last", "region"))
    form = FiguresForm(request.GET if bound else None, regions=regions)
    first, last, region = first_default, last_default, None
    if form.is_bound and form.is_valid():
        first = form.cleaned_data.get("first") or first_default
        last = form.cleaned_data.get("last") or max(first, last_default)
        if len(rules.weeks_between(first, last)) > 26:
            first = rules.week_of(last) - timedelta(weeks=25)
        region = form.cleaned_data.get("region")
    elif not form.is_bound:
        form = FiguresForm(initial={"first": first_default, "last": last_default}, regions=regions)
    return form, rules.week_of(first), rules.week_of(last), region


def _scope(user, region):
    """The region a regional role sees (his own, whatever was asked), or the one chosen."""
    if user.role in (Role.MEDIC, Role.SANITARY):
        return user.region
    return region


def _vaccine_columns(weeks: list[selectors.WeekFigures]) -> list[tuple[str, int]]:
    return sorted({key for week in weeks for key in week.doses})


@require_safe
@role_required(*FIGURE_ROLES)
def staff_figures(request):
    national = request.user.role in NATIONAL_ROLES or request.user.is_superuser
    form, first, last, region = _weeks(request, regions=Region.objects.all() if national else None)
    region = _scope(request.user, region)
    weeks = selectors.figures(first=first, last=last, region=region)
    columns = _vaccine_columns(weeks)
    context = {
        "form": form,
        "rows": [(week, [week.doses.get(key, 0) for key in columns]) for week in weeks],
        "columns": columns,
        "region": region,
        "first": first,
        "last": last,
        "query": request.GET.urlencode(),
    }
    return render(request, "vaccinations/figures.html", context)


def _header():
    return [
        _("Week from"),
        _("Region"),
        _("Vaccine"),
        _("Dose number"),
        _("Doses given"),
        _("People with a complete scheme"),
    ]


def _rows(weeks):
    for week in weeks:
        region = week.region.name if week.region else _("Region not given")
        for (vaccine, dose), count in sorted(week.doses.items()):
            yield [week.week, region, vaccine, dose, count, ""]
        yield [week.week, region, _("All vaccines"), "", week.total, week.complete]


@require_safe
@role_required(*FIGURE_ROLES)
def staff_figures_export(request, fmt: str):
    national = request.user.role in NATIONAL_ROLES or request.user.is_superuser
    _form, first, last, region = _weeks(request, regions=Region.objects.all() if national else None)
    region = _scope(request.user, region)
    weeks = selectors.figures(first=first, last=last, region=region)
    name = f"vaccinations-{region.code if region else 'kz'}-{first:%Y-%m-%d}-{last:%Y-%m-%d}"
    if fmt == "csv":
        return csv_response(f"{name}.csv", _header(), _rows(weeks))
    if fmt == "xlsx":
        return xlsx_response(f"{name}.xlsx", _header(), _rows(weeks))
    raise Http404


@dataclass(frozen=True)
class PublicWeek:
    week: date
    region: Region | None
    doses: dict[tuple[str, int], int | None]
    total: int | None
    complete: int | None


def _public(week: selectors.WeekFigures) -> PublicWeek:
    return PublicWeek(
        week=week.week,
        region=week.region,
        doses=rules.suppress_row(week.doses, total_shown=rules.suppress(week.total) is not None),
        total=rules.suppress(week.total),
        complete=rules.suppress(week.complete),
    )


@require_safe
def public_figures(request):
    """R-VP-6 on the public statistics: every count below 10 reads "fewer than 10" (R-PR-5)."""
    form, first, last, region = _weeks(request, regions=Region.objects.all())
    weeks = selectors.figures(first=first, last=last, region=region)
    columns = _vaccine_columns(weeks)
    public = [_public(week) for week in weeks]
    context = {
        "form": form,
        # A vaccine and dose with no row in a week is 0 doses: "fewer than 10" as well.
        "rows": [(week, [week.doses.get(key) for key in columns]) for week in public],
        "columns": columns,
        "region": region,
        "first": first,
        "last": last,
    }
    return render(request, "vaccinations/public_figures.html", context)
