"""The language a signed-in person last chose is kept with his account: e-mails to him
are written in it."""

import pytest
from django.urls import reverse

from ashyq.accounts.models import Role, User
from ashyq.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_switcher_keeps_a_signed_in_person_s_choice(client):
    officer = UserFactory(role=Role.SANITARY)
    assert officer.mail_language == "ru"  # never chose: the interface's default
    client.force_login(officer)
    response = client.post(reverse("set_language"), {"language": "kk", "next": "/"})
    assert response.status_code == 302
    officer.refresh_from_db()
    assert (officer.language, officer.mail_language) == ("kk", "kk")
    assert client.get(reverse("core:home")).headers["Content-Language"] == "kk"  # the cookie, as before

    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    officer.refresh_from_db()
    assert officer.language == "en"


def test_an_unknown_language_changes_nothing(client):
    officer = UserFactory(role=Role.SANITARY, language="kk")
    client.force_login(officer)
    client.post(reverse("set_language"), {"language": "de", "next": "/"})
    officer.refresh_from_db()
    assert officer.language == "kk"


def test_an_anonymous_choice_is_the_cookie_only(client):
    response = client.post(reverse("set_language"), {"language": "kk", "next": "/"})
    assert response.status_code == 302
    assert not User.objects.exclude(language="").exists()


def test_the_switcher_takes_post_only(client):
    assert client.get(reverse("set_language")).status_code == 405
