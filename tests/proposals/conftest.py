import pytest
from django.urls import reverse
from django.utils import timezone

from civiclab.processes.actions import do_add_component
from civiclab.proposals import actions


def open_phase(process):
    now = timezone.now()
    return next(p for p in process.phases.all() if p.starts_at <= now < p.ends_at)


def past_phase(process):
    return process.phases.order_by("position").first()


def add_component(process, kind="proposals", *, phase=None, **settings):
    phase = phase or open_phase(process)
    title = "Ideas" if kind == "proposals" else "Debates"
    return do_add_component(phase, None, kind=kind, title=title, settings=settings)


def url(name, component, **kwargs):
    process = component.phase.process
    return reverse(
        f"proposals:{name}",
        kwargs={
            "city_slug": process.city.slug,
            "process_slug": process.slug,
            "component_id": component.pk,
            **kwargs,
        },
    )


def make_proposal(
    component, author, title="Shade on the square", body="Plant ten trees on the square.", **kw
):
    return actions.do_submit_proposal(component, author, title=title, body=body, **kw)


@pytest.fixture
def ideas(aurora_process):
    return add_component(
        aurora_process,
        support_threshold=2,
        categories=["Green", "Mobility"],
        districts=["North", "South"],
    )


@pytest.fixture
def debates(aurora_process):
    return add_component(aurora_process, "debates")


@pytest.fixture
def proposal(ideas, carol):
    return make_proposal(ideas, carol)


@pytest.fixture(autouse=True)
def _generous_limits(monkeypatch):
    """Tests post far faster than people; test_rate_limits checks the real limits."""
    for name in ("PROPOSAL_LIMIT", "COMMENT_LIMIT", "REPORT_LIMIT", "ARGUMENT_LIMIT"):
        monkeypatch.setattr(actions, name, (10_000, 60))
