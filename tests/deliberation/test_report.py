from datetime import timedelta

import numpy as np
import pytest
from django.urls import reverse
from django.utils import timezone

from civiclab.deliberation import actions
from civiclab.deliberation.models import Conversation, OpinionReport, Participant, Statement, Vote

from .factories import SEEDS, conversation


def three_camps(talk, n_people=120, n_statements=20, noise=0.1, seed=1):
    """Synthetic voters from three opinion profiles, written in bulk (as the demo and imports do).

    Each profile agrees with its own third of the statements and with statement 0, and disagrees with the
    rest; one answer in ten is random."""
    rng = np.random.default_rng(seed)
    profiles = -np.ones((3, n_statements), dtype=int)
    block = n_statements // 3
    for g in range(3):
        profiles[g, g * block : (g + 1) * block] = 1
    profiles[:, 0] = 1
    votes = []
    for p in range(n_people):
        for t in range(n_statements):
            value = int(profiles[p % 3, t]) if rng.random() >= noise else int(rng.choice([-1, 0, 1]))
            votes.append(actions.ImportedVote(pid=p, tid=t, value=value))
    actions.load_statements_and_votes(talk, [], votes)


@pytest.fixture
def talk(aurora, alice):
    return conversation(aurora, alice, seeds=SEEDS[:20], participation="link")


def test_the_report_finds_the_groups_and_the_common_ground(talk):
    three_camps(talk)
    report = actions.do_recompute_report(talk)
    result = report.result
    assert result["k"] == 3 and sorted(result["group_sizes"]) == [40, 40, 40]
    assert 0 in [c["tid"] for c in result["consensus"]["agree"]]
    assert report.votes_seen == Vote.objects.filter(conversation=talk).count()
    assert set(result["participants"]) == {str(p) for p in range(120)}
    assert result["participation"][0]["votes"] == report.votes_seen


def test_the_recompute_runs_in_the_background_after_enough_votes(talk, django_capture_on_commit_callbacks):
    three_camps(talk)
    Conversation.objects.filter(pk=talk.pk).update(votes_since_report=0)
    participant = actions.do_join(talk, anon_key="k" * 64)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for tid in range(actions.RECOMPUTE_MIN_NEW_VOTES - 1):
            actions.do_vote(talk, participant, tid, 1)
    assert not callbacks and not OpinionReport.objects.exists()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        actions.do_vote(talk, participant, 5, 0)
    assert len(callbacks) == 1
    report = OpinionReport.objects.get(conversation=talk)
    assert report.votes_seen == Vote.objects.filter(conversation=talk).count()
    talk.refresh_from_db()
    assert talk.votes_since_report == 0 and talk.recompute_requested_at is None


def test_only_one_of_many_voters_claims_the_recompute(talk):
    assert actions.request_recompute(talk)
    assert not actions.request_recompute(talk)
    Conversation.objects.filter(pk=talk.pk).update(recompute_requested_at=timezone.now() - timedelta(hours=1))
    assert actions.request_recompute(talk)  # a claim left by a crashed worker expires


def test_a_vote_after_a_quiet_minute_asks_for_a_recompute(talk, carol, django_capture_on_commit_callbacks):
    actions.do_recompute_report(talk)
    OpinionReport.objects.filter(conversation=talk).update(computed_at=timezone.now() - timedelta(minutes=2))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        actions.do_vote(talk, actions.do_join(talk, anon_key="a" * 64), 0, 1)
    assert len(callbacks) == 1


def test_the_report_page_never_computes_and_says_so(client, talk):
    three_camps(talk)
    url = reverse("deliberation:report", args=["aurora", talk.slug])
    response = client.get(url)
    assert response.status_code == 200 and "not computed yet" in response.content.decode()
    assert not OpinionReport.objects.exists()


def test_the_report_page_shows_groups_map_consensus_divisive_and_participation(client, talk):
    three_camps(talk)
    actions.do_recompute_report(talk)
    body = client.get(reverse("deliberation:report", args=["aurora", talk.slug])).content.decode()
    assert "Computed at" in body
    assert 'role="img"' in body and '<title id="map-title">' in body and "Group A: 40 participants." in body
    assert "What sets group C apart" in body
    assert SEEDS[0] in body  # the statement everyone agrees with
    assert "Divisive statements" in body and "Votes and new participants per day" in body
    assert "Carol" not in body and "carol@" not in body


def test_rejected_and_meta_statements_are_left_out_of_the_map(talk, bob):
    three_camps(talk)
    actions.do_moderate_statement(
        Statement.objects.get(conversation=talk, tid=3), bob, status="rejected", reason="x"
    )
    actions.do_moderate_statement(
        Statement.objects.get(conversation=talk, tid=4), bob, status="accepted", is_meta=True
    )
    result = actions.do_recompute_report(talk).result
    assert 3 not in result["statement_ids"] and 4 not in result["statement_ids"]


def test_a_tiny_conversation_gets_an_empty_report(talk, carol):
    participant = actions.do_join(talk, user=None, anon_key="b" * 64)
    actions.do_vote(talk, participant, 0, 1)
    report = actions.do_recompute_report(talk)
    assert report.result["k"] == 0 and Participant.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_votes_outside_a_transaction_are_counted_and_the_twentieth_claims_the_recompute(aurora, alice):
    # As in a request: on PostgreSQL the count commits on its own, apart from the vote (actions.do_vote).
    talk = conversation(aurora, alice, seeds=SEEDS[:20], participation="link")
    participant = actions.do_join(talk, anon_key="t" * 64)
    for tid in range(actions.RECOMPUTE_MIN_NEW_VOTES - 1):
        actions.do_vote(talk, participant, tid, 1)
    talk.refresh_from_db()
    assert talk.votes_since_report == actions.RECOMPUTE_MIN_NEW_VOTES - 1
    assert not OpinionReport.objects.exists()
    actions.do_vote(talk, participant, 0, -1)  # a changed answer counts as new
    report = OpinionReport.objects.get(conversation=talk)  # the immediate task backend ran it
    assert report.votes_seen == Vote.objects.filter(conversation=talk).count() == 19
    assert Vote.objects.get(participant=participant, statement__tid=0).value == -1
    talk.refresh_from_db()
    assert talk.votes_since_report == 0 and talk.recompute_requested_at is None


@pytest.mark.django_db(transaction=True)
def test_only_the_count_skips_the_wait_for_the_disk_never_the_votes_after_it(aurora, alice):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("synchronous_commit is a PostgreSQL setting")
    talk = conversation(aurora, alice, seeds=SEEDS[:3], participation="link")
    participant = actions.do_join(talk, anon_key="s" * 64)
    actions.do_vote(talk, participant, 0, 1)
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"  # the next vote on this connection commits durably
    talk.refresh_from_db()
    assert talk.votes_since_report == 1


def test_enough_new_votes_wait_ten_seconds_after_the_last_report(talk, django_capture_on_commit_callbacks):
    three_camps(talk, n_people=30)
    actions.do_recompute_report(talk)  # computed just now
    participant = actions.do_join(talk, anon_key="w" * 64)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        for tid in range(40):  # more than 20 and than 5% of the 600 the report saw
            actions.do_vote(talk, participant, tid % 20, 1 if tid < 20 else -1)
    assert not callbacks  # plenty of new votes, but the map is less than 10 s old
    OpinionReport.objects.filter(conversation=talk).update(computed_at=timezone.now() - timedelta(seconds=11))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        actions.do_vote(talk, participant, 0, 0)
    assert len(callbacks) == 1
