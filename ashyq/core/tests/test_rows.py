"""ashyq.core.rows: SQL compiled once gives what the ORM gives — the same
rows, the same instances with their converters, select_related and annotations — and
a queryset that cannot be reused safely is built by the ORM every time."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone

from ashyq.accounts.backends import ModelBackend
from ashyq.accounts.tests.factories import CitizenFactory
from ashyq.core.rows import Compiled
from statuses.tests.factories import iin
from venues.models import QrCode
from visitors.tests.factories import open_venue

pytestmark = pytest.mark.django_db
ON_POSTGRESQL = connection.vendor == "postgresql"


def _codes(*, venue, direction, since):
    return (
        QrCode.objects.filter(entrance__venue_id=venue, direction=direction, issued_at__gte=since)
        .select_related("entrance__venue__region")
        .annotate(others=Count("entrance__codes"), live=Exists(QrCode.objects.filter(pk=OuterRef("pk"))))
        .order_by("entrance__position", "pk")
    )


def test_instances_with_their_related_models_and_annotations_are_the_orms():
    now = timezone.now()
    venues = [open_venue(now=now, entrances=2), open_venue(now=now)]
    compiled = Compiled(_codes, venue="int", direction="str", since="time")

    for venue in venues:
        for direction in ("entry", "exit"):
            arguments = {"venue": venue.pk, "direction": direction, "since": now - timedelta(days=1)}
            ours, orms = compiled.run(**arguments), list(_codes(**arguments))
            assert [c.pk for c in ours] == [c.pk for c in orms] and ours
            for mine, theirs in zip(ours, orms, strict=True):
                assert (mine.others, mine.live) == (theirs.others, theirs.live)
                assert mine.entrance.venue.region.code == theirs.entrance.venue.region.code
                assert mine.issued_at == theirs.issued_at and mine.issued_at.tzinfo is not None
                assert mine.entrance.venue.created_at == theirs.entrance.venue.created_at
    if ON_POSTGRESQL:  # compiled once and reused, not built again
        assert [shape for shape, sql in compiled._compiled.items() if sql] == [frozenset()]


def test_rows_of_a_values_list_and_a_missing_argument_are_the_orms():
    venue = open_venue(entrances=3)

    def build(*, venue, position):
        codes = QrCode.objects.filter(entrance__venue_id=venue)
        if position is not None:
            codes = codes.filter(entrance__position=position)
        return codes.values_list("entrance__position", "direction").order_by("entrance__position", "direction")

    compiled = Compiled(build, venue="int", position="int")
    for position in (None, 0, 2, 7):
        assert compiled.run(venue=venue.pk, position=position) == list(build(venue=venue.pk, position=position))


@pytest.mark.skipif(not ON_POSTGRESQL, reason="the compiled path is PostgreSQL's")
def test_a_value_derived_from_an_argument_is_not_reused():
    """`since - 1 day` is computed by the caller of filter(): the SQL holds the result,
    not the argument, so a reused statement would hold the first call's value."""
    now = timezone.now()
    venue = open_venue(now=now)

    def build(*, venue, since):
        return QrCode.objects.filter(entrance__venue_id=venue, issued_at__gte=since - timedelta(days=1))

    compiled = Compiled(build, venue="int", since="time")
    assert len(compiled.run(venue=venue.pk, since=now)) == 2
    assert compiled.run(venue=venue.pk, since=now + timedelta(days=2)) == []
    assert compiled._compiled == {frozenset(): None}


def test_the_signed_in_user_is_read_whole_with_the_iin_decrypted():
    """The backend's get_user (every signed-in request) gives the ORM's user: the
    encrypted IIN decrypted by its field's converter, datetimes aware."""
    citizen = CitizenFactory(iin=iin(42))
    user = ModelBackend().get_user(citizen.pk)
    orm = get_user_model().objects.get(pk=citizen.pk)
    assert (user.iin, user.iin_index, user.phone, user.role) == (orm.iin, orm.iin_index, orm.phone, orm.role)
    assert user.date_joined == orm.date_joined and user.date_joined.tzinfo is not None
    assert ModelBackend().get_user(citizen.pk + 1000) is None


def test_an_inactive_user_is_not_signed_in():
    citizen = CitizenFactory(is_active=False)
    assert ModelBackend().get_user(citizen.pk) is None


def _production_compiled():
    from statuses.selectors import _union
    from venues.codes.selectors import _code_for_scan
    from visitors.selectors import _door_facts

    return {
        "code_for_scan": _code_for_scan,
        "door_facts": _door_facts,
        "status": _union[True],
        "status_only": _union[False],
    }


@pytest.mark.skipif(not ON_POSTGRESQL, reason="Compiled compiles on PostgreSQL only")
@pytest.mark.parametrize("name", ["code_for_scan", "door_facts", "status", "status_only"])
def test_the_door_s_queries_are_compiled_once_not_built_each_time(name):
    """Compiled reads the ORM compiler's own structures (klass_info and its setters, a
    queryset's iterable class): a Django upgrade that changed them would make it build
    the door's queries by the ORM every time — right, but slower (B1, B2) and silently.
    This test says so instead."""
    compiled = _production_compiled()[name]
    assert compiled._compile(frozenset()) is not None  # noqa: SLF001 (what run() would reuse)
