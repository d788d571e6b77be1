"""Reads of venue QR codes, the guard page and the public list of participants."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify

from monitoring.selectors import excluded_venue_ids
from venues.codes import tokens
from venues.codes.forms import GuardPhoneForm, ReissueForm
from venues.codes.rendering import Poster
from venues.models import TEST_MODE_DAYS, Direction, QrCode, Venue

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


def code_for_scan(data: tokens.TokenData) -> QrCode | None:
    """The code a verified token names, with its entrance and venue; None when there
    is no such code (e.g. a token signed for a test database, or a deleted venue).

    R-CI-7: every venue row is an approved one for now; the Monitoring issue adds
    "excluded" here (monitoring.selectors), answering like a revoked code."""
    return (
        QrCode.objects.filter(
            entrance_id=data.entrance_id,
            entrance__venue_id=data.venue_id,
            direction=data.direction,
            issue=data.issue,
            # A key retired after a leak must not sign tokens for codes issued since.
            key_id=data.key_id,
        )
        .select_related("entrance__venue")
        .first()
    )


# --- Guard page ----------------------------------------------------------------------------


def venue_for_guard(user) -> Venue | None:
    """The one venue whose guard phone is `user`'s phone (R-VN-7), or None when the
    owner has not enabled guard mode for it (or has disabled it)."""
    if not user.phone:
        return None
    return Venue.objects.filter(guard_phone=user.phone).select_related("region").prefetch_related("entrances").first()


# --- Public list of participants (R-VN-6) -------------------------------------------------


def test_mode_ended_before(today: date) -> datetime:
    """The moment before which a first issue must lie for the venue to have left test
    mode by `today` (R-VN-5: test mode covers the local day of the first issue and the
    6 days after it; on the 8th day the venue is a full participant)."""
    first_day_still_testing = today - timedelta(days=TEST_MODE_DAYS - 1)
    return timezone.make_aware(datetime.combine(first_day_still_testing, time.min))


def participants(*, region, today: date, search: str = "") -> QuerySet[Venue]:
    """The region's public list: venues whose test mode has ended, volunteers among
    them (the template marks `category.is_volunteer`), by name.

    Uses the index (region, codes_first_issued_at)."""
    venues = Venue.objects.filter(region=region, codes_first_issued_at__lt=test_mode_ended_before(today))
    if search:
        venues = venues.filter(_search(search))
    # R-MN-4: an excluded venue leaves the public list (at once: excluded now).
    venues = venues.exclude(pk__in=excluded_venue_ids(region=region, at=timezone.now()))
    return venues.select_related("category").order_by("name", "id")


def _search(text: str) -> Q:
    # PostgreSQL's icontains folds the case of every letter; SQLite's LIKE (the
    # embedded mode) only of ASCII ones, so "кафе" would miss "Кафе" there: the usual
    # spellings of the words typed are asked as well.
    variants = {text, text.lower(), text.upper(), text.capitalize(), text.title()}
    condition = Q()
    for variant in variants:
        condition |= Q(name__icontains=variant) | Q(address__icontains=variant)
    return condition
