"""Operators read applications with their checks and override a refusal with a reason
(R-VN-3, audited)."""

import pytest
from django.urls import reverse

from ashyq.accounts.models import Role
from ashyq.accounts.tests.factories import UserFactory
from ashyq.core.models import AuditEvent
from venues.models import ApplicationStatus, Venue
from venues.tests.factories import ApplicationFactory


@pytest.fixture
def operator(db):
    return UserFactory(role=Role.OPERATOR, is_staff=True, is_superuser=True)


@pytest.fixture
def refused(db):
    return ApplicationFactory(status=ApplicationStatus.REFUSED, name="Караоке «Мелодия»")


def _override_url(application):
    return reverse("admin:venues_application_override", args=[application.pk])


def test_operator_sees_applications_with_their_failed_checks(en_client, operator, refused):
    en_client.force_login(operator)
    changelist = en_client.get(reverse("admin:venues_application_changelist") + "?status__exact=refused")
    assert changelist.status_code == 200 and "Караоке «Мелодия»" in changelist.content.decode()
    change = en_client.get(reverse("admin:venues_application_change", args=[refused.pk])).content.decode()
    assert "does not match the category «Караоке»" in change
    assert _override_url(refused) in change


def test_search_finds_an_application_by_bin(client, operator, refused):
    client.force_login(operator)
    response = client.get(reverse("admin:venues_application_changelist"), {"q": refused.company.bin})
    assert response.context["cl"].result_count == 1


def test_override_with_a_reason_approves_and_creates_the_venue(client, operator, refused):
    client.force_login(operator)
    assert client.get(_override_url(refused)).status_code == 200

    response = client.post(_override_url(refused), {"reason": "The OKED was re-registered on 3 May."})

    venue = Venue.objects.get(application=refused)
    assert response.status_code == 302 and response["Location"] == reverse("admin:venues_venue_change", args=[venue.pk])
    refused.refresh_from_db()
    assert refused.status == ApplicationStatus.APPROVED and refused.override_by == operator
    assert AuditEvent.objects.get(action="venues.application_overridden").details["reason"].startswith("The OKED")


def test_override_without_a_reason_changes_nothing(client, operator, refused):
    client.force_login(operator)
    response = client.post(_override_url(refused), {"reason": "  "})
    assert response.status_code == 200 and response.context["form"].errors
    refused.refresh_from_db()
    assert refused.status == ApplicationStatus.REFUSED and not Venue.objects.exists()


def test_staff_who_is_not_an_operator_cannot_override(client, refused):
    from django.contrib.auth.models import Permission

    commission = UserFactory(role=Role.COMMISSION, is_staff=True)
    # Even with the admin's view permission, only an operator overrides a refusal.
    commission.user_permissions.add(Permission.objects.get(codename="view_application"))
    client.force_login(commission)
    response = client.post(_override_url(refused), {"reason": "why not"})
    assert response.status_code == 403
    assert not Venue.objects.exists()


def test_an_owner_is_sent_to_the_admin_sign_in(client, refused):
    client.force_login(refused.company.owner)
    response = client.post(_override_url(refused), {"reason": "mine"})
    assert response.status_code == 302 and not Venue.objects.exists()
