import pytest
from django.core.exceptions import ValidationError

from civiclab.proposals import actions, selectors
from civiclab.proposals.models import Block, Comment, CommentRevision, ModerationSettings

from .conftest import make_proposal


def test_replies_are_threaded_and_shown_at_most_three_deep(proposal, carol, alice):
    parent = None
    for n in range(5):
        parent = actions.do_comment(
            alice if n % 2 else carol, body=f"level {n}", proposal=proposal, parent=parent
        )
    top = actions.do_comment(carol, body="another", proposal=proposal)
    thread = selectors.comment_thread(proposal=proposal)
    assert [c.body for c in thread] == ["level 0", "level 1", "level 2", "level 3", "level 4", "another"]
    assert [c.shown_depth for c in thread] == [0, 1, 2, 3, 3, 0]
    assert top.depth == 0
    proposal.refresh_from_db()
    assert proposal.comments_count == 6


def test_agree_and_disagree_are_one_per_person_and_can_change(proposal, carol, alice):
    comment = actions.do_comment(carol, body="Yes!", proposal=proposal)
    actions.do_vote_comment(comment, alice, 1)
    comment.refresh_from_db()
    assert (comment.agree_count, comment.disagree_count) == (1, 0)
    actions.do_vote_comment(comment, alice, -1)
    comment.refresh_from_db()
    assert (comment.agree_count, comment.disagree_count) == (0, 1)
    actions.do_vote_comment(comment, alice, -1)  # the same again withdraws it
    comment.refresh_from_db()
    assert (comment.agree_count, comment.disagree_count) == (0, 0)


def test_editing_a_comment_keeps_its_history_and_only_the_author_edits(client, proposal, carol, alice):
    comment = actions.do_comment(carol, body="Tres arboles", proposal=proposal)
    with pytest.raises(ValidationError):
        actions.do_edit_comment(comment, alice, "hijacked")
    actions.do_edit_comment(comment, carol, "Tres árboles")
    assert list(CommentRevision.objects.values_list("body", flat=True)) == ["Tres arboles"]
    page = client.get(f"/aurora/comments/{comment.pk}/history/").content.decode()
    assert "Tres arboles" in page and "Tres árboles" in page


def test_arguments_are_commentable_and_a_closed_debate_takes_no_more(debates, alice, carol):
    debate = actions.do_create_debate(debates, alice, title="Cars out of the centre?")
    argument = actions.do_add_argument(debate, carol, side="pro", text="Cleaner air.")
    actions.do_comment(carol, body="And quieter streets.", argument=argument)
    argument.refresh_from_db()
    assert argument.comments_count == 1
    actions.do_close_debate(debate, alice, conclusion="Most agree: a pilot in spring.")
    with pytest.raises(ValidationError, match="closed"):
        actions.do_add_argument(debate, carol, side="con", text="Shops suffer.")


def test_content_is_hidden_after_n_reports_of_different_people(proposal, alice, bob, erin, aurora):
    ModerationSettings.objects.create(city=aurora, hide_after_reports=2)
    comment = actions.do_comment(alice, body="Spam spam", proposal=proposal)
    actions.do_report(bob, comment, "spam")
    with pytest.raises(ValidationError, match="already"):
        actions.do_report(bob, comment, "spam again")
    comment.refresh_from_db()
    assert comment.hidden_at is None
    actions.do_report(erin, comment, "advert")
    comment.refresh_from_db()
    assert comment.hidden_at is not None and comment.reports_count == 2


def test_the_author_appeals_once_and_the_appeal_is_in_the_queue(proposal, alice, bob, aurora):
    comment = actions.do_comment(alice, body="Rude words", proposal=proposal)
    actions.do_moderate(comment, bob, decision="hide", reason="Insults are not allowed.")
    actions.do_appeal(comment, alice, "It was a quote.")
    with pytest.raises(ValidationError, match="once"):
        actions.do_appeal(comment, alice, "Please!")
    queue = selectors.moderation_queue(aurora)
    assert queue["appeals"] == 1 and queue["items"][0].appeal.text == "It was a quote."
    actions.do_moderate(comment, bob, decision="restore", reason="Fair enough.")
    comment.refresh_from_db()
    assert comment.hidden_at is None


def test_a_blocked_author_can_no_longer_post_in_this_city(proposal, alice, bob, ideas):
    comment = actions.do_comment(alice, body="Rude", proposal=proposal)
    actions.do_moderate(comment, bob, decision="block", reason="Repeated insults.")
    assert Block.objects.filter(user=alice).exists()
    alice.__dict__.pop("_civiclab_blocked", None)
    with pytest.raises(ValidationError, match="blocked"):
        make_proposal(ideas, alice, title="Anything")
    assert not alice.has_perm("proposals.submit_proposal", ideas)
    actions.do_moderate(comment, bob, decision="unblock", reason="Apologised.")
    alice.__dict__.pop("_civiclab_blocked", None)
    assert alice.has_perm("proposals.submit_proposal", ideas) and not Block.objects.exists()


def test_hidden_proposals_leave_the_list_and_answer_404_to_others(client, proposal, bob, alice):
    actions.do_moderate(proposal, bob, decision="hide", reason="Off topic.")
    assert list(selectors.proposals_of(proposal.component)) == []
    from .conftest import url

    assert client.get(url("detail", proposal.component, proposal_id=proposal.pk)).status_code == 404
    client.force_login(proposal.author)
    assert client.get(url("detail", proposal.component, proposal_id=proposal.pk)).status_code == 200


def test_erasure_keeps_counts_and_replaces_comment_text(proposal, carol, erin):
    from civiclab.accounts.actions import do_erase_account

    actions.do_support(proposal, erin)
    comment = actions.do_comment(erin, body="Alice was here", proposal=proposal)
    actions.do_edit_comment(comment, erin, "Alice was here again")
    actions.do_vote_comment(comment, carol, 1)
    actions.do_vote_comment(actions.do_comment(carol, body="Hi", proposal=proposal), erin, 1)
    from django.core.cache import cache

    cached = [
        f"civiclab:proposals:comment-html:{c.pk}:{c.updated_at.isoformat()}"
        for c in selectors.comment_thread(proposal=proposal)
    ]
    assert any("Alice was here" in str(v) for v in cache.get_many(cached).values())
    do_erase_account(erin)
    assert not any("Alice was here" in str(v) for v in cache.get_many(cached).values())
    assert "Alice was here" not in str([c.html for c in selectors.comment_thread(proposal=proposal)])
    proposal.refresh_from_db()
    comment = Comment.objects.get(pk=comment.pk)
    assert proposal.supports_count == 1 and proposal.supports.count() == 1
    assert comment.body == "deleted" and comment.author is None and not comment.revisions.exists()
    assert comment.agree_count == 1
