"""The author withdraws a proposal: a confirmation page and its POST; the proposal stays readable with a
notice, takes no more supports, amendments, edits or endorsements, leaves the default list (a
"withdrawn" filter shows it), its co-authors and followers are told, and nothing undoes it."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from civiclab.core.models import AuditEvent
from civiclab.proposals import actions, selectors
from civiclab.proposals.models import Endorsement, Proposal

from .conftest import add_component, csrf_token, make_proposal, past_phase, url


def withdraw_url(proposal):
    return url("withdraw", proposal.component, proposal_id=proposal.pk)


def withdrawn(proposal) -> bool:
    return Proposal.objects.get(pk=proposal.pk).withdrawn_at is not None


# --- Who ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, status",
    [
        ("carol", 200),  # the author
        ("fred", 403),  # a co-author edits, but the author alone withdraws
        ("gina", 403),
        ("erin", 403),
        ("alice", 403),  # the city's admin
        ("eve", 403),
        ("dave", 403),  # staff of another city
    ],
)
def test_only_the_author_withdraws(request, client, coauthored, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(withdraw_url(coauthored)).status_code == status
    response = client.post(withdraw_url(coauthored))
    assert response.status_code == (302 if status == 200 else 403)
    assert withdrawn(coauthored) is (status == 200)


def test_anonymous_visitors_are_sent_to_sign_in(client, proposal):
    for method in (client.get, client.post):
        response = method(withdraw_url(proposal))
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    assert not withdrawn(proposal)


def test_another_citys_proposal_under_this_citys_address_is_404(
    client, aurora_process, borealis_process, alice, carol, dave, eve
):
    from .world import proposals_world

    theirs = proposals_world(borealis_process, dave, eve)["proposal"]
    ours = proposals_world(aurora_process, alice, carol)["ideas"]
    client.force_login(eve)
    wrong = reverse(
        "proposals:withdraw",
        kwargs={
            "city_slug": "aurora",
            "process_slug": aurora_process.slug,
            "component_id": ours.pk,
            "proposal_id": theirs.pk,
        },
    )
    assert client.get(wrong).status_code == 404
    assert client.post(wrong).status_code == 404
    assert not withdrawn(theirs)


def test_the_action_refuses_anyone_but_the_author(coauthored, fred, alice):
    for person in (fred, alice):
        with pytest.raises(ValidationError, match="Only its author"):
            actions.do_withdraw_proposal(coauthored, person)
    assert not withdrawn(coauthored)


# --- What it does ----------------------------------------------------------------------------------


def test_the_confirmation_page_explains_and_the_post_withdraws(client, proposal, carol):
    client.force_login(carol)
    page = client.get(withdraw_url(proposal)).content.decode()
    assert "This cannot be undone." in page and '<form method="post">' in page
    assert not withdrawn(proposal)  # looking at the page changes nothing
    response = client.post(withdraw_url(proposal))
    assert response.status_code == 302
    assert response.url == url("detail", proposal.component, proposal_id=proposal.pk)
    assert withdrawn(proposal)
    event = AuditEvent.objects.get(action="proposal.withdrawn")
    assert event.actor == carol and event.target_id == str(proposal.pk)


def test_a_withdrawn_proposal_stays_readable_with_a_notice_and_no_buttons(
    client, proposal, carol, alice, erin
):
    detail = url("detail", proposal.component, proposal_id=proposal.pk)
    actions.do_withdraw_proposal(proposal, carol)
    for person in (None, alice, carol):
        if person:
            client.force_login(person)
        response = client.get(detail)
        html = response.content.decode()
        assert response.status_code == 200
        assert "Withdrawn by its author" in html and "Plant ten trees on the square." in html
        assert url("support", proposal.component, proposal_id=proposal.pk) not in html
        assert url("amend", proposal.component, proposal_id=proposal.pk) not in html
        assert url("endorse", proposal.component, proposal_id=proposal.pk) not in html
        assert url("edit", proposal.component, proposal_id=proposal.pk) not in html
        assert withdraw_url(proposal) not in html


def test_a_withdrawn_proposal_takes_no_support_amendment_edit_or_endorsement(client, proposal, carol, alice):
    stale = Proposal.objects.get(pk=proposal.pk)  # loaded before the withdrawal, as a page was
    stale.component = proposal.component
    actions.do_withdraw_proposal(proposal, carol)
    proposal.refresh_from_db()
    for perm in ("support_proposal", "amend_proposal", "endorse_proposal"):
        assert not alice.has_perm(f"proposals.{perm}", proposal), perm
    assert not carol.has_perm("proposals.edit_proposal", proposal)
    with pytest.raises(ValidationError, match="withdrew"):
        actions.do_support(stale, alice)
    with pytest.raises(ValidationError, match="withdrew"):
        actions.do_propose_amendment(proposal, alice, body="Plant eleven trees on the square.")
    with pytest.raises(ValidationError, match="withdrew"):
        actions.do_endorse(proposal, alice, "Friends of the Square")
    with pytest.raises(ValidationError, match="withdrawn"):
        actions.do_edit_proposal(proposal, carol, title="New", body="A whole new text here.")
    client.force_login(alice)
    client.post(url("support", proposal.component, proposal_id=proposal.pk))
    client.post(url("endorse", proposal.component, proposal_id=proposal.pk), {"organisation_name": "Friends"})
    assert client.get(url("amend", proposal.component, proposal_id=proposal.pk)).status_code == 403
    proposal.refresh_from_db()
    assert proposal.supports_count == 0 and not proposal.supports.exists()
    assert not Endorsement.objects.exists() and not proposal.amendments.exists()


def test_a_pending_amendment_can_no_longer_change_a_withdrawn_text(client, proposal, carol, alice):
    amendment = actions.do_propose_amendment(proposal, alice, body="Plant eleven trees on the square.")
    actions.do_withdraw_proposal(proposal, carol)
    with pytest.raises(ValidationError, match="withdrawn"):
        actions.do_decide_amendment(amendment, carol, accept=True)
    client.force_login(carol)
    page = client.get(
        url("amendment", proposal.component, proposal_id=proposal.pk, amendment_id=amendment.pk)
    )
    assert page.context["can_decide"] is False
    assert Proposal.objects.get(pk=proposal.pk).body == "Plant ten trees on the square."


def test_it_cannot_be_undone(client, proposal, carol):
    actions.do_withdraw_proposal(proposal, carol)
    with pytest.raises(ValidationError, match="already"):
        actions.do_withdraw_proposal(proposal, carol)
    client.force_login(carol)
    response = client.get(withdraw_url(proposal))
    assert response.status_code == 403 and "withdrawn already" in response.content.decode()
    assert client.post(withdraw_url(proposal)).status_code == 403
    assert AuditEvent.objects.filter(action="proposal.withdrawn").count() == 1


@pytest.mark.parametrize("state", ["accepted", "rejected", "merged"])
def test_a_final_answer_closes_the_way_out(client, proposal, carol, erin, state):
    other = make_proposal(proposal.component, erin, title="Bigger park")
    actions.do_answer(
        proposal, erin, state=state, reason="Decided.", merged_into=other if state == "merged" else None
    )
    proposal.refresh_from_db()
    assert not carol.has_perm("proposals.withdraw_proposal", proposal)
    client.force_login(carol)
    response = client.get(withdraw_url(proposal))
    assert response.status_code == 403 and "official answer" in response.content.decode()
    assert client.post(withdraw_url(proposal)).status_code == 403
    with pytest.raises(ValidationError, match="official answer"):
        actions.do_withdraw_proposal(proposal, carol)
    assert not withdrawn(proposal)


def test_while_staff_evaluate_it_the_author_may_still_withdraw(proposal, carol, erin):
    actions.do_answer(proposal, erin, state="evaluating", reason="We are costing it.")
    actions.do_withdraw_proposal(proposal, carol)
    assert withdrawn(proposal)


def test_an_answer_given_while_the_page_was_open_wins(proposal, carol, erin):
    stale = Proposal.objects.get(pk=proposal.pk)
    actions.do_answer(proposal, erin, state="accepted", reason="We will do it.")
    with pytest.raises(ValidationError, match="official answer"):
        actions.do_withdraw_proposal(stale, carol)
    assert not withdrawn(proposal)


def test_the_author_withdraws_after_the_phase_too(client, aurora_process, carol):
    closed = add_component(aurora_process, phase=past_phase(aurora_process))
    proposal = Proposal.objects.create(
        city=closed.city, component=closed, title="Old", body="From last phase.", author=carol
    )
    client.force_login(carol)
    assert client.post(withdraw_url(proposal)).status_code == 302
    assert withdrawn(proposal)


def test_co_authors_and_followers_are_told_but_not_the_author(coauthored, carol, alice, bob):
    from civiclab.notifications.actions import do_follow
    from civiclab.notifications.models import Notification

    do_follow(bob, coauthored)
    do_follow(carol, coauthored)
    actions.do_withdraw_proposal(coauthored, carol)
    told = set(Notification.objects.filter(kind="proposals.withdrawn").values_list("user__email", flat=True))
    assert told == {"fred@example.org", "bob@example.org"}  # gina has not accepted
    note = Notification.objects.filter(kind="proposals.withdrawn").first()
    assert note.params == {"title": "Shade on the square"}
    assert note.url == url("detail", coauthored.component, proposal_id=coauthored.pk)
    from civiclab.notifications.kinds import render

    assert render(note.kind, note.params) == "The proposal “Shade on the square” was withdrawn by its author"


# --- Lists ----------------------------------------------------------------------------------------


def test_the_default_list_leaves_it_out_and_the_withdrawn_filter_shows_it(client, proposal, carol):
    kept = make_proposal(proposal.component, carol, title="Benches in the shade")
    list_url = url("list", proposal.component)
    assert "Shade on the square" in client.get(list_url).content.decode()  # cached now
    actions.do_withdraw_proposal(proposal, carol)
    default = client.get(list_url)
    assert [p.pk for p in default.context["proposals"]] == [kept.pk]
    assert "Shade on the square" not in default.content.decode()
    only = client.get(list_url, {"state": "withdrawn"})
    assert [p.pk for p in only.context["proposals"]] == [proposal.pk]
    html = only.content.decode()
    assert "Withdrawn by its author" in html and '<option value="withdrawn" selected>' in html
    for state in ("unanswered", "evaluating"):
        assert proposal.pk not in [p.pk for p in client.get(list_url, {"state": state}).context["proposals"]]
    client.force_login(carol)
    mine = client.get(list_url, {"mine": "1"}).context["proposals"]
    assert [p.pk for p in mine] == [kept.pk]


def test_a_withdrawn_proposal_leaves_the_must_answer_queue(proposal, carol, alice, erin, aurora):
    actions.do_support(proposal, alice)
    actions.do_support(proposal, erin)
    assert [p.pk for p in selectors.must_answer(aurora)] == [proposal.pk]
    actions.do_withdraw_proposal(proposal, carol)
    assert selectors.must_answer(aurora) == []


def test_the_api_tells_when_it_was_withdrawn(client, proposal, carol):
    item = client.get(f"/api/v1/cities/aurora/proposals/{proposal.pk}").json()
    assert item["withdrawn_at"] is None
    actions.do_withdraw_proposal(proposal, carol)
    item = client.get(f"/api/v1/cities/aurora/proposals/{proposal.pk}").json()
    assert item["withdrawn_at"] is not None


def test_the_form_works_without_javascript_and_needs_the_csrf_token(proposal, carol):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(carol)
    assert browser.post(withdraw_url(proposal)).status_code == 403
    assert not withdrawn(proposal)
    token = csrf_token(browser, withdraw_url(proposal))
    assert browser.post(withdraw_url(proposal), {"csrfmiddlewaretoken": token}).status_code == 302
    assert withdrawn(proposal)


@pytest.mark.parametrize("phase", ["open", "past"])
@pytest.mark.parametrize("who", ["anonymous", "carol", "fred", "alice", "eve"])
def test_the_withdraw_permission_by_role_and_phase(request, aurora_process, carol, fred, phase, who):
    from django.contrib.auth.models import AnonymousUser

    from civiclab.proposals.models import CoAuthorship

    component = add_component(aurora_process, phase=None if phase == "open" else past_phase(aurora_process))
    proposal = Proposal.objects.create(
        city=component.city, component=component, title="T", body="B", author=carol
    )
    CoAuthorship.objects.create(
        city=component.city, proposal=proposal, user=fred, accepted_at=proposal.created_at
    )
    user = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)
    assert user.has_perm("proposals.withdraw_proposal", proposal) is (who == "carol")
