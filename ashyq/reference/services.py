from datetime import date

from django.db import transaction

from ashyq.core.services import audit_record
from ashyq.reference.models import Region, ZoneChange


@transaction.atomic
def zone_set(*, region: Region, zone: str, effective_from: date, actor) -> ZoneChange:
    """R-REF-2: put `region` in `zone` from `effective_from`; earlier changes stay."""
    change = ZoneChange.objects.create(region=region, zone=zone, effective_from=effective_from, set_by=actor)
    audit_record(
        actor=actor, action="zone.set", obj=change, region=region, zone=zone, effective_from=str(effective_from)
    )
    return change
