"""A person takes back the support they gave online, while supporting is open; the denormalised counter
follows, never below the rows it counts; supports recorded by staff from paper are not taken back here."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from civiclab.core.models import AuditEvent
from civiclab.proposals import actions, selectors
from civiclab.proposals.models import Proposal, Support

from .conftest import add_component, csrf_token, past_phase, url


def unsupport_url(proposal):
    return url("support_withdraw", proposal.component, proposal_id=proposal.pk)


def counts(proposal) -> tuple[int, int]:
    """(the counter, the rows it counts): always equal."""
    return Proposal.objects.get(pk=proposal.pk).supports_count, Support.objects.filter(
        proposal=proposal
    ).count()


def test_a_supporter_takes_the_support_back_and_the_count_follows(client, proposal, alice, erin):
    actions.do_support(proposal, alice)
    actions.do_support(proposal, erin)
    client.force_login(alice)
    detail = url("detail", proposal.component, proposal_id=proposal.pk)
    page = client.get(detail).content.decode()
    assert "You support this proposal." in page and unsupport_url(proposal) in page
    response = client.post(unsupport_url(proposal))
    assert response.status_code == 302 and response.url.endswith("#supports")
    assert counts(proposal) == (1, 1)
    assert not Support.objects.filter(proposal=proposal, user=alice).exists()
    event = AuditEvent.objects.get(action="proposal.support_withdrawn")
    assert event.actor == alice and event.target_id == str(proposal.pk)
    page = client.get(detail).content.decode()
    assert "You no longer support this proposal." in page
    assert "1 person supports this proposal." in page and unsupport_url(proposal) not in page
    assert url("support", proposal.component, proposal_id=proposal.pk) in page  # may support again
    client.post(url("support", proposal.component, proposal_id=proposal.pk))
    assert counts(proposal) == (2, 2)


def test_someone_who_does_not_support_it_changes_nothing(client, proposal, alice, erin):
    actions.do_support(proposal, erin)
    client.force_login(alice)
    response = client.post(unsupport_url(proposal), follow=True)
    assert "You do not support this proposal." in response.content.decode()
    assert counts(proposal) == (1, 1)
    with pytest.raises(ValidationError, match="do not support"):
        actions.do_withdraw_support(proposal, alice)


def test_taking_it_back_twice_never_counts_below_zero(proposal, alice):
    actions.do_support(proposal, alice)
    actions.do_withdraw_support(proposal, alice)
    with pytest.raises(ValidationError, match="do not support"):
        actions.do_withdraw_support(proposal, alice)
    assert counts(proposal) == (0, 0)
    assert AuditEvent.objects.filter(action="proposal.support_withdrawn").count() == 1


def test_a_paper_support_recorded_by_staff_is_not_taken_back_here(client, proposal, alice, bob):
    actions.do_record_offline_support(proposal, bob, channel="paper", email=alice.email)
    client.force_login(alice)
    page = client.get(url("detail", proposal.component, proposal_id=proposal.pk)).content.decode()
    assert "You support this proposal." in page and unsupport_url(proposal) not in page
    response = client.post(unsupport_url(proposal), follow=True)
    assert "ask its staff" in response.content.decode()
    assert counts(proposal) == (1, 1)


def test_a_paper_support_stays_offline_even_after_its_recorder_erased_their_account(proposal, alice, bob):
    from civiclab.accounts.actions import do_erase_account

    actions.do_record_offline_support(proposal, bob, channel="phone", email=alice.email)
    do_erase_account(bob)
    assert Support.objects.get(proposal=proposal).recorded_by is None
    with pytest.raises(ValidationError, match="ask its staff"):
        actions.do_withdraw_support(proposal, alice)
    assert counts(proposal) == (1, 1)


def test_nothing_is_taken_back_once_the_phase_is_over(client, aurora_process, carol, alice):
    closed = add_component(aurora_process, phase=past_phase(aurora_process))
    proposal = Proposal.objects.create(
        city=closed.city,
        component=closed,
        title="Old",
        body="From last phase.",
        author=carol,
        supports_count=1,
    )
    Support.objects.create(city=closed.city, proposal=proposal, user=alice)
    assert not alice.has_perm("proposals.withdraw_support", proposal)
    client.force_login(alice)
    response = client.post(unsupport_url(proposal), follow=True)
    assert "while the phase is open" in response.content.decode()
    assert counts(proposal) == (1, 1)


def test_nothing_is_taken_back_when_supports_are_switched_off(aurora_process, carol, alice):
    component = add_component(aurora_process)
    proposal = actions.do_submit_proposal(component, carol, title="T", body="A text long enough.")
    actions.do_support(proposal, alice)
    component.settings["supports_enabled"] = False
    component.save()
    proposal.component = component
    with pytest.raises(ValidationError, match="switched off"):
        actions.do_withdraw_support(proposal, alice)
    assert counts(proposal) == (1, 1)


def test_a_person_blocked_in_the_city_may_still_take_their_support_back(proposal, alice, erin, bob):
    actions.do_support(proposal, erin)
    comment = actions.do_comment(erin, body="Rude", proposal=proposal)
    actions.do_moderate(comment, bob, decision="block", reason="Insults.")
    erin.__dict__.pop("_civiclab_blocked", None)
    assert erin.has_perm("proposals.withdraw_support", proposal)
    actions.do_withdraw_support(proposal, erin)
    assert counts(proposal) == (0, 0)


def test_a_proposal_that_drops_below_the_threshold_leaves_the_must_answer_queue(
    proposal, alice, erin, aurora
):
    actions.do_support(proposal, alice)
    actions.do_support(proposal, erin)
    assert [p.pk for p in selectors.must_answer(aurora)] == [proposal.pk]
    actions.do_withdraw_support(proposal, erin)
    assert selectors.must_answer(aurora) == []


def test_the_cached_list_shows_the_new_count_at_once(client, proposal, alice):
    actions.do_support(proposal, alice)
    list_url = url("list", proposal.component)
    assert "1 support ·" in client.get(list_url).content.decode()
    actions.do_withdraw_support(proposal, alice)
    assert "0 supports ·" in client.get(list_url).content.decode()


def test_anonymous_visitors_are_sent_to_sign_in_and_get_is_refused(client, proposal, alice):
    actions.do_support(proposal, alice)
    response = client.post(unsupport_url(proposal))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    client.force_login(alice)
    assert client.get(unsupport_url(proposal)).status_code == 405
    assert counts(proposal) == (1, 1)


def test_another_citys_proposal_under_this_citys_address_is_404(
    client, aurora_process, borealis_process, alice, carol, dave, eve
):
    from .world import proposals_world

    theirs = proposals_world(borealis_process, dave, eve)["proposal"]
    ours = proposals_world(aurora_process, alice, carol)["ideas"]
    actions.do_support(theirs, dave)
    client.force_login(dave)  # staff of Borealis, a supporter there, asking through Aurora's address
    wrong = reverse(
        "proposals:support_withdraw",
        kwargs={
            "city_slug": "aurora",
            "process_slug": aurora_process.slug,
            "component_id": ours.pk,
            "proposal_id": theirs.pk,
        },
    )
    assert client.post(wrong).status_code == 404
    assert counts(theirs) == (2, 2)  # the world's paper support and Dave's


def test_the_button_works_without_javascript_and_needs_the_csrf_token(proposal, alice):
    actions.do_support(proposal, alice)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    assert browser.post(unsupport_url(proposal)).status_code == 403
    assert counts(proposal) == (1, 1)
    token = csrf_token(browser, url("detail", proposal.component, proposal_id=proposal.pk))
    assert browser.post(unsupport_url(proposal), {"csrfmiddlewaretoken": token}).status_code == 302
    assert counts(proposal) == (0, 0)


@pytest.mark.parametrize("phase", ["open", "past"])
@pytest.mark.parametrize("who", ["anonymous", "carol", "alice", "eve"])
def test_the_permission_by_role_and_phase(request, aurora_process, phase, who):
    from django.contrib.auth.models import AnonymousUser

    component = add_component(aurora_process, phase=None if phase == "open" else past_phase(aurora_process))
    proposal = Proposal.objects.create(city=component.city, component=component, title="T", body="B")
    user = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)
    assert user.has_perm("proposals.withdraw_support", proposal) is (who != "anonymous" and phase == "open")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_supports_given_and_taken_back_at_the_same_moment_keep_the_count_right(ideas, carol):
    from tests.conftest import _person

    proposal = actions.do_submit_proposal(ideas, carol, title="T", body="A text long enough.")
    people = [_person(f"p{i}@example.org", f"P{i}", ideas.city) for i in range(8)]
    for person in people[:4]:
        actions.do_support(proposal, person)
    # Half take back their support (each twice at once), the other half support, all at the same moment.
    jobs = [(actions.do_withdraw_support, p) for p in people[:4] for _twice in range(2)]
    jobs += [(actions.do_support, p) for p in people[4:]]
    barrier = threading.Barrier(len(jobs))
    unexpected = []

    def run(job, person):
        try:
            barrier.wait()
            job(proposal, person)
        except ValidationError:
            pass  # the second of two identical requests
        except Exception as exc:
            unexpected.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not unexpected
    assert counts(proposal) == (4, 4)
    assert AuditEvent.objects.filter(action="proposal.support_withdrawn").count() == 4
