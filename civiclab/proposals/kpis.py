"""KPIs CivicLab computes from proposals, registered with the accountability app's calculators."""

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, DateTimeField, ExpressionWrapper, F, Q

ANSWER_WITHIN = timedelta(days=90)


def answered_within_90_days_share(city, on: date) -> Decimal | None:
    """Of the proposals submitted between 455 and 90 days before `on` (a year whose 90 days have all
    passed), the percentage that got an official answer within 90 days. None without such proposals."""
    from .models import Proposal

    deadline = ExpressionWrapper(F("created_at") + ANSWER_WITHIN, output_field=DateTimeField())
    counts = Proposal.objects.filter(
        city=city,
        hidden_at__isnull=True,
        created_at__date__gt=on - timedelta(days=455),
        created_at__date__lte=on - ANSWER_WITHIN,
    ).aggregate(
        total=Count("id"),
        answered=Count("id", filter=Q(answered_at__isnull=False, answered_at__lte=deadline)),
    )
    if not counts["total"]:
        return None
    return (Decimal(counts["answered"]) * 100 / Decimal(counts["total"])).quantize(Decimal("0.1"))
