"""Statistics pages (R-CI-9): the public one (R-PR-5: nothing below 10
for a region and day), the national one for the commission and operators, and one
region's for its akimat (and the national roles)."""

from datetime import date, timedelta

from django import forms
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from ashyq.accounts.access import get_region_for_user, role_required
from ashyq.accounts.models import Role
from ashyq.reference.models import Region
from leaders import statistics
from leaders.charts import bar_chart, hour_chart
from leaders.figures import venue_figures as venue_figures_of
from venues.selectors import get_venue_for_owner


class RangeForm(forms.Form):
    """The days to show (GET "from" and "to", inclusive), at most 92; on the public
    page also a region. Empty: the last 28 days ending yesterday."""

    def __init__(self, *args, today: date, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        date_input = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        self.fields["from"] = forms.DateField(label=gettext_lazy("First day"), required=False, widget=date_input)
        self.fields["to"] = forms.DateField(label=gettext_lazy("Last day"), required=False, widget=date_input)
        if regions is not None:
            self.fields["region"] = forms.ModelChoiceField(
                regions,
                to_field_name="code",
                required=False,
                label=gettext_lazy("Region"),
                empty_label=gettext_lazy("All of Kazakhstan"),
            )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        default_first, default_last = statistics.default_range(self.today)
        first, last = data.get("from"), data.get("to")
        if first is None and last is None:
            first, last = default_first, default_last
        elif last is None:
            last = min(first + timedelta(days=statistics.DEFAULT_DAYS - 1), max(first, default_last))
        elif first is None:
            first = last - timedelta(days=statistics.DEFAULT_DAYS - 1)
        if last > self.today:
            raise forms.ValidationError(_("The last day cannot be after today."))
        if first > last:
            raise forms.ValidationError(_("The first day is after the last day."))
        if (last - first).days + 1 > statistics.MAX_DAYS:
            raise forms.ValidationError(
                _("Choose at most %(days)d days (you chose %(chosen)d).")
                % {"days": statistics.MAX_DAYS, "chosen": (last - first).days + 1}
            )
        data["first"], data["last"] = first, last
        return data


def _range_form(request, *, regions=None) -> tuple[RangeForm, date, date]:
    """The form bound to the GET query (unbound when there is none) and the days it
    asks for; an invalid query shows its errors and the default range."""
    today = timezone.localdate()
    bound = any(request.GET.get(name) for name in ("from", "to", "region"))
    form = RangeForm(request.GET if bound else None, today=today, regions=regions)
    if form.is_bound and form.is_valid():
        first, last = form.cleaned_data["first"], form.cleaned_data["last"]
        form.data = form.data.copy()  # show the days filled in for an empty field
        form.data["from"], form.data["to"] = first.isoformat(), last.isoformat()
        return form, first, last
    first, last = statistics.default_range(today)
    if not form.is_bound:
        form = RangeForm(initial={"from": first, "to": last}, today=today, regions=regions)
    return form, first, last


def _charts(prefix: str, days: list[date], series: dict, measures) -> list:
    return [
        bar_chart(chart_id=f"{prefix}-{name}", title=str(statistics.LABELS[name]), days=days, values=series[name])
        for name in measures
    ]


def _rows(days: list[date], series: dict, measures) -> list[tuple[date, list]]:
    """Table rows: (day, [value per measure]), newest first."""
    return [(day, [series[name][n] for name in measures]) for n, day in reversed(list(enumerate(days)))]


def _page(request, template: str, context: dict, *, days, series, measures, prefix: str):
    context |= {
        "days": days,
        "measures": [(name, statistics.LABELS[name]) for name in measures],
        "charts": _charts(prefix, days, series, measures),
        "rows": _rows(days, series, measures),
        "max_days": statistics.MAX_DAYS,
        "default_days": statistics.DEFAULT_DAYS,
    }
    return render(request, template, context)


@require_safe
def public(request):
    """Anyone: national totals per day and, for a chosen region, its public measures,
    every count below 10 shown as "fewer than 10" (R-PR-5)."""
    regions = Region.objects.order_by("kind", "name_ru")
    form, first, last = _range_form(request, regions=regions)
    region = form.cleaned_data.get("region") if form.is_bound and "region" not in form.errors else None
    figures = statistics.daily_figures(first=first, last=last, region_ids=[r.pk for r in regions])
    shown = statistics.public_figures(figures)
    measures = statistics.PUBLIC_REGIONAL_MEASURES if region else statistics.MEASURES
    series = shown.regions[region.pk] if region else shown.national
    context = {"form": form, "region": region, "first": first, "last": last}
    return _page(
        request, "leaders/stats/public.html", context, days=figures.days, series=series, measures=measures, prefix="p"
    )


@role_required(Role.COMMISSION, Role.OPERATOR)
@require_safe
def national(request):
    """The commission and operators: national totals per day and every region's
    totals over the range, each linked to its page."""
    form, first, last = _range_form(request)
    regions = list(Region.objects.order_by("kind", "name_ru"))
    figures = statistics.daily_figures(first=first, last=last, region_ids=[r.pk for r in regions])
    totals = [(region, figures.region_totals(region.pk)) for region in regions]
    regional = [(name, statistics.LABELS[name]) for name in statistics.REGIONAL_MEASURES]
    context = {"form": form, "first": first, "last": last, "totals": totals, "regional_measures": regional}
    return _page(
        request,
        "leaders/stats/national.html",
        context,
        days=figures.days,
        series=figures.national,
        measures=statistics.MEASURES,
        prefix="n",
    )


@role_required(Role.AKIMAT, Role.COMMISSION, Role.OPERATOR)
@require_safe
def region(request, code):
    """One region's figures per day: its akimat (another region: 404) and the national
    roles."""
    region = get_region_for_user(request.user, code)
    form, first, last = _range_form(request)
    figures = statistics.daily_figures(first=first, last=last, region_ids=[region.pk])
    context = {"form": form, "region": region, "first": first, "last": last}
    return _page(
        request,
        "leaders/stats/region.html",
        context,
        days=figures.days,
        series=figures.regions[region.pk],
        measures=statistics.REGIONAL_MEASURES,
        prefix="r",
    )


# --- The owner's figures of one venue -----------------------------------------------------------


@require_safe
@role_required(Role.OWNER)
def venue_figures(request, pk: int):
    """The owner's own venue: check-ins per day and per hour of the last 28 days, the
    current period against the Leader Ashyq threshold (R-LD-1), the standing history
    (R-VN-9) and the sanctions (the monitoring panel's tag, in the template)."""
    venue = get_venue_for_owner(request.user, pk)  # 404 to anyone else's venue
    figures = venue_figures_of(venue, now=timezone.now())
    context = {
        "venue": venue,
        "figures": figures,
        "daily": zip(figures.days, figures.per_day, figures.refused_per_day, strict=True),
        "hourly": list(enumerate(figures.per_hour)),
        "day_chart": bar_chart(
            chart_id="venue-days", title=_("Check-ins per day"), days=figures.days, values=list(figures.per_day)
        ),
        "hour_chart": hour_chart(
            chart_id="venue-hours", title=_("Check-ins per hour of the day"), values=figures.per_hour
        ),
    }
    return render(request, "leaders/venue_figures.html", context)
