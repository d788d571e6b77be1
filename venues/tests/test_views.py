"""Owner pages: who sees what, the methods they answer, their queries, and the whole
way of a new owner from sign-up to an approved venue (R-ID-3, R-VN-1…R-VN-5)."""

import re
import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from ashyq.accounts.models import Role
from ashyq.accounts.tests.factories import UserFactory
from ashyq.mocks.services import company_set, failure_set, notification_set
from ashyq.reference.models import Zone
from ashyq.reference.tests.factories import (
    AdmissionFactory,
    CategoryFactory,
    OkedCodeFactory,
    RegionFactory,
    ZoneChangeFactory,
)
from ashyq.sms.models import SmsMessage
from venues import rules
from venues.codes.services import codes_issue
from venues.models import Application, ApplicationStatus, Company, Venue
from venues.standing import rules as standing_rules
from venues.standing.selectors import kind_at
from venues.tests.factories import ApplicationFactory, CompanyFactory, EntranceFactory, VenueFactory

ALMATY = ZoneInfo("Asia/Almaty")
NOW = datetime(2021, 5, 9, 12, 0, tzinfo=ALMATY)


@pytest.fixture
def owner(db):
    return CompanyFactory().owner


@pytest.fixture
def venue(owner):
    venue = VenueFactory(company=owner.companies.get(), codes_first_issued_at=None)
    EntranceFactory(venue=venue, name="Главный вход")
    return venue


@pytest.fixture
def application(owner):
    return ApplicationFactory(company=owner.companies.get())


def _pages(venue, application):
    return [
        reverse("venues:venue_list"),
        reverse("venues:venue_detail", args=[venue.pk]),
        reverse("venues:application_list"),
        reverse("venues:application_detail", args=[application.pk]),
        reverse("venues:application_create"),
    ]


# --- Access: owner, other owner, other role, anonymous, wrong method ------------------------


def test_owner_opens_every_page_of_his_own(client, owner, venue, application):
    client.force_login(owner)
    for url in _pages(venue, application):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("page", ["venues:venue_detail", "venues:application_detail"])
def test_another_owner_gets_404_by_url(client, venue, application, page):
    client.force_login(CompanyFactory().owner)
    pk = venue.pk if page == "venues:venue_detail" else application.pk
    assert client.get(reverse(page, args=[pk])).status_code == 404


def test_another_owner_does_not_see_them_in_his_lists(client, venue, application):
    client.force_login(CompanyFactory().owner)
    assert venue.name not in client.get(reverse("venues:venue_list")).content.decode()
    assert application.name not in client.get(reverse("venues:application_list")).content.decode()


def test_another_owner_cannot_copy_an_application_into_his_form(client, application):
    client.force_login(CompanyFactory().owner)
    response = client.get(reverse("venues:application_create") + f"?from={application.pk}")
    assert response.status_code == 200
    assert application.address not in response.content.decode()


@pytest.mark.parametrize("role", [Role.CITIZEN, Role.INSPECTOR, Role.AKIMAT])
def test_other_roles_get_403(client, venue, application, role):
    client.force_login(UserFactory(role=role))
    for url in _pages(venue, application):
        assert client.get(url).status_code == 403, url


def test_anonymous_is_sent_to_sign_in(client, venue, application):
    for url in _pages(venue, application):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login")), url


def test_wrong_method_gets_405(client, owner, venue, application):
    client.force_login(owner)
    for url in _pages(venue, application)[:4]:
        assert client.post(url).status_code == 405, url
    assert client.put(reverse("venues:application_create")).status_code == 405
    assert client.delete(reverse("venues:sign_up")).status_code == 405


# --- Lists: pagination and queries ---------------------------------------------------------


def test_my_venues_queries_do_not_grow_with_the_venues(client, owner, django_assert_max_num_queries):
    company = owner.companies.get()
    for _ in range(30):
        EntranceFactory(venue=VenueFactory(company=company, codes_first_issued_at=timezone.now()))
    client.force_login(owner)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("venues:venue_list"))
    assert len(response.context["page"].object_list) == 25
    assert response.context["page"].paginator.count == 30


def test_my_applications_queries_do_not_grow_with_the_applications(client, owner, django_assert_max_num_queries):
    ApplicationFactory.create_batch(30, company=owner.companies.get())
    client.force_login(owner)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("venues:application_list"))
    page = response.context["page"]
    assert len(page.object_list) == 25 and page.paginator.count == 30
    # Newest first.
    times = [a.submitted_at for a in page.object_list]
    assert times == sorted(times, reverse=True)


def test_refused_application_lists_its_failed_checks(en_client, owner, application):
    en_client.force_login(owner)
    content = en_client.get(reverse("venues:application_list")).content.decode()
    assert "does not match the category «Караоке»" in content


# --- R-VN-5: test mode on the venue page ----------------------------------------------------


def _issue(venue, at):
    with time_machine.travel(at, tick=False):
        codes_issue(venue=venue, actor=venue.company.owner, now=at)


def test_venue_page_shows_test_mode_with_the_days_left(en_client, owner, venue):
    # R-VN-5 Decided: 7 × 24 hours from the first issue, 5 May 10:00 → 12 May 10:00.
    _issue(venue, datetime(2021, 5, 5, 10, 0, tzinfo=ALMATY))
    en_client.force_login(owner)
    with time_machine.travel(NOW, tick=False):
        content = en_client.get(reverse("venues:venue_detail", args=[venue.pk])).content.decode()
    assert "Test mode until 12 May 10:00 (3 days left)" in content
    with time_machine.travel(datetime(2021, 5, 12, 9, 59, tzinfo=ALMATY), tick=False):
        content = en_client.get(reverse("venues:venue_detail", args=[venue.pk])).content.decode()
    assert "Test mode until 12 May 10:00 (1 day left)" in content


def test_venue_page_after_test_mode_says_full_participant(en_client, owner, venue):
    _issue(venue, datetime(2021, 5, 5, 10, 0, tzinfo=ALMATY))
    en_client.force_login(owner)
    with time_machine.travel(datetime(2021, 5, 12, 10, 0, tzinfo=ALMATY), tick=False):
        content = en_client.get(reverse("venues:venue_detail", args=[venue.pk])).content.decode()
    assert "Test mode until" not in content and "test mode is over" in content


# --- The application form --------------------------------------------------------------------


def _form(world, **changes) -> dict:
    return {
        "company": world["company"].pk,
        "name": "Кафе «Самал»",
        "address": "Алматы, ул. Абая, 10",
        "region": world["region"].pk,
        "category": world["category"].pk,
        "oked": "05610",
        "notification_number": "KZ-7",
        "notification_date": "2021-04-01",
        "capacity": "60",
        "entrances": "Главный вход\r\nЛетняя терраса\r\n",
        "phone": "8 (701) 123-45-67",
        "holds_documents": "on",
        "responsible": "on",
        "accepts_agreement": "on",
        "idempotency_key": str(uuid.uuid4()),  # what the form shown carries
    } | changes


@pytest.fixture
def form_world(owner):
    region = RegionFactory()
    ZoneChangeFactory(region=region, zone=Zone.GREEN)
    category = CategoryFactory()
    AdmissionFactory(category=category, region=region, admitted_from=date(2021, 4, 14))
    OkedCodeFactory(code="05610", categories=[category])
    return {"company": owner.companies.get(), "region": region, "category": category}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"entrances": "\r\n  \r\n"}, "entrances"),
        ({"entrances": "Вход\r\nвход"}, "entrances"),
        ({"oked": "5610"}, "oked"),
        ({"phone": "+7 727 250 00 00"}, "phone"),
        ({"capacity": "0"}, "capacity"),
        ({"notification_number": "../companies"}, "notification_number"),
        ({"accepts_agreement": ""}, "accepts_agreement"),
        ({"holds_documents": ""}, "holds_documents"),
        # A name is one line: CR/LF in one broke the header of the red visitor's e-mail (R-CI-3).
        ({"name": "Кафе\r\nBcc: someone@example.kz"}, "name"),
        ({"name": "Кафе\x00"}, "name"),
        ({"address": "ул. Абая, 10\x1b"}, "address"),
        ({"entrances": "Главный\tвход"}, "entrances"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_stored(client, owner, form_world, changes, field):
    client.force_login(owner)
    response = client.post(reverse("venues:application_create"), _form(form_world, **changes))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Application.objects.exists()


def test_company_of_another_owner_cannot_be_chosen(client, owner, form_world):
    client.force_login(owner)
    response = client.post(reverse("venues:application_create"), _form(form_world, company=CompanyFactory().pk))
    assert response.context["form"].errors["company"]
    assert not Application.objects.exists()


def test_registry_down_says_try_again_later_and_stores_nothing(en_client, registry, owner, form_world):
    failure_set("companies", error_rate=1)
    en_client.force_login(owner)
    response = en_client.post(reverse("venues:application_create"), _form(form_world))
    assert response.status_code == 200
    assert "try again later" in response.content.decode()
    assert not Application.objects.exists()


# --- Done when: a new owner signs up, is refused for the OKED, fixes it, is approved -----


def test_new_owner_from_sign_up_to_an_approved_venue(en_client, registry):
    region = RegionFactory(name_en="Almaty")
    ZoneChangeFactory(region=region, zone=Zone.RED)
    catering, karaoke = CategoryFactory(name_en="Public catering"), CategoryFactory(name_en="Karaoke")
    for category in (catering, karaoke):
        AdmissionFactory(category=category, region=None, admitted_from=date(2021, 5, 5))
    OkedCodeFactory(code="05610", categories=[catering])
    OkedCodeFactory(code="09329", categories=[karaoke])
    bin_ = CompanyFactory.build().bin
    company_set(bin_, "ТОО «Мелодия»", ["05610"], phone="+77015550077")
    notification_set("KZ-77", date(2021, 5, 1), bin_, "Алматы, ул. Жибек Жолы, 50")

    with time_machine.travel(NOW, tick=False):
        # Unknown BIN first: a clear refusal, nothing created.
        unknown = en_client.post(reverse("venues:sign_up"), _sign_up(CompanyFactory.build().bin))
        assert "not in the business registry" in unknown.content.decode()
        response = en_client.post(reverse("venues:sign_up"), _sign_up(bin_), follow=True)
        # The company is his once he types the code sent to its phone in the registry.
        assert response.redirect_chain[-1][0] == reverse("venues:company_claims")
        assert "+7701***0077" in response.content.decode()
        assert not Company.objects.filter(bin=bin_).exists()
        code = re.search(r"\b(\d{6})\b", SmsMessage.objects.get(phone="+77015550077").text).group(1)
        claim = response.context["claims"][0]
        confirmed = en_client.post(reverse("venues:company_claims"), {"claim": claim.pk, "code": code}, follow=True)
        assert confirmed.redirect_chain[-1][0] == reverse("venues:venue_list")
        company = Company.objects.get(bin=bin_)
        assert company.name == "ТОО «Мелодия»" and company.owner.role == Role.OWNER

        world = {"company": company, "region": region, "category": karaoke}
        data = _form(
            world,
            oked="05610",
            notification_number="KZ-77",
            notification_date="2021-05-01",
            address="г. Алматы, улица Жибек Жолы, 50",
            name="Караоке «Мелодия»",
        )
        refused = en_client.post(reverse("venues:application_create"), data, follow=True)
        content = refused.content.decode()
        assert "does not match the category «Karaoke»" in content
        assert "Re-register the legal entity&#x27;s OKED" in content or "Re-register the legal entity's OKED" in content
        application = Application.objects.get()
        assert application.status == ApplicationStatus.REFUSED and not Venue.objects.exists()

        # The "correct and apply again" form starts from what was entered.
        again = en_client.get(reverse("venues:application_create") + f"?from={application.pk}")
        assert again.context["form"].initial["address"] == "г. Алматы, улица Жибек Жолы, 50"

        # The owner re-registers the OKED with the business registry, then applies again.
        company_set(bin_, "ТОО «Мелодия»", ["05610", "09329"])
        fresh_key = again.context["form"].initial["idempotency_key"]  # the new form's own
        approved = en_client.post(
            reverse("venues:application_create"), data | {"oked": "09329", "idempotency_key": fresh_key}, follow=True
        )

    venue = Venue.objects.get()
    assert approved.redirect_chain[-1][0] == reverse("venues:venue_detail", args=[venue.pk])
    assert venue.phone == "+77011234567"
    assert list(venue.entrances.values_list("name", flat=True)) == ["Главный вход", "Летняя терраса"]
    assert "Test mode until 16 May 12:00 (7 days left)" in approved.content.decode()
    assert venue.codes_first_issued_at == NOW and kind_at(venue, NOW) == standing_rules.TEST_MODE_KIND


def test_the_back_button_and_a_resubmit_make_no_second_venue(en_client, owner, registry):
    """The owner submits, goes back to the form the browser kept, and submits it again:
    he lands on the same venue, told so; there is one application, one venue."""
    region = RegionFactory()
    ZoneChangeFactory(region=region, zone=Zone.GREEN)
    category = CategoryFactory()
    AdmissionFactory(category=category, region=None, admitted_from=date(2021, 4, 14))
    OkedCodeFactory(code="05610", categories=[category])
    company = owner.companies.get()
    company_set(company.bin, company.name, ["05610"])
    notification_set("KZ-7", date(2021, 4, 1), company.bin, "Алматы, ул. Абая, 10")
    en_client.force_login(owner)
    with time_machine.travel(NOW, tick=False):
        shown = en_client.get(reverse("venues:application_create")).context["form"].initial["idempotency_key"]
        data = _form({"company": company, "region": region, "category": category}, idempotency_key=str(shown))
        first = en_client.post(reverse("venues:application_create"), data)
        again = en_client.post(reverse("venues:application_create"), data, follow=True)

    venue = Venue.objects.get()
    assert first["Location"] == reverse("venues:venue_detail", args=[venue.pk])
    assert again.redirect_chain[-1][0] == reverse("venues:venue_detail", args=[venue.pk])
    assert Application.objects.count() == 1
    assert "This application was already submitted" in again.content.decode()


def test_a_form_without_its_key_is_refused_with_a_message(en_client, owner, form_world):
    en_client.force_login(owner)
    response = en_client.post(reverse("venues:application_create"), _form(form_world, idempotency_key=""))
    assert "This form is out of date" in response.content.decode()
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    ("language", "category", "region"),
    [("ru", "Сауны", "Тараз-сити"), ("kk", "Моншалар", "Тараз қаласы"), ("en", "Saunas", "Taraz City")],
)
def test_a_refusal_names_the_category_and_region_in_the_readers_language(client, owner, language, category, region):
    saunas = CategoryFactory(code="saunas-x", name_ru="Сауны", name_kk="Моншалар", name_en="Saunas")
    taraz = RegionFactory(code="taraz-x", name_ru="Тараз-сити", name_kk="Тараз қаласы", name_en="Taraz City")
    checks = [
        rules.check_admission(
            category_code=saunas.code, region_code=taraz.code, on=date(2021, 6, 1), facts=rules.AdmissionFacts(False)
        ).as_json({"category": {saunas.code: "Сауны"}, "region": {taraz.code: "Тараз-сити"}})  # filed in Russian
    ]
    application = ApplicationFactory(company=owner.companies.get(), checks=checks)
    client.cookies["django_language"] = language
    client.force_login(owner)
    for url in (reverse("venues:application_detail", args=[application.pk]), reverse("venues:application_list")):
        content = client.get(url).content.decode().replace("&laquo;", "«").replace("&raquo;", "»")
        assert f"«{category}»" in content and region in content


def _sign_up(bin_) -> dict:
    return {
        "username": "melodia",
        "email": "melodia@example.kz",
        "password1": "karaoke-every-night-21",
        "password2": "karaoke-every-night-21",
        "bin": bin_,
    }


def test_a_squatter_signing_up_with_a_public_bin_is_asked_for_the_companys_code(en_client, registry):
    """The attack at the door: a BIN present in the registry made the company the
    squatter's at once. Now his sign-up only opens a claim he cannot prove."""
    bin_ = CompanyFactory.build().bin
    company_set(bin_, "ТОО «Чужая»", ["05610"], phone="+77015550088")
    response = en_client.post(reverse("venues:sign_up"), _sign_up(bin_), follow=True)
    claim = response.context["claims"][0]
    wrong = en_client.post(reverse("venues:company_claims"), {"claim": claim.pk, "code": "000001"})
    assert wrong.status_code == 400 and "The code is wrong" in wrong.content.decode()
    assert not Company.objects.filter(bin=bin_).exists()
    assert en_client.get(reverse("venues:application_create"))["Location"] == reverse("venues:company_claims")
    # Another owner's claim is not his to answer.
    other = UserFactory(role=Role.OWNER)
    en_client.force_login(other)
    assert en_client.post(reverse("venues:company_claims"), {"claim": claim.pk, "code": "000001"}).status_code == 404


def test_sign_up_page_refuses_a_weak_password_and_creates_nothing(client, db):
    response = client.post(
        reverse("venues:sign_up"), _sign_up("150340012345") | {"password1": "123", "password2": "123"}
    )
    assert response.status_code == 200 and response.context["form"].errors["password2"]
    assert not Company.objects.exists()


def test_signed_in_user_is_sent_from_sign_up_to_his_venues(client, owner):
    client.force_login(owner)
    assert client.get(reverse("venues:sign_up"))["Location"] == reverse("venues:venue_list")


def test_sign_up_with_the_registry_down_says_try_again_later(en_client, registry):
    failure_set("companies", error_rate=1)
    response = en_client.post(reverse("venues:sign_up"), _sign_up(CompanyFactory.build().bin))
    assert "try again later" in response.content.decode()
    assert not Company.objects.exists()


def test_owner_of_several_companies_chooses_one(client, owner, form_world):
    second = CompanyFactory(owner=owner, name="ТОО «Второе»")
    client.force_login(owner)
    page = client.get(reverse("venues:application_create")).content.decode()
    assert "ТОО «Второе»" in page and 'name="company"' in page
    single = CompanyFactory().owner
    client.force_login(single)
    form = client.get(reverse("venues:application_create")).context["form"]
    assert form.fields["company"].widget.is_hidden
    assert second.pk not in {c.pk for c in form.fields["company"].queryset}


def test_r_vn_9_operators_read_a_venues_standing_history_in_the_admin(client, venue):
    operator = UserFactory(role=Role.OPERATOR, is_staff=True, is_superuser=True)
    client.force_login(operator)
    _issue(venue, datetime(2021, 5, 5, 10, 0, tzinfo=ALMATY))
    page = client.get(reverse("admin:venues_venue_change", args=[venue.pk])).content.decode()
    assert "standing history" in page.lower() or "история положения" in page.lower()
    assert "test_mode" in page or "тестовый режим" in page
    assert 'name="standings-0-kind"' not in page  # read only: no field to change
