"""The door report's e-mail (R-CI-3) in each sanitary officer's language: whole
sentences of one language, the venue's own name and address aside."""

import re
from datetime import timedelta

import pytest
import time_machine

from ashyq.accounts.models import Role
from ashyq.accounts.tests.factories import UserFactory
from statuses.tests.factories import local
from visitors import tasks
from visitors.models import Colour, DoorReport
from visitors.services.reports import door_report_mail
from visitors.tests.factories import open_venue

pytestmark = pytest.mark.django_db

T0 = local(2021, 5, 3, 10, 45)
NAME, ADDRESS = "Кафе «Дастархан»", "г. Алматы, ул. Абая, 10"
LATIN = re.compile(r"[A-Za-z]")
CYRILLIC = re.compile(r"[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі]")
KAZAKH_ONLY = re.compile(r"[ӘәҒғҚқҢңӨөҰұҮүҺһІі]")
RUSSIAN_COLOURS = re.compile(r"красн|жёлт|желт")


@pytest.fixture
def venue():
    return open_venue(now=T0 - timedelta(days=20), name=NAME, address=ADDRESS)


def _own_words(text: str) -> str:
    """The text without what is not ours to translate: the venue's name and address,
    the project's name, the time."""
    for kept in (NAME, ADDRESS, "Ashyq", "03.05.2021 10:45", "PCR"):
        text = text.replace(kept, "")
    return text


@pytest.mark.parametrize("colour", [Colour.RED, Colour.YELLOW])
def test_r_ci_3_the_mail_in_russian_is_russian_only(venue, colour):
    report = DoorReport.objects.create(venue=venue, region=venue.region, at=T0, colour=colour)
    subject, body = door_report_mail(report, language="ru")
    text = _own_words(f"{subject}\n{body}")
    assert not LATIN.search(text), text
    assert not KAZAKH_ONLY.search(text), text
    assert NAME in subject and ADDRESS in body and "03.05.2021 10:45" in body
    assert ("красн" if colour == Colour.RED else "жёлт") in text


@pytest.mark.parametrize("colour", [Colour.RED, Colour.YELLOW])
def test_r_ci_3_the_mail_in_kazakh_is_kazakh_only(venue, colour):
    report = DoorReport.objects.create(venue=venue, region=venue.region, at=T0, colour=colour)
    subject, body = door_report_mail(report, language="kk")
    text = _own_words(f"{subject}\n{body}")
    assert not LATIN.search(text), text
    assert not RUSSIAN_COLOURS.search(text), text
    assert KAZAKH_ONLY.search(text), text
    assert ("қызыл" if colour == Colour.RED else "сары") in text.lower()
    assert (subject, body) != door_report_mail(report, language="ru")


def test_r_ci_3_the_mail_in_english_has_no_russian_word(venue):
    report = DoorReport.objects.create(venue=venue, region=venue.region, at=T0, colour=Colour.RED)
    subject, body = door_report_mail(report, language="en")
    assert not CYRILLIC.search(_own_words(f"{subject}\n{body}"))
    assert subject == f"Ashyq: a visitor with the red status at {NAME}"


def test_r_ci_3_each_officer_gets_the_report_in_the_language_he_chose(venue, mailoutbox):
    UserFactory(role=Role.SANITARY, region=venue.region, email="ru@ses.kz")  # never chose: Russian
    UserFactory(role=Role.SANITARY, region=venue.region, email="kk@ses.kz", language="kk")
    UserFactory(role=Role.SANITARY, region=venue.region, email="kk2@ses.kz", language="kk")
    UserFactory(role=Role.SANITARY, email="elsewhere@ses.kz", language="kk")  # another region
    report = DoorReport.objects.create(venue=venue, region=venue.region, at=T0, colour=Colour.RED)

    with time_machine.travel(T0 + timedelta(seconds=5), tick=False):
        assert tasks.door_report_mail(report.pk) == 3

    by_recipients = {tuple(mail.to): mail for mail in mailoutbox}
    assert set(by_recipients) == {("ru@ses.kz",), ("kk2@ses.kz", "kk@ses.kz")}
    assert (by_recipients[("ru@ses.kz",)].subject, by_recipients[("ru@ses.kz",)].body) == door_report_mail(
        report, language="ru"
    )
    kazakh = by_recipients[("kk2@ses.kz", "kk@ses.kz")]
    assert (kazakh.subject, kazakh.body) == door_report_mail(report, language="kk")
