"""events 0003: free outcome links to a proposal of the meeting's own city become real links; every
other link stays a free link. The migration's functions are called directly, with today's models."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.urls import reverse

from civiclab.events.models import Meeting, MeetingProposal
from civiclab.proposals import actions as proposal_actions
from civiclab.proposals.actions import proposal_url
from tests.proposals.conftest import add_component, make_proposal

from .conftest import make_meeting

migration = importlib.import_module("civiclab.events.migrations.0003_outcome_links_to_proposals")


@pytest.fixture(autouse=True)
def _generous_limits(monkeypatch):
    monkeypatch.setattr(proposal_actions, "PROPOSAL_LIMIT", (10_000, 60))


@pytest.fixture
def trees(aurora_process, carol):
    return make_proposal(add_component(aurora_process), carol, title="Trees")


@pytest.fixture
def benches(trees, carol):
    return make_proposal(trees.component, carol, title="Benches")


@pytest.fixture
def theirs(borealis_process, eve):
    return make_proposal(add_component(borealis_process), eve, title="Boats")


def meeting_with(process, actor, *links) -> Meeting:
    meeting = make_meeting(process, actor, starts_in=timedelta(days=-1))
    Meeting.objects.filter(pk=meeting.pk).update(
        outcomes=[{"title": f"Link {i}", "url": u} for i, u in enumerate(links)]
    )
    return meeting


def run(forward=True) -> None:
    (migration.link_outcomes if forward else migration.unlink_outcomes)(apps, None)


def state(meeting) -> tuple[set[int], list[str]]:
    meeting.refresh_from_db()
    links = set(MeetingProposal.objects.filter(meeting=meeting).values_list("proposal_id", flat=True))
    return links, [o["url"] for o in meeting.outcomes]


def test_links_to_a_proposal_of_the_same_city_become_real_links(
    aurora_process, alice, trees, benches, settings
):
    settings.SITE_URL = "https://civiclab.example.org"
    meeting = meeting_with(
        aurora_process,
        alice,
        f"http://testserver{proposal_url(trees)}",  # a host in ALLOWED_HOSTS
        f"https://civiclab.example.org{proposal_url(benches)}#comments",  # SITE_URL, with a fragment
        f"https://civiclab.example.org{proposal_url(trees)}?sort=recent",  # twice: one link
        "https://video.example.org/walk",
    )
    run()
    links, free = state(meeting)
    assert links == {trees.pk, benches.pk}
    assert free == ["https://video.example.org/walk"]
    assert MeetingProposal.objects.get(meeting=meeting, proposal=trees).city == meeting.city


def test_a_citys_own_domain_needs_no_slug_in_the_path(aurora, aurora_process, alice, trees):
    aurora.custom_domain = "participa.aurora.example"
    aurora.save()
    path = proposal_url(trees).removeprefix("/aurora")
    meeting = meeting_with(aurora_process, alice, f"https://participa.aurora.example{path}")
    run()
    assert state(meeting) == ({trees.pk}, [])


@pytest.mark.parametrize(
    "make_url",
    [
        pytest.param(lambda w: f"http://testserver{proposal_url(w['theirs'])}", id="another city's proposal"),
        pytest.param(
            lambda w: "http://testserver" + proposal_url(w["theirs"]).replace("/borealis/", "/aurora/"),
            id="another city's proposal under this city's address",
        ),
        pytest.param(lambda w: f"https://elsewhere.example{proposal_url(w['trees'])}", id="another site"),
        pytest.param(
            lambda w: (
                "http://testserver" + proposal_url(w["trees"]).replace(f"/{w['trees'].pk}/", "/999999/")
            ),
            id="no such proposal",
        ),
        pytest.param(
            lambda w: "http://testserver" + proposal_url(w["trees"]).replace("green-streets", "quiet-canals"),
            id="wrong process",
        ),
        pytest.param(
            lambda w: (
                "http://testserver"
                + reverse(
                    "proposals:list",
                    kwargs={
                        "city_slug": "aurora",
                        "process_slug": "green-streets",
                        "component_id": w["trees"].component_id,
                    },
                )
            ),
            id="a list, not a proposal",
        ),
        pytest.param(
            lambda w: (
                "http://testserver" + proposal_url(w["trees"]).replace(f"/{w['trees'].pk}/", f"/{2**70}/")
            ),
            id="a number too large",
        ),
        pytest.param(lambda w: "http://testserver/aurora/nothing/here/", id="no page"),
        pytest.param(lambda w: "mailto:someone@example.org", id="not the web"),
        pytest.param(lambda w: "http://[bad", id="not an address"),
    ],
)
def test_every_other_link_stays_a_free_link(aurora_process, alice, trees, theirs, make_url):
    address = make_url({"trees": trees, "theirs": theirs})
    meeting = meeting_with(aurora_process, alice, address)
    run()
    assert state(meeting) == (set(), [address])


def test_meetings_without_links_are_left_alone_and_running_twice_changes_nothing(
    aurora_process, alice, trees
):
    bare = make_meeting(aurora_process, alice, starts_in=timedelta(days=-1), title="Bare")
    stamp = Meeting.objects.get(pk=bare.pk).updated_at
    meeting = meeting_with(
        aurora_process, alice, f"http://testserver{proposal_url(trees)}", "https://x.example/"
    )
    run()
    run()
    assert state(meeting) == ({trees.pk}, ["https://x.example/"])
    assert MeetingProposal.objects.count() == 1
    assert Meeting.objects.get(pk=bare.pk).updated_at == stamp and state(bare) == (set(), [])


def test_going_back_turns_links_into_free_links_again(aurora_process, alice, trees, settings):
    settings.SITE_URL = "https://civiclab.example.org"
    meeting = meeting_with(
        aurora_process, alice, "https://x.example/", f"http://testserver{proposal_url(trees)}"
    )
    run()
    run(forward=False)
    assert state(meeting) == (
        set(),
        ["https://x.example/", f"https://civiclab.example.org{proposal_url(trees)}"],
    )
    assert meeting.outcomes[1]["title"] == "Trees"
    run()  # and forward again
    assert state(meeting) == ({trees.pk}, ["https://x.example/"])
