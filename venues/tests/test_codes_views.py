"""R-VN-4, R-CI-7: what /q/<token> answers, and the owner's downloads of the codes."""

import base64
import io
import zipfile
from datetime import datetime
from zoneinfo import ZoneInfo

import pypdf
import pytest
import time_machine
import zxingcpp
from django.apps import apps
from django.conf import settings
from django.test import Client
from django.urls import reverse
from PIL import Image

from ashyq.accounts.models import Role
from ashyq.accounts.tests.factories import UserFactory
from venues.codes import selectors, tokens
from venues.codes.services import codes_issue
from venues.models import Direction, QrCode
from venues.tests.factories import EntranceFactory, VenueFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2021, 5, 3, 10, 0, tzinfo=ZoneInfo("Asia/Almaty"))
PUBLIC_URL = "https://ashyq.example.kz"


@pytest.fixture(autouse=True)
def setup(settings):
    settings.PUBLIC_URL = PUBLIC_URL
    with time_machine.travel(T0, tick=False):
        yield


@pytest.fixture
def client():
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def venue():
    venue = VenueFactory(name="Кафе «Берёзка»", address="г. Алматы, ул. Абая, 10")
    EntranceFactory(venue=venue, name="Главный вход", position=0)
    codes_issue(venue=venue, actor=None, now=T0)
    return venue


def code_of(venue, direction=Direction.ENTRY) -> QrCode:
    code = QrCode.objects.select_related("entrance__venue").get(
        entrance__venue=venue, direction=direction, revoked_at__isnull=True
    )
    return code


def token_of(code) -> str:
    return selectors.code_token(code)


def row_counts() -> dict:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def pdf_text(page) -> str:
    """The page's text with line breaks as spaces (ReportLab wraps the lines)."""
    return " ".join(page.extract_text().split())


def signed_in(client, user):
    client.force_login(user)
    return client


# --- /q/<token> ------------------------------------------------------------------------------


def test_a_valid_code_shows_the_venue_entrance_and_direction(client, venue):
    response = client.get(f"/q/{token_of(code_of(venue, Direction.EXIT))}")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Кафе «Берёзка»" in text or "Кафе &laquo;Берёзка&raquo;" in text
    assert "Главный вход" in text and "Exit" in text


def test_a_forged_token_answers_400_and_records_nothing(client, venue):
    token = token_of(code_of(venue))
    raw = bytearray(base64.urlsafe_b64decode(token))
    raw[5] ^= 1  # another venue id, same signature
    before = row_counts()
    response = client.get(f"/q/{base64.urlsafe_b64encode(bytes(raw)).decode()}")
    assert response.status_code == 400
    assert "This QR code is not valid" in response.content.decode()
    assert row_counts() == before


def test_a_truncated_token_answers_400(client, venue):
    response = client.get(f"/q/{token_of(code_of(venue))[:-1]}")
    assert response.status_code == 400


def test_a_signed_token_of_a_code_that_does_not_exist_answers_404(client, venue):
    code = code_of(venue)
    token = tokens.sign(venue_id=venue.pk, entrance_id=code.entrance_id, direction="entry", issue=99)
    before = row_counts()
    response = client.get(f"/q/{token}")
    assert response.status_code == 404
    assert "This venue is not in the project" in response.content.decode()
    assert row_counts() == before


def test_a_token_naming_the_wrong_venue_for_its_entrance_answers_404(client, venue):
    other = EntranceFactory().venue
    code = code_of(venue)
    token = tokens.sign(venue_id=other.pk, entrance_id=code.entrance_id, direction="entry", issue=code.issue)
    assert client.get(f"/q/{token}").status_code == 404


def test_after_a_reissue_the_old_code_answers_410_and_the_new_one_works(client, venue):
    old = token_of(code_of(venue))
    codes_issue(venue=venue, actor=None, now=T0)
    new = token_of(code_of(venue))
    before = row_counts()
    response = client.get(f"/q/{old}")
    assert response.status_code == 410
    assert "This code was replaced" in response.content.decode()
    assert row_counts() == before
    assert client.get(f"/q/{new}").status_code == 200


def test_the_scan_page_takes_no_other_methods(client, venue):
    for method in (client.put, client.delete, client.patch):
        assert method(f"/q/{token_of(code_of(venue))}").status_code == 405


def test_a_refused_token_is_not_logged_in_full(client, venue, caplog):
    token = token_of(code_of(venue))[:-2] + "AA"
    with caplog.at_level("INFO"):
        assert client.get(f"/q/{token}").status_code == 400
    assert caplog.records, "the refusal is logged"
    assert token not in caplog.text
    assert token[:16] in caplog.text


# --- Downloads ---------------------------------------------------------------------------------


def test_the_png_decodes_to_exactly_the_public_url_of_the_code(client, venue):
    code = code_of(venue)
    response = signed_in(client, venue.company.owner).get(reverse("codes:code_png", args=[venue.pk, code.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "entry.png" in response["Content-Disposition"]
    image = Image.open(io.BytesIO(response.content))
    assert 500 <= image.width <= 620
    [barcode] = zxingcpp.read_barcodes(image)
    assert barcode.text == f"{PUBLIC_URL}/q/{token_of(code)}"
    assert client.get(barcode.text.removeprefix(PUBLIC_URL)).status_code == 200  # and it opens the venue


def test_the_poster_is_an_a4_pdf_with_the_venue_and_a_code_that_scans(client, venue):
    code = code_of(venue, Direction.EXIT)
    response = signed_in(client, venue.company.owner).get(reverse("codes:code_pdf", args=[venue.pk, code.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    [page] = pypdf.PdfReader(io.BytesIO(response.content)).pages
    assert (round(page.mediabox.width), round(page.mediabox.height)) == (595, 842)  # A4 in points
    text = pdf_text(page)
    for expected in ("Кафе «Берёзка»", "г. Алматы, ул. Абая, 10", "Главный вход", "ВЫХОД / ШЫҒУ"):
        assert expected in text
    assert "Отмечать выход необязательно" in text  # R-CI-4, in Russian
    assert "міндетті емес" in text  # and in Kazakh
    [image] = page.images
    [barcode] = zxingcpp.read_barcodes(image.image)
    assert barcode.text == f"{PUBLIC_URL}/q/{token_of(code)}"


def test_the_entry_poster_tells_how_to_check_in_in_both_languages(client, venue):
    code = code_of(venue, Direction.ENTRY)
    response = signed_in(client, venue.company.owner).get(reverse("codes:code_pdf", args=[venue.pk, code.pk]))
    text = pdf_text(pypdf.PdfReader(io.BytesIO(response.content)).pages[0])
    assert "ВХОД / КІРУ" in text
    assert "Охранник введёт ваш ИИН" in text
    assert "Телефон камерасын QR-кодқа" in text


def test_download_all_holds_every_png_and_poster_and_one_pdf_to_print(client, venue):
    EntranceFactory(venue=venue, name="Со двора", position=1)
    codes_issue(venue=venue, actor=None, now=T0)
    response = signed_in(client, venue.company.owner).get(reverse("codes:codes_zip", args=[venue.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    assert len([n for n in names if n.endswith(".png")]) == 4
    assert len([n for n in names if n.endswith(".pdf")]) == 5
    everything = pypdf.PdfReader(io.BytesIO(archive.read(f"ashyq-{venue.pk}-posters.pdf")))
    assert len(everything.pages) == 4
    urls = {
        zxingcpp.read_barcodes(Image.open(io.BytesIO(archive.read(n))))[0].text for n in names if n.endswith(".png")
    }
    live = QrCode.objects.filter(entrance__venue=venue, revoked_at__isnull=True).select_related("entrance")
    assert urls == {f"{PUBLIC_URL}/q/{token_of(code)}" for code in live}


def test_a_revoked_code_cannot_be_downloaded(client, venue):
    old = code_of(venue)
    codes_issue(venue=venue, actor=None, now=T0)
    response = signed_in(client, venue.company.owner).get(reverse("codes:code_png", args=[venue.pk, old.pk]))
    assert response.status_code == 404


# --- Who may download -----------------------------------------------------------------------


def download_urls(venue, code):
    return [
        reverse("codes:venue_codes", args=[venue.pk]),
        reverse("codes:code_png", args=[venue.pk, code.pk]),
        reverse("codes:code_pdf", args=[venue.pk, code.pk]),
        reverse("codes:codes_zip", args=[venue.pk]),
    ]


def test_owner_a_cannot_see_or_download_owner_bs_codes(client, venue):
    other = VenueFactory()
    EntranceFactory(venue=other)
    codes_issue(venue=other, actor=None, now=T0)
    signed_in(client, venue.company.owner)
    for url in download_urls(other, code_of(other)):
        assert client.get(url).status_code == 404, url
    # Nor through his own venue's URL with B's code id.
    assert client.get(reverse("codes:code_png", args=[venue.pk, code_of(other).pk])).status_code == 404
    assert client.get(reverse("codes:code_pdf", args=[venue.pk, code_of(other).pk])).status_code == 404


@pytest.mark.parametrize("role", [Role.CITIZEN, Role.AKIMAT, Role.INSPECTOR, Role.OPERATOR])
def test_other_roles_get_403(client, venue, role):
    signed_in(client, UserFactory(role=role))
    for url in download_urls(venue, code_of(venue)):
        assert client.get(url).status_code == 403, url


def test_anonymous_is_sent_to_sign_in(client, venue):
    for url in download_urls(venue, code_of(venue)):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login")), url


def test_downloads_are_get_only_and_actions_post_only(client, venue):
    signed_in(client, venue.company.owner)
    for url in download_urls(venue, code_of(venue)):
        assert client.post(url).status_code == 405, url
    for name in ("codes_reissue", "guard_enable", "guard_disable"):
        assert client.get(reverse(f"codes:{name}", args=[venue.pk])).status_code == 405, name


def test_the_owners_codes_page_lists_downloads_and_guard_mode(client, venue):
    response = signed_in(client, venue.company.owner).get(reverse("codes:venue_codes", args=[venue.pk]))
    text = response.content.decode()
    for code in QrCode.objects.filter(entrance__venue=venue):
        assert reverse("codes:code_png", args=[venue.pk, code.pk]) in text
        assert reverse("codes:code_pdf", args=[venue.pk, code.pk]) in text
    assert reverse("codes:codes_zip", args=[venue.pk]) in text
    assert 'value="' + venue.phone + '"' in text  # guard mode offers the venue's phone
    assert "Issue 1" in text


# --- Re-issue ------------------------------------------------------------------------------------


def test_reissue_needs_the_confirmation_box(client, venue):
    old = code_of(venue)
    url = reverse("codes:codes_reissue", args=[venue.pk])
    response = signed_in(client, venue.company.owner).post(url, follow=True)
    assert "Tick the box to confirm" in response.content.decode()
    assert code_of(venue).pk == old.pk  # nothing changed
    response = client.post(url, {"confirm": "on", "next": f"/venues/{venue.pk}/"})
    assert response.status_code == 302 and response["Location"] == f"/venues/{venue.pk}/"
    old.refresh_from_db()
    assert old.revoked_at == T0
    assert code_of(venue).issue == 2


def test_reissue_ignores_a_next_address_on_another_site(client, venue):
    url = reverse("codes:codes_reissue", args=[venue.pk])
    response = signed_in(client, venue.company.owner).post(url, {"confirm": "on", "next": "https://evil.example/"})
    assert response["Location"] == reverse("codes:venue_codes", args=[venue.pk])


def test_owner_a_cannot_reissue_owner_bs_codes(client, venue):
    other = EntranceFactory().venue
    codes_issue(venue=other, actor=None, now=T0)
    response = signed_in(client, venue.company.owner).post(
        reverse("codes:codes_reissue", args=[other.pk]), {"confirm": "on"}
    )
    assert response.status_code == 404
    assert code_of(other).issue == 1


def test_codes_of_a_retired_key_are_refused_at_the_door_and_the_owner_is_told_to_reissue(client, venue, settings):
    code = code_of(venue)
    printed = token_of(code)
    settings.QR_SIGNING_KEY_ID = code.key_id + 1  # a new key; the old one is not kept
    settings.QR_SIGNING_KEY = base64.urlsafe_b64encode(b"\x07" * 32).decode()
    assert client.get(f"/q/{printed}").status_code == 400
    response = signed_in(client, venue.company.owner).get(
        reverse("codes:code_png", args=[venue.pk, code.pk]), follow=True
    )
    assert "signed with a retired key" in response.content.decode()
    codes_issue(venue=venue, actor=None, now=T0)
    fresh = code_of(venue)
    assert fresh.key_id == code.key_id + 1
    assert client.get(f"/q/{token_of(fresh)}").status_code == 200


def test_a_retired_key_cannot_sign_for_codes_issued_under_the_new_key(client, venue, settings):
    """R-VN-4: key 1 is retired (kept only to verify its old prints) after a leak; whoever
    holds it must not forge tokens for the codes re-issued under key 2."""
    old_key = settings.QR_SIGNING_KEY
    settings.QR_OLD_SIGNING_KEYS = {1: old_key}
    settings.QR_SIGNING_KEY = base64.urlsafe_b64encode(b"k" * 32).decode()
    settings.QR_SIGNING_KEY_ID = 2
    codes_issue(venue=venue, actor=None, now=T0)
    code = code_of(venue)
    assert code.key_id == 2
    forged = tokens.sign(venue_id=venue.pk, entrance_id=code.entrance_id, direction="entry", issue=code.issue, key_id=1)
    before = row_counts()
    assert client.get(f"/q/{forged}").status_code == 404
    assert row_counts() == before
    assert client.get(f"/q/{token_of(code)}").status_code == 200
