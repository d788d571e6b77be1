"""Personal pages are never kept by a cache: `Cache-Control: private, no-store`."""

import pytest
from django.urls import reverse

from ashyq.accounts.models import Role
from ashyq.accounts.tests.factories import CitizenFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["visitors:me", "visitors:my_lookups", "visitors:my_visits"])
def test_the_citizens_own_pages_are_not_stored(client, name):
    """The attack: /me/ (a person's colour and history) had no Cache-Control at all, so a
    shared proxy or the back button of a borrowed phone could keep it."""
    client.force_login(CitizenFactory(iin="900101300125"))
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_staff_pages_are_not_stored(client):
    client.force_login(UserFactory(role=Role.OWNER))
    response = client.get(reverse("venues:venue_list"))
    assert "no-store" in response["Cache-Control"]


def test_a_public_page_keeps_its_own_header(client):
    response = client.get(reverse("checkin:check_qr"))
    assert response["Cache-Control"] == "public, max-age=86400"
    assert "Cache-Control" not in client.get(reverse("core:home"))
