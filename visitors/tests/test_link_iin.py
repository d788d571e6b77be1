"""Linking a citizen's IIN to his phone, once (R-AU-2, R-ID-2, R-ID-5)."""

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from ashyq.accounts.models import User
from ashyq.accounts.tests.factories import CitizenFactory
from ashyq.core.models import AuditEvent
from ashyq.crypto import blind_index
from ashyq.identifiers import make_iin
from ashyq.mocks.services import subscriber_set

pytestmark = pytest.mark.django_db(transaction=True)

LINK = reverse("visitors:link_iin")
NOW = timezone.make_aware(timezone.datetime(2021, 5, 10, 12, 0))
ADULT = make_iin(birth_date=date(1990, 1, 1), sex="male", serial=123)
# R-ID-2: 18 on the day of the visit; born 11 May 2003, he turns 18 on the day after NOW.
MINOR = make_iin(birth_date=date(2003, 5, 11), sex="female", serial=7)


@pytest.fixture
def client(en_client):
    return en_client


@pytest.fixture
def citizen(registry):
    user = CitizenFactory(phone="+77011234567")
    subscriber_set(phone=user.phone, iin=ADULT)
    return user


def _link(client, user, iin):
    client.force_login(user)
    with time_machine.travel(NOW, tick=False):
        return client.post(LINK, {"iin": iin, "consent": "on"})


def test_r_au_2_iin_of_the_phone_owner_is_linked(client, citizen):
    response = _link(client, citizen, ADULT)
    assert response.status_code == 302 and response["Location"] == reverse("visitors:me")
    citizen.refresh_from_db()
    assert citizen.iin == ADULT and citizen.iin_index == blind_index(ADULT)
    assert AuditEvent.objects.filter(action="citizen.iin_linked", details__iin="******" + ADULT[-4:]).exists()


def test_r_au_2_iin_of_someone_else_is_not_linked(client, citizen):
    other = make_iin(birth_date=date(1985, 3, 3), sex="female", serial=55)
    response = _link(client, citizen, other)
    assert response.status_code == 400
    assert "not registered to this IIN" in response.context["form"].non_field_errors()[0]
    citizen.refresh_from_db()
    assert citizen.iin is None and citizen.iin_index is None


def test_r_au_2_phone_unknown_to_the_registry_is_not_linked(client, registry):
    user = CitizenFactory(phone="+77019998877")
    assert _link(client, user, ADULT).status_code == 400
    user.refresh_from_db()
    assert user.iin_index is None


def test_r_id_2_minor_is_refused_and_nothing_is_stored(client, citizen):
    subscriber_set(phone=citizen.phone, iin=MINOR)
    response = _link(client, citizen, MINOR)
    assert response.status_code == 400
    assert response.context["form"].errors["iin"]
    citizen.refresh_from_db()
    assert citizen.iin_index is None


def test_r_id_1_invalid_iin_is_refused_with_a_message(client, citizen):
    response = _link(client, citizen, ADULT[:-1] + str((int(ADULT[-1]) + 1) % 10))
    assert response.status_code == 400 and response.context["form"].errors["iin"]


def test_the_same_iin_cannot_be_linked_to_two_accounts(client, citizen):
    CitizenFactory(phone="+77017776655", iin=ADULT)
    response = _link(client, citizen, ADULT)
    assert response.status_code == 400
    assert "linked to another account" in response.context["form"].non_field_errors()[0]


def test_linked_once_the_form_is_gone(client, citizen):
    _link(client, citizen, ADULT)
    assert client.get(LINK)["Location"] == reverse("visitors:me")


def test_registry_down_changes_nothing(client, settings, db):
    settings.REGISTRY_URL = "http://127.0.0.1:9/mock/"  # nothing listens on the discard port
    user = CitizenFactory(phone="+77011230000")
    response = _link(client, user, ADULT)
    assert response.status_code == 400
    assert "does not answer" in response.context["form"].non_field_errors()[0]
    assert User.objects.get(pk=user.pk).iin_index is None


def test_r_id_5_the_iin_is_never_in_a_url_nor_in_clear_in_the_database(client, citizen):
    response = _link(client, citizen, ADULT)
    assert ADULT not in response["Location"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT iin FROM accounts_user WHERE id = %s", [citizen.pk])
        assert ADULT.encode() not in bytes(cursor.fetchone()[0])


@pytest.mark.parametrize("role", ["owner", "guard", "akimat"])
def test_only_citizens_link_an_iin(client, role):
    from ashyq.accounts.tests.factories import UserFactory

    client.force_login(UserFactory(role=role))
    assert client.get(LINK).status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    assert client.get(LINK).status_code == 302


def test_r_id_5_a_refused_iin_is_not_printed_back(client, citizen):
    subscriber_set(phone=citizen.phone, iin=MINOR)
    response = _link(client, citizen, MINOR)
    assert response.status_code == 400
    assert MINOR not in response.text


def test_r_au_2_a_phone_given_to_someone_else_loses_the_previous_owners_iin(client, citizen):
    """The operator reassigned the number: the new holder signs in by SMS and must not
    see the previous owner's status (the link is re-checked at every sign-in)."""
    import re

    from ashyq.sms.models import SmsMessage

    _link(client, citizen, ADULT)
    client.logout()
    subscriber_set(phone=citizen.phone, iin=make_iin(birth_date=date(2000, 2, 2), sex="female", serial=9))
    client.post(reverse("sms:phone"), {"phone": citizen.phone})
    code = re.search(r"\b\d{6}\b", SmsMessage.objects.filter(phone=citizen.phone).latest("sent_at", "pk").text)
    client.post(reverse("sms:code"), {"code": code.group()})
    citizen.refresh_from_db()
    assert citizen.iin is None and citizen.iin_index is None
    assert client.get(reverse("visitors:me"))["Location"] == reverse("visitors:link_iin")
    assert AuditEvent.objects.filter(action="citizen.iin_unlinked", object_id=str(citizen.pk)).exists()


def test_r_au_2_the_rightful_owner_keeps_his_link_at_sign_in(client, citizen):
    import re

    from ashyq.sms.models import SmsMessage

    _link(client, citizen, ADULT)
    client.logout()
    client.post(reverse("sms:phone"), {"phone": citizen.phone})
    code = re.search(r"\b\d{6}\b", SmsMessage.objects.filter(phone=citizen.phone).latest("sent_at", "pk").text)
    client.post(reverse("sms:code"), {"code": code.group()})
    citizen.refresh_from_db()
    assert citizen.iin == ADULT
