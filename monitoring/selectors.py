"""Reads of monitoring: the exclusion hooks other apps ask (R-MN-4) and the pages' reads."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db.models import Case, Func, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ashyq.accounts.models import User
from ashyq.core.models import AuditEvent
from leaders.models import Leader
from monitoring import rules
from monitoring.models import (
    Appeal,
    AppealDecision,
    Inspection,
    Outage,
    PhotoDraft,
    RiskList,
    Sanction,
    SanctionKind,
    SanctionState,
    Violation,
    ViolationKind,
    ViolationState,
)
from venues.conditions import closed_days, conditions_at
from venues.models import Standing, StandingCause, StandingKind, Venue
from venues.standing import rules as standing_rules
from venues.standing.rules import Interval
from venues.standing.selectors import histories, history_of, standing_at, standing_on
from visitors.models import Visit
from visitors.selectors import occupancy

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def exclusion_in_force(sanction: Sanction, at: datetime) -> Interval | None:
    """The venue's standing at `at` when it is `sanction`'s exclusion (excluded, or
    awaiting the return from it: R-MN-4), else None (a warning, an exclusion ended by a
    return, lifted, or superseded by a later one)."""
    interval = standing_at(sanction.venue_id, at)
    if interval is None or interval.kind not in standing_rules.EXCLUDED_KINDS or interval.ref != sanction.pk:
        return None
    return interval


# --- The sanction a trigger brings (R-MN-3) -------------------------------------------------


@dataclass(frozen=True)
class SanctionFacts:
    """What the ladder of R-MN-3 reads of a venue: the sanction in force that began
    last (None without one), its earlier exclusions not cancelled or withdrawn, and its
    standing history over the moments asked about (R-VN-9)."""

    current: Sanction | None
    prior_exclusions: int
    history: list[Interval]

    def outcome(self, *, happened: datetime, at: datetime) -> rules.Outcome:
        """The sanction of a trigger that happened at `happened`, decided at `at`."""
        return rules.sanction_outcome(
            happened=happened,
            current_started_at=self.current.starts_at if self.current else None,
            in_test_mode=standing_rules.kind_at(self.history, happened) == standing_rules.TEST_MODE_KIND,
            prior_exclusions=self.prior_exclusions,
            at=at,
        )


def sanction_facts(venue_ids, *, first: datetime, last: datetime, now: datetime) -> dict[int, SanctionFacts]:
    """The SanctionFacts of each venue at `now`, with its history from `first` to
    `last` (the moments its triggers happened). Two queries whatever the number of
    venues."""
    venue_ids = sorted(set(venue_ids))
    in_force: dict[int, list[Sanction]] = defaultdict(list)
    rows = Sanction.objects.filter(venue_id__in=venue_ids, state=SanctionState.ACTIVE, starts_at__lte=now)
    for sanction in rows.order_by("venue_id", "-starts_at", "-id"):
        in_force[sanction.venue_id].append(sanction)
    found = histories(venue_ids, first, last + timedelta(microseconds=1))
    return {
        pk: SanctionFacts(
            current=in_force[pk][0] if in_force[pk] else None,
            prior_exclusions=sum(1 for sanction in in_force[pk] if sanction.kind == SanctionKind.EXCLUSION),
            history=found[pk],
        )
        for pk in venue_ids
    }


@dataclass(frozen=True)
class Preview:
    """What confirming a violation would bring (R-MN-3), or the outage that spares it
    (R-MN-6: a violation of not checking statuses during one brings nothing)."""

    outcome: rules.Outcome | None
    outage: Outage | None = None
    current: Sanction | None = None


def sanction_previews(violations, *, now: datetime) -> dict[int, Preview]:
    """violation id → its Preview, decided as the confirmation decides
    (monitoring.services.violations.violation_decide, sanction_for_trigger). Three
    queries whatever the number of violations."""
    violations = list(violations)
    if not violations:
        return {}
    moments = [violation.occurred_at for violation in violations]
    outages = list(
        Outage.objects.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=min(moments)), starts_at__lte=max(moments))
        .select_related("recorded_by")
        .order_by("-starts_at", "-id")
    )
    facts = sanction_facts([v.venue_id for v in violations], first=min(moments), last=max(moments), now=now)
    previews = {}
    for violation in violations:
        if violation.kind == ViolationKind.NO_STATUS_CHECK:
            outage = next((outage for outage in outages if outage.covers(violation.occurred_at)), None)
            if outage is not None:
                previews[violation.pk] = Preview(None, outage=outage)
                continue
        venue = facts[violation.venue_id]
        previews[violation.pk] = Preview(venue.outcome(happened=violation.occurred_at, at=now), current=venue.current)
    return previews


def sanctions_for_owner(*, venue) -> list[Sanction]:
    """The venue's sanctions for the owner's panel, newest first, with their appeals."""
    return list(
        Sanction.objects.filter(venue=venue)
        .select_related("appeal", "violation", "inactivity_flag")
        .order_by("-starts_at", "-id")[:20]
    )


# The journal of a venue's page in the reader's words (the audit log keeps the codes).
JOURNAL = {
    "monitoring.violation_file": _("violation filed"),
    "monitoring.violation_confirm": _("violation confirmed"),
    "monitoring.violation_reject": _("violation rejected"),
    "monitoring.sanction": _("sanction decided"),
    "monitoring.sanction_none": _("no new sanction: the violation happened before the current one"),
    "monitoring.sanction_withdrawn": _("sanction withdrawn: an outage was recorded"),
    "monitoring.inactivity_withdrawn": _("inactivity flag withdrawn: an outage was recorded"),
    "monitoring.appeal_file": _("appeal filed by the owner"),
    "monitoring.appeal_cancel": _("sanction cancelled on appeal"),
    "monitoring.appeal_uphold": _("sanction upheld on appeal"),
    "monitoring.return": _("the owner returned the venue to Ashyq"),
    "monitoring.inspection": _("inspected, nothing found"),
}


@dataclass(frozen=True)
class JournalEntry:
    """A line of the journal on a venue's page: an audit row, in the reader's words."""

    at: datetime
    action: str
    actor: User | None
    label: "StrOrPromise"


def venue_history(venue, *, now: datetime) -> dict:
    """Everything the venue's page shows an inspector (R-MN-1) on site: its standing now
    and its history (R-VN-9), today's conditions (R-OP-2) with the allowed and the
    current occupancy (R-CI-6), its inspections and violations, sanctions and the
    journal of what monitoring did to it."""
    current = standing_at(venue, now)
    kind = current.kind if current else standing_rules.APPLIED
    history = [
        {
            "kind": interval.kind,
            "label": StandingKind(interval.kind).label,
            "cause": StandingCause(interval.cause).label,
            "starts_at": interval.starts_at,
            "ends_at": interval.ends_at,
        }
        for interval in reversed(history_of(venue))
    ]
    violations = (
        Violation.objects.filter(venue=venue)
        .select_related("filed_by", "decided_by")
        .prefetch_related("photos")
        .order_by("-filed_at", "-id")
    )
    sanctions = Sanction.objects.filter(venue=venue).select_related("appeal", "violation", "inactivity_flag")
    inspections = Inspection.objects.filter(venue=venue).select_related("inspected_by").order_by("-at", "-id")[:20]
    audit = [
        JournalEntry(at=event.at, action=event.action, actor=event.actor, label=JOURNAL.get(event.action, event.action))
        for event in AuditEvent.objects.filter(action__startswith="monitoring.", details__venue=venue.pk)
        .select_related("actor")
        .order_by("-id")[:50]
    ]
    return {
        "standing": current,
        "standing_label": StandingKind(kind).label,
        "history": history,
        "conditions": conditions_at(venue, now, standing=kind),
        "occupancy": occupancy(venue, now=now, standing=kind),
        "inspections": inspections,
        "inspected_today": any(inspection.day == timezone.localdate(now) for inspection in inspections),
        "violations": violations,
        "sanctions": sanctions,
        "audit": audit,
    }


def photo_drafts_of(user, ids) -> list[PhotoDraft]:
    """The photo drafts among `ids` that `user` uploaded (another's: none), oldest first."""
    wanted = [int(pk) for pk in ids if str(pk).isdigit()]
    return list(PhotoDraft.objects.filter(pk__in=wanted, uploaded_by=user).order_by("uploaded_at", "id"))


def venues_for_inspector(user, q: str = "") -> QuerySet:
    """Venues of the inspector's region, by name, BIN or address."""
    venues = Venue.objects.filter(region_id=user.region_id).select_related("company", "category")
    q = q.strip()
    if q:
        condition = Q(company__bin=q)
        for variant in {q, q.lower(), q.upper(), q.capitalize(), q.title()}:
            condition |= Q(name__icontains=variant) | Q(address__icontains=variant)
        venues = venues.filter(condition)
    return venues.order_by("name", "id")


def violations_awaiting(user) -> QuerySet:
    """Filed violations of the inspector's region that another inspector filed."""
    return (
        Violation.objects.filter(venue__region_id=user.region_id, state=ViolationState.FILED)
        .exclude(filed_by=user)
        .select_related("venue", "filed_by")
        .prefetch_related("photos")
        .order_by("filed_at", "id")
    )


def appeals_for_akimat(user) -> QuerySet:
    """Appeals of the akimat's region, pending first, with what the akimat judges them
    by: the violation (its time, text, photos, who filed and who confirmed it, with
    his note) or the inactivity flag."""
    return (
        Appeal.objects.filter(sanction__venue__region_id=user.region_id)
        .select_related(
            "sanction__venue",
            "sanction__violation__filed_by",
            "sanction__violation__decided_by",
            "sanction__inactivity_flag",
            "filed_by",
        )
        .prefetch_related("sanction__violation__photos")
        .order_by(Case(When(decision=AppealDecision.PENDING, then=0), default=1), "-filed_at", "-id")
    )


# --- The akimat's participant list (docs/rules.md §1: the akimat reviews participant lists) -----------

# The standings a venue that joined Ashyq has (R-VN-9): its codes were issued.
JOINED = standing_rules.WORKING | standing_rules.EXCLUDED_KINDS
PARTICIPANT_DAYS = 14  # the check-ins counted on the list


def participants_of(region, *, now: datetime, kind: str = "") -> QuerySet:
    """The venues of `region` that joined Ashyq, by name, each with its standing at
    `now` (R-VN-9) and when that ends, its check-ins of the last 14 days, its confirmed
    violations and its last inspection without findings; `kind`: one standing only.
    One query (a page of it: two, with the paginator's count); each figure a subquery
    by its index."""
    in_force = Standing.objects.filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=now), venue_id=OuterRef("pk"), starts_at__lte=now
    )
    checkins = Visit.objects.filter(
        venue_id=OuterRef("pk"), entered_at__gte=now - timedelta(days=PARTICIPANT_DAYS), entered_at__lt=now
    )
    confirmed = Violation.objects.filter(venue_id=OuterRef("pk"), state=ViolationState.CONFIRMED)
    inspected = Inspection.objects.filter(venue_id=OuterRef("pk")).order_by("-at")
    venues = (
        Venue.objects.filter(region=region)
        .annotate(
            standing_kind=Subquery(in_force.values("kind")[:1]),
            standing_until=Subquery(in_force.values("ends_at")[:1]),
            recent_checkins=_count_of(checkins),
            confirmed_violations=_count_of(confirmed),
            last_inspection=Subquery(inspected.values("at")[:1]),
        )
        .filter(standing_kind__in=sorted(JOINED if not kind else {kind} & JOINED))
        .select_related("category")
    )
    return venues.order_by("name", "id")


def _count_of(queryset: QuerySet) -> Coalesce:
    counted = queryset.order_by().annotate(n=Func(template="COUNT(*)", output_field=IntegerField())).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def stored_risk_list(region):
    """R-MN-7: the region's risk list as last stored (hourly), or None before the first."""
    return RiskList.objects.filter(region=region).first()


# --- Outages (R-MN-6) ---------------------------------------------------------------------


def outage_at(moment: datetime) -> Outage | None:
    """The outage recorded as lasting at `moment` (starts_at ≤ moment < ends_at, or
    ongoing), or None. R-MN-6: no sanction follows from a failure to check statuses
    during it."""
    return (
        Outage.objects.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=moment), starts_at__lte=moment)
        .select_related("recorded_by")
        .order_by("-starts_at", "-id")
        .first()
    )


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def outage_days(*, start: date, end: date, now: datetime | None = None) -> set[date]:
    """The local days from `start` to `end` (both included) that any outage touches,
    even for a minute (R-MN-2: days on which an outage was recorded do not count). An
    outage ending exactly at midnight does not touch the day that begins then; an
    ongoing one touches every day from its start to the day of `now` (default: now)."""
    if end < start:
        return set()
    now = now or timezone.now()
    window_start, window_end = _local_midnight(start), _local_midnight(end + timedelta(days=1))
    periods = Outage.objects.filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=window_start), starts_at__lt=window_end
    ).values_list("starts_at", "ends_at")
    days: set[date] = set()
    for starts_at, ends_at in periods:
        day = max(timezone.localdate(starts_at), start)
        until = timezone.localdate(ends_at - timedelta(microseconds=1)) if ends_at else timezone.localdate(now)
        last = min(until, end)
        while day <= last:
            days.add(day)
            day += timedelta(days=1)
    return days


def outage_local_days(outage: Outage, *, now: datetime) -> tuple[date, date]:
    """The first and last local day `outage` touches (an ongoing one: up to today)."""
    last = outage.ends_at - timedelta(microseconds=1) if outage.ends_at else now
    return timezone.localdate(outage.starts_at), timezone.localdate(last)


def outages_for_venue(*, now: datetime, days: int = 28) -> list[Outage]:
    """The outages an owner is shown on his venue page (R-MN-6, seed Q27: the failure
    procedure goes to the participants): ongoing, or ended in the last `days` days,
    newest first. Every venue is concerned: the system and the SMS gateway serve all."""
    since = now - timedelta(days=days)
    return list(
        Outage.objects.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=since), starts_at__lte=now).order_by(
            "-starts_at", "-id"
        )[:20]
    )


def outages_page_queryset():
    """Every outage, newest first (the operators' list, paginated by the view)."""
    return Outage.objects.select_related("recorded_by").order_by("-starts_at", "-id")


# --- Inactivity (R-MN-2) -------------------------------------------------------------------


def excused_days(venues: list, days: list[date], *, now: datetime | None = None) -> dict[int, set[date]]:
    """Each venue's days among `days` that do not count as inactive (R-MN-2): a day on
    which, at any time of it, an outage was recorded (R-MN-6), the venue's codes did
    not work (excluded or awaiting its return, not yet issued — R-VN-9), or its
    operating conditions did not allow it to open (R-OP-2). Four queries whatever the
    number of venues and days. The venues need pk, region_id and category_id."""
    if not venues or not days:
        return {venue.pk: set() for venue in venues}
    outages = outage_days(start=days[0], end=days[-1], now=now)
    standing = standing_on([venue.pk for venue in venues], days)
    closed = closed_days(venues, days, standing=standing)
    return {
        venue.pk: {
            day
            for day in days
            if day in outages or not standing[(venue.pk, day)].codes_worked_all_day or (venue.pk, day) in closed
        }
        for venue in venues
    }


# --- The standing history against its facts (R-VN-9) ----------------------------------------


def expected_histories(venue_ids: list[int], *, venue_model=None, sanction_model=None, leader_model=None) -> dict:
    """venue id → the standing history its facts make (venues.standing.rules.replay):
    the first issue of its codes, its exclusions with their returns and lifts, its
    leader terms. Three queries. The models may be a migration's historical ones."""
    venue_model = venue_model or Venue
    sanction_model = sanction_model or Sanction
    leader_model = leader_model or Leader
    exclusions: dict[int, list] = defaultdict(list)
    rows = sanction_model.objects.filter(venue_id__in=venue_ids, kind=SanctionKind.EXCLUSION).values_list(
        "pk", "venue_id", "starts_at", "ends_at", "returned_at", "lifted_at"
    )
    for pk, venue_id, starts_at, ends_at, returned_at, lifted_at in rows:
        exclusions[venue_id].append(
            standing_rules.ExclusionFacts(pk, starts_at, ends_at, returned_at=returned_at, lifted_at=lifted_at)
        )
    terms: dict[int, list] = defaultdict(list)
    rows = leader_model.objects.filter(venue_id__in=venue_ids).values_list(
        "venue_id", "decision_id", "decision__recorded_at", "starts_on", "ends_on"
    )
    for venue_id, decision_id, recorded_at, starts_on, ends_on in rows:
        terms[venue_id].append(standing_rules.LeaderFacts(decision_id, recorded_at, starts_on, ends_on))
    venues = venue_model.objects.filter(pk__in=venue_ids).values_list(
        "pk", "created_at", "codes_first_issued_at", "category__is_volunteer"
    )
    return {
        pk: standing_rules.replay(
            created_at=min(created_at, issued_at) if issued_at else created_at,
            first_issued_at=issued_at,
            volunteer=bool(volunteer),
            exclusions=exclusions[pk],
            leader_terms=terms[pk],
        )
        for pk, created_at, issued_at, volunteer in venues
    }


def standing_disagreements(venue_ids: list[int]) -> dict[int, tuple[list, list]]:
    """The venues among `venue_ids` whose stored history differs from what their facts
    make, as venue id → (stored, expected). Empty when the services wrote everything
    (manage.py standing_check, for operators after a fix made by hand)."""
    expected = expected_histories(venue_ids)
    stored: dict[int, list] = defaultdict(list)
    for row in Standing.objects.filter(venue_id__in=venue_ids).order_by("venue_id", "starts_at"):
        stored[row.venue_id].append(row.interval())
    return {pk: (stored[pk], history) for pk, history in expected.items() if stored[pk] != history}
