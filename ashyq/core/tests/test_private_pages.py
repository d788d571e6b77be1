"""Personal pages are never kept by a cache: `Cache-Control: private, no-store`."""

import re

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


@pytest.mark.parametrize("name", ["core:home", "sms:phone", "accounts:login"])
def test_every_page_has_a_strict_content_security_policy(client, name):
    """The finding: there was no Content-Security-Policy, so a script slipped into a page
    would run. Now only this site's own files run: no inline script, style or eval."""
    policy = client.get(reverse(name))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_no_template_holds_an_inline_script_or_style():
    from pathlib import Path

    from django.conf import settings

    offenders = []
    for path in (Path(settings.BASE_DIR) / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or "<style" in text or re.search(r"\sstyle=", text):
            offenders.append(str(path))
    assert offenders == []
