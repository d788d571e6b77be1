import re
from importlib import import_module

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from ashyq.accounts.models import Role, User
from ashyq.core.views import HOME_REDIRECTS, HOME_TEMPLATES
from ashyq.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def _snapshot():
    """Every row of every model, as values: what "changes nothing" compares."""
    return {
        model._meta.label: sorted(map(repr, model.objects.values_list()))
        for model in apps.get_models()
        if model._meta.app_label not in {"sessions", "axes"}
    }


def test_seed_demo_twice_changes_nothing():
    call_command("seed_demo", quiet=True)
    first = _snapshot()
    call_command("seed_demo", quiet=True)
    assert _snapshot() == first


def test_seed_demo_prints_a_sign_in_for_every_role(capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    for role in Role:
        user = User.objects.filter(role=role).first()
        assert user is not None, role
        assert (user.phone or user.username) in out


def test_seed_demo_spreads_venues_over_regions_and_categories():
    from venues.models import Venue

    call_command("seed_demo", quiet=True)
    assert Venue.objects.values("region").distinct().count() >= 3
    assert Venue.objects.values("category").distinct().count() >= 4
    assert Venue.objects.filter(category__is_volunteer=True).exists()


def test_every_demo_staff_sign_in_reaches_its_home_page(client):
    call_command("seed_demo", quiet=True)
    for user in User.objects.exclude(role=Role.CITIZEN):
        response = client.post(reverse("accounts:login"), {"username": user.username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, user.username
        home = client.get(response["Location"], follow=True)
        assert home.status_code == 200
        if user.role in HOME_REDIRECTS:
            assert home.redirect_chain[-1][0] == reverse(HOME_REDIRECTS[user.role])
        else:
            assert HOME_TEMPLATES[user.role] in [t.name for t in home.templates]
        client.post(reverse("accounts:logout"))


def test_refused_in_production(settings):
    from django.core.management.base import CommandError

    settings.PRODUCTION = True
    with pytest.raises(CommandError):
        call_command("seed_demo", quiet=True)
    assert not User.objects.exists()


def test_seed_demo_prints_a_test_person_of_every_colour_and_a_company_to_apply_with(capsys):
    from ashyq.mocks.demo import DEMO_NEWCOMER, TEST_PEOPLE

    call_command("seed_demo")
    out = capsys.readouterr().out
    assert {person.colour for person in TEST_PEOPLE} == {"red", "yellow", "green", "blue"}
    for person in TEST_PEOPLE:
        assert (person.iin or person.passport) in out
        if person.phone:  # he can sign in and see his own colour
            assert User.objects.filter(phone=person.phone, role=Role.CITIZEN).exists()
    assert DEMO_NEWCOMER["bin"] in out and DEMO_NEWCOMER["notification_number"] in out


def _reference_data_loaded() -> None:
    """The rows of the data migrations (regions, categories, admissions, operating
    rules), which an earlier transactional test may have flushed, loaded again."""
    from types import SimpleNamespace

    from django.apps import apps as live_apps
    from django.db import connection

    from ashyq.reference.models import Region

    if Region.objects.exists():
        return
    editor = SimpleNamespace(connection=connection)
    import_module("ashyq.reference.migrations.0002_reference_data").load_reference_data(live_apps, editor)
    import_module("ashyq.reference.migrations.0004_operating_rules_data").seed_operating_rules(live_apps, editor)


@pytest.mark.django_db(transaction=True)
def test_every_printed_test_person_has_his_colour_and_the_newcomer_is_approved(registry):
    """What README's demo table promises, end to end: after a sync from the mock
    registries each test person has the printed colour (R-ST-1), and the printed
    company signs up and gets its venue at once (R-VN-3)."""
    from ashyq.mocks.demo import DEMO_NEWCOMER, NOTIFICATION_DATE, TEST_PEOPLE
    from ashyq.reference.models import Category, Region
    from ashyq.sms.models import SmsMessage
    from statuses.selectors import status_for
    from venues import services
    from venues.models import ApplicationStatus

    _reference_data_loaded()
    call_command("seed_demo", quiet=True)
    call_command("sync_registries")
    for person in TEST_PEOPLE:
        who = {"iin": person.iin} if person.iin else {"passport": person.passport, "country": person.country}
        assert status_for(**who).colour == person.colour, person

    owner, claim = services.owner_sign_up(
        username="newcomer", email="new@example.kz", password="a-new-cafe-2021", bin_=DEMO_NEWCOMER["bin"],
        now=timezone.now(),
    )  # fmt: skip
    # R-VN-1: the code sent to the company's phone in the business registry proves it his.
    services.company_claim_code_send(claim=claim, sender="", now=timezone.now())
    sent = SmsMessage.objects.filter(phone=DEMO_NEWCOMER["phone"]).latest("pk").text
    services.company_claim_confirm(claim=claim, code=re.search(r"\b(\d{6})\b", sent).group(1), now=timezone.now())
    application = services.application_submit(
        owner=owner,
        company=owner.companies.get(),
        data={
            "name": "Кафе «Жаңа Дәм»",
            "address": DEMO_NEWCOMER["address"],
            "region": Region.objects.get(code=DEMO_NEWCOMER["region"]),
            "category": Category.objects.get(code=DEMO_NEWCOMER["category"]),
            "oked": DEMO_NEWCOMER["oked"],
            "notification_number": DEMO_NEWCOMER["notification_number"],
            "notification_date": NOTIFICATION_DATE,
            "capacity": 40,
            "entrances": ["Главный вход"],
            "phone": "+77070000404",
        },
        now=timezone.now(),
    )
    assert application.status == ApplicationStatus.APPROVED, [c for c in application.checks if not c["passed"]]
