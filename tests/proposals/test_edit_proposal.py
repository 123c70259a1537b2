"""Authors edit their proposal: who may (author, co-authors who accepted), when (phase open, no
supports, no answer, not withdrawn, not hidden), what changes (text, category, district, place, a
version of the old text, the audit trail, search, cached lists) and the page without JavaScript."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from civiclab.core.models import AuditEvent
from civiclab.proposals import actions, selectors
from civiclab.proposals.models import Proposal, ProposalVersion

from .conftest import add_component, csrf_token, make_proposal, past_phase, url

NEW = {
    "title": "Shade and water on the square",
    "body": "Plant ten oaks and add a fountain on the square.",
    "category": "Green",
    "district": "South",
    "latitude": "39.46975",
    "longitude": "-0.37739",
}


def edit_url(proposal):
    return url("edit", proposal.component, proposal_id=proposal.pk)


def snapshot(proposal):
    p = Proposal.objects.get(pk=proposal.pk)
    return (p.title, p.body, p.category, p.district, p.latitude, p.longitude, p.version)


# --- Who ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, status",
    [
        ("carol", 200),  # the author
        ("fred", 200),  # a co-author who accepted
        ("gina", 403),  # invited, not accepted yet
        ("erin", 403),  # another person of the city (staff, but not an author)
        ("alice", 403),  # the city admin is not an author either
        ("eve", 403),  # a resident of another city
        ("dave", 403),  # staff of another city
    ],
)
def test_only_the_authors_reach_the_edit_form(request, client, coauthored, who, status):
    client.force_login(request.getfixturevalue(who))
    before = snapshot(coauthored)
    response = client.get(edit_url(coauthored))
    assert response.status_code == status
    response = client.post(edit_url(coauthored), NEW)
    assert response.status_code == (302 if status == 200 else 403)
    changed = snapshot(coauthored) != before
    assert changed is (status == 200)


def test_anonymous_visitors_are_sent_to_sign_in(client, proposal):
    for method in (client.get, client.post):
        response = method(edit_url(proposal), NEW)
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    assert Proposal.objects.get(pk=proposal.pk).title == "Shade on the square"


def test_another_citys_proposal_under_this_citys_address_is_404(
    client, aurora_process, borealis_process, alice, carol, dave, eve
):
    from .world import proposals_world

    theirs = proposals_world(borealis_process, dave, eve)["proposal"]
    ours = proposals_world(aurora_process, alice, carol)["ideas"]
    client.force_login(eve)  # the author of theirs, asking through Aurora's address
    wrong = reverse(
        "proposals:edit",
        kwargs={
            "city_slug": "aurora",
            "process_slug": aurora_process.slug,
            "component_id": ours.pk,
            "proposal_id": theirs.pk,
        },
    )
    assert client.get(wrong).status_code == 404
    assert client.post(wrong, NEW).status_code == 404
    assert Proposal.objects.get(pk=theirs.pk).title == "Trees"


def test_the_action_refuses_anyone_but_the_authors(coauthored, erin, gina):
    for person in (erin, gina):
        with pytest.raises(ValidationError, match="Only its authors"):
            actions.do_edit_proposal(coauthored, person, title="Hijacked", body="Hijacked text here.")
    assert Proposal.objects.get(pk=coauthored.pk).title == "Shade on the square"


# --- When -----------------------------------------------------------------------------------------


def test_a_supported_proposal_can_no_longer_be_edited(client, proposal, carol, alice):
    actions.do_support(proposal, alice)
    client.force_login(carol)
    response = client.get(edit_url(proposal))
    assert response.status_code == 403 and "People support this proposal already" in response.content.decode()
    assert client.post(edit_url(proposal), NEW).status_code == 403
    assert Proposal.objects.get(pk=proposal.pk).title == "Shade on the square"


def test_a_paper_support_counts_too(proposal, carol, bob):
    actions.do_record_offline_support(proposal, bob, channel="paper", name="Marta", identity_number="1Z")
    proposal.refresh_from_db()
    with pytest.raises(ValidationError, match="support"):
        actions.do_edit_proposal(proposal, carol, **NEW)


def test_a_support_given_while_the_form_was_open_wins(proposal, carol, alice):
    stale = Proposal.objects.get(pk=proposal.pk)  # loaded before the support, as the form was
    actions.do_support(proposal, alice)
    assert stale.supports_count == 0
    with pytest.raises(ValidationError, match="support"):
        actions.do_edit_proposal(stale, carol, **NEW)
    assert Proposal.objects.get(pk=proposal.pk).title == "Shade on the square"


@pytest.mark.parametrize("state", ["evaluating", "accepted", "rejected"])
def test_an_answered_proposal_can_no_longer_be_edited(client, proposal, carol, erin, state):
    actions.do_answer(proposal, erin, state=state, reason="Looked at it.")
    client.force_login(carol)
    response = client.get(edit_url(proposal))
    assert response.status_code == 403 and "official answer" in response.content.decode()
    assert client.post(edit_url(proposal), NEW).status_code == 403


def test_a_withdrawn_proposal_can_no_longer_be_edited(client, proposal, carol):
    actions.do_withdraw_proposal(proposal, carol)
    client.force_login(carol)
    assert client.get(edit_url(proposal)).status_code == 403
    assert client.post(edit_url(proposal), NEW).status_code == 403
    assert Proposal.objects.get(pk=proposal.pk).title == "Shade on the square"


def test_nothing_is_edited_once_the_phase_is_over(client, aurora_process, carol):
    closed = add_component(aurora_process, phase=past_phase(aurora_process), categories=["Green"])
    proposal = Proposal.objects.create(
        city=closed.city, component=closed, title="Old", body="From last phase.", author=carol
    )
    client.force_login(carol)
    response = client.get(edit_url(proposal))
    assert response.status_code == 403 and "not open" in response.content.decode()
    assert client.post(edit_url(proposal), NEW).status_code == 403
    assert not carol.has_perm("proposals.edit_proposal", proposal)


def test_a_hidden_proposal_stays_as_it_is_for_the_moderators(client, proposal, carol, bob):
    actions.do_moderate(proposal, bob, decision="hide", reason="Off topic.")
    client.force_login(carol)
    response = client.get(edit_url(proposal))
    assert response.status_code == 403 and "moderators hid" in response.content.decode()


def test_a_blocked_author_cannot_edit(client, proposal, carol, bob):
    comment = actions.do_comment(carol, body="Rude", proposal=proposal)
    actions.do_moderate(comment, bob, decision="block", reason="Insults.")
    client.force_login(carol)
    assert client.get(edit_url(proposal)).status_code == 403
    assert client.post(edit_url(proposal), NEW).status_code == 403


@pytest.mark.parametrize("phase", ["open", "past"])
@pytest.mark.parametrize("who", ["anonymous", "carol", "fred", "gina", "alice", "eve"])
def test_the_edit_permission_by_role_and_phase(request, aurora_process, carol, fred, gina, phase, who):
    from django.contrib.auth.models import AnonymousUser

    from civiclab.proposals.models import CoAuthorship

    component = add_component(aurora_process, phase=None if phase == "open" else past_phase(aurora_process))
    proposal = Proposal.objects.create(
        city=component.city, component=component, title="T", body="B", author=carol
    )
    CoAuthorship.objects.create(
        city=component.city, proposal=proposal, user=fred, accepted_at=proposal.created_at
    )
    CoAuthorship.objects.create(city=component.city, proposal=proposal, user=gina)
    user = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)
    expected = who in {"carol", "fred"} and phase == "open"
    assert user.has_perm("proposals.edit_proposal", proposal) is expected


# --- What -----------------------------------------------------------------------------------------


def test_the_author_edits_everything_and_the_old_text_stays_as_a_version(client, proposal, carol):
    client.force_login(carol)
    page = client.get(edit_url(proposal)).content.decode()
    assert 'value="Shade on the square"' in page and "Plant ten trees on the square." in page
    assert "You can add 5 more files" in page  # files are added, never replaced
    response = client.post(edit_url(proposal), NEW)
    assert response.status_code == 302
    p = Proposal.objects.get(pk=proposal.pk)
    assert (p.title, p.body, p.category, p.district) == (
        NEW["title"],
        NEW["body"],
        "Green",
        "South",
    )
    assert (str(p.latitude), str(p.longitude), p.version) == ("39.46975", "-0.37739", 2)
    assert list(ProposalVersion.objects.filter(proposal=p).values_list("number", "body")) == [
        (1, "Plant ten trees on the square.")
    ]
    event = AuditEvent.objects.get(action="proposal.edited")
    assert event.actor == carol and event.target_id == str(p.pk)
    assert set(event.data["fields"]) == {"title", "body", "category", "district", "latitude", "longitude"}
    detail = client.get(response.url).content.decode()
    assert NEW["title"] in detail and "fountain" in detail and "Version 1" in detail


def test_a_co_author_edits_and_is_the_actor_of_the_audit_event(coauthored, fred):
    actions.do_edit_proposal(coauthored, fred, title="Shade for all", body=coauthored.body)
    assert Proposal.objects.get(pk=coauthored.pk).title == "Shade for all"
    event = AuditEvent.objects.get(action="proposal.edited")
    assert event.actor == fred and event.data["fields"] == ["title"]
    assert not ProposalVersion.objects.exists()  # the text did not change


def test_saving_without_a_change_writes_nothing(proposal, carol):
    actions.do_edit_proposal(
        proposal, carol, title=proposal.title, body=proposal.body, category="", district=""
    )
    assert not AuditEvent.objects.filter(action="proposal.edited").exists()
    assert Proposal.objects.get(pk=proposal.pk).version == 1


def test_an_error_keeps_what_was_typed_and_changes_nothing(client, proposal, carol):
    client.force_login(carol)
    response = client.post(
        edit_url(proposal),
        {"title": "Trees everywhere", "body": "Short", "latitude": "39.4", "category": "Green"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="Trees everywhere"' in html and ">\nShort</textarea>" in html and 'value="39.4"' in html
    assert "both the latitude" in html and "There is a problem" in html
    assert 'value="Green" selected' in html
    assert Proposal.objects.get(pk=proposal.pk).title == "Shade on the square"


def test_an_error_from_the_action_lands_on_its_field(client, proposal, carol):
    client.force_login(carol)
    response = client.post(edit_url(proposal), {**NEW, "body": "Too short"})
    assert response.status_code == 400
    assert "Describe your proposal in a few words" in response.content.decode()


def test_a_category_staff_took_off_the_list_may_stay(aurora_process, carol):
    component = add_component(aurora_process, categories=["Green", "Water"])
    proposal = make_proposal(component, carol, category="Water")
    component.settings["categories"] = ["Green"]
    component.save()
    proposal.component = component
    edited = actions.do_edit_proposal(
        proposal, carol, title="Fountains", body=proposal.body, category="Water"
    )
    assert edited.category == "Water" and edited.title == "Fountains"
    with pytest.raises(ValidationError) as exc:
        actions.do_edit_proposal(proposal, carol, title="Fountains", body=proposal.body, category="Weather")
    assert "category" in exc.value.error_dict


def test_search_finds_the_new_words_and_not_the_old_ones(proposal, carol):
    assert list(selectors.proposals_of(proposal.component, q="trees")) == [proposal]
    actions.do_edit_proposal(proposal, carol, title="Fountains", body="Two fountains for hot summers.")
    assert list(selectors.proposals_of(proposal.component, q="fountains")) == [proposal]
    assert list(selectors.proposals_of(proposal.component, q="summers")) == [proposal]
    assert list(selectors.proposals_of(proposal.component, q="trees")) == []


def test_the_cached_list_and_page_show_the_edit_at_once(client, proposal, carol):
    list_url = url("list", proposal.component)
    detail_url = url("detail", proposal.component, proposal_id=proposal.pk)
    assert "Shade on the square" in client.get(list_url).content.decode()  # cached now
    assert "Shade on the square" in client.get(detail_url).content.decode()
    actions.do_edit_proposal(proposal, carol, title="Fountains", body="Two fountains for hot summers.")
    listing = client.get(list_url).content.decode()
    assert "Fountains" in listing and "Shade on the square" not in listing
    assert "Two fountains" in client.get(detail_url).content.decode()


def test_the_page_offers_the_edit_to_the_authors_only(client, coauthored, carol, fred, erin):
    detail = url("detail", coauthored.component, proposal_id=coauthored.pk)
    for person, shown in ((carol, True), (fred, True), (erin, False)):
        client.force_login(person)
        assert (edit_url(coauthored) in client.get(detail).content.decode()) is shown
    client.logout()
    assert edit_url(coauthored) not in client.get(detail).content.decode()


def test_the_form_works_without_javascript_and_needs_the_csrf_token(proposal, carol):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(carol)
    assert browser.post(edit_url(proposal), NEW).status_code == 403
    assert Proposal.objects.get(pk=proposal.pk).title == "Shade on the square"
    page = browser.get(edit_url(proposal)).content.decode()
    assert '<form method="post"' in page and '<button type="submit">' in page
    token = csrf_token(browser, edit_url(proposal))
    response = browser.post(edit_url(proposal), {**NEW, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Proposal.objects.get(pk=proposal.pk).title == NEW["title"]


def test_the_page_reads_the_co_authors_once_for_the_permissions_too(client, coauthored, fred, erin):
    """The edit and withdraw checks read the authors from the co-authors the page reads anyway."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    detail = url("detail", coauthored.component, proposal_id=coauthored.pk)
    for person in (fred, erin):
        client.force_login(person)
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(detail)
        assert response.context["can_edit"] is (person == fred)
        assert sum("proposals_coauthorship" in q["sql"] for q in queries.captured_queries) == 1
        assert len(queries) <= 20


# --- Files added later --------------------------------------------------------------------------


def pdf(name="plan.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n...", content_type="application/pdf")


def test_the_authors_add_files_later_and_the_page_lists_them(client, proposal, carol):
    client.force_login(carol)
    assert 'type="file"' in client.get(edit_url(proposal)).content.decode()
    post = {
        **NEW,
        "files": [pdf("site.pdf"), pdf("costs.pdf")],
        "files_description": "The site and the costs",
    }
    response = client.post(edit_url(proposal), post)
    assert response.status_code == 302
    assert sorted(proposal.attachments.values_list("title", flat=True)) == ["The site and the costs"] * 2
    event = AuditEvent.objects.get(action="proposal.edited")
    assert event.data["files"] == 2
    page = client.get(response.url).content.decode()
    assert page.count("The site and the costs") >= 2


def test_files_alone_are_a_change_and_need_a_description(proposal, carol):
    with pytest.raises(ValidationError) as refused:
        actions.do_edit_proposal(proposal, carol, title=proposal.title, body=proposal.body, files=[pdf()])
    assert "files_description" in refused.value.message_dict
    assert not proposal.attachments.exists()
    actions.do_edit_proposal(
        proposal, carol, title=proposal.title, body=proposal.body, files=[pdf()], files_description="A plan"
    )
    assert proposal.attachments.count() == 1
    assert AuditEvent.objects.get(action="proposal.edited").data == {"fields": [], "files": 1}


def test_a_proposal_takes_five_files_in_all(client, ideas, carol):
    proposal = make_proposal(ideas, carol, files=[pdf() for _ in range(4)], files_description="Plans")
    client.force_login(carol)
    html = client.get(edit_url(proposal)).content.decode()
    assert "You can add 1 more file" in html
    post = {**NEW, "files": [pdf(), pdf()], "files_description": "Two more"}
    response = client.post(edit_url(proposal), post)
    assert response.status_code == 400
    assert "This proposal can take 1 more file." in response.content.decode()
    assert proposal.attachments.count() == 4 and snapshot(proposal)[0] == "Shade on the square"
    with pytest.raises(ValidationError):  # the action counts again, under its lock
        actions.do_edit_proposal(
            proposal,
            carol,
            title=proposal.title,
            body=proposal.body,
            files=[pdf(), pdf()],
            files_description="x",
        )
    assert (
        client.post(
            edit_url(proposal), {**NEW, "files": [pdf()], "files_description": "One more"}
        ).status_code
        == 302
    )
    assert proposal.attachments.count() == 5
    assert 'type="file"' not in client.get(edit_url(proposal)).content.decode()


def test_a_file_that_is_not_an_image_or_a_pdf_changes_nothing(client, proposal, carol):
    client.force_login(carol)
    bad = SimpleUploadedFile("evil.pdf", b"<html><script>alert(1)</script>", content_type="application/pdf")
    response = client.post(edit_url(proposal), {**NEW, "files": [bad], "files_description": "A plan"})
    assert response.status_code == 400
    assert snapshot(proposal)[0] == "Shade on the square" and not proposal.attachments.exists()
