"""The failure switch of a mock registry (R-RG-4): what one request gets this time.

Every request of a registry draws from a random.Random: first "503?", then
"malformed body?", then, for each record of a feed page, "broken record?". Without a
seed the generator is seeded from the system; with MockFailure.seed set, request n
(counted since the last failure_set) uses random.Random(f"{seed}:{n}"), so a test that
makes the same requests gets the same failures every run. A rate of 0 never fires and
a rate of 1 always does, seed or not.
"""

import random
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F

from ashyq.mocks.models import MockFailure
from ashyq.mocks.records import break_record


@dataclass
class Draw:
    error: bool = False
    malformed: bool = False
    latency_ms: int = 0
    bad_record_rate: float = 0.0
    rng: random.Random = field(default_factory=random.Random)

    def spoil(self, name: str, payloads: list[dict]) -> list[dict]:
        """The page's records, each replaced by a broken one with probability bad_record_rate."""
        if not self.bad_record_rate:
            return payloads
        return [break_record(name, p) if self.rng.random() < self.bad_record_rate else p for p in payloads]


def draw(name: str) -> Draw:
    """This request's failures in registry `name` (one query when the switch is off)."""
    failure = MockFailure.objects.filter(registry=name).first()
    if failure is None or failure.is_off:
        return Draw()
    if failure.seed is None:
        rng = random.Random()  # noqa: S311 (a fake network's dice, not a secret)
    else:
        with transaction.atomic():
            MockFailure.objects.filter(pk=failure.pk).update(requests=F("requests") + 1)
            number = MockFailure.objects.values_list("requests", flat=True).get(pk=failure.pk)
        rng = random.Random(f"{failure.seed}:{number}")  # noqa: S311
    # Always two draws in this order, so a seed gives the same sequence whatever the rates.
    error = rng.random() < failure.error_rate
    malformed = rng.random() < failure.malformed_rate
    return Draw(
        error=error,
        malformed=malformed,
        latency_ms=failure.latency_ms,
        bad_record_rate=failure.bad_record_rate,
        rng=rng,
    )
