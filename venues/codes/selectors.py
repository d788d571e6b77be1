"""Reads of venue QR codes, the guard page and the public list of participants."""

import functools
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import OuterRef, Q, QuerySet
from django.db.models.signals import post_delete, post_save
from django.http import Http404
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import slugify

from ashyq.cache import cache_get, cache_set
from ashyq.core import rows as rows_of
from venues.codes import tokens
from venues.codes.forms import GuardPhoneForm, ReissueForm
from venues.codes.rendering import Poster
from venues.models import Direction, Entrance, GuardConsent, QrCode, Venue
from venues.standing import rules as standing_rules
from venues.standing.selectors import kind_subquery, venue_ids_in

PARTICIPANTS_PER_PAGE = 25


# --- Codes ---------------------------------------------------------------------------------


def code_token(code: QrCode) -> str:
    """The token of `code` (entrance and venue loaded), signed with the code's key:
    the same characters as on the printed poster, computed again, never stored."""
    return tokens.sign(
        venue_id=code.entrance.venue_id,
        entrance_id=code.entrance_id,
        direction=code.direction,
        issue=code.issue,
        key_id=code.key_id,
    )


def code_url(token: str) -> str:
    """What the QR encodes: the site's public address, /q/ and the token (R-VN-4)."""
    return f"{settings.PUBLIC_URL}/q/{token}"


def live_codes(venue: Venue) -> list[QrCode]:
    """The venue's codes in force, entrance by entrance, entry before exit."""
    codes = (
        QrCode.objects.filter(entrance__venue=venue, revoked_at__isnull=True)
        .select_related("entrance")
        .order_by("entrance__position", "entrance_id", "direction")
    )
    result = list(codes)
    for code in result:
        code.entrance.venue = venue  # for code_token and the posters, without a query each
    return result


def get_live_code_for_venue(venue: Venue, code_pk: int) -> QrCode:
    """A live code of `venue` (already checked to be the owner's): 404 for a code of
    another venue, so the owner of one venue cannot fetch another's by URL, and for
    a revoked one, which must not be printed again."""
    code = (
        QrCode.objects.filter(pk=code_pk, entrance__venue=venue, revoked_at__isnull=True)
        .select_related("entrance")
        .first()
    )
    if code is None:
        raise Http404
    code.entrance.venue = venue
    return code


def code_poster(code: QrCode, token: str) -> Poster:
    venue = code.entrance.venue
    return Poster(
        venue_name=venue.name,
        address=venue.address,
        entrance_name=code.entrance.name,
        direction=code.direction,
        url=code_url(token),
    )


def code_filename(code: QrCode, extension: str) -> str:
    """ "ashyq-12-34-главный-вход-entry.png": venue id, entrance id and name, direction.

    The entrance id keeps names apart that slugify alike ("Вход 1", "Вход-1"), so no
    poster is lost when the ZIP is unpacked."""
    entrance = slugify(code.entrance.name, allow_unicode=True) or "entrance"
    return f"ashyq-{code.entrance.venue_id}-{code.entrance_id}-{entrance}-{code.direction}.{extension}"


@dataclass(frozen=True)
class EntranceCodes:
    entrance: object
    entry: QrCode | None
    exit: QrCode | None


def venue_panel_context(venue: Venue) -> dict:
    """What `venues/codes/_venue_panel.html` shows on the owner's venue page: each
    entrance with its entry and exit codes, the re-issue form and guard mode."""
    by_entrance: dict[int, dict] = {}
    entrances = {}
    for code in live_codes(venue):
        entrances[code.entrance_id] = code.entrance
        by_entrance.setdefault(code.entrance_id, {})[code.direction] = code
    rows = [
        EntranceCodes(
            entrance=entrance, entry=by_entrance[pk].get(Direction.ENTRY), exit=by_entrance[pk].get(Direction.EXIT)
        )
        for pk, entrance in entrances.items()
    ]
    issue = max((code.issue for row in by_entrance.values() for code in row.values()), default=None)
    return {
        "codes_venue": venue,
        "codes_entrances": rows,
        "codes_issue": issue,
        "reissue_form": ReissueForm(),
        "guard_form": GuardPhoneForm(initial={"phone": venue.guard_phone or venue.phone}),
    }


def code_for_scan(data: tokens.TokenData, *, at: datetime | None = None) -> QrCode | None:
    """The code a verified token names, with its entrance and venue; None when there
    is no such code (e.g. a token signed for a test database, or a deleted venue).

    R-CI-7, R-VN-9: `code.venue_standing` is the venue's standing at `at` (default
    now; None before it had one), read in the same query so that the scan checks it
    once. Compiled once per process (ashyq.core.rows.Compiled, B2)."""
    found = _code_for_scan.run(
        entrance=data.entrance_id,
        venue=data.venue_id,
        direction=data.direction,
        issue=data.issue,
        key_id=data.key_id,
        at=at or timezone.now(),
    )
    return found[0] if found else None


def _code_for_scan_query(*, entrance, venue, direction, issue, key_id, at):
    return (
        QrCode.objects.filter(
            entrance_id=entrance,
            entrance__venue_id=venue,
            direction=direction,
            issue=issue,
            # A key retired after a leak must not sign tokens for codes issued since.
            key_id=key_id,
        )
        .select_related("entrance__venue")
        .annotate(venue_standing=kind_subquery(OuterRef("entrance__venue_id"), at))
        .order_by("pk")[:1]
    )


_code_for_scan = rows_of.Compiled(
    _code_for_scan_query, entrance="int", venue="int", direction="str", issue="int", key_id="int", at="time"
)


# --- Guard page ----------------------------------------------------------------------------


def guard_requests_for(user) -> list[Venue]:
    """R-VN-7: the venues whose owners named `user`'s phone their guard phone and that
    wait for his answer, with their company (what the question shows)."""
    if not user.phone:
        return []
    pending = Venue.objects.filter(guard_phone=user.phone, guard_consent=GuardConsent.PENDING)
    return list(pending.select_related("company").order_by("guard_named_at", "pk"))


def venue_for_guard(user) -> Venue | None:
    """The one venue whose guard phone is `user`'s phone and whose request its holder
    accepted (R-VN-7), with its entrances in order, or None when there is none (guard
    mode pending, declined, off).

    One query on every guard request (the benchmark B1): the venue's entrances joined to
    the venue; the entrances, in order, are `venue.guard_entrances` (a list: no further
    query). Nothing more is read: the door needs the venue's region and category as ids
    only (the occupancy rules, R-OP-2, venues.conditions), so no instance of them is
    built — reading `venue.region` costs a query. The statement is written once per
    process from the models' columns (_guard_sql): building it with select_related on
    every request cost more CPU than running it (ashyq.core.rows). A venue without
    entrances (none is approved so) is read on its own."""
    if not user.phone:
        return None
    with connection.cursor() as cursor:
        cursor.execute(_guard_sql(), [user.phone, GuardConsent.ACCEPTED.value])
        rows = cursor.fetchall()
    if not rows:
        found = Venue.objects.filter(guard_phone=user.phone, guard_consent=GuardConsent.ACCEPTED).first()
        if found is not None:
            found.guard_entrances = []  # type: ignore[attr-defined]  # see the docstring
        return found
    split = rows_of.width(Entrance)
    venue = rows_of.instance(Venue, rows[0][split:])  # the same in every row
    entrances = []
    for row in rows:
        entrance = rows_of.instance(Entrance, row[:split])
        entrance.venue = venue  # one instance, as a prefetch leaves them
        entrances.append(entrance)
    venue.guard_entrances = entrances
    return venue


@functools.cache
def _guard_sql() -> str:
    """SELECT the columns of an entrance, then of its venue, of the venue whose guard
    phone is the parameter."""
    q = connection.ops.quote_name
    return (
        f"SELECT {rows_of.columns(Entrance, 'e')}, {rows_of.columns(Venue, 'v')} "  # noqa: S608 (names from the models)
        f"FROM {q(Entrance._meta.db_table)} e INNER JOIN {q(Venue._meta.db_table)} v ON v.id = e.venue_id "
        f"WHERE v.{q('guard_phone')} = %s AND v.{q('guard_consent')} = %s ORDER BY e.{q('position')}, e.id"
    )


# --- Public list of participants (R-VN-6) -------------------------------------------------


# R-VN-6: the public list is the region's venues whose standing is a listed one
# (participant, volunteer, leader). Read as "its history had begun (the first issue of
# its codes, when its first interval starts), and it is not among the venues in test
# mode, excluded or awaiting their return then": those are few (a week's new venues and
# the sanctioned), so the list still reads a page's ids in order from the index
# (region, name, id), which holds the first issue (B6), and leaves out a small set,
# instead of looking up every venue's standing on the way to a deep page.
_NOT_LISTED = frozenset(standing_rules.KINDS) - standing_rules.LISTED


def participants(*, region, search: str = "", at: datetime | None = None) -> QuerySet[Venue]:
    """The region's public list at `at` (default now): the venues that are
    participants, volunteers (the template marks `category.is_volunteer`) or leaders
    then (R-VN-6; R-MN-4: an excluded venue leaves it at once), by name. Page it with
    participants_paginator."""
    at = at or timezone.now()
    venues = Venue.objects.filter(region=region, codes_first_issued_at__lte=at)
    if search:
        venues = venues.filter(_search(search))
    venues = venues.exclude(pk__in=venue_ids_in(_NOT_LISTED, at))
    return venues.select_related("category").order_by("name", "id")


# B6: Paginator counts every one of the region's venues on every page. Without
# a search the count is split: the region's venues with codes are counted once per
# region and kept PARTICIPANTS_COUNT_SECONDS, under a version that every save or delete
# of a venue renews; the ones not listed now (test mode, excluded, awaiting return) are
# counted every time — a few rows, by the standing's index (kind, ends_at). Searches
# are counted whole.
PARTICIPANTS_COUNT_SECONDS = 60
_LIST_VERSION_KEY = "codes:participants-version"


def _venues_changed(**_kwargs) -> None:
    cache_set(_LIST_VERSION_KEY, uuid.uuid4().hex, None)


post_save.connect(_venues_changed, sender=Venue, dispatch_uid="codes.participants_venue_saved")
post_delete.connect(_venues_changed, sender=Venue, dispatch_uid="codes.participants_venue_deleted")


class _ByIds:
    """A participants() queryset that Paginator slices in two reads: the slice's ids
    from the index venue_region_name_issue alone (it holds the order and the issue),
    then those rows. A page deep in the list walks index entries to its offset, not
    the region's table rows (before this, Almaty's last page read 19,400 venues: B6)."""

    ordered = True

    def __init__(self, venues: QuerySet[Venue]):
        self.venues = venues

    def __getitem__(self, page: slice) -> list[Venue]:
        ids = list(self.venues.values_list("pk", flat=True)[page])
        found = Venue.objects.select_related("category").in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]


class _ParticipantsPaginator(Paginator):
    def __init__(self, object_list, per_page, *, region, at: datetime):
        # Paginator only slices _ByIds: the stubs' protocol also asks for len() and
        # iteration, which count (below) makes unnecessary.
        super().__init__(_ByIds(object_list), per_page)  # type: ignore[arg-type]
        self.region, self.at = region, at

    @cached_property
    def count(self) -> int:
        issued = Venue.objects.filter(region=self.region, codes_first_issued_at__lte=self.at)
        version = cache_get(_LIST_VERSION_KEY) or "-"
        # The count of venues issued by now changes only when a venue is issued its
        # first codes (a save: a new version) — kept per region and minute.
        key = f"codes:participants-count:{version}:{self.region.pk}:{self.at:%Y%m%d%H%M}"
        total = cache_get(key)
        if total is None:
            total = issued.count()
            cache_set(key, total, PARTICIPANTS_COUNT_SECONDS)
        not_listed = issued.filter(pk__in=venue_ids_in(_NOT_LISTED, self.at)).count()
        return max(total - not_listed, 0)


def participants_paginator(*, region, search: str = "") -> Paginator:
    """The region's public list (participants), PARTICIPANTS_PER_PAGE a page; without a
    search its count costs no count of the region's venues (see above)."""
    at = timezone.now()
    venues = participants(region=region, search=search, at=at)
    if search:
        return Paginator(venues, PARTICIPANTS_PER_PAGE)
    return _ParticipantsPaginator(venues, PARTICIPANTS_PER_PAGE, region=region, at=at)


def _search(text: str) -> Q:
    # PostgreSQL's icontains folds the case of every letter; SQLite's LIKE (the
    # embedded mode) only of ASCII ones, so "кафе" would miss "Кафе" there: the usual
    # spellings of the words typed are asked as well.
    variants = {text, text.lower(), text.upper(), text.capitalize(), text.title()}
    condition = Q()
    for variant in variants:
        condition |= Q(name__icontains=variant) | Q(address__icontains=variant)
    return condition
