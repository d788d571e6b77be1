import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

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
