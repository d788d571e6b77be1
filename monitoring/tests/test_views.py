"""The monitoring pages (docs/rules.md §10) end to end, as inspectors, owners and akimats use them."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from ashyq.accounts.tests.factories import CitizenFactory
from monitoring.models import Appeal, Sanction, SanctionKind, Violation, ViolationKind, ViolationPhoto, ViolationState
from monitoring.tests.factories import (
    AkimatFactory,
    InspectorFactory,
    OutageFactory,
    ViolationFactory,
    exclusion,
    jpeg_upload,
)
from statuses.models import SyncState
from statuses.tests.factories import PcrResultFactory, iin, local
from venues.codes.selectors import code_token
from venues.models import Direction, QrCode
from visitors.models import Visit
from visitors.tests.factories import open_venue

pytestmark = pytest.mark.django_db

T0 = local(2021, 6, 1, 12)
GREEN = iin(4242)


@pytest.fixture(autouse=True)
def clock(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(T0, tick=False) as traveller:
        SyncState.objects.update(last_success_at=T0 - timedelta(minutes=3))
        yield traveller


@pytest.fixture
def venue():
    return open_venue(now=T0 - timedelta(days=30), name="Кафе «Достық»")


@pytest.fixture
def inspector(venue):
    return InspectorFactory(region=venue.region)


@pytest.fixture
def second(venue):
    return InspectorFactory(region=venue.region)


def as_user(user) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


def file_form(**extra):
    return {
        "kind": ViolationKind.OVER_OCCUPANCY,
        "occurred_at": "2021-06-01T11:00",
        "description": "45 человек при норме 20",
        **extra,
    }


def scan(client, venue):
    code = QrCode.objects.filter(entrance__venue=venue, direction=Direction.ENTRY, revoked_at__isnull=True).first()
    return client.get(reverse("checkin:scan", args=[code_token(code)]))


def test_r_mn_1_search_lists_only_the_own_region_paginated(venue, inspector):
    open_venue(now=T0 - timedelta(days=30), name="Кафе чужое")  # another region
    response = as_user(inspector).post(reverse("monitoring:venue_search"), {"q": "кафе"}, follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Достық" in text and "чужое" not in text


def test_a_searched_bin_never_reaches_a_url(venue, inspector):
    """The attack: a BIN (an individual entrepreneur's is his IIN) typed into the GET
    search box went into the URL, and so into the web server's access log."""
    client = as_user(inspector)
    for n in range(30):
        open_venue(now=T0 - timedelta(days=30), name=f"Кафе {n}", region=venue.region, company=venue.company)
    response = client.post(reverse("monitoring:venue_search"), {"q": venue.company.bin})
    assert response.status_code == 302 and venue.company.bin not in response["Location"]
    page = client.get(response["Location"])
    assert 'method="post"' in page.content.decode()
    urls = [response["Location"], *re.findall(r'href="([^"]+)"', page.content.decode())]
    assert len(page.context["page"].object_list) == 25 and any("page=2" in url for url in urls)
    assert not [url for url in urls if venue.company.bin in url]
    second = client.get(reverse("monitoring:venue_search") + "?page=2")
    assert len(second.context["page"].object_list) == 6  # the kept search, page 2


def test_a_nul_in_the_search_is_refused_not_a_500(venue, inspector):
    """The attack: /monitoring/?q=%00 answered 500 (PostgreSQL refuses a NUL)."""
    client = as_user(inspector)
    assert client.get(reverse("monitoring:venue_search") + "?q=%00").status_code == 200
    response = client.post(reverse("monitoring:venue_search"), {"q": "ка\x00фе"})
    assert response.status_code == 400
    assert response.context["form"].errors["q"]


def test_r_mn_1_another_regions_venue_answers_404(venue):
    stranger = InspectorFactory()
    client = as_user(stranger)
    assert client.get(reverse("monitoring:venue_history", args=[venue.pk])).status_code == 404
    assert client.post(reverse("monitoring:venue_history", args=[venue.pk]), file_form()).status_code == 404
    violation = ViolationFactory(venue=venue)
    response = client.post(reverse("monitoring:violation_decide", args=[violation.pk]), {"decision": "confirm"})
    assert response.status_code == 404
    assert Violation.objects.get().state == ViolationState.FILED


def test_other_roles_get_403_and_the_anonymous_go_to_sign_in(venue):
    url = reverse("monitoring:venue_search")
    assert as_user(venue.company.owner).get(url).status_code == 403
    assert Client().get(url).status_code == 302
    assert as_user(AkimatFactory(region=venue.region)).get(url).status_code == 403


def test_decide_takes_post_only(venue, second):
    violation = ViolationFactory(venue=venue)
    assert as_user(second).get(reverse("monitoring:violation_decide", args=[violation.pk])).status_code == 405


def test_r_mn_1_a_filing_with_a_photo_and_no_exif_stored(venue, inspector):
    response = as_user(inspector).post(
        reverse("monitoring:venue_history", args=[venue.pk]), file_form(photo1=jpeg_upload(exif=True))
    )
    assert response.status_code == 302
    photo = ViolationPhoto.objects.get()
    with Image.open(photo.image.path) as stored:
        assert not stored.getexif()
    assert photo.violation.occurred_at == local(2021, 6, 1, 11)  # the local time typed


def test_r_mn_1_a_non_image_is_refused_with_a_message_and_nothing_stored(venue, inspector, tmp_path):
    fake = SimpleUploadedFile("report.jpg", b"MZ\x90\x00 an executable", content_type="image/jpeg")
    response = as_user(inspector).post(reverse("monitoring:venue_history", args=[venue.pk]), file_form(photo1=fake))
    assert response.status_code == 400
    assert "report.jpg is not an image." in response.content.decode()
    assert not Violation.objects.exists()
    assert not any(path.is_file() for path in tmp_path.rglob("*"))


def test_r_mn_6_filing_during_an_outage_warns_the_inspector(venue, inspector):
    OutageFactory(starts_at=T0 - timedelta(hours=2), ends_at=T0 - timedelta(minutes=10))
    response = as_user(inspector).post(
        reverse("monitoring:venue_history", args=[venue.pk]),
        file_form(kind=ViolationKind.NO_STATUS_CHECK),
        follow=True,
    )
    # In Almaty's time, as recorded (10:00 to 11:50), not UTC (04:00 to 05:50): an 11:00
    # violation must visibly fall inside it.
    assert "An outage was recorded at that time: the SMS gateway: 01.06.2021 10:00 – 01.06.2021 11:50." in (
        response.content.decode()
    )


def test_r_mn_1_the_filer_does_not_see_his_own_and_cannot_confirm_it(venue, inspector, second):
    violation = ViolationFactory(venue=venue, filed_by=inspector, description="Без проверки статуса")
    assert "Без проверки статуса" not in as_user(inspector).get(reverse("monitoring:violation_list")).content.decode()
    assert "Без проверки статуса" in as_user(second).get(reverse("monitoring:violation_list")).content.decode()
    response = as_user(inspector).post(
        reverse("monitoring:violation_decide", args=[violation.pk]), {"decision": "confirm"}, follow=True
    )
    assert "You cannot decide on a violation you filed." in response.content.decode()
    assert Violation.objects.get().state == ViolationState.FILED


def test_r_mn_4_r_ci_7_confirmed_the_qr_is_refused_at_once_and_the_public_list_drops_it_until_the_appeal(
    venue, inspector, second
):
    PcrResultFactory(iin=GREEN, positive=False, sampled_at=T0 - timedelta(hours=5))
    citizen = as_user(CitizenFactory(iin=GREEN))
    public = reverse("codes:participant_list", args=[venue.region.code])
    assert scan(citizen, venue).status_code == 200
    assert "Достық" in Client().get(public).content.decode()
    visits = Visit.objects.count()

    violation = ViolationFactory(venue=venue, filed_by=inspector)
    as_user(second).post(reverse("monitoring:violation_decide", args=[violation.pk]), {"decision": "confirm"})
    assert Sanction.objects.get().kind == SanctionKind.EXCLUSION

    refused = scan(citizen, venue)
    assert refused.status_code == 403
    assert "This venue is excluded from Ashyq" in refused.content.decode()
    assert Visit.objects.count() == visits
    assert "Достық" not in Client().get(public).content.decode()

    owner = as_user(venue.company.owner)
    page = owner.get(reverse("venues:venue_detail", args=[venue.pk])).content.decode()
    assert "The venue is excluded from Ashyq" in page
    owner.post(reverse("monitoring:sanction_appeal", args=[Sanction.objects.get().pk]), {"text": "Ошибка"})
    appeal = Appeal.objects.get()

    akimat = as_user(AkimatFactory(region=venue.region))
    assert "Ошибка" in akimat.get(reverse("monitoring:appeal_list")).content.decode()
    akimat.post(
        reverse("monitoring:appeal_decide", args=[appeal.pk]), {"decision": "cancel", "reason": "Не тот объект"}
    )

    response = scan(citizen, venue)
    assert response.status_code == 200
    assert 'data-status="green"' in response.content.decode()
    assert "Достық" in Client().get(public).content.decode()


def test_r_mn_5_an_akimat_of_another_region_gets_404(venue, inspector, second):
    violation = ViolationFactory(venue=venue, filed_by=inspector)
    as_user(second).post(reverse("monitoring:violation_decide", args=[violation.pk]), {"decision": "confirm"})
    sanction = Sanction.objects.get()
    as_user(venue.company.owner).post(reverse("monitoring:sanction_appeal", args=[sanction.pk]), {"text": "Ошибка"})
    response = as_user(AkimatFactory()).post(
        reverse("monitoring:appeal_decide", args=[Appeal.objects.get().pk]), {"decision": "cancel", "reason": "x"}
    )
    assert response.status_code == 404
    assert Sanction.objects.get().state == "active"


def test_another_owner_cannot_appeal_or_return(venue, inspector, second):
    violation = ViolationFactory(venue=venue, filed_by=inspector)
    as_user(second).post(reverse("monitoring:violation_decide", args=[violation.pk]), {"decision": "confirm"})
    sanction = Sanction.objects.get()
    other = as_user(open_venue(now=T0).company.owner)
    assert other.post(reverse("monitoring:sanction_appeal", args=[sanction.pk]), {"text": "x"}).status_code == 404
    assert other.post(reverse("monitoring:sanction_return", args=[sanction.pk])).status_code == 404
    assert not Appeal.objects.exists()


def test_r_mn_4_the_owner_asks_to_return_after_the_end(venue, inspector, second, clock):
    violation = ViolationFactory(venue=venue, filed_by=inspector)
    as_user(second).post(reverse("monitoring:violation_decide", args=[violation.pk]), {"decision": "confirm"})
    sanction = Sanction.objects.get()
    owner = as_user(venue.company.owner)
    assert "Ask to return" not in owner.get(reverse("venues:venue_detail", args=[venue.pk])).content.decode()
    clock.move_to(sanction.ends_at + timedelta(hours=1))
    owner = as_user(venue.company.owner)  # a new session: the first one has expired
    assert "Ask to return" in owner.get(reverse("venues:venue_detail", args=[venue.pk])).content.decode()
    owner.post(reverse("monitoring:sanction_return", args=[sanction.pk]))
    sanction.refresh_from_db()
    assert sanction.returned_at == sanction.ends_at + timedelta(hours=1)


def test_r_ci_7_an_excluded_venues_code_is_refused_to_anyone_before_sign_in(client, venue):
    """R-MN-4: the codes stop working at once, also for a visitor not signed in."""

    code = QrCode.objects.filter(entrance__venue=venue, direction=Direction.ENTRY, revoked_at__isnull=True).first()
    url = f"/q/{code_token(code)}"
    assert client.get(url).status_code == 200  # the venue and the phone sign-in
    exclusion(venue, starts_at=T0, ends_at=T0 + timedelta(days=14))
    before = Visit.objects.count()
    response = client.get(url)
    assert response.status_code == 403
    assert Visit.objects.count() == before


def _queries_for(django_assert_max_num_queries, client, url, limit):
    with django_assert_max_num_queries(limit):
        response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("rows", [1, 8])
def test_list_pages_cost_the_same_queries_for_one_row_or_many(django_assert_max_num_queries, venue, inspector, rows):
    """No query per row: the search, the violations to confirm and the appeals lists
    read a page of rows in a fixed number of queries, however many rows there are."""
    akimat = AkimatFactory(region=venue.region)
    for n in range(rows):
        other = open_venue(now=T0 - timedelta(days=30), name=f"Объект {n}", region=venue.region)
        violation = ViolationFactory(venue=other, filed_by=InspectorFactory(region=venue.region))
        sanction = Sanction.objects.create(
            venue=other,
            kind=SanctionKind.WARNING,
            violation=ViolationFactory(
                venue=other, state=ViolationState.CONFIRMED, decided_by=inspector, decided_at=T0
            ),
            starts_at=T0,
        )
        Appeal.objects.create(sanction=sanction, text="Просим пересмотреть", filed_by=other.company.owner)
        assert violation.state == ViolationState.FILED
    inspector_client, akimat_client = as_user(inspector), as_user(akimat)
    _queries_for(django_assert_max_num_queries, inspector_client, reverse("monitoring:venue_search"), 5)
    listed = _queries_for(
        django_assert_max_num_queries, inspector_client, reverse("monitoring:violation_list"), 9
    )  # + the previews: 3
    assert listed.text.count('value="confirm"') == rows
    _queries_for(django_assert_max_num_queries, akimat_client, reverse("monitoring:appeal_list"), 5)


def test_r_mn_5_the_akimat_judges_an_appeal_by_its_evidence(venue, inspector, second):
    # Photos, the inspector's text and the confirming note, a link to the venue; a
    # cancelled exclusion no longer reads "until".
    response = as_user(inspector).post(
        reverse("monitoring:venue_history", args=[venue.pk]),
        file_form(description="Посетителей пропускали без проверки.", photo1=jpeg_upload()),
    )
    assert response.status_code == 302
    violation = Violation.objects.get()
    as_user(second).post(
        reverse("monitoring:violation_decide", args=[violation.pk]),
        {"decision": "confirm", "note": "Подтверждаю, видео есть"},
    )
    sanction = Sanction.objects.get()
    as_user(venue.company.owner).post(reverse("monitoring:sanction_appeal", args=[sanction.pk]), {"text": "Ошибка"})
    akimat = as_user(AkimatFactory(region=venue.region))
    page = akimat.get(reverse("monitoring:appeal_list")).content.decode()
    assert reverse("monitoring:venue_history", args=[venue.pk]) in page
    assert "Посетителей пропускали без проверки." in page and "Подтверждаю, видео есть" in page
    photo = violation.photos.get()
    assert reverse("monitoring:photo", args=[photo.pk]) in page
    assert akimat.get(reverse("monitoring:photo", args=[photo.pk])).status_code == 200
    assert "until 15 June 2021" in page

    akimat.post(
        reverse("monitoring:appeal_decide", args=[Appeal.objects.get().pk]), {"decision": "cancel", "reason": "x"}
    )
    page = akimat.get(reverse("monitoring:appeal_list")).content.decode()
    assert 'data-sanction-state="cancelled"' in page
    assert "until 15 June" not in page and "lifted 1 June 2021 12:00" in page
    assert akimat.get(reverse("monitoring:venue_history", args=[venue.pk])).status_code == 200
