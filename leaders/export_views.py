"""Exports of a region's period, as CSV or XLSX: the candidate list
(R-LD-1, R-LD-3) and the "выгрузка" of every venue's counted check-ins.

The akimat of the region, the commission and operators may download them (another
region: 404, every other role: 403); each download is audited.
"""

from datetime import date

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from ashyq.accounts.access import get_region_for_user, role_required
from ashyq.accounts.models import Role
from ashyq.core.services import audit_record
from ashyq.exports import csv_response, in_chunks, xlsx_response
from leaders import rules, statistics
from leaders.models import CandidateList

WRITERS = {"csv": csv_response, "xlsx": xlsx_response}
EXPORT_ROLES = (Role.AKIMAT, Role.COMMISSION, Role.OPERATOR)


def _target(request, code: str, start: date, fmt: str):
    """The region and the writer of an export; 404 for an unknown format, a date that
    is not a period's first day (R-LD-2) or a region the user may not see."""
    if fmt not in WRITERS or not rules.is_period_start(start):
        raise Http404
    return get_region_for_user(request.user, code), WRITERS[fmt]


def _audit(request, *, region, kind: str, start: date, fmt: str) -> None:
    audit_record(
        actor=request.user, action="leaders.export", region=region, kind=kind, period=start.isoformat(), format=fmt
    )


@role_required(*EXPORT_ROLES)
@require_safe
def candidates(request, code: str, start: date, fmt: str):
    """The region's candidate list of the period: 404 until it has been computed."""
    region, writer = _target(request, code, start, fmt)
    candidate_list = CandidateList.objects.filter(region=region, period__starts_on=start).first()
    if candidate_list is None:
        raise Http404
    _audit(request, region=region, kind="candidates", start=start, fmt=fmt)
    rows = (_candidate_row(c) for c in in_chunks(statistics.candidates_for_export(candidate_list)))
    return writer(f"ashyq-candidates-{region.code}-{start.isoformat()}.{fmt}", _candidate_header(), rows)


@role_required(*EXPORT_ROLES)
@require_safe
def checkins(request, code: str, start: date, fmt: str):
    """Every venue of the region that participated in the period or had a check-in
    in it, with its counted check-ins (so far, for a period still open)."""
    region, writer = _target(request, code, start, fmt)
    since, until = rules.period_bounds_utc(start)
    _audit(request, region=region, kind="checkins", start=start, fmt=fmt)
    venues = in_chunks(statistics.venue_checkins(region=region, start=since, end=until))
    rows = (_checkin_row(venue) for venue in venues)
    return writer(f"ashyq-checkins-{region.code}-{start.isoformat()}.{fmt}", _checkin_header(), rows)


def _candidate_header() -> list[str]:
    return [
        _("Venue ID"),
        _("Venue"),
        _("Address"),
        _("Company BIN"),
        _("Category"),
        _("Check-ins"),
        _("Threshold"),
        _("Struck"),
        _("Reason for striking"),
        _("Suspicious counts"),
    ]


def _candidate_row(candidate) -> list:
    venue = candidate.venue
    return [
        venue.pk,
        venue.name,
        venue.address,
        venue.company.bin,
        venue.category.name,
        candidate.checkins,
        candidate.threshold,
        _("yes") if candidate.struck else _("no"),
        candidate.strike_reason,
        "; ".join(describe_flag(flag) for flag in candidate.flags),
    ]


def describe_flag(flag: dict) -> str:
    """A flag of Candidate.flags in words, with its figures."""
    kind = flag.get("kind")
    try:
        if kind == "over_capacity":
            return (
                _(
                    "over capacity: %(checkins)s check-ins, more than %(capacity)s persons × %(days)s days × "
                    "%(turnovers_per_day)s turnovers = %(limit)s"
                )
                % flag
            )
        if kind == "burst":
            return (
                _("burst: %(checkins)s check-ins on %(day)s, more than %(factor)s × the median day (%(median_day)s)")
                % flag
            )
        if kind == "out_of_hours":
            return (
                _("out of hours: %(checkins)s of %(total)s check-ins (%(percent)s%%) outside the allowed hours") % flag
            )
        if kind == "mostly_guard":
            return _("typed by the guard: %(by_guard)s of %(checkins)s check-ins (%(percent)s%%)") % flag
        if kind == "guard_over_capacity":
            return (
                _(
                    "guard look-ups over capacity: %(lookups)s, more than %(capacity)s persons × %(days)s days × 3 = %(limit)s"
                )
                % flag
            )
    except (KeyError, TypeError, ValueError):
        pass  # a flag missing a figure: listed as its raw fields below
    return ", ".join(f"{key}: {value}" for key, value in flag.items())


def _checkin_header() -> list[str]:
    return [
        _("Venue ID"),
        _("Venue"),
        _("Address"),
        _("Company BIN"),
        _("Category"),
        _("QR codes first issued"),
        _("Check-ins"),
    ]


def _checkin_row(venue) -> list:
    return [
        venue.pk,
        venue.name,
        venue.address,
        venue.company.bin,
        venue.category.name,
        timezone.localdate(venue.codes_first_issued_at) if venue.codes_first_issued_at else None,
        venue.checkins,
    ]
