"""What the front line reads: every role's pages, in Kazakh and in English, show no rule
id (R-ST-5 is for the code, not for a citizen), no internal account name (a citizen's
account is "phone+7701…" inside), and nothing left in Russian — neither a Django message
that Django's Kazakh catalogue lacks (the default language then shows through), nor a
category or region as a refusal stored it, nor any Russian on an English page but the
data people typed (a venue's name and address).

The pages are fetched as each person would (GET, and the POSTs that answer with a page:
a refused sign-up, a guard's look-up and exit), then read as text without the markup."""

import gettext
import html
import re
from datetime import date, timedelta
from pathlib import Path

import django
import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import translation

from ashyq.accounts.models import Role
from ashyq.accounts.tests.factories import CitizenFactory, UserFactory
from ashyq.identifiers import make_iin
from ashyq.reference.models import Category, Region
from statuses.tests.factories import PcrResultFactory, local, synced
from venues import rules as venue_rules
from venues.codes.selectors import code_token, live_codes
from venues.tests.factories import ApplicationFactory
from visitors.tests.factories import GuardFactory, StatusLookupFactory, VisitFactory, open_venue

pytestmark = pytest.mark.django_db

T0 = local(2021, 6, 20, 12)
GREEN = make_iin(birth_date=date(1988, 3, 8), sex="female", serial=5150)
RED = make_iin(birth_date=date(1990, 5, 1), sex="male", serial=1234)
RULE_ID = re.compile(r"\bR-[A-Z]{2,3}-\d+\b")
CYRILLIC = re.compile("[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүІіҺһ]")
DJANGO = Path(django.__file__).parent


def _text(response) -> str:
    """The page as a person reads it: no markup, no scripts or styles, entities decoded;
    the language switcher left out (each language's name is in that language)."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r'<form[^>]*class="language-switcher".*?</form>', " ", body, flags=re.S)
    body = re.sub(r"<title>.*?</title>", lambda m: m.group(0), body, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def _django_russian_fallbacks() -> set[str]:
    """Django's Russian messages of the forms and accounts whose msgid has no Kazakh
    translation where a page looks (ours first, then Django's): on a Kazakh page they
    would be the default language showing through."""
    found = set()
    for domain in ("conf/locale/%s/LC_MESSAGES/django.mo", "contrib/auth/locale/%s/LC_MESSAGES/django.mo"):
        russian = gettext.GNUTranslations((DJANGO / (domain % "ru")).open("rb"))
        for msgid, msgstr in russian._catalog.items():  # noqa: SLF001 (the catalogue's entries)
            if not isinstance(msgid, str) or not msgid or len(msgstr.split()) < 3:
                continue
            with translation.override("kk"):
                if translation.gettext(msgid) == msgstr:
                    found.add(msgstr.split("%")[0].strip())
    return {phrase for phrase in found if len(phrase.split()) >= 3}


@pytest.fixture
def world():
    cache.clear()
    with time_machine.travel(T0, tick=False):
        synced(T0)
        venue = open_venue(now=T0 - timedelta(days=30), name="Кафе «Береке»", address="Алматы, ул. Абая, 10")
        guard = GuardFactory(venue=venue)
        citizen = CitizenFactory(iin=GREEN)
        red = CitizenFactory(iin=RED)
        PcrResultFactory(iin=GREEN, positive=False, sampled_at=T0 - timedelta(hours=30))
        PcrResultFactory(iin=RED, positive=True, sampled_at=T0 - timedelta(days=1))
        StatusLookupFactory(iin=GREEN, actor=guard, venue=venue)
        VisitFactory(venue=venue, iin=GREEN, entered_at=T0 - timedelta(hours=2))
        category = Category.objects.get(code="public-catering")
        region = Region.objects.get(code="almaty")
        checks = [
            venue_rules.check_admission(
                category_code=category.code,
                region_code=region.code,
                on=date(2021, 6, 20),
                facts=venue_rules.AdmissionFacts(False),
            ).as_json({"category": {category.code: category.name_ru}, "region": {region.code: region.name_ru}}),
            venue_rules.check_oked_category(
                oked="47190", category_code=category.code, matching_codes={"56101"}
            ).as_json(),
        ]
        refused = ApplicationFactory(company=venue.company, checks=checks, category=category, region=region)
        yield {
            "venue": venue,
            "guard": guard,
            "citizen": citizen,
            "red": red,
            "refused": refused,
            "data": [venue.name, venue.address, venue.company.name, refused.name, refused.address]
            + [entrance.name for entrance in venue.entrances.all()]
            + list(refused.entrances),
            "reference": [
                (category.name_ru, category.name_kk, category.name_en),
                (region.name_ru, region.name_kk, region.name_en),
            ],
        }


def _pages(world, client: Client, user) -> list[tuple[str, object]]:
    """(what, response) of every page `user` (None: a visitor) reads."""
    venue = world["venue"]
    entry = next(code for code in live_codes(venue) if code.direction == "entry")
    entrance = venue.entrances.first()
    if user is not None:
        client.force_login(user)
    # A guard is a citizen whose phone guards a venue (R-VN-7): his pages are the guard's.
    role = "guard" if user is not None and user == world["guard"] else getattr(user, "role", None)
    gets = {
        None: [
            "/",
            "/auth/phone/",
            "/accounts/sign-in/",
            "/venues/sign-up/",
            "/participants/",
            "/guide/",
            "/guide/rules/",
            "/guide/agreement/",
            "/stats/",
            "/leaders/regions/",
            f"/q/{code_token(entry)}",
            "/q/not-a-code",
        ],
        Role.CITIZEN: ["/me/", "/me/lookups/", "/me/visits/", "/check/", f"/q/{code_token(entry)}"],
        "guard": ["/guard/"],
        Role.OWNER: [
            "/venues/",
            f"/venues/{venue.pk}/",
            f"/venues/{venue.pk}/figures/",
            f"/venues/{venue.pk}/codes/",
            "/venues/applications/",
            f"/venues/applications/{world['refused'].pk}/",
            "/venues/applications/new/",
        ],
        Role.INSPECTOR: ["/monitoring/", f"/monitoring/venues/{venue.pk}/"],
        Role.AKIMAT: ["/leaders/", "/monitoring/appeals/"],
    }[role]
    pages = [(path, client.get(path)) for path in gets]
    if user is None:
        weak = {"username": "a b", "email": "no", "password1": "123", "password2": "1234", "bin": "1"}
        pages.append(("a refused sign-up", client.post("/venues/sign-up/", weak)))
    if role == "guard":
        look_up = {"entrance": entrance.pk, "iin": GREEN, "consent": "on"}
        pages.append(("a look-up", client.post(reverse("checkin:guard_lookup"), look_up)))
        pages.append(("an exit", client.post(reverse("checkin:guard_exit"), {"entrance": entrance.pk, "iin": RED})))
    return pages


def _people(world):
    return [
        None,
        world["citizen"],
        world["red"],
        world["guard"],
        world["venue"].company.owner,
        UserFactory(role=Role.INSPECTOR, region=world["venue"].region),
        UserFactory(role=Role.AKIMAT, region=world["venue"].region),
    ]


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_no_page_shows_a_rule_id_or_an_internal_account_name(world, language):
    with time_machine.travel(T0, tick=False):
        for user in _people(world):
            client = Client()
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
            for what, response in _pages(world, client, user):
                assert response.status_code < 500, what
                text = _text(response)
                assert not RULE_ID.search(text), f"{what} ({language}): a rule id {RULE_ID.findall(text)}"
                assert "phone+" not in text, f"{what} ({language}): an internal account name"


def test_no_kazakh_page_shows_russian(world):
    fallbacks = _django_russian_fallbacks()
    assert "Пароль не может состоять только из цифр." not in fallbacks  # ours translates it
    russian_names = [ru for ru, kk, _en in world["reference"] if ru != kk]
    with time_machine.travel(T0, tick=False):
        for user in _people(world):
            client = Client()
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = "kk"
            for what, response in _pages(world, client, user):
                text = _text(response)
                shown = sorted(phrase for phrase in fallbacks if phrase in text)
                assert not shown, f"{what}: Django's Russian on a Kazakh page: {shown}"
                named = [name for name in russian_names if name in text]
                assert not named, f"{what}: reference data in Russian on a Kazakh page: {named}"


def test_no_english_page_shows_russian_but_the_data_people_typed(world):
    with time_machine.travel(T0, tick=False):
        for user in _people(world):
            client = Client()
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
            for what, response in _pages(world, client, user):
                text = _text(response)
                for data in sorted(world["data"], key=len, reverse=True):
                    text = text.replace(data, " ")
                russian = re.findall(r"\S*[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүІіҺһ]\S*", text)
                assert not russian, f"{what}: Russian on an English page: {russian[:8]}"
