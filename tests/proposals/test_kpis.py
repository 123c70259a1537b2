"""The proposals KPI the accountability app records: proposals answered within 90 days."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from civiclab.accountability.calculators import get_calculator
from civiclab.accountability.models import Kpi
from civiclab.proposals.models import Proposal

from .conftest import make_proposal


def aged(proposal, days: int, answered_after: int | None = None):
    created = timezone.now() - timedelta(days=days)
    answered = created + timedelta(days=answered_after) if answered_after is not None else None
    Proposal.objects.filter(pk=proposal.pk).update(created_at=created, answered_at=answered)


def test_it_is_in_the_catalogue_and_registered(db):
    kpi = Kpi.objects.get(city=None, code="civiclab-answered-90d")
    assert get_calculator(kpi.calculator) is not None


def test_it_counts_answers_within_90_days_of_proposals_whose_90_days_have_passed(ideas, carol, aurora):
    share = get_calculator("proposals_answered_90d")
    on = timezone.localdate()
    assert share(aurora, on) is None  # nothing to judge yet
    aged(make_proposal(ideas, carol, title="Answered in time"), days=200, answered_after=30)
    aged(make_proposal(ideas, carol, title="Answered late"), days=200, answered_after=120)
    aged(make_proposal(ideas, carol, title="Never answered"), days=150)
    aged(make_proposal(ideas, carol, title="Too recent to judge"), days=20)
    aged(make_proposal(ideas, carol, title="Older than the year"), days=600)
    assert share(aurora, on) == Decimal("33.3")
