from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from ashyq.accounts.models import Role
from ashyq.accounts.tests.factories import UserFactory
from ashyq.core.views import HOME_REDIRECTS
from monitoring.models import Appeal, Sanction, SanctionKind
from monitoring.tests.factories import InspectorFactory, OutageFactory, ViolationFactory
from statuses.models import SyncState
from visitors.tests.factories import open_venue

pytestmark = pytest.mark.django_db


def test_public_home_page_is_russian_by_default(client):
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "ru"
    assert '<html lang="ru">' in response.text


@pytest.mark.parametrize("language", ["kk", "en", "ru"])
def test_language_switcher_changes_the_interface_language(client, language):
    response = client.post(reverse("set_language"), {"language": language, "next": "/"})
    assert response.status_code == 302
    page = client.get(reverse("core:home"))
    assert page.headers["Content-Language"] == language
    assert f'<html lang="{language}">' in page.text


def test_every_page_has_the_language_switcher(client):
    for url in [reverse("core:home"), reverse("accounts:login"), "/no-such-page/"]:
        assert 'name="language" value="kk"' in client.get(url).text


def test_healthz_needs_no_sign_in(client):
    response = client.get(reverse("core:healthz"))
    assert response.status_code == 200 and response.text == "ok"


def test_404_page_in_the_site_style(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]


@override_settings(DEBUG=False)
def test_500_page_hides_the_error(client, monkeypatch):
    from ashyq.core import views

    def explode(*args, **kwargs):
        raise RuntimeError("boom 900101300125")

    monkeypatch.setattr(views, "render", explode)  # the page itself fails, not our test
    client.raise_request_exception = False
    response = client.get(reverse("core:home"))
    assert response.status_code == 500
    assert "boom" not in response.text and "900101300125" not in response.text
    assert "500" in response.text


@pytest.mark.parametrize("role", list(Role))
def test_every_role_has_a_home_page(client, role):
    client.force_login(UserFactory(role=role))
    response = client.get(reverse("core:home"), follow=True)
    assert response.status_code == 200
    if role in HOME_REDIRECTS:
        assert response.redirect_chain[0] == (reverse(HOME_REDIRECTS[role]), 302)
    else:
        assert response.redirect_chain == []


def test_system_page_is_for_operators_only(client):
    client.force_login(UserFactory(role=Role.AKIMAT))
    assert client.get(reverse("core:system")).status_code == 403
    client.force_login(UserFactory(role=Role.OPERATOR, is_staff=True))
    assert client.get(reverse("core:system")).status_code == 200


def test_r_rg_3_the_system_page_shows_each_registry_s_sync(en_client):
    now = timezone.now()
    SyncState.objects.filter(registry="vaccinations").delete()
    SyncState.objects.update_or_create(
        registry="pcr", defaults={"last_success_at": now - timedelta(minutes=3), "records_synced": 41}
    )
    SyncState.objects.update_or_create(
        registry="contacts",
        defaults={
            "last_success_at": now - timedelta(hours=2),
            "last_error": "HTTP 503 from the registry",
            "last_error_at": now - timedelta(minutes=1),
        },
    )
    en_client.force_login(UserFactory(role=Role.OPERATOR))
    page = en_client.get(reverse("core:system")).content.decode()
    assert 'data-registry="pcr" data-stale="false"' in page and "41 records applied" in page
    assert 'data-registry="contacts" data-stale="true"' in page and "HTTP 503 from the registry" in page
    assert 'data-registry="vaccinations" data-stale="true"' in page  # never synced (R-ST-9)


def test_admin_is_for_operators_only(client):
    client.force_login(UserFactory(role=Role.COMMISSION))
    assert client.get(reverse("admin:index")).status_code == 302  # to the admin sign-in
    client.force_login(UserFactory(role=Role.OPERATOR, is_staff=True, is_superuser=True))
    assert client.get(reverse("admin:index")).status_code == 200


def test_browser_language_does_not_override_the_russian_default(client):
    response = client.get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers["Content-Language"] == "ru"


def test_unknown_language_cookie_falls_back_to_russian(client):
    client.cookies["django_language"] = "de"
    assert client.get(reverse("core:home")).headers["Content-Language"] == "ru"


def test_every_admin_request_of_an_operator_is_audited(client):
    from ashyq.core.models import AuditEvent

    operator = UserFactory(role=Role.OPERATOR, is_staff=True, is_superuser=True)
    client.force_login(operator)
    client.get(reverse("admin:accounts_user_changelist"), {"q": "akimat"})
    client.post(reverse("admin:reference_region_changelist"), {"action": "nothing"})
    events = list(AuditEvent.objects.filter(actor=operator).order_by("id").values_list("action", "details"))
    assert events[0] == ("admin.read", {"path": "/admin/accounts/user/", "query": "q=akimat", "status": 200})
    assert events[1][0] == "admin.write"


def test_pages_outside_the_admin_are_not_audited_as_admin(client):
    from ashyq.core.models import AuditEvent

    client.force_login(UserFactory(role=Role.OPERATOR, is_staff=True))
    client.get(reverse("core:home"))
    assert not AuditEvent.objects.filter(action__startswith="admin.").exists()


def test_an_iin_searched_in_the_admin_is_masked_in_the_audit_log(client):
    from ashyq.core.models import AuditEvent

    client.force_login(UserFactory(role=Role.OPERATOR, is_staff=True, is_superuser=True))
    client.get(reverse("admin:accounts_user_changelist"), {"q": "900101300125"})
    event = AuditEvent.objects.get(action="admin.read")
    assert "900101300125" not in str(event.details)
    assert event.details["query"] == "q=******0125"


def test_the_akimat_s_home_says_what_waits_for_him(en_client):
    venue = open_venue(now=timezone.now() - timedelta(days=30))
    sanction = Sanction.objects.create(
        venue=venue, kind=SanctionKind.WARNING, violation=ViolationFactory(venue=venue), starts_at=timezone.now()
    )
    Appeal.objects.create(sanction=sanction, text="Не согласны", filed_by=venue.company.owner)
    OutageFactory(ends_at=None)
    en_client.force_login(UserFactory(role=Role.AKIMAT, region=venue.region))
    page = en_client.get(reverse("core:home")).content.decode()
    assert "1 appeal awaits your decision." in page
    assert "1 venue of the region has joined Ashyq" in page
    assert "1 outage still lasts" in page
    for card in ("region", "appeals", "participants", "risk", "outages", "leaders", "statistics"):
        assert f'data-card="{card}"' in page


def test_the_inspector_s_home_counts_what_he_may_confirm(en_client):
    venue = open_venue(now=timezone.now() - timedelta(days=30))
    inspector = InspectorFactory(region=venue.region)
    ViolationFactory(venue=venue)  # another inspector's
    ViolationFactory(venue=venue, filed_by=inspector)  # his own: not his to confirm
    en_client.force_login(inspector)
    page = en_client.get(reverse("core:home")).content.decode()
    assert "1 violation filed by another inspector awaits confirmation." in page
    assert 'data-card="venues"' in page and 'data-card="risk"' in page
