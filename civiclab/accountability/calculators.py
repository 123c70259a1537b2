"""KPIs that CivicLab computes from its own data. Other apps add theirs in their AppConfig.ready():

    from civiclab.accountability.calculators import register_calculator
    register_calculator("proposals_answered_90d", my_function)  # fn(city, on: date) -> Decimal | None

A catalogue KPI whose `calculator` names a registered code is measured by that function."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

Calculator = Callable[..., Decimal | None]

_CALCULATORS: dict[str, Calculator] = {}


def register_calculator(code: str, fn: Calculator) -> None:
    _CALCULATORS[code] = fn


def get_calculator(code: str) -> Calculator | None:
    return _CALCULATORS.get(code)


def codes() -> list[str]:
    return sorted(_CALCULATORS)


def participants_per_1000(city, on: date) -> Decimal | None:
    """Voters in participatory budgets and participants in conversations, over the 12 months up to
    `on`, per 1,000 residents."""
    from civiclab.budgeting.models import Participation
    from civiclab.deliberation.models import Participant

    if not city.population:
        return None
    since = on - timedelta(days=365)
    voters = Participation.objects.filter(
        city=city, created_at__date__gt=since, created_at__date__lte=on
    ).count()
    deliberating = Participant.objects.filter(
        city=city, created_at__date__gt=since, created_at__date__lte=on
    ).count()
    return (Decimal(voters + deliberating) * 1000 / Decimal(city.population)).quantize(Decimal("0.01"))


def decisions_delivered_share(city, on: date) -> Decimal | None:
    """Delivered results as a percentage of the city's published results that were not cancelled."""
    from django.db.models import Count, Q

    from .models import Result, StatusKind

    counts = (
        Result.objects.for_city(city)
        .published()
        .filter(created_at__date__lte=on)
        .exclude(status__kind=StatusKind.CANCELLED)
        .aggregate(total=Count("id"), delivered=Count("id", filter=Q(status__kind=StatusKind.DELIVERED)))
    )
    if not counts["total"]:
        return None
    return (Decimal(counts["delivered"]) * 100 / Decimal(counts["total"])).quantize(Decimal("0.1"))


def delivery_rating(city, on: date) -> Decimal | None:
    """The mean rating (1 to 5) residents gave to delivered results."""
    from django.db.models import Avg

    from .models import Feedback

    mean = Feedback.objects.filter(city=city, created_at__date__lte=on).aggregate(m=Avg("rating"))["m"]
    return None if mean is None else Decimal(str(mean)).quantize(Decimal("0.01"))


def register_builtins() -> None:
    register_calculator("participants_per_1000", participants_per_1000)
    register_calculator("decisions_delivered_share", decisions_delivered_share)
    register_calculator("delivery_rating", delivery_rating)
