"""Pages: browsing, the detail page, forms that keep input, query counts, and the role x phase matrix."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from civiclab.proposals import actions
from civiclab.proposals.models import Comment, Proposal

from .conftest import add_component, make_proposal, past_phase, url


@pytest.fixture
def fifty(ideas, carol, alice):
    for n in range(50):
        p = make_proposal(
            ideas, carol if n % 2 else alice, title=f"Idea {n:02}", category="Green" if n % 3 else "Mobility"
        )
    return p


def test_the_list_filters_sorts_and_paginates(client, ideas, fifty, carol, alice):
    actions.do_support(Proposal.objects.get(title="Idea 07"), alice)
    page = client.get(url("list", ideas), {"sort": "supported"})
    assert page.status_code == 200
    assert page.context["proposals"][0].title == "Idea 07"
    assert len(page.context["proposals"]) == 20 and page.context["page"].paginator.num_pages == 3
    mobility = client.get(url("list", ideas), {"category": "Mobility"}).context["page"].paginator.count
    assert mobility == 17
    client.force_login(carol)
    assert client.get(url("list", ideas), {"mine": "1"}).context["page"].paginator.count == 25
    assert client.get(url("list", ideas), {"q": "Idea 07"}).context["page"].paginator.count >= 1


def test_random_order_puts_a_seed_in_the_address(client, ideas, fifty):
    response = client.get(url("list", ideas), {"sort": "random"})
    assert response.status_code == 302 and "seed=" in response.url
    first = [p.pk for p in client.get(response.url).context["proposals"]]
    assert first != sorted(first) and first != sorted(first, reverse=True)
    cache.clear()
    assert first == [p.pk for p in client.get(response.url).context["proposals"]]


def test_lists_and_threads_show_a_change_at_once_although_they_are_cached(client, proposal, alice):
    list_url, detail_url = (
        url("list", proposal.component),
        url("detail", proposal.component, proposal_id=proposal.pk),
    )
    assert "0 supports" in client.get(list_url).content.decode()
    assert "Count me in" not in client.get(detail_url).content.decode()
    actions.do_support(proposal, alice)
    comment = actions.do_comment(alice, body="Count me in", proposal=proposal)
    assert "1 support ·" in client.get(list_url).content.decode()
    assert "Count me in" in client.get(detail_url).content.decode()
    actions.do_vote_comment(comment, alice, -1)
    assert "0 agree, 1 disagree" in client.get(detail_url).content.decode()
    actions.do_endorse(proposal, alice, "Friends of the Square")
    actions.do_propose_amendment(proposal, alice, body="Plant eleven trees on the square.")
    page = client.get(detail_url).content.decode()
    assert "Friends of the Square" in page and "Amendment by Alice Admin" in page


def test_the_list_of_50_proposals_takes_a_constant_number_of_queries(
    client, ideas, fifty, carol, django_assert_max_num_queries
):
    client.force_login(carol)
    with django_assert_max_num_queries(11):
        assert client.get(url("list", ideas), {"page": 2}).status_code == 200
    with django_assert_max_num_queries(9):  # the cards come from the cache until a proposal changes
        assert client.get(url("list", ideas), {"page": 2}).status_code == 200


def test_a_proposal_with_200_comments_takes_a_constant_number_of_queries(
    client, proposal, carol, alice, django_assert_max_num_queries
):
    parent = None
    comments = []
    for n in range(200):
        comments.append(
            Comment(
                city_id=proposal.city_id,
                proposal=proposal,
                author=alice if n % 2 else carol,
                body=f"Comment {n}",
                parent=parent,
                depth=0,
            )
        )
    Comment.objects.bulk_create(comments)
    for c in Comment.objects.all()[:20]:
        actions.do_edit_comment(c, c.author, c.body + " (edited)")
        actions.do_vote_comment(c, carol, 1)
    client.force_login(carol)
    client.get(url("detail", proposal.component, proposal_id=proposal.pk))  # per-process caches warm
    with django_assert_max_num_queries(14):
        response = client.get(url("detail", proposal.component, proposal_id=proposal.pk))
    assert response.status_code == 200
    assert response.content.decode().count('class="comment depth-0"') == 200


def test_a_resident_writes_a_proposal_and_an_error_keeps_what_was_typed(client, ideas, carol):
    client.force_login(carol)
    response = client.post(url("new", ideas), {"title": "Trees", "body": "Short", "latitude": "39.4"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="Trees"' in html and "data-map-picker" in html and "both the latitude" in html
    response = client.post(
        url("new", ideas),
        {
            "title": "Trees",
            "body": "Trees on every street.",
            "latitude": "39.46975",
            "longitude": "-0.37739",
            "category": "Green",
        },
    )
    proposal = Proposal.objects.get()
    assert (
        response.status_code == 302 and proposal.category == "Green" and str(proposal.latitude) == "39.46975"
    )
    page = client.get(response.url).content.decode()
    assert "data-map-point" in page and 'data-lat="39.46975"' in page


def test_markdown_in_a_proposal_is_sanitised(client, ideas, carol):
    proposal = make_proposal(ideas, carol, body="**Bold** <script>alert(1)</script> [x](javascript:alert(1))")
    html = client.get(url("detail", ideas, proposal_id=proposal.pk)).content.decode()
    assert "<strong>Bold</strong>" in html and "<script>alert" not in html and 'href="javascript' not in html


def test_support_comment_and_answer_through_the_pages(client, proposal, alice, erin):
    client.force_login(alice)
    client.post(url("support", proposal.component, proposal_id=proposal.pk))
    response = client.post(
        url("comment", proposal.component, proposal_id=proposal.pk), {"body": "Great idea"}
    )
    assert response.status_code == 302
    empty = client.post(url("comment", proposal.component, proposal_id=proposal.pk), {"body": ""})
    assert empty.status_code == 400
    client.force_login(erin)
    response = client.post(
        url("answer", proposal.component, proposal_id=proposal.pk),
        {"state": "accepted", "reason": "We will do it."},
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.supports_count, proposal.comments_count, proposal.answer_state) == (1, 1, "accepted")


def test_a_reply_link_puts_the_parent_in_the_form(client, proposal, carol):
    comment = actions.do_comment(carol, body="First", proposal=proposal)
    client.force_login(carol)
    page = client.get(
        url("detail", proposal.component, proposal_id=proposal.pk), {"reply": comment.pk}
    ).content.decode()
    assert f'name="parent" value="{comment.pk}"' in page
    client.post(
        url("comment", proposal.component, proposal_id=proposal.pk), {"body": "Reply", "parent": comment.pk}
    )
    assert Comment.objects.get(body="Reply").parent == comment


# --- Role x phase matrix --------------------------------------------------------------------------

RESIDENT_PERMS = ["proposals.submit_proposal", "proposals.comment"]
STAFF_PERMS = {
    "proposals.answer_proposal": {"alice", "erin"},
    "proposals.moderate": {"alice", "bob"},
    "proposals.record_offline": {"alice", "bob", "erin"},
    "proposals.manage_debates": {"alice"},
    "proposals.change_moderation_settings": {"alice"},
}


@pytest.mark.parametrize("phase", ["open", "past"])
@pytest.mark.parametrize("who", ["anonymous", "carol", "alice", "bob", "erin", "eve"])
def test_who_may_post_by_role_and_phase(request, aurora_process, carol, alice, phase, who):
    from django.contrib.auth.models import AnonymousUser

    from civiclab.proposals.models import Debate

    where = None if phase == "open" else past_phase(aurora_process)
    component = add_component(aurora_process, phase=where)
    debates = add_component(aurora_process, "debates", phase=where)
    # Made directly: in a past phase the actions (rightly) refuse them.
    proposal = Proposal.objects.create(
        city=component.city, component=component, title="T", body="B", author=carol
    )
    debate = Debate.objects.create(city=component.city, component=debates, title="Q?", author=alice)
    user = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)
    expected = who != "anonymous" and phase == "open"  # any signed-in person, while the phase runs
    for perm, obj in [
        *((p, component) for p in RESIDENT_PERMS),
        ("proposals.support_proposal", proposal),
        ("proposals.amend_proposal", proposal),
        ("proposals.endorse_proposal", proposal),
        ("proposals.add_argument", debate),
    ]:
        assert user.has_perm(perm, obj) is expected, perm
    assert user.has_perm("proposals.report") is (who != "anonymous")


@pytest.mark.parametrize("perm", sorted(STAFF_PERMS))
@pytest.mark.parametrize("who", ["carol", "alice", "bob", "erin", "dave"])
def test_staff_permissions_by_role(request, aurora, perm, who):
    user = request.getfixturevalue(who)
    assert user.has_perm(perm, aurora) is (who in STAFF_PERMS[perm])


def test_switched_off_supports_are_refused(aurora_process, carol, alice):
    component = add_component(aurora_process, supports_enabled=False)
    proposal = make_proposal(component, carol)
    assert not alice.has_perm("proposals.support_proposal", proposal)


def test_the_moderation_queue_and_settings_are_for_moderators(client, aurora, alice, bob, carol):
    client.force_login(carol)
    assert client.get(reverse("proposals:moderation", args=["aurora"])).status_code == 403
    client.force_login(alice)
    response = client.post(
        reverse("proposals:moderation_settings", args=["aurora"]), {"hide_after_reports": "5"}
    )
    assert response.status_code == 302
    assert actions.hide_after(aurora) == 5


def test_another_citys_proposal_and_debate_under_this_citys_address_are_404(
    client, aurora_process, borealis_process, alice, carol, dave, eve
):
    from .world import proposals_world

    theirs = proposals_world(borealis_process, dave, eve)
    ours = proposals_world(aurora_process, alice, carol)
    client.force_login(alice)
    kw = {"city_slug": "aurora", "process_slug": aurora_process.slug, "component_id": ours["ideas"].pk}
    assert (
        client.get(
            reverse("proposals:detail", kwargs={**kw, "proposal_id": theirs["proposal"].pk})
        ).status_code
        == 404
    )
    dkw = {**kw, "component_id": ours["debates"].pk, "debate_id": theirs["debate"].pk}
    assert client.get(reverse("proposals:debate", kwargs=dkw)).status_code == 404
    for name in ("comment_history", "comment_edit"):
        assert (
            client.get(reverse(f"proposals:{name}", args=["aurora", theirs["comment"].pk])).status_code == 404
        )
    assert (
        client.get(
            reverse("proposals:moderate", args=["aurora", "comment", theirs["comment"].pk])
        ).status_code
        == 404
    )
    # The proposals component under the debates address (and back) is not found either.
    assert client.get(reverse("proposals:debates", kwargs=kw)).status_code == 404


def test_a_debate_takes_arguments_and_comments_and_staff_close_it(client, debates, alice, carol):
    client.force_login(alice)
    response = client.post(url("debate_new", debates), {"title": "Cars out?", "description": ""})
    debate = debates.debates.get()
    assert response.status_code == 302
    client.force_login(carol)
    assert (
        client.post(url("argument", debates, debate_id=debate.pk), {"side": "pro", "text": ""}).status_code
        == 400
    )
    client.post(url("argument", debates, debate_id=debate.pk), {"side": "pro", "text": "Cleaner air"})
    argument = debate.arguments.get()
    client.post(
        url("argument_comment", debates, debate_id=debate.pk, argument_id=argument.pk), {"body": "Agreed"}
    )
    page = client.get(url("debate", debates, debate_id=debate.pk)).content.decode()
    assert "Cleaner air" in page and "Agreed" in page
    client.force_login(alice)
    client.post(url("debate_close", debates, debate_id=debate.pk), {"conclusion": "A pilot in spring."})
    client.force_login(carol)
    page = client.get(url("debate", debates, debate_id=debate.pk)).content.decode()
    assert "A pilot in spring." in page and "Add an argument" not in page


def test_reporting_through_the_page_hides_after_the_citys_number_and_the_author_appeals(
    client, proposal, aurora, alice, carol, erin
):
    ModerationSettings = __import__(
        "civiclab.proposals.models", fromlist=["ModerationSettings"]
    ).ModerationSettings
    ModerationSettings.objects.create(city=aurora, hide_after_reports=1)
    comment = actions.do_comment(carol, body="Buy cheap watches", proposal=proposal)
    client.force_login(erin)
    response = client.post(
        reverse("proposals:report", args=["aurora", "comment", comment.pk]), {"reason": "Spam"}
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.is_hidden
    assert (
        "Buy cheap watches"
        not in client.get(url("detail", proposal.component, proposal_id=proposal.pk)).content.decode()
    )
    client.force_login(carol)
    appeal = reverse("proposals:appeal", args=["aurora", "comment", comment.pk])
    assert client.post(appeal, {"text": "It is not spam"}).status_code == 302
    client.force_login(alice)
    assert "Appealed" in client.get(reverse("proposals:moderation", args=["aurora"])).content.decode()


def test_staff_set_the_settings_on_the_component_screen(client, ideas, alice):
    client.force_login(alice)
    edit = reverse("processes:component_edit", args=["aurora", ideas.phase.process.slug, ideas.pk])
    page = client.get(edit).content.decode()
    assert "Green\nMobility" in page  # the categories, one per line
    response = client.post(
        edit,
        {
            "title": "Ideas for the square",
            "enabled": "on",
            "settings-support_threshold": "25",
            "settings-categories": "Trees\nWater\nTrees",
            "settings-districts": "",
            "settings-supports_enabled": "on",
            "settings-comments_enabled": "on",
        },
    )
    assert response.status_code == 302
    ideas.refresh_from_db()
    assert ideas.settings["categories"] == ["Trees", "Water"] and ideas.settings["support_threshold"] == 25
    assert ideas.settings["amendments_enabled"] is False and ideas.settings["comments_enabled"] is True


def test_proposals_and_debates_are_followable(client, proposal, debates, alice, carol):
    from civiclab.notifications.selectors import followers_of

    debate = actions.do_create_debate(debates, alice, title="Cars out?")
    client.force_login(carol)
    page = url("detail", proposal.component, proposal_id=proposal.pk)
    assert 'name="target" value="proposals.proposal"' in client.get(page).content.decode()
    for target, obj in (("proposals.proposal", proposal), ("proposals.debate", debate)):
        response = client.post(
            reverse("notifications:follow", args=["aurora"]), {"target": target, "pk": obj.pk, "next": page}
        )
        assert response.status_code == 302
        assert list(followers_of(obj)) == [carol]


def test_comments_are_sanitised_for_every_reader_and_an_edit_shows_at_once(client, proposal, carol):
    comment = actions.do_comment(carol, body="**Yes** <script>alert(1)</script>", proposal=proposal)
    page = url("detail", proposal.component, proposal_id=proposal.pk)
    for who in (None, carol):
        if who:
            client.force_login(who)
        html = client.get(page).content.decode()
        assert "<strong>Yes</strong>" in html and "<script>alert" not in html
    actions.do_edit_comment(comment, carol, "**No**")
    assert "<strong>No</strong>" in client.get(page).content.decode()


def test_content_of_a_draft_process_cannot_be_reported_or_read_through_the_report_page(
    client, aurora_draft, carol, alice
):
    from civiclab.processes.models import Phase

    phase = Phase.objects.filter(process=aurora_draft).first()
    if phase is None:
        pytest.skip("the draft fixture has no phases")
    component = add_component(aurora_draft, phase=phase)
    secret = Proposal.objects.create(
        city=component.city, component=component, title="Secret plan", body="Hidden", author=alice
    )
    client.force_login(carol)
    assert client.get(reverse("proposals:report", args=["aurora", "proposal", secret.pk])).status_code == 404
