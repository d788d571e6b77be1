"""R-ID-5: an IIN searched in the admin never reaches a URL (the web server's access log)."""

import html
import re

import pytest
from django.urls import reverse

from ashyq.accounts.models import Role
from ashyq.accounts.tests.factories import UserFactory
from ashyq.mocks.tests.factories import PcrRecordFactory, iin

pytestmark = pytest.mark.django_db
LIST = reverse("admin:mocks_pcrrecord_changelist")


@pytest.fixture
def operator(client):
    client.force_login(UserFactory(role=Role.OPERATOR, is_staff=True, is_superuser=True))
    return client


def _urls(response) -> list[str]:
    return [html.unescape(url) for url in re.findall(r'(?:href|action)="([^"]*)"', response.content.decode())]


def test_the_admin_search_box_posts(operator):
    page = operator.get(LIST)
    assert re.search(r'<form id="changelist-search" method="post"', page.content.decode())


def test_a_searched_iin_is_in_no_url_of_the_result(operator):
    """The attack: the admin's GET search put the IIN in the URL, and so in the access log."""
    for n in range(210):  # more than one page of 100
        PcrRecordFactory.create(iin=iin(7) if n % 2 else iin(8))
    response = operator.post(LIST, {"_posted_search": "1", "q": iin(7), "result": "negative"})
    assert response.status_code == 302
    location = response["Location"]
    assert iin(7) not in location and "result=negative" in location
    page = operator.get(location)
    assert page.status_code == 200
    assert page.context["cl"].query == iin(7)  # the box shows what was typed
    assert {record.iin for record in page.context["cl"].result_list} == {iin(7)}
    urls = _urls(page)
    assert urls and not [url for url in urls if iin(7) in url]
    # The next page and an object's page keep the search without it.
    next_page = operator.get(LIST + next(url for url in urls if "p=2" in url))
    assert {record.iin for record in next_page.context["cl"].result_list} == {iin(7)}
    shown = next_page.context["cl"].result_list[0]
    change = next(url for url in _urls(next_page) if f"/{shown.pk}/change/" in url)
    assert "_changelist_filters" in change and iin(7) not in change


def test_a_search_kept_in_another_session_opens_nothing(operator, client):
    response = operator.post(LIST, {"_posted_search": "1", "q": iin(7)})
    other = UserFactory(role=Role.OPERATOR, is_staff=True, is_superuser=True)
    operator.force_login(other)
    assert operator.get(response["Location"]).context["cl"].query == ""


def test_a_stranger_cannot_post_a_search(client):
    response = client.post(LIST, {"_posted_search": "1", "q": iin(7)})
    assert response.status_code == 302 and "/login/" in response["Location"]
