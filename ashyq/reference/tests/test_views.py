"""The region page of akimat staff: the zone-change form (R-REF-2)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from ashyq.accounts.models import Role
from ashyq.accounts.tests.factories import UserFactory
from ashyq.reference.tests.factories import RegionFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_r_ref_2_the_date_field_holds_today_in_every_language(client, settings, language):
    # An <input type=date> takes only YYYY-MM-DD: the Russian format (07.12.2026) left
    # it empty, and the akimat had to pick today again.
    region = RegionFactory()
    client.force_login(UserFactory(role=Role.AKIMAT, region=region))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    with time_machine.travel(datetime(2026, 12, 7, 10, 0, tzinfo=ZoneInfo("Asia/Almaty")), tick=False):
        page = client.get(f"/regions/{region.code}/").content.decode()
    assert 'type="date"' in page
    assert f'value="{date(2026, 12, 7).isoformat()}"' in page
