"""The author deletes their comment: a confirmation page and its POST. The row stays (replies keep their
place) with no text, no earlier versions, no author and no votes, and the thread shows "Comment deleted
by its author". A deleted comment takes no votes, edits, replies or reports. Erasing an account treats
its comments the same way (text, history and cached text gone; no more votes, edits or replies)."""

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from civiclab.core.models import AuditEvent
from civiclab.proposals import actions, selectors
from civiclab.proposals.models import Comment, CommentRevision, CommentVote, Proposal

from .conftest import csrf_token, url


def delete_url(comment):
    return reverse("proposals:comment_delete", args=["aurora", comment.pk])


@pytest.fixture
def comment(proposal, carol, alice):
    """Carol's comment, edited once, with a vote and a reply by Alice."""
    comment = actions.do_comment(carol, body="Oaks give the best shade", proposal=proposal)
    actions.do_edit_comment(comment, carol, "Oaks and planes give the best shade")
    actions.do_vote_comment(comment, alice, 1)
    actions.do_comment(alice, body="Planes shed their bark", proposal=proposal, parent=comment)
    comment.refresh_from_db()
    return comment


def gone(comment) -> bool:
    return Comment.objects.get(pk=comment.pk).deleted_at is not None


# --- Who ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, status",
    [("carol", 200), ("alice", 403), ("bob", 403), ("erin", 403), ("eve", 404), ("dave", 404)],
)
def test_only_the_author_deletes(request, client, comment, who, status):
    """eve and dave belong to Borealis: Carol's comment is not found under their city's address, and
    under Aurora's address they are just other people (403)."""
    client.force_login(request.getfixturevalue(who))
    if who in ("eve", "dave"):
        theirs = reverse("proposals:comment_delete", args=["borealis", comment.pk])
        assert client.get(theirs).status_code == 404
        assert client.post(theirs).status_code == 404
        status = 403
    assert client.get(delete_url(comment)).status_code == status
    response = client.post(delete_url(comment))
    assert response.status_code == (302 if status == 200 else 403)
    assert gone(comment) is (status == 200)


def test_anonymous_visitors_are_sent_to_sign_in(client, comment):
    for method in (client.get, client.post):
        response = method(delete_url(comment))
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    assert not gone(comment)


def test_the_action_refuses_anyone_but_the_author(comment, alice):
    with pytest.raises(ValidationError, match="Only its author"):
        actions.do_delete_comment(comment, alice)
    assert not gone(comment)


def test_a_hidden_comment_stays_as_it_is_for_the_moderators(client, comment, carol, bob):
    actions.do_moderate(comment, bob, decision="hide", reason="Off topic.")
    comment.refresh_from_db()
    with pytest.raises(ValidationError, match="moderators hid"):
        actions.do_delete_comment(comment, carol)
    client.force_login(carol)
    assert client.get(delete_url(comment)).status_code == 404  # hidden from everyone but moderators
    assert Comment.objects.get(pk=comment.pk).body == "Oaks and planes give the best shade"


# --- What it does ----------------------------------------------------------------------------------


def test_the_text_history_author_and_votes_leave_the_database_and_the_row_stays(client, comment, carol):
    client.force_login(carol)
    page = client.get(delete_url(comment)).content.decode()
    assert "Oaks and planes give the best shade" in page and "This cannot be undone." in page
    assert not gone(comment)
    response = client.post(delete_url(comment))
    assert response.status_code == 302
    assert response.url == url("detail", comment.proposal.component, proposal_id=comment.proposal_id) + (
        f"#comment-{comment.pk}"
    )
    row = Comment.objects.get(pk=comment.pk)
    assert (row.body, row.author, row.edited_at, row.agree_count, row.disagree_count) == (
        "",
        None,
        None,
        0,
        0,
    )
    assert row.deleted_at is not None and row.is_removed
    assert not CommentRevision.objects.filter(comment=row).exists()
    assert not CommentVote.objects.filter(comment=row).exists()
    assert Comment.objects.get(body="Planes shed their bark").parent_id == row.pk
    event = AuditEvent.objects.get(action="comment.deleted")
    assert event.actor == carol and event.target_id == str(row.pk)
    assert "Oaks" not in str(event.data)


def test_the_thread_shows_the_notice_and_keeps_the_reply_in_its_place(client, comment, carol, alice):
    detail = url("detail", comment.proposal.component, proposal_id=comment.proposal_id)
    assert "Oaks and planes" in client.get(detail).content.decode()  # the anonymous thread is cached now
    actions.do_delete_comment(comment, carol)
    for person in (None, alice, carol):
        if person:
            client.force_login(person)
        html = client.get(detail).content.decode()
        assert "Oaks" not in html and "Comment deleted by its author" in html
        notice, reply = html.index("Comment deleted by its author"), html.index("Planes shed their bark")
        assert notice < reply and 'class="comment depth-1"' in html
        block = html[html.index(f'id="comment-{comment.pk}"') : reply]
        for link in ("comment_vote", "comment_edit", "comment_delete"):
            assert reverse(f"proposals:{link}", args=["aurora", comment.pk]) not in block
        assert f"?reply={comment.pk}" not in block and "/report/comment/" not in block


def test_it_no_longer_counts_as_a_comment(comment, carol):
    proposal = Proposal.objects.get(pk=comment.proposal_id)
    assert proposal.comments_count == 2
    actions.do_delete_comment(comment, carol)
    proposal.refresh_from_db()
    assert proposal.comments_count == 1 == Comment.objects.filter(proposal=proposal, deleted_at=None).count()


def test_its_rendered_text_leaves_the_shared_cache(client, comment, carol):
    thread = selectors.comment_thread(proposal=comment.proposal)  # renders and caches every text
    keys = [f"civiclab:proposals:comment-html:{c.pk}:{c.updated_at.isoformat()}" for c in thread]
    assert any("Oaks" in str(v) for v in cache.get_many(keys).values())
    client.get(url("detail", comment.proposal.component, proposal_id=comment.proposal_id))
    proposal = Proposal.objects.get(pk=comment.proposal_id)
    anonymous_thread = selectors.fragment_key(
        "thread", proposal.pk, proposal.updated_at.isoformat(), language="en"
    )
    assert "Oaks" in cache.get(anonymous_thread)
    actions.do_delete_comment(comment, carol)
    assert not any("Oaks" in str(v) for v in cache.get_many(keys).values())
    assert cache.get(anonymous_thread) is None


def test_a_deleted_comment_takes_no_vote_edit_reply_or_report(client, comment, carol, alice, erin):
    actions.do_delete_comment(comment, carol)
    comment.refresh_from_db()
    with pytest.raises(ValidationError, match="no votes"):
        actions.do_vote_comment(comment, erin, 1)
    with pytest.raises(ValidationError):
        actions.do_edit_comment(comment, carol, "Back again")
    with pytest.raises(ValidationError, match="no replies"):
        actions.do_comment(erin, body="Reply", proposal=comment.proposal, parent=comment)
    with pytest.raises(ValidationError, match="deleted"):
        actions.do_report(erin, comment, "Spam")
    with pytest.raises(ValidationError, match="already"):
        actions.do_delete_comment(comment, carol)
    client.force_login(erin)
    client.post(reverse("proposals:comment_vote", args=["aurora", comment.pk]), {"value": "agree"})
    detail = url("comment", comment.proposal.component, proposal_id=comment.proposal_id)
    assert client.post(detail, {"body": "A reply", "parent": comment.pk}).status_code == 400
    assert client.get(reverse("proposals:report", args=["aurora", "comment", comment.pk])).status_code == 404
    client.force_login(carol)
    assert client.get(reverse("proposals:comment_edit", args=["aurora", comment.pk])).status_code == 404
    assert client.get(delete_url(comment)).status_code == 404
    row = Comment.objects.get(pk=comment.pk)
    assert (row.agree_count, row.body) == (0, "")
    assert not CommentVote.objects.filter(comment=row).exists()
    assert Comment.objects.filter(parent=row).count() == 1  # only the reply from before


def test_its_history_page_shows_the_notice_and_no_earlier_text(client, comment, carol):
    actions.do_delete_comment(comment, carol)
    html = client.get(reverse("proposals:comment_history", args=["aurora", comment.pk])).content.decode()
    assert "Comment deleted by its author" in html and "Oaks" not in html


def test_the_api_shows_it_without_text_or_author(client, comment, carol):
    actions.do_delete_comment(comment, carol)
    items = client.get("/api/v1/cities/aurora/comments").json()["items"]
    deleted = next(c for c in items if c["id"] == comment.pk)
    assert deleted["body"] == "deleted" and deleted["author"] is None and deleted["agree"] == 0
    assert next(c for c in items if c["id"] != comment.pk)["parent"] == comment.pk


def test_a_comment_on_a_debate_argument_is_deleted_the_same_way(client, debates, alice, carol):
    debate = actions.do_create_debate(debates, alice, title="Cars out?")
    argument = actions.do_add_argument(debate, alice, side="pro", text="Cleaner air")
    comment = actions.do_comment(carol, body="Quieter too", argument=argument)
    client.force_login(carol)
    response = client.post(delete_url(comment))
    assert response.status_code == 302 and response.url.endswith(f"#comment-{comment.pk}")
    argument.refresh_from_db()
    assert argument.comments_count == 0 and gone(comment)
    html = client.get(url("debate", debates, debate_id=debate.pk)).content.decode()
    assert "Quieter too" not in html and "Comment deleted by its author" in html


def test_the_moderation_queue_drops_a_reported_comment_its_author_deleted(comment, carol, erin, aurora):
    actions.do_report(erin, comment, "Spam")
    assert [o.pk for o in selectors.moderation_queue(aurora)["items"]] == [comment.pk]
    actions.do_delete_comment(comment, carol)
    assert selectors.moderation_queue(aurora)["items"] == []


def test_the_form_works_without_javascript_and_needs_the_csrf_token(comment, carol):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(carol)
    assert browser.post(delete_url(comment)).status_code == 403
    assert not gone(comment)
    token = csrf_token(browser, delete_url(comment))
    assert browser.post(delete_url(comment), {"csrfmiddlewaretoken": token}).status_code == 302
    assert gone(comment)


def test_the_page_offers_delete_to_the_author_only(client, comment, carol, alice):
    detail = url("detail", comment.proposal.component, proposal_id=comment.proposal_id)
    client.force_login(carol)
    assert delete_url(comment) in client.get(detail).content.decode()
    client.force_login(alice)
    assert delete_url(comment) not in client.get(detail).content.decode()


def test_a_thread_with_deleted_comments_still_costs_a_constant_number_of_queries(
    client, proposal, carol, alice, django_assert_max_num_queries
):
    for n in range(30):
        c = actions.do_comment(carol if n % 2 else alice, body=f"Comment {n}", proposal=proposal)
        if n % 3 == 0:
            actions.do_delete_comment(c, c.author)
    client.force_login(carol)
    client.get(url("detail", proposal.component, proposal_id=proposal.pk))  # per-process caches warm
    with django_assert_max_num_queries(14):  # as with 200 live comments (test_views.py)
        response = client.get(url("detail", proposal.component, proposal_id=proposal.pk))
    assert response.content.decode().count("Comment deleted by its author") == 10


# --- Erasure treats comments the same way ---------------------------------------------------------


def test_erased_comments_take_no_vote_edit_reply_or_report_and_lose_their_history(
    client, comment, carol, alice, erin
):
    from civiclab.accounts.actions import do_erase_account

    detail = url("detail", comment.proposal.component, proposal_id=comment.proposal_id)
    assert "Oaks and planes" in client.get(detail).content.decode()  # the anonymous thread is cached now
    do_erase_account(carol)
    comment = Comment.objects.get(pk=comment.pk)
    assert comment.is_removed and comment.edited_at is None and not comment.revisions.exists()
    with pytest.raises(ValidationError, match="no votes"):
        actions.do_vote_comment(comment, erin, 1)
    with pytest.raises(ValidationError, match="no replies"):
        actions.do_comment(erin, body="Reply", proposal=comment.proposal, parent=comment)
    with pytest.raises(ValidationError, match="deleted"):
        actions.do_report(erin, comment, "Spam")
    html = client.get(detail).content.decode()
    assert "Oaks" not in html and "edited: see earlier versions" not in html
    assert Comment.objects.get(pk=comment.pk).agree_count == 1  # erasure keeps the counts


def test_erasing_an_account_leaves_comments_its_author_deleted_as_they_are(comment, carol):
    from civiclab.accounts.actions import do_erase_account

    actions.do_delete_comment(comment, carol)
    do_erase_account(carol)
    row = Comment.objects.get(pk=comment.pk)
    assert row.deleted_at is not None and not row.erased and row.body == ""


def test_the_export_no_longer_lists_a_comment_its_author_deleted(comment, carol):
    assert [c["id"] for c in selectors.personal_data_of(carol)["comments"]] == [comment.pk]
    actions.do_delete_comment(comment, carol)
    assert selectors.personal_data_of(carol)["comments"] == []
