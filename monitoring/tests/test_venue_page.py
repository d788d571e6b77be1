"""The venue's page on site (R-MN-1): standing and its history (R-VN-9), today's
conditions (R-OP-2), the allowed and current occupancy (R-CI-6), past inspections and
violations, the one-tap "inspected, nothing found", photos kept across a form error."""

from datetime import date, time, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from PIL import Image

from ashyq.accounts.models import Role
from ashyq.accounts.tests.factories import UserFactory
from ashyq.core.models import AuditEvent
from ashyq.reference.models import OperatingRule, Zone
from ashyq.reference.tests.factories import CategoryFactory, ZoneChangeFactory
from monitoring.models import Inspection, PhotoDraft, Violation, ViolationPhoto
from monitoring.ops_tasks import purge
from monitoring.tests.factories import AkimatFactory, InspectorFactory, exclusion, jpeg_upload
from statuses.tests.factories import local
from visitors.models import ExitMethod
from visitors.tests.factories import VisitFactory, open_venue

pytestmark = pytest.mark.django_db

T0 = local(2021, 6, 1, 19, 30)


@pytest.fixture(autouse=True)
def clock(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def venue():
    """A cafe of capacity 40 in a yellow zone where participants may fill 50 % from
    10:00 to 22:00; past test mode."""
    category = CategoryFactory()
    venue = open_venue(now=T0 - timedelta(days=30), name="Кафе «Достық»", capacity=40, category=category)
    ZoneChangeFactory(region=venue.region, zone=Zone.YELLOW, effective_from=date(2021, 5, 1))
    OperatingRule.objects.bulk_create(
        OperatingRule(category=category, zone=zone, for_participants=mine, may_open=True, opens_at=time(10),
                      closes_at=time(22), occupancy_percent=50 if mine else 30)
        for zone in Zone.values for mine in (True, False)
    )  # fmt: skip
    return venue


def as_user(user, language="en") -> Client:
    client = Client()
    client.cookies["django_language"] = language
    client.force_login(user)
    return client


def page_of(client, venue):
    response = client.get(reverse("monitoring:venue_history", args=[venue.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_inspector_sees_what_the_venue_may_do_now_and_how_many_are_inside(venue):
    for n in range(23):  # 23 inside, 20 allowed (50 % of 40)
        VisitFactory(venue=venue, entered_at=T0 - timedelta(minutes=30 + n))
    VisitFactory(venue=venue, entered_at=T0 - timedelta(hours=1), exited_at=T0 - timedelta(minutes=5),
                 exit_method=ExitMethod.SCAN)  # fmt: skip
    VisitFactory(venue=venue, entered_at=T0 - timedelta(hours=4, minutes=1))  # closed by itself (R-CI-4)
    page = page_of(as_user(InspectorFactory(region=venue.region)), venue)
    assert 'data-inside="23" data-allowed="20"' in page and "23 of 20 allowed: over the limit" in page
    assert "20 people: 50 % of the capacity of 40" in page
    assert "10:00–22:00" in page
    assert 'data-standing="participant"' in page
    assert 'data-kind="test_mode"' in page and 'data-kind="participant"' in page  # its history


def test_an_excluded_venue_shows_its_standing_and_the_others_conditions(venue):
    exclusion(venue, starts_at=T0 - timedelta(days=2), ends_at=T0 + timedelta(days=12))
    page = page_of(as_user(InspectorFactory(region=venue.region)), venue)
    assert 'data-standing="excluded"' in page and "until 13 June 2021" in page
    assert "12 people: 30 % of the capacity of 40" in page  # R-OP-2: no participants' preferences
    assert 'data-kind="excluded"' in page


def test_one_tap_inspected_nothing_found_once_a_day_and_audited(venue):
    inspector = InspectorFactory(region=venue.region)
    client = as_user(inspector)
    url = reverse("monitoring:venue_inspected", args=[venue.pk])
    response = client.post(url, {"note": "Статусы проверяют, журнал ведётся."}, follow=True)
    assert "The inspection is recorded: nothing found." in response.content.decode()
    inspection = Inspection.objects.get()
    assert (inspection.venue, inspection.inspected_by, inspection.at, inspection.day) == (
        venue,
        inspector,
        T0,
        date(2021, 6, 1),
    )
    assert AuditEvent.objects.filter(action="monitoring.inspection", actor=inspector).count() == 1

    again = client.post(url, {"note": ""}, follow=True)
    assert "already recorded an inspection of this venue today" in again.content.decode()
    assert Inspection.objects.count() == 1
    page = page_of(client, venue)
    assert f'data-inspection="{inspection.pk}"' in page and "Статусы проверяют" in page
    # The journal in the reader's words, not the audit log's codes.
    assert '<tr data-action="monitoring.inspection"><td>1 June 2021 19:30</td><td>inspected, nothing found' in page


def test_readers_see_the_page_without_its_forms_and_cannot_post(venue):
    for reader in (
        AkimatFactory(region=venue.region),
        UserFactory(role=Role.COMMISSION),
        UserFactory(role=Role.OPERATOR),
    ):
        client = as_user(reader)
        page = page_of(client, venue)
        assert "File the violation" not in page and "Record: inspected, nothing found" not in page
        assert client.post(reverse("monitoring:venue_history", args=[venue.pk]), {}).status_code == 403
        assert client.post(reverse("monitoring:venue_inspected", args=[venue.pk]), {}).status_code == 403
    other = AkimatFactory()  # another region
    assert as_user(other).get(reverse("monitoring:venue_history", args=[venue.pk])).status_code == 404


def test_photos_picked_before_a_form_error_are_kept_and_filed(venue):
    inspector = InspectorFactory(region=venue.region)
    client = as_user(inspector)
    url = reverse("monitoring:venue_history", args=[venue.pk])
    form = {"kind": "over_occupancy", "occurred_at": "2021-06-01T19:00", "description": ""}  # forgot the text
    response = client.post(url, {**form, "photo1": jpeg_upload("a.jpg"), "photo2": jpeg_upload("b.jpg")})
    assert response.status_code == 400
    drafts = list(PhotoDraft.objects.filter(uploaded_by=inspector))
    assert len(drafts) == 2 and not Violation.objects.exists()
    page = response.content.decode()
    for draft in drafts:
        assert f'name="kept" value="{draft.pk}"' in page
        assert client.get(reverse("monitoring:draft_photo", args=[draft.pk])).status_code == 200
    assert "Photos kept from your last try" in page

    form["description"] = "Около 30 человек при норме 20."
    response = client.post(url, {**form, "kept": [d.pk for d in drafts], "drop": [drafts[1].pk]})
    assert response.status_code == 302
    violation = Violation.objects.get()
    assert [photo.image.name for photo in ViolationPhoto.objects.filter(violation=violation)] == [drafts[0].image.name]
    with Image.open(violation.photos.get().image.path) as stored:
        assert stored.format == "JPEG"
    assert not PhotoDraft.objects.filter(pk=drafts[0].pk).exists()


def test_another_inspector_s_draft_is_neither_shown_nor_filed(venue):
    mine, other = InspectorFactory(region=venue.region), InspectorFactory(region=venue.region)
    draft = PhotoDraft.objects.create(uploaded_by=other, image=jpeg_upload())
    client = as_user(mine)
    assert client.get(reverse("monitoring:draft_photo", args=[draft.pk])).status_code == 404
    form = {"kind": "other", "occurred_at": "2021-06-01T19:00", "description": "—", "kept": [draft.pk]}
    assert client.post(reverse("monitoring:venue_history", args=[venue.pk]), form).status_code == 302
    assert not Violation.objects.get().photos.exists()
    assert PhotoDraft.objects.filter(pk=draft.pk).exists()


def test_more_than_five_photos_in_all_are_refused_and_nothing_is_saved(venue):
    inspector = InspectorFactory(region=venue.region)
    kept = [PhotoDraft.objects.create(uploaded_by=inspector, image=jpeg_upload()) for _n in range(4)]
    form = {"kind": "other", "occurred_at": "2021-06-01T19:00", "description": "—", "kept": [d.pk for d in kept]}
    response = as_user(inspector).post(
        reverse("monitoring:venue_history", args=[venue.pk]),
        {**form, "photo1": jpeg_upload(), "photo2": jpeg_upload()},
    )
    assert response.status_code == 400 and "At most 5 photos." in response.content.decode()
    assert PhotoDraft.objects.count() == 4 and not Violation.objects.exists()


def test_the_purge_ends_old_drafts_with_their_files_and_old_inspections(
    venue, clock, django_capture_on_commit_callbacks
):
    inspector = InspectorFactory(region=venue.region)
    old = PhotoDraft.objects.create(
        uploaded_by=inspector, image=jpeg_upload(), uploaded_at=T0 - timedelta(days=1, seconds=1)
    )
    fresh = PhotoDraft.objects.create(uploaded_by=inspector, image=jpeg_upload(), uploaded_at=T0 - timedelta(hours=23))
    Inspection.objects.create(venue=venue, inspected_by=inspector, day=date(2020, 5, 31), at=T0 - timedelta(days=366))
    kept = Inspection.objects.create(
        venue=venue, inspected_by=inspector, day=date(2020, 6, 2), at=T0 - timedelta(days=364)
    )
    storage, name = old.image.storage, old.image.name
    with django_capture_on_commit_callbacks(execute=True):
        assert purge() == {"drafts": 1, "inspections": 1}
    assert not storage.exists(name)
    assert list(PhotoDraft.objects.all()) == [fresh] and list(Inspection.objects.all()) == [kept]
    assert purge() == {"drafts": 0, "inspections": 0}


def test_the_search_cards_show_each_venue_s_standing(venue, django_assert_max_num_queries):
    in_test_mode = open_venue(now=T0 - timedelta(days=2), region=venue.region, name="Кафе «Жаңа»")
    excluded = open_venue(now=T0 - timedelta(days=40), region=venue.region, name="Кафе «Ескі»")
    exclusion(excluded, starts_at=T0 - timedelta(days=1), ends_at=T0 + timedelta(days=13))
    client = as_user(InspectorFactory(region=venue.region))
    with django_assert_max_num_queries(6):
        page = client.get(reverse("monitoring:venue_search")).content.decode()
    for place, kind in ((venue, "participant"), (in_test_mode, "test_mode"), (excluded, "excluded")):
        assert (
            f'data-venue="{place.pk}"><strong>{place.name}</strong> <span class="badge standing-{kind}" data-standing="{kind}">'
            in page.replace("&laquo;", "«").replace("&raquo;", "»")
        )
