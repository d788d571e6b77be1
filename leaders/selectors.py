"""Reads of the leaders app that other apps and pages share."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from ashyq.accounts.models import Role
from ashyq.reference.models import Region
from leaders.models import Candidate, CandidateList, Decision, Leader, ListStatus, Period
from venues.standing.rules import local_midnight


@dataclass(frozen=True)
class LeaderTerm:
    decision_id: int
    until: datetime  # the first moment it is no longer a leader (local midnight)


def leader_term_at(venue, at: datetime) -> LeaderTerm | None:
    """R-LD-3: the leader term of `venue` running at `at` (starts_on ≤ its local day <
    ends_on) whose decision was recorded by then, or None. What the venue actually was
    is its standing (venues.standing): a term is one of the facts behind it."""
    day = timezone.localdate(at)
    row = (
        Leader.objects.filter(
            venue_id=getattr(venue, "pk", venue), starts_on__lte=day, ends_on__gt=day, decision__recorded_at__lte=at
        )
        .order_by("-ends_on", "decision_id")  # as venues.standing.rules.running_term
        .values_list("decision_id", "ends_on")
        .first()
    )
    return LeaderTerm(row[0], local_midnight(row[1])) if row else None


# --- The review pages (R-LD-3) -----------------------------------------------------------------

CANDIDATES_PER_PAGE = 50
ROWS_PER_PAGE = 30


def _with_counts(lists: QuerySet) -> QuerySet:
    return lists.annotate(
        candidate_count=Count("candidates", distinct=True),
        struck_count=Count("candidates", filter=Q(candidates__struck=True), distinct=True),
    )


def lists_of_region(region_id: int) -> QuerySet:
    """The akimat's index: its region's list of each period, newest first."""
    lists = CandidateList.objects.filter(region_id=region_id).select_related("period", "decision")
    return _with_counts(lists).order_by("-period__starts_on")


def periods_overview() -> QuerySet:
    """The commission's index: each period with how many lists are computed, submitted
    and fixed (one query)."""
    return Period.objects.annotate(
        computed=Count("lists", filter=Q(lists__status=ListStatus.COMPUTED), distinct=True),
        submitted=Count("lists", filter=Q(lists__status=ListStatus.SUBMITTED), distinct=True),
        fixed=Count("lists", filter=Q(lists__status=ListStatus.FIXED), distinct=True),
    ).order_by("-starts_on")


def get_list(*, region, start: date) -> CandidateList:
    """The region's list of the period starting on `start`, or 404."""
    lists = CandidateList.objects.select_related("period", "region", "decision", "submitted_by")
    return get_object_or_404(_with_counts(lists), region=region, period__starts_on=start)


def candidates_of(candidate_list: CandidateList) -> QuerySet:
    return (
        Candidate.objects.filter(list=candidate_list)
        .select_related("venue", "venue__category")
        .order_by("-checkins", "venue_id")
    )


def can_review(user, candidate_list: CandidateList) -> bool:
    """R-LD-3: only the akimat of the list's region changes it, and only until it is
    submitted; the commission and operators read."""
    return (
        user.role == Role.AKIMAT
        and user.region_id == candidate_list.region_id
        and candidate_list.status == ListStatus.COMPUTED
    )


def lists_of_period(period: Period) -> QuerySet:
    """The commission's period page: every region's list with its counts."""
    lists = CandidateList.objects.filter(period=period).select_related("region", "decision")
    return _with_counts(lists).order_by("region__kind", "region__name_ru", "region_id")


def decisions_of(period: Period) -> QuerySet:
    return (
        Decision.objects.filter(period=period)
        .select_related("recorded_by")
        .annotate(leader_count=Count("leaders", distinct=True), list_count=Count("lists", distinct=True))
        .order_by("date", "id")
    )


# --- The public pages ---------------------------------------------------------------------------


def _current(day: date) -> Q:
    return Q(starts_on__lte=day, ends_on__gt=day)


def current_leaders(region, day: date) -> QuerySet:
    """R-LD-3: the region's leaders on local `day`, each venue once (two overlapping
    decisions: the row that lasts longer)."""
    later = Leader.objects.filter(_current(day), venue_id=OuterRef("venue_id")).filter(
        Q(ends_on__gt=OuterRef("ends_on")) | Q(ends_on=OuterRef("ends_on"), pk__gt=OuterRef("pk"))
    )
    return (
        Leader.objects.filter(_current(day), venue__region=region)
        .exclude(Exists(later))
        .select_related("venue", "venue__category", "decision")
        .order_by("venue__name", "venue_id")
    )


def regions_with_leaders(day: date) -> QuerySet:
    """Every region with the number of its venues that are leaders on `day`."""
    counts = (
        Leader.objects.filter(_current(day), venue__region=OuterRef("pk"))
        .order_by()
        .values("venue__region")
        .annotate(n=Count("venue", distinct=True))
        .values("n")
    )
    return Region.objects.annotate(leader_count=Coalesce(Subquery(counts), 0))
