from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from civiclab.core.models import AuditEvent
from civiclab.deliberation import actions
from civiclab.deliberation.models import Participant, Vote
from civiclab.deliberation.views import ANON_COOKIE

from .factories import SEEDS, conversation


@pytest.fixture
def talk(aurora, alice):
    return conversation(aurora, alice, seeds=SEEDS[:3])


def vote_url(talk):
    return reverse("deliberation:vote", args=[talk.city.slug, talk.slug])


def test_it_replaces_a_repeated_vote(talk, carol):
    participant = actions.do_join(talk, user=carol)
    actions.do_vote(talk, participant, 0, 1, user=carol)
    actions.do_vote(talk, participant, 0, -1, user=carol)
    actions.do_vote(talk, participant, 0, 0, user=carol)
    assert list(Vote.objects.values_list("participant__pid", "statement__tid", "value")) == [(0, 0, 0)]


def test_votes_are_not_audit_logged_one_by_one(talk, carol):
    before = AuditEvent.objects.count()
    participant = actions.do_join(talk, user=carol)
    actions.do_vote(talk, participant, 0, 1, user=carol)
    assert AuditEvent.objects.count() == before


def test_participants_get_small_numbers_per_conversation(talk, carol, bob, erin):
    pids = [actions.do_join(talk, user=u).pid for u in (carol, bob, erin, carol)]
    assert pids == [0, 1, 2, 0]


@pytest.mark.parametrize("value", [2, -2])
def test_it_refuses_a_value_other_than_agree_disagree_or_pass(talk, carol, value):
    with pytest.raises(ValidationError):
        actions.do_vote(talk, actions.do_join(talk, user=carol), 0, value, user=carol)


def test_it_refuses_a_vote_on_a_statement_that_is_not_accepted(talk, carol, bob):
    actions.do_moderate_statement(talk.statements.get(tid=1), bob, status="rejected", reason="spam")
    participant = actions.do_join(talk, user=carol)
    for tid in (1, 99):
        with pytest.raises(ValidationError):
            actions.do_vote(talk, participant, tid, 1, user=carol)
    assert not Vote.objects.exists()


def test_it_refuses_a_statement_of_another_conversation(talk, aurora, alice, carol):
    other = conversation(aurora, alice, slug="other", seeds=["Something else entirely"])
    participant = actions.do_join(talk, user=carol)
    with pytest.raises(ValidationError):
        actions.do_vote(other, participant, 0, 1, user=carol)


def test_a_closed_conversation_takes_no_votes(talk, carol):
    participant = actions.do_join(talk, user=carol)
    actions.do_update_conversation(talk, None, closes_at=timezone.now() - timedelta(minutes=1))
    talk.refresh_from_db()
    with pytest.raises(ValidationError):
        actions.do_vote(talk, participant, 0, 1, user=carol)


@pytest.mark.parametrize(
    ("participation", "who", "allowed"),
    [
        ("residents", "carol", True),
        ("residents", "eve", False),
        ("residents", "nadia", False),  # the network admin lives in no city: no has_perm shortcut here
        ("verified", "eve", True),
        ("verified", "anonymous", False),
        ("link", "anonymous", True),
        ("link", "eve", True),
    ],
)
def test_who_may_vote(client, aurora, alice, carol, eve, nadia, participation, who, allowed):
    talk = conversation(aurora, alice, seeds=SEEDS[:1], participation=participation)
    if who != "anonymous":
        client.force_login({"carol": carol, "eve": eve, "nadia": nadia}[who])
    response = client.post(vote_url(talk), {"statement": 0, "value": 1})
    assert response.status_code == (302 if allowed else 403)
    assert Vote.objects.count() == (1 if allowed else 0)


def test_a_verified_conversation_refuses_an_unverified_email(client, aurora, alice, carol):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.filter(user=carol).update(verified=False)
    talk = conversation(aurora, alice, seeds=SEEDS[:1], participation="verified")
    client.force_login(carol)
    assert client.post(vote_url(talk), {"statement": 0, "value": 1}).status_code == 403


def test_anonymous_visitors_are_known_by_a_signed_cookie_not_their_address(aurora, alice):
    talk = conversation(aurora, alice, seeds=SEEDS[:2], participation="link")
    first, second = Client(REMOTE_ADDR="10.0.0.1"), Client(REMOTE_ADDR="10.0.0.1")
    first.post(vote_url(talk), {"statement": 0, "value": 1})
    first.post(vote_url(talk), {"statement": 1, "value": -1})
    second.post(vote_url(talk), {"statement": 0, "value": -1})
    assert ANON_COOKIE in first.cookies
    assert Participant.objects.count() == 2  # same address, two people
    token = first.cookies[ANON_COOKIE].value
    stored = Participant.objects.values_list("anon_key", flat=True)
    assert all(key and len(key) == 64 and key not in token for key in stored)  # a hash, not the token
    assert sorted(Vote.objects.values_list("participant__pid", "value")) == [(0, -1), (0, 1), (1, -1)]


def test_a_forged_cookie_is_ignored(client, aurora, alice):
    talk = conversation(aurora, alice, seeds=SEEDS[:1], participation="link")
    client.cookies[ANON_COOKIE] = "forged-token"
    client.post(vote_url(talk), {"statement": 0, "value": 1})
    assert client.cookies[ANON_COOKIE].value != "forged-token"
    assert Vote.objects.count() == 1


def test_the_page_shows_one_statement_and_moves_on_after_a_vote(client, talk, carol):
    client.force_login(carol)
    page = reverse("deliberation:detail", args=["aurora", talk.slug])
    seen = []
    for _ in range(3):
        statement = client.get(page).context["statement"]
        seen.append(statement.tid)
        response = client.post(vote_url(talk), {"statement": statement.tid, "value": 1})
        assert response.status_code == 302
        assert response.url.endswith("#statement-heading")
    assert sorted(seen) == [0, 1, 2]
    response = client.get(page)
    assert response.context["statement"] is None
    assert "You have answered every statement" in response.content.decode()


def test_htmx_gets_the_next_card_and_an_announcement(client, talk, carol):
    client.force_login(carol)
    response = client.post(vote_url(talk), {"statement": 0, "value": -1}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="statement-card"' in body and "<html" not in body
    assert 'hx-swap-oob="true"' in body and "Your answer is saved." in body
    assert "Next statement:" in body


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_htmx_cards_walk_through_every_statement_once(client, aurora, alice, carol):
    # As a request runs on PostgreSQL: the vote's own statement says what is answered (actions.do_vote).
    talk = conversation(aurora, alice, seeds=SEEDS[:3])
    client.force_login(carol)
    shown = []
    tid = 0
    for n in range(3):
        response = client.post(vote_url(talk), {"statement": tid, "value": 1}, headers={"HX-Request": "true"})
        assert response.status_code == 200
        body = response.content.decode()
        if n < 2:
            assert f"Statement {n + 2} of 3" in body
            tid = int(body.split('name="statement" value="')[1].split('"')[0])
            shown.append(tid)
        else:
            assert "You have answered every statement" in body
    assert len(set(shown)) == 2 and 0 not in shown
    assert Vote.objects.filter(participant__user=carol).count() == 3


def test_a_vote_can_be_changed_from_the_list(client, talk, carol):
    client.force_login(carol)
    client.post(vote_url(talk), {"statement": 1, "value": 1})
    response = client.post(vote_url(talk), {"statement": 1, "value": 0, "from": "list"})
    assert response.url.endswith("#your-votes")
    assert list(Vote.objects.values_list("value", flat=True)) == [0]


@pytest.mark.parametrize(
    "post",
    [
        {"statement": "x", "value": "7"},
        {"statement": "0", "value": "7"},
        {"statement": "0", "value": "agree"},
        {"statement": "0"},
        {"value": "1"},
        {"statement": "-1", "value": "1"},
        {"statement": str(2**31), "value": "1"},
        {"statement": "0.5", "value": "1"},
    ],
)
def test_a_broken_vote_post_answers_400_and_changes_nothing(client, talk, carol, post):
    client.force_login(carol)
    response = client.post(vote_url(talk), post, headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert "Choose agree, disagree or pass." in response.content.decode()
    assert not Vote.objects.exists()


def test_voting_too_fast_is_refused_with_429(client, talk, carol, monkeypatch):
    monkeypatch.setattr(actions, "VOTE_LIMIT", (2, 60))
    client.force_login(carol)
    statuses = [
        client.post(vote_url(talk), {"statement": 0, "value": 1}, headers={"HX-Request": "true"}).status_code
        for _ in range(3)
    ]
    assert statuses == [200, 200, 429]


def test_voting_without_a_csrf_token_is_refused(talk, carol):
    client = Client(enforce_csrf_checks=True)
    client.force_login(carol)
    assert client.post(vote_url(talk), {"statement": 0, "value": 1}).status_code == 403
    assert not Vote.objects.exists()


def test_another_citys_conversation_under_this_citys_address_is_404(client, borealis_conversation, eve):
    client.force_login(eve)
    for name in [
        "deliberation:detail",
        "deliberation:vote",
        "deliberation:report",
        "deliberation:statement_new",
    ]:
        url = reverse(name, args=["aurora", borealis_conversation.slug])
        method = client.post if name == "deliberation:vote" else client.get
        assert method(url, {"statement": 0, "value": 1}).status_code == 404
    assert not Vote.objects.exists()


@pytest.mark.parametrize("who", ["anonymous", "carol", "eve"])
def test_unpublished_conversations_are_hidden_from_everyone_but_staff(client, aurora, alice, carol, eve, who):
    talk = conversation(aurora, alice, seeds=SEEDS[:1], published=False)
    if who != "anonymous":
        client.force_login({"carol": carol, "eve": eve}[who])
    assert client.get(reverse("deliberation:detail", args=["aurora", talk.slug])).status_code == 404
    assert client.post(vote_url(talk), {"statement": 0, "value": 1}).status_code == 404


def test_the_page_query_count_does_not_grow_with_the_votes_shown(client, aurora, alice, carol):
    talk = conversation(aurora, alice, seeds=SEEDS[:20])
    client.force_login(carol)
    participant = actions.do_join(talk, user=carol)
    for tid in range(2):
        actions.do_vote(talk, participant, tid, 1, user=carol)
    page = reverse("deliberation:detail", args=["aurora", talk.slug])
    client.get(page)  # the first visit of a session writes to it
    with CaptureQueriesContext(connection) as few:
        client.get(page)
    for tid in range(2, 18):
        actions.do_vote(talk, participant, tid, 1, user=carol)
    with CaptureQueriesContext(connection) as many:
        client.get(page)
    assert len(many) == len(few)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_on_postgresql_the_vote_statement_is_planned_once_per_connection(talk, carol):
    participant = actions.do_join(talk, user=carol)
    for value in (1, -1, 0, 1, -1, 0, 1):  # psycopg prepares a statement on its 6th run
        actions.do_vote(talk, participant, 0, value, user=carol)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%cast_vote%"])
        assert cursor.fetchone()[0] == 1
    assert list(Vote.objects.values_list("statement__tid", "value")) == [(0, 1)]
