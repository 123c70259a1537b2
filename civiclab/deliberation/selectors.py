import random

from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404

from civiclab.core import nearcache

from .models import Conversation, Participant, Statement, StatementStatus, Vote

# What is constant for a conversation between two staff actions (its rules, its accepted statements)
# lives in the shared cache, so that a vote reads none of it from the database. Every change forgets it:
# the signal receivers in apps.py (saves and deletes, also from the admin and cascades) and the actions
# that write in bulk. The TTL only bounds what a cache without shared invalidation (LocMemCache in
# several processes) may serve; production uses Redis.
RULES_TTL = 300
PARTICIPANT_TTL = 3600


def conversation_cache_key(city_id: int, slug: str) -> str:
    return f"civiclab:conversation:{city_id}:{slug}"


def statements_cache_key(conversation_id: int) -> str:
    return f"civiclab:conversation:{conversation_id}:accepted"


def participant_cache_key(conversation_id: int, *, user_id=None, anon_key: str | None = None) -> str:
    return f"civiclab:participant:{conversation_id}:" + (f"u{user_id}" if user_id else f"a{anon_key}")


def forget(*keys: str) -> None:
    """Drops cache entries now and again after the commit: a reader between the two would otherwise
    cache the rows as they were before the change."""
    nearcache.delete_many(keys)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: nearcache.delete_many(keys))


def forget_conversation(conversation: Conversation, slug: str | None = None) -> None:
    forget(
        conversation_cache_key(conversation.city_id, slug or conversation.slug),
        statements_cache_key(conversation.pk),
    )


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


def get_conversation_for_vote(request, city, slug: str) -> Conversation:
    """As get_conversation_for, from the cache: the vote needs the rules of the conversation (open,
    published, who may take part), not its process or phase."""
    key = conversation_cache_key(city.pk, slug)
    conversation = nearcache.get(key)
    if conversation is None:
        conversation = get_object_or_404(Conversation.objects.for_city(city), slug=slug)
        nearcache.set(key, conversation, RULES_TTL)
    conversation.city = city
    if not conversation.published and not request.user.has_perm("deliberation.view_unpublished", city):
        raise Http404
    return conversation


def get_staff_conversation(city, slug: str) -> Conversation:
    return get_object_or_404(Conversation.objects.for_city(city).select_related("city"), slug=slug)


def accepted_statements(conversation):
    return Statement.objects.filter(conversation=conversation, status=StatementStatus.ACCEPTED).order_by(
        "tid"
    )


def accepted_statement_rows(conversation) -> list[tuple[int, int, str, bool]]:
    """(pk, tid, text, is_meta) of the accepted statements in tid order, from the cache."""
    key = statements_cache_key(conversation.pk)
    rows = nearcache.get(key)
    if rows is None:
        rows = list(accepted_statements(conversation).values_list("pk", "tid", "text", "is_meta"))
        nearcache.set(key, rows, RULES_TTL)
    return rows


def next_statement(
    conversation, participant: Participant | None, answered_ids: set[int] | None = None
) -> tuple[Statement | None, int, int]:
    """(the next statement to answer, how many are answered, how many there are).

    Each participant gets their own fixed shuffled order, so early statements do not collect all the votes
    while later ones collect none; visitors who have not voted yet see the order of the statements.
    The statements come from the cache; the participant's answers are one query on an index, unless the
    caller knows them (answered_ids: statement ids, from the vote just cast)."""
    rows = accepted_statement_rows(conversation)
    remaining = rows
    if participant is not None:
        done = answered_ids
        if done is None:
            done = set(Vote.objects.filter(participant=participant).values_list("statement_id", flat=True))
        remaining = [r for r in rows if r[0] not in done]
    answered = len(rows) - len(remaining)
    if not remaining:
        return None, answered, len(rows)
    if participant is not None:
        random.Random(f"{conversation.pk}:{participant.pid}").shuffle(remaining)  # noqa: S311 (an order, not a secret)
    pk, tid, text, is_meta = remaining[0]
    statement = Statement(pk=pk, conversation_id=conversation.pk, tid=tid, text=text, is_meta=is_meta)
    statement.status = StatementStatus.ACCEPTED
    return statement, answered, len(rows)


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
