"""R-AU-3: staff sign in with a password; repeated failures lock (username, IP)."""

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from ashyq.accounts.models import Role
from ashyq.accounts.tests.factories import PASSWORD, UserFactory

LOGIN = reverse("accounts:login")


def _sign_in(client, username, password, ip="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.fixture
def owner(db):
    return UserFactory(username="owner", role=Role.OWNER)


def test_right_password_reaches_the_home_page(client, owner):
    response = _sign_in(client, "owner", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("core:home")
    assert client.get(reverse("core:home"), follow=True).context["user"] == owner


def test_wrong_password_says_so_and_signs_nobody_in(client, owner):
    response = _sign_in(client, "owner", "wrong")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not response.context["user"].is_authenticated


def test_locked_after_repeated_failures_even_with_the_right_password(client, owner):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "owner", "wrong")
    response = _sign_in(client, "owner", PASSWORD)
    assert response.status_code == 429
    assert "accounts/locked_out.html" in [t.name for t in response.templates]
    assert not client.get(reverse("core:home")).context["user"].is_authenticated


def test_one_failure_short_of_the_limit_does_not_lock(client, owner):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _sign_in(client, "owner", "wrong")
    assert _sign_in(client, "owner", PASSWORD).status_code == 302


def test_attacker_elsewhere_cannot_lock_the_victim_out(client, owner):
    for _ in range(settings.AXES_FAILURE_LIMIT + 2):
        _sign_in(client, "owner", "wrong", ip="203.0.113.9")
    assert _sign_in(client, "owner", PASSWORD, ip="10.0.0.1").status_code == 302


def test_lock_ends_after_the_cool_off(client, owner):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            _sign_in(client, "owner", "wrong")
        assert _sign_in(client, "owner", PASSWORD).status_code == 429
    with time_machine.travel(start + settings.AXES_COOLOFF_TIME + timezone.timedelta(seconds=1), tick=False):
        assert _sign_in(client, "owner", PASSWORD).status_code == 302


def test_sign_out_is_post_only(client, owner):
    client.force_login(owner)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert not client.get(reverse("core:home")).context["user"].is_authenticated
