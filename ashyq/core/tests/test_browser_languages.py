"""Each page of the journeys in Russian and in Kazakh, in a real browser.

For every role — a visitor not signed in, a citizen, a guard, an owner, an inspector, an
akimat, the commission, an operator, a sanitary officer — its main pages are walked first in Russian (the default, no
choice made) and then again after choosing Kazakh with the language switcher at the foot
of the page. Each page must say which language it is in (html lang), be written in it
(Cyrillic; for Kazakh, its own letters ә ғ қ ң ө ұ ү і) and show no English: neither an
untranslated message of our catalogue (a msgid shown as it is) nor any run of English
words (a string that never went through gettext)."""

import re
from datetime import date, timedelta
from functools import cache as memoize
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from ashyq.accounts.models import Role
from ashyq.accounts.tests.factories import CitizenFactory, UserFactory
from ashyq.identifiers import make_iin
from leaders import rules as leaders_rules
from monitoring.services.inspections import inspection_record
from monitoring.services.sanctions import appeal_file
from monitoring.services.violations import violation_decide
from monitoring.tests.factories import OutageFactory, ViolationFactory
from statuses.tests.factories import PcrResultFactory, synced
from venues.codes.selectors import code_token, live_codes
from visitors.tests.factories import DoorReportFactory, GuardFactory, StatusLookupFactory, VisitFactory, open_venue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOCALE = Path(settings.BASE_DIR) / "locale"
CITIZEN_IIN = make_iin(birth_date=date(1988, 3, 8), sex="female", serial=5150)
BLUE_IIN = make_iin(birth_date=date(1995, 7, 7), sex="female", serial=4567)
KAZAKH_LETTERS = re.compile("[әғқңөұүіһӘҒҚҢӨҰҮІҺ]")
CYRILLIC = re.compile("[а-яёА-ЯЁ]")
# Latin words that are names, not English: the brand, file formats, the language's own name.
NOT_ENGLISH = re.compile(r"\b(Ashyq|English|PNG|PDF|ZIP|CSV|XLSX|QR|A4|SMS|PCR|IIN|BIN|OKED|HTML|JSON)\b")
ENGLISH_RUN = re.compile(r"\b[A-Za-z][a-z'’]+(?:[ ,;:]+[A-Za-z][a-z'’]*){2,}")  # three words or more


def _po_entries(language: str) -> list[tuple[str, str]]:
    """(msgid, msgstr) of locale/<language>/LC_MESSAGES/django.po, plurals by their first form."""
    entries, current, key = [], {}, None
    text = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    for line in [*text.splitlines(), ""]:
        line = line.strip()
        if match := re.match(r'^(msgid|msgid_plural|msgstr|msgstr\[\d+\])\s+"(.*)"$', line):
            key = {"msgstr[0]": "msgstr"}.get(match.group(1), match.group(1))
            current[key] = current.get(key, "") + match.group(2)
        elif line.startswith('"') and key:
            current[key] += line[1:-1]
        elif not line or line.startswith("#"):
            if "msgid" in current:
                entries.append((current["msgid"], current.get("msgstr", "")))
            current, key = {}, None
    unescape = lambda value: value.replace('\\"', '"').replace("\\n", "\n")  # noqa: E731
    return [(unescape(msgid), unescape(msgstr)) for msgid, msgstr in entries if msgid]


@memoize
def _english_messages(language: str) -> tuple[str, ...]:
    """Our catalogue's messages of two words or more that the language translates
    differently: seen as they are, they were not translated."""
    return tuple(
        msgid
        for msgid, msgstr in _po_entries(language)
        if " " in msgid.strip()
        and len(msgid) >= 8
        and msgid != msgstr
        and not re.search(r"[%{<]", msgid)
        and "\n" not in msgid
    )


def _assert_in(page, language: str, where: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", language)
    # What the page says in its own words: title, header and content; not the language
    # switcher (each language's name is in that language) nor the user-name line (data).
    text = "\n".join([page.title(), page.locator("header").inner_text(), page.locator("main").inner_text()])
    assert CYRILLIC.search(text), f"{where}: no Cyrillic text in {language}"
    if language == "kk":
        assert KAZAKH_LETTERS.search(text), f"{where}: no Kazakh letter (ә ғ қ ң ө ұ ү і) on the page"
    untranslated = [msgid for msgid in _english_messages(language) if msgid in text]
    assert not untranslated, f"{where} in {language}: untranslated messages {untranslated}"
    english = ENGLISH_RUN.findall(NOT_ENGLISH.sub(" ", text))
    assert not english, f"{where} in {language}: English on the page {english}"


def _walk(page, base, paths, role, after=None) -> None:
    """Each page in Russian (the default), then in Kazakh chosen with the switcher, then
    back to Russian with the switcher."""
    for language in ("ru", "kk"):
        for path in paths:
            page.goto(f"{base}{path}")
            if language == "kk" and path == paths[0]:
                page.click(".language-switcher button[value=kk]")  # the person's own choice
                page.wait_for_load_state()
            _assert_in(page, language, f"{role}: {path}")
            if after:
                after(page, language, path)
    page.click(".language-switcher button[value=ru]")  # and back to Russian
    _assert_in(page, "ru", f"{role}: {paths[-1]}, Russian chosen again")


def _signed_in(phone_page, base, user):
    """A fresh phone in which `user` is signed in (sign-in itself is the journeys' job)."""
    client = Client()
    client.force_login(user)
    page = phone_page()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base,
            }
        ]
    )
    return page


def test_every_role_s_pages_in_russian_and_in_kazakh(browser_page, phone_page, live_server, axe_check):
    cache.clear()
    now = timezone.now()
    venue = open_venue(now=now - timedelta(days=30), name="Кафе «Береке»")
    entry = next(code for code in live_codes(venue) if code.direction == "entry")
    citizen = CitizenFactory(iin=CITIZEN_IIN)
    guard = GuardFactory(venue=venue)
    PcrResultFactory(iin=CITIZEN_IIN, positive=False, sampled_at=now - timedelta(hours=30))
    StatusLookupFactory(iin=CITIZEN_IIN, actor=guard, venue=venue)
    VisitFactory(venue=venue, iin=CITIZEN_IIN)
    synced(now)
    period_start, _ = leaders_rules.last_closed_period(now)
    base = live_server.url

    def sign_in_pages_accessible(page, language, path):  # axe-core on the sign-in pages, in both languages
        if path in ("/auth/phone/", "/accounts/sign-in/"):
            axe_check(page, f"{path} in {language}")

    _walk(
        browser_page,
        base,
        ["/", "/auth/phone/", "/accounts/sign-in/", "/leaders/regions/", "/venues/sign-up/", "/guide/agreement/"],
        "anyone",
        after=sign_in_pages_accessible,
    )

    _walk(
        _signed_in(phone_page, base, citizen),
        base,
        # The live card covers the whole screen, switcher included: not the first page nor the last.
        ["/me/", f"/q/{code_token(entry)}", "/me/lookups/", "/check/", "/me/visits/"],
        "citizen",
    )

    def check_a_visitor(page, language, path):
        page.fill("#id_iin", BLUE_IIN)
        page.check("input[name=consent]")
        page.click("form[action='/guard/lookup/'] button[type=submit]")
        expect(page.locator("#guard-answer [data-status=blue]")).to_be_visible()
        _assert_in(page, language, "guard: the answer")

    _walk(_signed_in(phone_page, base, guard), base, ["/guard/"], "guard", after=check_a_visitor)

    _walk(
        _signed_in(phone_page, base, venue.company.owner),
        base,
        [
            "/venues/",
            f"/venues/{venue.pk}/",
            f"/venues/{venue.pk}/figures/",
            f"/venues/{venue.pk}/codes/",
            "/venues/applications/new/",
        ],
        "owner",
    )
    # The staff pages of the issue "what inspectors, akimats, the commission and sanitary
    # officers lack": a violation to confirm (with what it brings), an appealed one, an
    # inspection, an outage still lasting, a door report.
    inspector = UserFactory(role=Role.INSPECTOR, region=venue.region)
    other_inspector = UserFactory(role=Role.INSPECTOR, region=venue.region)
    ViolationFactory(venue=venue, filed_by=other_inspector, occurred_at=now - timedelta(hours=2))
    appealed = ViolationFactory(venue=venue, filed_by=other_inspector, occurred_at=now - timedelta(days=3))
    sanction = violation_decide(inspector=inspector, violation=appealed, confirm=True, note="Видео есть", now=now)
    appeal_file(owner=venue.company.owner, sanction=sanction, text="Не согласны", now=now)
    inspection_record(inspector=other_inspector, venue=venue, note="", now=now - timedelta(days=1))
    OutageFactory(starts_at=now - timedelta(hours=1), ends_at=None)
    DoorReportFactory(venue=venue, colour="red", at=now - timedelta(minutes=10))
    _walk(
        _signed_in(phone_page, base, inspector),
        base,
        ["/", "/monitoring/", f"/monitoring/venues/{venue.pk}/", "/monitoring/violations/", "/monitoring/ops/risk/",
         "/monitoring/ops/outages/"],
        "inspector",
    )  # fmt: skip
    akimat = UserFactory(role=Role.AKIMAT, region=venue.region)
    _walk(
        _signed_in(phone_page, base, akimat),
        base,
        ["/", "/leaders/", "/monitoring/appeals/", "/monitoring/ops/participants/", f"/regions/{venue.region.code}/",
         "/monitoring/ops/outages/", f"/monitoring/venues/{venue.pk}/"],
        "akimat",
    )  # fmt: skip
    commission = UserFactory(role=Role.COMMISSION)
    _walk(
        _signed_in(phone_page, base, commission),
        base,
        ["/", f"/leaders/periods/{period_start.isoformat()}/", "/stats/national/",
         f"/monitoring/ops/participants/?region={venue.region.code}"],
        "commission",
    )  # fmt: skip
    operator = UserFactory(role=Role.OPERATOR)
    _walk(_signed_in(phone_page, base, operator), base, ["/system/", "/monitoring/ops/outages/"], "operator")
    sanitary = UserFactory(role=Role.SANITARY, region=venue.region)
    _walk(_signed_in(phone_page, base, sanitary), base, ["/", "/sanitary/"], "sanitary officer")
