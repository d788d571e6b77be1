"""Operators see check-ins, look-ups, reports and counts; nobody edits the evidence
(R-PR-3, R-CI-3) and no page shows the person's blind index (R-ID-5)."""

import pytest
from django.urls import reverse

from ashyq.accounts.models import Role
from ashyq.accounts.tests.factories import UserFactory
from statuses.persons import person_key
from statuses.tests.factories import iin
from visitors.tests.factories import DoorReportFactory, RemoteCheckFactory, StatusLookupFactory, VisitFactory

pytestmark = pytest.mark.django_db

MODELS = ["visit", "statuslookup", "doorreport", "remotecheck", "dailystats", "visitwindow"]


@pytest.fixture
def operator_client(client):
    client.force_login(UserFactory(role=Role.OPERATOR, is_staff=True, is_superuser=True))
    return client


def test_every_list_opens_and_shows_no_person(operator_client):
    person = person_key(iin=iin(1))
    visit = VisitFactory(person=person)
    lookup = StatusLookupFactory(person=person, venue=visit.venue)
    report = DoorReportFactory(venue=visit.venue)
    RemoteCheckFactory()

    for model in MODELS:
        response = operator_client.get(reverse(f"admin:visitors_{model}_changelist"))
        assert response.status_code == 200, model
        assert person not in response.content.decode(), model
    for model, obj in (("visit", visit), ("statuslookup", lookup), ("doorreport", report)):
        page = operator_client.get(reverse(f"admin:visitors_{model}_change", args=[obj.pk]))
        assert page.status_code == 200, model
        assert person not in page.content.decode(), model


@pytest.mark.parametrize("model", MODELS)
def test_nothing_can_be_added(operator_client, model):
    assert operator_client.get(reverse(f"admin:visitors_{model}_add")).status_code == 403


def test_look_ups_and_door_reports_cannot_be_changed_or_deleted(operator_client):
    lookup = StatusLookupFactory(colour="red")
    report = DoorReportFactory()

    for model, obj in (("statuslookup", lookup), ("doorreport", report)):
        delete = operator_client.post(reverse(f"admin:visitors_{model}_delete", args=[obj.pk]), {"post": "yes"})
        change = operator_client.post(reverse(f"admin:visitors_{model}_change", args=[obj.pk]), {"colour": "green"})
        assert (delete.status_code, change.status_code) == (403, 403), model

    lookup.refresh_from_db()
    assert lookup.colour == "red"
    report.refresh_from_db()  # still there
