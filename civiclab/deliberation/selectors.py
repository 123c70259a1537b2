import random

from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Conversation, Participant, Statement, StatementStatus, Vote


def public_conversations(city):
    return Conversation.objects.for_city(city).published().select_related("city")


def all_conversations(city):
    return Conversation.objects.for_city(city).select_related("process")


def conversations_of_process(process):
    return Conversation.objects.for_city(process.city_id).published().filter(process=process)


def get_conversation_for(request, city, slug: str) -> Conversation:
    """A conversation of this city: 404 for another city's, and for unpublished ones unless staff may see
    them."""
    conversation = get_object_or_404(
        Conversation.objects.for_city(city).select_related("city", "process", "phase"), slug=slug
    )
    if not conversation.published and not request.user.has_perm("deliberation.view_unpublished", city):
        raise Http404
    return conversation


def get_staff_conversation(city, slug: str) -> Conversation:
    return get_object_or_404(Conversation.objects.for_city(city).select_related("city"), slug=slug)


def accepted_statements(conversation):
    return Statement.objects.filter(conversation=conversation, status=StatementStatus.ACCEPTED).order_by(
        "tid"
    )


def next_statement(conversation, participant: Participant | None) -> tuple[Statement | None, int, int]:
    """(the next statement to answer, how many are answered, how many there are).

    Each participant gets their own fixed shuffled order, so early statements do not collect all the votes
    while later ones collect none; visitors who have not voted yet see the order of the statements."""
    statements = accepted_statements(conversation).only("pk", "tid", "text", "is_meta", "conversation_id")
    if participant is not None:
        # One query: every open statement, and whether this participant has answered it.
        statements = statements.annotate(
            answered=Exists(Vote.objects.filter(participant=participant, statement=OuterRef("pk")))
        )
    rows = list(statements)
    remaining = [s for s in rows if not getattr(s, "answered", False)]
    answered = len(rows) - len(remaining)
    if not remaining:
        return None, answered, len(rows)
    if participant is not None:
        random.Random(f"{conversation.pk}:{participant.pid}").shuffle(remaining)  # noqa: S311 (an order, not a secret)
    return remaining[0], answered, len(rows)


def votes_of(participant: Participant | None):
    if participant is None:
        return Vote.objects.none()
    return (
        Vote.objects.filter(participant=participant, statement__status=StatementStatus.ACCEPTED)
        .select_related("statement")
        .order_by("-updated_at", "-id")
    )


def moderation_queue(conversation):
    return Statement.objects.filter(conversation=conversation).order_by("status", "tid")


def statement_texts(conversation) -> dict[int, Statement]:
    return {
        s.tid: s for s in Statement.objects.filter(conversation=conversation).only("tid", "text", "is_meta")
    }


def personal_data_of(user) -> dict:
    """The person's part of opinion mapping, for the data export (accounts.selectors.personal_data)."""
    from .models import Conversation

    participations = Participant.objects.filter(user=user).select_related("conversation", "city")
    votes_by_participant: dict[int, list] = {}
    for v in Vote.objects.filter(participant__user=user).select_related("statement").order_by("id"):
        votes_by_participant.setdefault(v.participant_id, []).append(
            {
                "statement": v.statement.tid,
                "text": v.statement.text,
                "vote": v.value,
                "at": v.updated_at.isoformat(),
            }
        )
    return {
        "conversations_created": [
            {"city": c.city.slug, "conversation": c.slug, "topic": c.topic}
            for c in Conversation.objects.filter(created_by=user).select_related("city")
        ],
        "statements": [
            {
                "city": s.city.slug,
                "conversation": s.conversation.slug,
                "statement": s.tid,
                "text": s.text,
                "status": s.status,
                "created_at": s.created_at.isoformat(),
            }
            for s in Statement.objects.filter(author=user).select_related("city", "conversation")
        ],
        "conversation_participation": [
            {
                "city": p.city.slug,
                "conversation": p.conversation.slug,
                "participant_number": p.pid,
                "since": p.created_at.isoformat(),
                "votes": votes_by_participant.get(p.pk, []),
            }
            for p in participations
        ],
    }
