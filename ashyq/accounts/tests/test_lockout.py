"""R-AU-3 under attack: staff lockouts behind the production proxy, a lock that a try
does not extend, and the per-username cap against a slow guess from many addresses."""

from datetime import timedelta

import axes.helpers
import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from ashyq.accounts.models import KnownAddress, Role
from ashyq.accounts.tasks import purge_sign_in_failures
from ashyq.accounts.tests.factories import PASSWORD, UserFactory
from ashyq.core.checks import lockout_check
from ashyq.proxy import ipware_settings

LOGIN = reverse("accounts:login")
PROXY = "10.0.0.2"  # the TLS proxy in front of gunicorn: every request's REMOTE_ADDR
T0 = timezone.datetime(2021, 5, 4, 9, 0, tzinfo=timezone.get_fixed_timezone(360))


@pytest.fixture
def behind_proxy(settings):
    """The documented production set-up: one proxy, AXES_PROXY_COUNT=1."""
    for name, value in ipware_settings(1).items():
        setattr(settings, name, value)
    settings.BEHIND_TLS_PROXY = True
    return settings


@pytest.fixture
def inspector(db):
    return UserFactory(username="inspector", role=Role.INSPECTOR)


def _through_proxy(client, password, client_ip, *, forged=None, username="inspector"):
    """A sign-in as the proxy forwards it: it appends the client's address to whatever
    X-Forwarded-For the client sent."""
    forwarded = f"{forged}, {client_ip}" if forged else client_ip
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded
    )


def _direct(client, password, ip, username="inspector"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


# --- Behind the proxy: each client is himself --------------------------------------------------


def test_r_au_3_an_attacker_behind_the_proxy_does_not_lock_the_officer_out(client, behind_proxy, inspector):
    """The attack: five wrong passwords through the proxy locked the account for every
    client, since all of them shared the proxy's address."""
    for _ in range(settings.AXES_FAILURE_LIMIT + 3):
        _through_proxy(client, "wrong", "198.51.100.66")
    assert _through_proxy(client, PASSWORD, "198.51.100.10").status_code == 302


def test_r_au_3_the_attacker_himself_is_locked_behind_the_proxy(client, behind_proxy, inspector):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _through_proxy(client, "wrong", "198.51.100.66")
    assert _through_proxy(client, PASSWORD, "198.51.100.66").status_code == 429


def test_r_au_3_a_forged_forwarded_header_does_not_escape_the_lock(client, behind_proxy, inspector):
    """The client is the address the proxy appended, not what the client wrote before it."""
    for number in range(settings.AXES_FAILURE_LIMIT):
        _through_proxy(client, "wrong", "198.51.100.66", forged=f"192.0.2.{number}")
    assert _through_proxy(client, PASSWORD, "198.51.100.66", forged="192.0.2.200").status_code == 429


# --- A try while locked does not extend the lock ------------------------------------------------


def test_r_au_3_a_try_while_locked_does_not_restart_the_cool_off(client, inspector):
    """The attack: one wrong password every 15 minutes kept an account locked for good."""
    with time_machine.travel(T0, tick=False):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            _direct(client, "wrong", "198.51.100.66")
    with time_machine.travel(T0 + settings.AXES_COOLOFF_TIME - timedelta(minutes=1), tick=False):
        assert _direct(client, "wrong", "198.51.100.66").status_code == 429
    with time_machine.travel(T0 + settings.AXES_COOLOFF_TIME + timedelta(seconds=1), tick=False):
        assert _direct(client, PASSWORD, "198.51.100.66").status_code == 302


# --- The per-username cap ---------------------------------------------------------------------------


def _slow_guess(client, *, addresses: int, start=T0):
    """A distributed guess: each address stays one try short of its own lock."""
    tries = settings.AXES_FAILURE_LIMIT - 1
    for number in range(addresses):
        with time_machine.travel(start + timedelta(minutes=number), tick=False):
            for _ in range(tries):
                _direct(client, "wrong", f"198.51.100.{number + 1}")
    return addresses * tries


def test_r_au_3_a_slow_guess_from_many_addresses_is_stopped(client, inspector):
    """The attack: four tries from each of many addresses guessed without end; once the
    username's failures reach the cap, even the right password from a new address is refused."""
    guessed = _slow_guess(client, addresses=6)
    assert guessed >= settings.USERNAME_FAILURE_LIMIT
    with time_machine.travel(T0 + timedelta(minutes=10), tick=False):
        response = _direct(client, PASSWORD, "198.51.100.200")
    assert response.status_code == 429
    assert response.wsgi_request.ashyq_new_address_lock


def test_r_au_3_the_cap_spares_the_officers_own_desk(client, inspector):
    with time_machine.travel(T0 - timedelta(days=3), tick=False):
        assert _direct(client, PASSWORD, "10.20.30.40").status_code == 302
    assert KnownAddress.objects.filter(user=inspector).count() == 1
    client.logout()
    _slow_guess(client, addresses=6)
    with time_machine.travel(T0 + timedelta(minutes=10), tick=False):
        assert _direct(client, PASSWORD, "10.20.30.40").status_code == 302


def test_r_au_3_the_cap_lifts_a_day_after_the_failures(client, inspector):
    _slow_guess(client, addresses=6)
    with time_machine.travel(T0 + timedelta(days=1, minutes=6), tick=False):
        assert _direct(client, PASSWORD, "198.51.100.200").status_code == 302


def test_r_au_3_below_the_cap_a_new_address_signs_in(client, inspector, settings):
    settings.USERNAME_FAILURE_LIMIT = 100
    _slow_guess(client, addresses=6)
    with time_machine.travel(T0 + timedelta(minutes=10), tick=False):
        assert _direct(client, PASSWORD, "198.51.100.200").status_code == 302


def test_r_au_3_a_known_address_is_forgotten_after_its_days(client, inspector):
    with time_machine.travel(T0 - timedelta(days=settings.KNOWN_ADDRESS_DAYS + 1), tick=False):
        assert _direct(client, PASSWORD, "10.20.30.40").status_code == 302
    client.logout()
    _slow_guess(client, addresses=6)
    with time_machine.travel(T0 + timedelta(minutes=10), tick=False):
        assert _direct(client, PASSWORD, "10.20.30.40").status_code == 429


def test_r_au_3_addresses_are_kept_as_keyed_hashes(client, inspector):
    _direct(client, PASSWORD, "10.20.30.40")
    assert "10.20.30.40" not in KnownAddress.objects.get().address


def test_old_failures_are_purged_and_the_day_kept(client, inspector):
    _slow_guess(client, addresses=1, start=timezone.now() - timedelta(days=3))
    _slow_guess(client, addresses=1, start=timezone.now() - timedelta(hours=1))
    from axes.models import AccessFailureLog

    assert purge_sign_in_failures() == settings.AXES_FAILURE_LIMIT - 1
    assert AccessFailureLog.objects.count() == settings.AXES_FAILURE_LIMIT - 1


# --- The deploy check --------------------------------------------------------------------------


def test_r_au_3_deploy_check_passes_when_the_forwarded_address_is_read(behind_proxy):
    assert lockout_check(None) == []


def test_r_au_3_deploy_check_fails_when_the_forwarded_address_cannot_be_read(behind_proxy, monkeypatch):
    """What production ran with: AXES_PROXY_COUNT set, and nothing to read X-Forwarded-For."""
    monkeypatch.setattr(axes.helpers, "IPWARE_INSTALLED", False)
    assert [error.id for error in lockout_check(None)] == ["ashyq.E001"]


def test_r_au_3_deploy_check_fails_with_a_strict_reading(behind_proxy):
    """ipware's strict default refuses a header with the client's own address in front."""
    behind_proxy.IPWARE_STRICT = True
    assert [error.id for error in lockout_check(None)] == ["ashyq.E001"]


def test_r_au_3_two_proxies_read_the_second_address_from_the_right(settings):
    from ashyq.core.checks import _CLIENT, forwarded_client_read

    for name, value in ipware_settings(2).items():
        setattr(settings, name, value)
    assert forwarded_client_read(2) == _CLIENT
