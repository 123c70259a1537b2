import pytest
from django.core.exceptions import ValidationError

from civiclab.core.models import AuditEvent
from civiclab.deliberation.actions import do_create_conversation, do_update_conversation
from civiclab.deliberation.models import Conversation, StatementStatus

from .factories import conversation


def test_it_creates_a_conversation_with_accepted_seed_statements_and_an_audit_event(aurora, alice):
    c = conversation(aurora, alice, seeds=["Trees first", "  ", "Shade over benches"])
    assert [(s.tid, s.text, s.status, s.is_seed) for s in c.statements.all()] == [
        (0, "Trees first", StatementStatus.ACCEPTED, True),
        (1, "Shade over benches", StatementStatus.ACCEPTED, True),
    ]
    assert c.city == aurora and c.created_by == alice
    actions = list(AuditEvent.objects.filter(city=aurora).values_list("action", flat=True))
    assert "conversation.created" in actions and actions.count("statement.added") == 2


def test_it_refuses_a_slug_the_city_already_uses(aurora, alice):
    conversation(aurora, alice)
    with pytest.raises(ValidationError) as refused:
        conversation(aurora, alice)
    assert "slug" in refused.value.message_dict


def test_the_same_slug_is_free_in_another_city(aurora, borealis, alice, dave):
    conversation(aurora, alice)
    assert conversation(borealis, dave).slug == "cooler-streets"


def test_it_takes_the_process_from_the_phase(aurora, alice, aurora_process):
    phase = aurora_process.phases.first()
    c = conversation(aurora, alice, phase=phase)
    assert c.process == aurora_process and c.phase == phase


def test_it_refuses_a_process_of_another_city(aurora, alice, borealis_process):
    with pytest.raises(ValidationError):
        conversation(aurora, alice, process=borealis_process)
    assert not Conversation.objects.exists()


def test_it_refuses_a_phase_of_another_process(aurora, alice, aurora_process, aurora_draft):
    with pytest.raises(ValidationError):
        do_create_conversation(
            aurora, alice, topic="X", slug="x", process=aurora_draft, phase=aurora_process.phases.first()
        )


def test_an_update_records_the_changed_fields(aurora, alice):
    c = conversation(aurora, alice, published=False)
    do_update_conversation(c, alice, topic="Cooler squares", published=True, moderation="post")
    c.refresh_from_db()
    assert c.topic == "Cooler squares" and c.published
    event = AuditEvent.objects.filter(action="conversation.updated").get()
    assert event.data == {"fields": ["published", "topic"]}


def test_an_update_refuses_unknown_fields(aurora, alice):
    c = conversation(aurora, alice)
    with pytest.raises(ValueError):
        do_update_conversation(c, alice, city=None)
