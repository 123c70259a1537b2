"""Accepted proposals become results, linked back, and their authors judge the delivery."""

from django.urls import reverse

from civiclab.accountability import actions, selectors
from civiclab.accountability.models import Result
from civiclab.notifications.models import Notification
from civiclab.proposals import actions as proposals
from tests.proposals.conftest import add_component, make_proposal

from .conftest import status


def accepted(component, author, staff, title):
    proposal = make_proposal(component, author, title=title)
    return proposals.do_answer(proposal, staff, state="accepted", reason="We will do it.")


def test_accepted_proposals_become_results_once(aurora_process, alice, carol, aurora):
    ideas = add_component(aurora_process)
    shade = accepted(ideas, carol, alice, "Shade on the square")
    make_proposal(ideas, carol, title="Not answered yet")
    made = actions.do_create_results_from_proposals(ideas, alice)
    assert [(r.title, r.origin, r.origin_proposal_id) for r in made] == [
        ("Shade on the square", "proposal", shade.pk)
    ]
    assert made[0].origin_process == aurora_process
    assert actions.do_create_results_from_proposals(ideas, alice) == []
    assert Result.objects.filter(city=aurora).count() == 1


def test_the_result_links_back_to_its_proposal(client, aurora_process, alice, carol):
    ideas = add_component(aurora_process)
    shade = accepted(ideas, carol, alice, "Shade on the square")
    [result] = actions.do_create_results_from_proposals(ideas, alice)
    actions.do_update_result(result, alice, published=True)
    proposal_url = reverse("proposals:detail", args=["aurora", aurora_process.slug, ideas.pk, shade.pk])
    assert selectors.origin_url_of(result) == proposal_url
    page = client.get(reverse("accountability:result", args=["aurora", result.pk]))
    assert proposal_url in page.content.decode()


def test_the_proposals_author_is_asked_about_the_delivery(
    aurora_process, alice, carol, aurora, django_capture_on_commit_callbacks
):
    ideas = add_component(aurora_process)
    accepted(ideas, carol, alice, "Shade on the square")
    [result] = actions.do_create_results_from_proposals(ideas, alice)
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_update_result(result, alice, status=status(aurora, "delivered"))
    assert Notification.objects.filter(user=carol, kind="accountability.delivered").count() == 1


def test_staff_make_them_from_the_results_page_of_their_own_city_only(
    client, aurora_process, borealis_process, alice, carol, dave, eve
):
    theirs = add_component(borealis_process)
    accepted(theirs, eve, dave, "Their idea")
    client.force_login(alice)
    url = reverse("accountability:from_proposals", args=["aurora"])
    client.post(url, {"component": theirs.pk})
    assert not Result.objects.exists()
    ideas = add_component(aurora_process)
    accepted(ideas, carol, alice, "Shade on the square")
    response = client.post(url, {"component": ideas.pk})
    assert response.status_code == 302
    assert Result.objects.get().origin_proposal.title == "Shade on the square"
