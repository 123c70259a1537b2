from typing import Any

from django.db import models, transaction

from .models import AuditEvent


def record(
    action: str, *, actor=None, city=None, target: models.Model | None = None, **data: Any
) -> AuditEvent:
    """Append an audit event. Call it inside the action's own transaction, so that the event and
    the change it describes are committed together or not at all."""
    assert transaction.get_connection().in_atomic_block, (
        "audit events are written inside the action's transaction"
    )
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        city=city,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=data,
    )
