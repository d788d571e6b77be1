from ashyq.core.models import AuditEvent


def audit_record(*, actor, action: str, obj=None, region=None, **details) -> AuditEvent:
    """Write one audit row. `details` must hold no personal identifier in clear."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        region=region,
        details=details,
    )
