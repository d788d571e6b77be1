"""seed_demo's venues part: codes in and past test mode, a volunteer, a refusal; twice
is the same as once."""

from django.utils import timezone

from ashyq.accounts import demo as accounts_demo
from venues import demo
from venues.models import Application, ApplicationStatus, Entrance, QrCode, Venue
from venues.standing import rules as standing_rules
from venues.standing.selectors import kinds_at


def _counts():
    return [model.objects.count() for model in (Venue, Entrance, QrCode, Application)]


def test_demo_venues_have_entrances_codes_and_approved_applications(db):
    accounts_demo.seed()
    demo.seed()
    venues = list(Venue.objects.select_related("category", "application", "company__owner"))
    assert len(venues) == len(demo.VENUES)
    for venue in venues:
        assert venue.application.status == ApplicationStatus.APPROVED, venue
        assert all(check["passed"] for check in venue.application.checks), venue
        assert venue.phone and venue.entrances.exists()
        assert (
            QrCode.objects.filter(entrance__venue=venue, revoked_at__isnull=True).count() == 2 * venue.entrances.count()
        )
    kinds = kinds_at([v.pk for v in venues], timezone.now())
    in_test = {v.name for v in venues if kinds[v.pk] == standing_rules.TEST_MODE_KIND}
    assert in_test == {name for name, (_e, _p, days) in demo.DETAILS.items() if days < 7}
    assert in_test and len(in_test) < len(venues)
    assert any(v.category.is_volunteer for v in venues)
    refused = Application.objects.get(status=ApplicationStatus.REFUSED)
    assert refused.company.owner.username == "owner-cafe"
    assert [c["code"] for c in refused.checks if not c["passed"]] == ["oked_category"]


def test_seeding_twice_changes_nothing(db):
    accounts_demo.seed()
    demo.seed()
    first = _counts()
    issued = dict(Venue.objects.values_list("name", "codes_first_issued_at"))
    demo.seed()
    assert _counts() == first
    assert dict(Venue.objects.values_list("name", "codes_first_issued_at")) == issued
