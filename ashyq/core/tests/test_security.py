"""The security settings as deployed — headers, password hashing, CSRF,
sessions bounded to a shift, and no IIN in an error page or a log line."""

import base64
import io
import json
import logging
import os
import re
import subprocess
import sys
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ashyq.accounts.models import Role
from ashyq.accounts.tests.factories import PASSWORD, CitizenFactory, UserFactory
from visitors.tests.factories import GuardFactory, open_venue

IIN = "900101300125"

PRODUCTION_PROBE = """
import json, os
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "ashyq.settings"
django.setup()
from django.contrib.auth.hashers import make_password
from django.test import Client
client = Client(HTTP_HOST="ashyq.example.kz")
secure = client.get("/healthz", secure=True)
plain = client.get("/stats/")
print(json.dumps({
    "headers": dict(secure.headers),
    "plain_status": plain.status_code,
    "plain_location": plain.headers.get("Location"),
    "hash": make_password("a password"),
}))
"""


def _key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    """What a production process (DJANGO_ENV=production, keys from the environment)
    answers: run in a process of its own, since settings are read once at start."""
    var = tmp_path_factory.mktemp("production")
    env = {
        key: value for key, value in os.environ.items() if key not in {"FAST_PASSWORD_HASHER", "DATABASE_URL", "DEBUG"}
    }
    env.update(
        DJANGO_ENV="production",
        ASHYQ_VAR_DIR=str(var),
        SECRET_KEY=_key() + _key(),
        IIN_ENCRYPTION_KEY=_key(),
        IIN_INDEX_KEY=_key(),
        QR_SIGNING_KEY=_key(),
        VACCINATION_SIGNING_KEY=_key(),
        ALLOWED_HOSTS="ashyq.example.kz",
        PUBLIC_URL="https://ashyq.example.kz",
        SMS_GATEWAY_URL="https://sms.example.kz/send",
        REGISTRY_URL="https://gateway.example.kz/registries/",
        DATABASE_URL=f"sqlite:///{var}/db.sqlite3",
    )
    result = subprocess.run(  # noqa: S603 (this interpreter, our own probe)
        [sys.executable, "-c", PRODUCTION_PROBE],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_refuses_to_start_without_its_public_url_and_names_it(tmp_path):
    """R-VN-4: QR codes carry PUBLIC_URL; production has no http:// default to fall
    back on, and says which variable is missing (the image's build gives a throw-away
    https one: deploy/build)."""
    env = {key: value for key, value in os.environ.items() if key not in {"PUBLIC_URL", "DEBUG"}}
    env.update(
        DJANGO_ENV="production",
        ASHYQ_VAR_DIR=str(tmp_path),
        SECRET_KEY=_key() + _key(),
        IIN_ENCRYPTION_KEY=_key(),
        IIN_INDEX_KEY=_key(),
        QR_SIGNING_KEY=_key(),
        VACCINATION_SIGNING_KEY=_key(),
    )
    probe = "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'ashyq.settings'; django.setup()"
    result = subprocess.run(  # noqa: S603 (this interpreter, our own probe)
        [sys.executable, "-c", probe], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "Production needs these environment variables: PUBLIC_URL" in result.stderr

    env["PUBLIC_URL"] = "http://ashyq.example.kz"
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", probe], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "PUBLIC_URL must be an https:// address in production" in result.stderr


def test_production_responses_carry_hsts_frame_nosniff_and_referrer_headers(production):
    headers = production["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_production_sends_plain_http_to_https(production):
    assert production["plain_status"] == 301
    assert production["plain_location"] == "https://ashyq.example.kz/stats/"


def test_production_hashes_passwords_with_argon2(production):
    assert production["hash"].startswith("argon2$argon2id$")


@pytest.mark.django_db
def test_a_cross_site_post_is_refused_and_changes_nothing():
    user = UserFactory(username="akimat-a", role=Role.AKIMAT)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    # A form on another site can post the fields, not our CSRF token.
    response = browser.post(reverse("accounts:logout"), HTTP_ORIGIN="https://evil.example.com")
    assert response.status_code == 403
    assert browser.get(reverse("core:home"), follow=True).context["user"] == user


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.AKIMAT, Role.INSPECTOR, Role.SANITARY, Role.COMMISSION, Role.OPERATOR])
def test_a_guards_or_staff_session_ends_with_the_shift_whatever_the_activity(role):
    user = UserFactory(role=role)
    client = Client()
    signed_in = timezone.now()
    shift = timedelta(hours=settings.SESSION_SHIFT_HOURS)
    with time_machine.travel(signed_in, tick=False):
        client.force_login(user)
    # Busy all shift long: activity does not stretch the session.
    for hours in range(1, settings.SESSION_SHIFT_HOURS):
        with time_machine.travel(signed_in + timedelta(hours=hours), tick=False):
            assert client.get(reverse("core:home"), follow=True).context["user"] == user
    with time_machine.travel(signed_in + shift - timedelta(seconds=1), tick=False):
        assert client.get(reverse("core:home"), follow=True).context["user"] == user
    with time_machine.travel(signed_in + shift, tick=False):
        assert not client.get(reverse("core:home"), follow=True).context["user"].is_authenticated


@pytest.mark.django_db
def test_a_staff_password_sign_in_is_bounded_to_the_shift_too(client):
    UserFactory(username="inspector-a", role=Role.INSPECTOR)
    signed_in = timezone.now()
    with time_machine.travel(signed_in, tick=False):
        client.post(reverse("accounts:login"), {"username": "inspector-a", "password": PASSWORD})
    assert client.session.get_expiry_date() == signed_in + timedelta(hours=settings.SESSION_SHIFT_HOURS)


@pytest.mark.django_db
def test_a_citizen_on_his_own_phone_stays_signed_in_for_days_not_forever():
    citizen = CitizenFactory()
    client = Client()
    signed_in = timezone.now()
    with time_machine.travel(signed_in, tick=False):
        client.force_login(citizen)
    with time_machine.travel(signed_in + timedelta(days=settings.SESSION_DAYS, seconds=-1), tick=False):
        assert client.get(reverse("core:home"), follow=True).context["user"] == citizen
    with time_machine.travel(signed_in + timedelta(days=settings.SESSION_DAYS), tick=False):
        assert not client.get(reverse("core:home"), follow=True).context["user"].is_authenticated


@pytest.mark.django_db
@pytest.mark.urls("ashyq.core.tests.urls_fault")
def test_a_500_on_a_request_carrying_an_iin_shows_and_logs_no_iin():
    # What the configured console handler (settings.LOGGING, with its masking filter)
    # writes, read from the handler itself rather than from pytest's log capture.
    (console,) = [h for h in logging.getLogger("django").handlers if h.get_name() == "console"]
    stream = io.StringIO()
    previous = console.setStream(stream)
    try:
        response = Client(raise_request_exception=False).post("/fault/", {"iin": IIN})
    finally:
        console.setStream(previous)
    assert response.status_code == 500
    page, logged = response.content.decode(), stream.getvalue()
    # The failure is logged (masked), so that it can be investigated at all…
    assert "cannot handle the visitor ******0125" in logged
    # …and the IIN is nowhere: not in the page, not in the log line or the traceback.
    assert IIN not in page
    assert IIN not in logged


FORM = re.compile(r"<form\b(?P<attrs>[^>]*)>(?P<body>.*?)</form>", re.S | re.I)


def forms_asking_for_identifiers(html: str) -> list[str]:
    """The opening tags of the forms of a page that have an IIN or passport field."""
    return [match["attrs"] for match in FORM.finditer(html) if re.search(r'name="(iin|passport)"', match["body"])]


@pytest.mark.django_db
def test_every_form_that_asks_for_an_iin_posts_it_never_in_the_url():
    """R-ID-5: an IIN typed into a page travels in a POST body, never in a URL (which
    ends up in browser history, proxies' and servers' access logs)."""
    venue = open_venue(now=timezone.now() - timedelta(days=10))
    pages = [
        (GuardFactory(venue=venue), reverse("checkin:guard")),
        (CitizenFactory(), reverse("visitors:link_iin")),
    ]
    for user, url in pages:
        client = Client()
        client.force_login(user)
        forms = forms_asking_for_identifiers(client.get(url).content.decode())
        assert forms, url
        for attrs in forms:
            assert re.search(r'method="post"', attrs, re.I), (url, attrs)
            assert "?" not in (re.search(r'action="([^"]*)"', attrs) or [None, ""])[1]
