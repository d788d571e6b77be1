"""R-VN-6: the public list of participants per region; R-VN-8: the information materials."""

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pypdf
import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from ashyq.reference.tests.factories import CategoryFactory, RegionFactory
from monitoring.tests.factories import exclusion
from venues.codes import rendering
from venues.codes.selectors import PARTICIPANTS_PER_PAGE, participants
from venues.tests.factories import VenueFactory

pytestmark = pytest.mark.django_db

ALMATY = ZoneInfo("Asia/Almaty")
# Codes first issued on Monday 3 May 2021 at 23:59 local time (18:59 UTC): test mode
# lasts exactly 7 × 24 hours, the venue is a full participant from Monday 10 May, 23:59
# (R-VN-5 Decided).
ISSUED = datetime(2021, 5, 3, 23, 59, tzinfo=ALMATY)
NOW = datetime(2021, 6, 1, 12, 0, tzinfo=ALMATY)


@pytest.fixture
def client():
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def region():
    return RegionFactory(code="test-almaty")


def participant(region, name, *, issued=ISSUED, **kwargs):
    return VenueFactory(region=region, name=name, codes_first_issued_at=issued, **kwargs)


def listed(client, region, **params) -> str:
    response = client.get(reverse("codes:participant_list", args=[region.code]), params)
    assert response.status_code == 200
    return response.content.decode()


def test_r_vn_6_a_venue_appears_7_times_24_hours_after_its_first_issue_not_before(client, region):
    participant(region, "Кафе Берёзка")
    with time_machine.travel(datetime(2021, 5, 10, 23, 58, 59, tzinfo=ALMATY), tick=False):
        assert "Кафе Берёзка" not in listed(client, region)
    with time_machine.travel(datetime(2021, 5, 10, 23, 59, tzinfo=ALMATY), tick=False):
        assert "Кафе Берёзка" in listed(client, region)


@time_machine.travel(datetime(2021, 6, 1, 12, 0, tzinfo=ALMATY), tick=False)
def test_only_past_test_mode_and_only_this_region(client, region):
    participant(region, "Старый участник")
    participant(region, "Новичок", issued=datetime(2021, 5, 30, 9, 0, tzinfo=ALMATY))
    participant(region, "Без кодов", issued=None)
    participant(RegionFactory(), "Чужой регион")
    text = listed(client, region)
    assert "Старый участник" in text
    for hidden in ("Новичок", "Без кодов", "Чужой регион"):
        assert hidden not in text


@time_machine.travel(datetime(2021, 6, 1, 12, 0, tzinfo=ALMATY), tick=False)
def test_volunteers_are_listed_and_marked(client, region):
    participant(region, "Банк Центральный", category=CategoryFactory(volunteer=True))
    participant(region, "Кинотеатр Арман")
    text = listed(client, region)
    assert text.count("Volunteer") == 1
    bank = text.index("Банк Центральный")
    assert bank < text.index("Volunteer") < text.index("Кинотеатр Арман")


@time_machine.travel(datetime(2021, 6, 1, 12, 0, tzinfo=ALMATY), tick=False)
def test_search_by_name_or_address_in_any_case(client, region):
    participant(region, "Кафе Берёзка", address="ул. Абая, 10")
    participant(region, "Фитнес Сила", address="пр. Достык, 5")
    for query, expected, absent in (
        ("берёзка", "Кафе Берёзка", "Фитнес Сила"),
        ("КАФЕ", "Кафе Берёзка", "Фитнес Сила"),
        ("достык", "Фитнес Сила", "Кафе Берёзка"),
    ):
        text = listed(client, region, q=query)
        assert expected in text and absent not in text, query
    assert "No participant matches this search" in listed(client, region, q="нет такого")


@time_machine.travel(datetime(2021, 6, 1, 12, 0, tzinfo=ALMATY), tick=False)
def test_paginated_by_25_keeping_the_search(client, region):
    for n in range(PARTICIPANTS_PER_PAGE + 2):
        participant(region, f"Кафе {n:02d}")
    participant(region, "Фитнес")
    first = listed(client, region, q="Кафе")
    assert first.count("<li>") == PARTICIPANTS_PER_PAGE
    assert "?q=%D0%9A%D0%B0%D1%84%D0%B5&amp;page=2" in first
    second = listed(client, region, q="Кафе", page=2)
    assert second.count("<li>") == 2 and "Фитнес" not in second


@time_machine.travel(datetime(2021, 6, 1, 12, 0, tzinfo=ALMATY), tick=False)
def test_pages_hold_every_participant_once_by_name_without_the_excluded(client, region):
    """R-VN-6 paged (a page's ids are read first, then its rows: the benchmark B6): every
    participant on exactly one page, by name then by age for equal names, and R-MN-4's
    excluded venue on none."""
    twins = [participant(region, "Кафе 07") for _ in range(2)]
    names = [f"Кафе {n:02d}" for n in range(PARTICIPANTS_PER_PAGE + 1) if n != 7]
    for name in names:
        participant(region, name)
    excluded = participant(region, "Кафе 03 закрытое")
    exclusion(excluded, starts_at=NOW, ends_at=NOW + timedelta(days=14))

    pages = [
        client.get(reverse("codes:participant_list", args=[region.code]), {"page": n}).context["page"] for n in (1, 2)
    ]

    shown = [venue.pk for page in pages for venue in page]
    expected = sorted([*names, "Кафе 07", "Кафе 07"])
    assert [venue.name for page in pages for venue in page] == expected
    assert shown.index(twins[0].pk) + 1 == shown.index(twins[1].pk)
    assert [len(page) for page in pages] == [PARTICIPANTS_PER_PAGE, 2]
    assert all(venue.category.name for page in pages for venue in page)  # the rows, with their category


@time_machine.travel(datetime(2021, 6, 1, 12, 0, tzinfo=ALMATY), tick=False)
def test_the_list_costs_the_same_queries_for_one_venue_or_a_full_page(client, region, django_assert_num_queries):
    participant(region, "Один", category=CategoryFactory(volunteer=True))
    url = reverse("codes:participant_list", args=[region.code])
    # The region, the region's venues past test mode counted (kept in the cache, not
    # counted on every page), the excluded ones among them, the page's ids, its rows (categories
    # joined): no query per row.
    with django_assert_num_queries(5):
        client.get(url)
    with django_assert_num_queries(4):  # the region's count kept
        client.get(url)
    for n in range(PARTICIPANTS_PER_PAGE):
        participant(region, f"Объект {n}", category=CategoryFactory(volunteer=n % 2 == 0))
    with django_assert_num_queries(5):  # a venue saved: counted again
        page = client.get(url).context["page"]
    assert page.paginator.count == PARTICIPANTS_PER_PAGE + 1
    assert page.paginator.num_pages == 2


def test_the_public_list_needs_no_sign_in_and_unknown_regions_are_404(client, region):
    response = client.get(reverse("codes:participants"))
    assert response.status_code == 200
    assert reverse("codes:participant_list", args=[region.code]) in response.content.decode()
    assert client.get(reverse("codes:participant_list", args=["no-such-region"])).status_code == 404
    assert client.post(reverse("codes:participant_list", args=[region.code])).status_code == 405


# --- Information materials (R-VN-8) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "pdf", "expected"),
    [
        ("codes:guide", "codes:guide_pdf", ["Test mode", "Guard mode", "Leader Ashyq", "115"]),
        ("codes:rules", "codes:rules_pdf", ["Sanctions", "2 weeks", "waiting zone"]),
    ],
)
def test_guide_and_rules_are_pages_and_pdfs_for_anyone(client, page, pdf, expected):
    text = client.get(reverse(page)).content.decode()
    for phrase in expected:
        assert phrase in text
    assert reverse(pdf) in text
    response = client.get(reverse(pdf))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    pdf_text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    for phrase in expected:
        assert phrase in pdf_text


def test_the_embedded_font_has_every_kazakh_letter():
    from reportlab.pdfbase.ttfonts import TTFont

    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        face = TTFont("probe", rendering.font_path(name)).face
        missing = [letter for letter in rendering.KAZAKH_LETTERS + "ЁёІі«»№" if ord(letter) not in face.charToGlyph]
        assert missing == [], name


def test_kazakh_letters_survive_into_the_pdf_text():
    letters = "ә ғ қ ң ө ұ ү һ і"
    pdf = rendering.document_pdf(title="Ashyq", lead=letters, sections=[])
    assert letters in pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="index-only scans are PostgreSQL's")
def test_a_page_of_participants_finds_its_venues_in_the_index_alone(region):
    """B6: the ids of a page deep in a region's list (Almaty: 19,400 venues)
    come from venue_region_name_issue alone, which holds the order and the test-mode
    filter: the offset walks index entries, not table rows. Every scan but the
    index-only one is switched off to ask whether such a plan exists at all."""
    for n in range(80):
        participant(region, f"Объект {n:02d}")
    ids = participants(region=region, at=NOW).values_list("pk", flat=True)[50:75]
    sql, params = ids.query.sql_with_params()
    with connection.cursor() as cursor:
        for scan in ("seqscan", "bitmapscan", "indexscan"):
            cursor.execute(f"SET LOCAL enable_{scan} = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using venue_region_name_issue on venues_venue" in plan
    assert len(list(ids)) == 25
