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


@pytest.fixture
def fred(aurora):
    """A resident of Aurora who writes Carol's proposal with her (see `coauthored`)."""
    from tests.conftest import _person

    return _person("fred@example.org", "Fred Coauthor", aurora)


@pytest.fixture
def gina(aurora):
    """A resident of Aurora invited to write Carol's proposal who has not accepted yet."""
    from tests.conftest import _person

    return _person("gina@example.org", "Gina Invited", aurora)


@pytest.fixture
def coauthored(proposal, carol, fred, gina):
    """Carol's proposal with Fred as a co-author who accepted and Gina invited."""
    actions.do_invite_coauthor(proposal, carol, email=fred.email)
    actions.do_accept_coauthorship(proposal, fred)
    actions.do_invite_coauthor(proposal, carol, email=gina.email)
    proposal.refresh_from_db()
    return proposal


def csrf_token(client, path: str) -> str:
    """The token a browser would send back: from the form on the page at `path`."""
    import re

    html = client.get(path).content.decode()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, f"no CSRF token in the form at {path}"
    return match.group(1)
