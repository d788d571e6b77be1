"""Demo monitoring (docs/rules.md §10), in Almaty where the demo has two inspectors:

- Кафе «Дастархан»: one violation filed by inspector-almaty awaiting inspector2-almaty's
  confirmation, and one rejected — the cafe itself stays open (its guard demo works).
- Банк «Центр» (отделение): a confirmed violation, so excluded for 2 weeks (its QR codes
  are refused, it is off the public list), and the owner's appeal awaits akimat-almaty.
- Бильярд «Кий» (Karaganda) has had no check-in for five days: the daily inactivity
  run flags it (R-MN-2), which sanctions it like a confirmed violation.
- inspector2-almaty inspected Кафе «Дастархан» two days ago and found nothing; an SMS
  gateway outage of two and a half hours, ten days ago, is in the operators' log
  (every owner sees it on his venue page).

Runs after visitors.demo. A second run changes nothing: it stops when the demo venues
have violations.
"""

from datetime import timedelta

from django.utils import timezone

from ashyq.accounts.models import User
from ashyq.demo import Credential
from monitoring.models import OutageKind, Violation, ViolationKind
from monitoring.services import inspections, outages, sanctions, violations
from monitoring.services.inactivity import inactivity_flag_all
from venues.models import Venue

CAFE = "Кафе «Дастархан»"
BANK = "Банк «Центр» (отделение)"


def seed() -> list[Credential]:
    venues = {v.name: v for v in Venue.objects.filter(name__in=[CAFE, BANK]).select_related("company__owner")}
    users = {u.username: u for u in User.objects.filter(username__in=["inspector-almaty", "inspector2-almaty"])}
    if len(venues) < 2 or len(users) < 2 or Violation.objects.filter(venue__in=venues.values()).exists():
        return []
    now = timezone.now()
    first, second = users["inspector-almaty"], users["inspector2-almaty"]
    cafe, bank = venues[CAFE], venues[BANK]

    def file(venue, kind, hours, text):
        return violations.violation_file(
            inspector=first,
            venue=venue,
            kind=kind,
            occurred_at=now - timedelta(hours=hours),
            description=text,
            photos=[],
            now=now,
        ).violation

    file(cafe, ViolationKind.OVER_OCCUPANCY, 2, "В зале около 70 человек при допустимых 40.")
    rejected = file(cafe, ViolationKind.OUTSIDE_HOURS, 30, "Открыто в 23:30.")
    violations.violation_decide(
        inspector=second, violation=rejected, confirm=False, note="Закрывались, внутри только персонал.", now=now
    )
    confirmed = file(bank, ViolationKind.NO_STATUS_CHECK, 5, "Посетителей пропускали без проверки статуса.")
    sanction = violations.violation_decide(inspector=second, violation=confirmed, confirm=True, note="", now=now)
    if sanction is not None:
        sanctions.appeal_file(
            owner=bank.company.owner,
            sanction=sanction,
            text="В это время охранник проверял статусы вручную, есть журнал.",
            now=now,
        )
    inspections.inspection_record(inspector=second, venue=cafe, note="Статусы проверяют, журнал ведётся.",
                                  now=now - timedelta(days=2))  # fmt: skip
    operator = User.objects.filter(username="operator").first()
    if operator is not None:
        ten_days_ago = timezone.localtime(now - timedelta(days=10)).replace(hour=10, minute=0, second=0, microsecond=0)
        outages.outage_record(operator=operator, starts_at=ten_days_ago, ends_at=ten_days_ago + timedelta(hours=2.5),
                              kind=OutageKind.SMS, note="SMS-шлюз не отправлял коды.", now=now)  # fmt: skip
    inactivity_flag_all(now=now)
    return []
