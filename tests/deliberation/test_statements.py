import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from civiclab.core.models import AuditEvent
from civiclab.core.ratelimit import RateLimited
from civiclab.deliberation import actions
from civiclab.deliberation.models import Statement, StatementStatus

from .factories import conversation


@pytest.fixture
def talk(aurora, alice):
    return conversation(aurora, alice, seeds=["Plant more trees along the river"], moderation="pre")


def test_a_participants_statement_waits_for_moderation_under_pre_moderation(talk, carol):
    participant = actions.do_join(talk, user=carol)
    s = actions.do_add_statement(talk, text="Buses every five minutes", author=carol, participant=participant)
    assert s.status == StatementStatus.PENDING and s.tid == 1 and not s.is_seed
    assert AuditEvent.objects.filter(action="statement.added", target_id=str(s.pk), actor=carol).exists()


def test_a_participants_statement_is_published_at_once_under_post_moderation(aurora, alice, carol):
    talk = conversation(aurora, alice, moderation="post")
    s = actions.do_add_statement(
        talk, text="Buses every five minutes", author=carol, participant=actions.do_join(talk, user=carol)
    )
    assert s.status == StatementStatus.ACCEPTED


def test_it_points_out_a_near_duplicate(talk, carol):
    participant = actions.do_join(talk, user=carol)
    with pytest.raises(actions.NearDuplicate) as similar:
        actions.do_add_statement(talk, text="plant MORE trees, along the river!", participant=participant)
    assert similar.value.existing.text == "Plant more trees along the river"
    s = actions.do_add_statement(
        talk, text="plant MORE trees, along the river!", participant=participant, confirmed=True
    )
    assert s.pk


def test_a_different_statement_is_not_a_near_duplicate(talk):
    assert actions.find_near_duplicate(talk, "Close the river road to cars on Sundays") is None


def test_statements_are_rate_limited_per_participant(talk, carol):
    participant = actions.do_join(talk, user=carol)
    words = ["buses", "schools", "libraries", "markets", "fountains", "benches"]
    for word in words[:5]:
        actions.do_add_statement(talk, text=f"Open {word} on Sundays", participant=participant)
    with pytest.raises(RateLimited):
        actions.do_add_statement(talk, text="Paint murals on grey walls", participant=participant)


def test_it_refuses_an_empty_or_too_long_statement(talk, carol):
    participant = actions.do_join(talk, user=carol)
    for text in ["   ", "x" * 281]:
        with pytest.raises(ValidationError):
            actions.do_add_statement(talk, text=text, participant=participant)


def test_a_moderator_rejects_with_a_reason_and_marks_meta(talk, bob):
    s = talk.statements.get()
    with pytest.raises(ValidationError):
        actions.do_moderate_statement(s, bob, status="rejected")
    actions.do_moderate_statement(s, bob, status="rejected", reason="Off topic", is_meta=True)
    s.refresh_from_db()
    assert (s.status, s.moderation_reason, s.is_meta, s.moderated_by) == ("rejected", "Off topic", True, bob)
    event = AuditEvent.objects.get(action="statement.moderated")
    assert event.data["status"] == "rejected" and event.actor == bob


def test_the_form_shows_the_near_duplicate_and_asks_to_confirm(client, talk, carol):
    client.force_login(carol)
    url = reverse("deliberation:statement_new", args=["aurora", talk.slug])
    response = client.post(url, {"text": "Plant more trees along the river."})
    assert response.status_code == 400
    body = response.content.decode()
    assert "A similar statement exists" in body and 'name="confirm"' in body
    assert Statement.objects.count() == 1
    response = client.post(url, {"text": "Plant more trees along the river.", "confirm": "on"})
    assert response.status_code == 302
    assert Statement.objects.count() == 2


def test_statement_text_is_escaped_everywhere(client, aurora, alice, carol):
    talk = conversation(aurora, alice, seeds=['<script>alert("x")</script><img src=x onerror=alert(1)>'])
    actions.do_recompute_report(talk)
    for name in ["deliberation:detail", "deliberation:report"]:
        body = client.get(reverse(name, args=["aurora", talk.slug])).content.decode()
        assert "<script>alert" not in body and "<img src=x" not in body
    client.force_login(alice)
    body = client.get(reverse("deliberation:moderation", args=["aurora", talk.slug])).content.decode()
    assert "&lt;script&gt;alert" in body and "<script>alert" not in body


def test_people_who_may_not_take_part_cannot_post_statements(client, talk, eve):
    client.force_login(eve)  # lives in Borealis: Aurora's conversation is for Aurora's residents
    url = reverse("deliberation:statement_new", args=["aurora", talk.slug])
    assert client.post(url, {"text": "Let me in"}).status_code == 403
    assert Statement.objects.count() == 1
