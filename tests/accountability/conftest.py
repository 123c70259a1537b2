from datetime import date, timedelta

import pytest
from django.utils import timezone

from civiclab.accountability import actions
from civiclab.accountability.models import Kpi, ResultStatus
from civiclab.budgeting.actions import do_count
from tests.conftest import make_budget


@pytest.fixture(autouse=True)
def catalogue(db):
    """The seed catalogue: made by a migration, but a transactional test elsewhere may have flushed it."""
    actions.do_load_catalogue()


def status(city, code):
    actions.do_set_up_city(city)
    return ResultStatus.objects.get(city=city, code=code)


@pytest.fixture
def result(aurora, alice, aurora_process):
    return actions.do_create_result(
        aurora,
        alice,
        title="New benches in the park",
        description="Twenty benches.",
        department="Parks",
        budget_amount=50_000,
        origin_process=aurora_process,
    )


@pytest.fixture
def delivered(result, alice, aurora):
    return actions.do_update_result(result, alice, status=status(aurora, "delivered"))


@pytest.fixture
def counted_budget(aurora, alice, aurora_process):
    budget = make_budget(aurora, slug="counted", opens_in=-9, closes_in=-1)
    budget.process = aurora_process
    budget.save()
    do_count(budget, alice)
    return budget


@pytest.fixture
def adoption(aurora, alice):
    kpi = Kpi.objects.get(city__isnull=True, code="sdg-11-7-1")
    today = timezone.localdate()
    return actions.do_adopt_kpi(
        aurora,
        alice,
        kpi,
        baseline_value=20,
        baseline_date=today - timedelta(days=730),
        target_value=30,
        target_date=today + timedelta(days=730),
        success_criterion="30 % open space by the target date",
    )


@pytest.fixture
def borealis_adoption(borealis, dave):
    kpi = Kpi.objects.get(city__isnull=True, code="sdg-11-7-1")
    return actions.do_adopt_kpi(borealis, dave, kpi, baseline_value=25, baseline_date=date(2020, 1, 1))
