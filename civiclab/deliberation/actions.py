"""Every write of opinion mapping. Staff changes and statements leave an audit event; single votes do not
(there are far too many, and a vote holds no decision of its own: it is in the votes table)."""

import difflib
import re
import unicodedata
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.db.models.functions import Greatest, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from civiclab.core import audit, ratelimit
from civiclab.core.db import prepared_cursor

from . import selectors
from .matrix import Votes
from .models import (
    STATEMENT_MAX_LENGTH,
    Conversation,
    Moderation,
    OpinionReport,
    Participant,
    Statement,
    StatementStatus,
    Vote,
)
from .report import build_report
from .rules import participation_refusal

# Rate limits: (hits, window in seconds). Far above what a person does by hand, far below a flood.
STATEMENT_LIMIT = (5, 600)
VOTE_LIMIT = (120, 60)
NEAR_DUPLICATE_RATIO = 0.85

# When to recompute the map: enough new votes (at least 20, and at least 5% of what the report saw)
# but not within 10 s of the last report, or any new vote once a minute has passed since the last
# report. Without the 10 s, a busy conversation recomputed twice a second, which took 11% of the
# workers' CPU at 180 votes/s (py-spy, bench/vote_intake.py).
RECOMPUTE_MIN_NEW_VOTES = 20
RECOMPUTE_SHARE = 0.05
RECOMPUTE_MIN_INTERVAL = timedelta(seconds=10)
RECOMPUTE_AFTER = timedelta(seconds=60)
NO_REPORT_YET = datetime(2000, 1, 1, tzinfo=UTC)  # stands in for a missing report's time: long ago
RECOMPUTE_CLAIM_EXPIRES = timedelta(minutes=5)  # a claim left by a crashed worker is taken over after this

CONVERSATION_FIELDS = {
    "topic",
    "slug",
    "description",
    "process",
    "phase",
    "moderation",
    "participation",
    "closes_at",
    "published",
}


class NearDuplicate(ValidationError):
    """The statement reads almost like an existing one; posting it needs a confirmation."""

    def __init__(self, existing: Statement):
        super().__init__(
            _("A very similar statement exists already: “%(text)s”.") % {"text": existing.text},
            code="near_duplicate",
        )
        self.existing = existing


def _check_parent(city, process, phase):
    """The process and phase a conversation belongs to must be of its own city (and the phase of the
    process). Returns the process, which a phase implies."""
    if phase is not None:
        if process is None:
            process = phase.process
        if phase.process_id != process.pk:
            raise ValidationError({"phase": _("This phase is not a phase of the chosen process.")})
    if process is not None and process.city_id != city.pk:
        raise ValidationError({"process": _("This process belongs to another city.")})
    return process


def _clean_text(text: str) -> str:
    text = " ".join((text or "").split())
    if not text:
        raise ValidationError({"text": _("Write a statement.")})
    if len(text) > STATEMENT_MAX_LENGTH:
        raise ValidationError(
            {"text": _("A statement has at most %(n)d characters.") % {"n": STATEMENT_MAX_LENGTH}}
        )
    return text


def _next_number(conversation: Conversation, field: str) -> int:
    """Takes the next `pid` or `tid` of the conversation. The row lock makes concurrent callers wait,
    and the unique constraints on (conversation, pid/tid) stay the guarantee."""
    current = Conversation.objects.select_for_update().values_list(field, flat=True).get(pk=conversation.pk)
    Conversation.objects.filter(pk=conversation.pk).update(**{field: F(field) + 1})
    return current


@transaction.atomic
def do_create_conversation(
    city,
    actor,
    *,
    topic: str,
    slug: str,
    description: str = "",
    process=None,
    phase=None,
    moderation: str = Moderation.POST,
    participation: str = "residents",
    closes_at: datetime | None = None,
    published: bool = False,
    seeds: list[str] | tuple[str, ...] = (),
) -> Conversation:
    process = _check_parent(city, process, phase)
    if Conversation.objects.filter(city=city, slug=slug).exists():
        raise ValidationError({"slug": _("This city already has a conversation at this address.")})
    conversation = Conversation(
        city=city,
        topic=topic,
        slug=slug,
        description=description,
        process=process,
        phase=phase,
        moderation=moderation,
        participation=participation,
        closes_at=closes_at,
        published=published,
        created_by=actor,
    )
    conversation.full_clean(exclude=["city", "created_by", "process", "phase"])
    try:
        with transaction.atomic():
            conversation.save()
    except IntegrityError as exc:  # a concurrent request took the slug
        raise ValidationError({"slug": _("This city already has a conversation at this address.")}) from exc
    audit.record(
        "conversation.created",
        actor=actor,
        city=city,
        target=conversation,
        slug=slug,
        published=published,
        participation=participation,
        moderation=moderation,
    )
    for text in seeds:
        if text.strip():
            do_add_statement(conversation, text=text, author=actor, seed=True)
    return conversation


@transaction.atomic
def do_update_conversation(conversation: Conversation, actor, **fields) -> Conversation:
    unknown = set(fields) - CONVERSATION_FIELDS
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if "process" in fields or "phase" in fields:
        fields["process"] = _check_parent(
            conversation.city, fields.get("process", conversation.process), fields.get("phase")
        )
        fields.setdefault("phase", None)
    if (
        "slug" in fields
        and Conversation.objects.filter(city=conversation.city, slug=fields["slug"])
        .exclude(pk=conversation.pk)
        .exists()
    ):
        raise ValidationError({"slug": _("This city already has a conversation at this address.")})
    changed = {k: v for k, v in fields.items() if getattr(conversation, k) != v}
    if "slug" in changed:
        selectors.forget_conversation(conversation)  # the old address (the save forgets the new one)
    for key, value in changed.items():
        setattr(conversation, key, value)
    conversation.full_clean(exclude=["city", "created_by", "process", "phase"])
    conversation.save()
    if changed:
        audit.record(
            "conversation.updated",
            actor=actor,
            city=conversation.city,
            target=conversation,
            fields=sorted(changed),
        )
    return conversation


def normalise(text: str) -> str:
    """Lower case, accents and punctuation removed, spaces collapsed: what near-duplicates compare."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def find_near_duplicate(conversation: Conversation, text: str) -> Statement | None:
    """The most similar accepted or pending statement with a difflib ratio of at least 0.85, if any."""
    wanted = normalise(text)
    best, best_ratio = None, NEAR_DUPLICATE_RATIO
    candidates = Statement.objects.filter(
        conversation=conversation, status__in=[StatementStatus.ACCEPTED, StatementStatus.PENDING]
    ).only("pk", "tid", "text")
    for statement in candidates:
        matcher = difflib.SequenceMatcher(None, wanted, normalise(statement.text), autojunk=False)
        # The cheap upper bounds first: most statements are ruled out without the full comparison.
        if matcher.real_quick_ratio() >= best_ratio and matcher.quick_ratio() >= best_ratio:
            ratio = matcher.ratio()
            if ratio >= best_ratio:
                best, best_ratio = statement, ratio
    return best


@transaction.atomic
def do_add_statement(
    conversation: Conversation,
    *,
    text: str,
    author=None,
    participant: Participant | None = None,
    seed: bool = False,
    confirmed: bool = False,
) -> Statement:
    """A new statement. Seeds (by staff) are accepted at once; a participant's statement is accepted at
    once under post-moderation and waits for a moderator under pre-moderation."""
    text = _clean_text(text)
    if not seed:
        if not conversation.is_open():
            raise ValidationError(_("This conversation is closed."))
        if participant is None or participant.conversation_id != conversation.pk:
            raise ValidationError(_("Take part in the conversation first."))
        ratelimit.check(f"statement:{participant.pk}", *STATEMENT_LIMIT)
    if not confirmed and not seed:  # staff choose their seeds deliberately
        existing = find_near_duplicate(conversation, text)
        if existing is not None:
            raise NearDuplicate(existing)
    accepted = seed or conversation.moderation == Moderation.POST
    statement = Statement.objects.create(
        city=conversation.city,
        conversation=conversation,
        tid=_next_number(conversation, "next_tid"),
        text=text,
        author=author if getattr(author, "is_authenticated", False) else None,
        participant=participant,
        is_seed=seed,
        status=StatementStatus.ACCEPTED if accepted else StatementStatus.PENDING,
    )
    audit.record(
        "statement.added",
        actor=author,
        city=conversation.city,
        target=statement,
        conversation=conversation.slug,
        tid=statement.tid,
        seed=seed,
        status=statement.status,
    )
    return statement


@transaction.atomic
def do_moderate_statement(
    statement: Statement, actor, *, status: str, reason: str = "", is_meta: bool | None = None
) -> Statement:
    if status not in (StatementStatus.ACCEPTED, StatementStatus.REJECTED):
        raise ValidationError({"status": _("Accept or reject the statement.")})
    reason = reason.strip()
    if status == StatementStatus.REJECTED and not reason:
        raise ValidationError({"reason": _("Give a reason for rejecting the statement.")})
    statement = Statement.objects.select_for_update().get(pk=statement.pk)
    before = statement.status, statement.is_meta
    statement.status = status
    statement.moderation_reason = reason[:300]
    if is_meta is not None:
        statement.is_meta = is_meta
    statement.moderated_by = actor
    statement.moderated_at = timezone.now()
    statement.save()
    if before != (statement.status, statement.is_meta):
        # The map leaves out rejected and meta statements: the next vote check will see this as new data.
        Conversation.objects.filter(pk=statement.conversation_id).update(
            votes_since_report=F("votes_since_report") + RECOMPUTE_MIN_NEW_VOTES
        )
    audit.record(
        "statement.moderated",
        actor=actor,
        city=statement.city,
        target=statement,
        tid=statement.tid,
        status=status,
        is_meta=statement.is_meta,
        reason=statement.moderation_reason,
    )
    return statement


def get_participant(conversation: Conversation, *, user=None, anon_key: str | None = None):
    """The participant of this person, from the cache when it can be: a participant row never changes
    (erasure only unlinks the account, and forgets the entries). Only found ones are cached."""
    if user is not None and user.is_authenticated:
        key = selectors.participant_cache_key(conversation.pk, user_id=user.pk)
        lookup = {"user": user}
    elif anon_key:
        key = selectors.participant_cache_key(conversation.pk, anon_key=anon_key)
        lookup = {"anon_key": anon_key}
    else:
        return None
    participant = cache.get(key)
    if participant is None:
        participant = Participant.objects.filter(conversation=conversation, **lookup).first()
        if participant is not None:
            cache.set(key, participant, selectors.PARTICIPANT_TTL)
    return participant


def do_join(conversation: Conversation, *, user=None, anon_key: str | None = None) -> Participant:
    """The participant for this person, created on their first vote or statement."""
    signed_in = user is not None and user.is_authenticated
    refusal = participation_refusal(user, conversation)
    if refusal is not None:
        raise ValidationError(_("You cannot take part in this conversation."), code=refusal)
    if not signed_in and not anon_key:
        raise ValidationError(_("You cannot take part in this conversation."), code="no_key")
    existing = get_participant(conversation, user=user, anon_key=anon_key)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Participant.objects.create(
                city=conversation.city,
                conversation=conversation,
                pid=_next_number(conversation, "next_pid"),
                user=user if signed_in else None,
                anon_key=None if signed_in else anon_key,
            )
    except IntegrityError:  # the same person's other tab joined at the same moment
        participant = get_participant(conversation, user=user, anon_key=anon_key)
        if participant is None:
            raise
        return participant


def _vote_sql() -> tuple[str, str]:
    """(the upsert of one vote, the count-and-maybe-claim UPDATE of its conversation), in SQL that
    PostgreSQL and SQLite both run. Written by hand: the ORM spends more time building these two
    statements than the database spends running them."""
    vote = Vote._meta.db_table
    statement = Statement._meta.db_table
    conv = Conversation._meta.db_table
    report = OpinionReport._meta.db_table
    # The statement must be accepted at the moment of the write: no row to insert otherwise. A repeated
    # vote replaces the earlier one on the unique (participant, statement) pair.
    # Only table names from the models go into the text (S608); every value is a parameter.
    upsert = (
        f"INSERT INTO {vote} (created_at, updated_at, city_id, conversation_id, participant_id, "  # noqa: S608
        f"statement_id, value) SELECT %s, %s, %s, %s, %s, s.id, %s FROM {statement} s "
        f"WHERE s.conversation_id = %s AND s.tid = %s AND s.status = %s "
        "ON CONFLICT (participant_id, statement_id) "
        "DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at"
    )
    # One UPDATE counts the vote and, when a recompute is due and nobody holds a live claim, claims it:
    # enough new votes (RECOMPUTE_MIN_NEW_VOTES and RECOMPUTE_SHARE of what the report saw) once
    # RECOMPUTE_MIN_INTERVAL has passed, or any new vote once RECOMPUTE_AFTER has passed since the last
    # report. Concurrent voters queue on the row lock,
    # and each sees the row as the one before left it: exactly one of them claims.
    count = (
        f"UPDATE {conv} SET votes_since_report = votes_since_report + 1, "  # noqa: S608
        "recompute_requested_at = CASE "
        "WHEN (recompute_requested_at IS NULL OR recompute_requested_at < %s) AND ("
        "(votes_since_report + 1 >= %s AND votes_since_report + 1 >= %s * COALESCE("
        f"(SELECT r.votes_seen FROM {report} r WHERE r.conversation_id = {conv}.id), 0) "
        f"AND COALESCE((SELECT r.computed_at FROM {report} r WHERE r.conversation_id = {conv}.id), "
        "%s) <= %s) "
        f"OR COALESCE((SELECT r.computed_at FROM {report} r WHERE r.conversation_id = {conv}.id), "
        f"{conv}.created_at) <= %s) "
        "THEN %s ELSE recompute_requested_at END "
        f"WHERE {conv}.id = %s"
    )
    return upsert, count


VOTE_UPSERT_SQL, VOTE_COUNT_SQL = _vote_sql()
# Inside an outer transaction both run as one statement: the UPDATE runs only when the upsert wrote a
# row, and RETURNING says whether this vote claimed the recompute.
VOTE_SQL_POSTGRESQL = (
    f"WITH cast_vote AS ({VOTE_UPSERT_SQL} RETURNING 1) {VOTE_COUNT_SQL} "  # noqa: S608
    "AND EXISTS (SELECT 1 FROM cast_vote) RETURNING recompute_requested_at = %s"
)
# Otherwise (a request) the count is a statement of its own that does not wait for the disk. Every vote
# updates the conversation's one row, and a row lock is held until the commit is on disk: in the vote's
# transaction, voters queued one disk flush each (pgbench here, 4 clients: 425 transactions/s with the
# hot row, 1,007 with the count apart). set_config(..., true) makes only this statement's own commit
# asynchronous. The vote itself still commits durably; a crash can only lose a few counts, which steer
# when the next recompute runs and nothing else.
# The upsert also answers, in the same round trip, which statements the participant has now answered
# (for the next card): the CTE's own row, as the rest of the query sees the table as it was before.
VOTE_UPSERT_SQL_POSTGRESQL = (
    f"WITH cast_vote AS ({VOTE_UPSERT_SQL} RETURNING statement_id) "  # noqa: S608
    "SELECT true, statement_id FROM cast_vote UNION ALL "
    f"SELECT false, statement_id FROM {Vote._meta.db_table} WHERE participant_id = %s"
)
VOTE_COUNT_SQL_POSTGRESQL = (
    VOTE_COUNT_SQL + " AND set_config('synchronous_commit', 'off', true) IS NOT NULL "
    "RETURNING recompute_requested_at = %s"
)


def do_vote(
    conversation: Conversation, participant: Participant, statement_tid: int, value: int, *, user=None
):
    """Records (or replaces) the participant's answer to a statement: +1 agree, -1 disagree, 0 pass.

    Returns the ids of the statements the participant has now answered when that came for free (the
    PostgreSQL path of a request), else None."""
    if value not in (-1, 0, 1):
        raise ValidationError(_("Answer agree, disagree or pass."))
    if participant.conversation_id != conversation.pk:
        raise ValidationError(_("Take part in the conversation first."))
    if participant.user_id is not None and (user is None or user.pk != participant.user_id):
        raise ValidationError(_("Take part in the conversation first."))
    if not conversation.is_open():
        raise ValidationError(_("This conversation is closed."))
    if participation_refusal(user, conversation) is not None:
        raise ValidationError(_("You cannot take part in this conversation."))
    ratelimit.check(f"vote:{participant.pk}", *VOTE_LIMIT)
    now = timezone.now()
    connection = transaction.get_connection()
    at = connection.ops.adapt_datetimefield_value(now)
    upsert = [at, at, conversation.city_id, conversation.pk, participant.pk, value]
    upsert += [conversation.pk, statement_tid, StatementStatus.ACCEPTED]
    count = [
        connection.ops.adapt_datetimefield_value(now - RECOMPUTE_CLAIM_EXPIRES),
        RECOMPUTE_MIN_NEW_VOTES,
        RECOMPUTE_SHARE,
        connection.ops.adapt_datetimefield_value(NO_REPORT_YET),
        connection.ops.adapt_datetimefield_value(now - RECOMPUTE_MIN_INTERVAL),
        connection.ops.adapt_datetimefield_value(now - RECOMPUTE_AFTER),
        at,
        conversation.pk,
    ]
    claimed = False
    answered: set[int] | None = None
    with prepared_cursor(connection) as cursor:
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # autocommit: durable on its own
            cursor.execute(VOTE_UPSERT_SQL_POSTGRESQL, [*upsert, participant.pk])
            rows = cursor.fetchall()
            stored = any(cast for cast, _sid in rows)
            answered = {sid for _cast, sid in rows}
            if stored:  # autocommit too, without waiting for the disk
                cursor.execute(VOTE_COUNT_SQL_POSTGRESQL, [*count, at])
                claimed = bool(cursor.fetchone()[0])
        elif connection.vendor == "postgresql":
            cursor.execute(VOTE_SQL_POSTGRESQL, [*upsert, *count, at])
            row = cursor.fetchone()
            stored, claimed = row is not None, bool(row and row[0])
        else:
            with transaction.atomic():
                cursor.execute(VOTE_UPSERT_SQL, upsert)
                stored = cursor.rowcount == 1
                if stored:
                    cursor.execute(VOTE_COUNT_SQL + " RETURNING recompute_requested_at = %s", [*count, at])
                    claimed = bool(cursor.fetchone()[0])
    if not stored:
        raise ValidationError(_("This statement is not open for votes."))
    if claimed:
        from .tasks import recompute_report

        conversation_id = conversation.pk
        transaction.on_commit(lambda: recompute_report.enqueue(conversation_id))
    return answered


def request_recompute(conversation: Conversation, now=None) -> bool:
    """Claims the next recompute for this caller: True for exactly one of many concurrent callers."""
    now = now or timezone.now()
    claimed = (
        Conversation.objects.filter(pk=conversation.pk)
        .filter(
            Q(recompute_requested_at__isnull=True)
            | Q(recompute_requested_at__lt=now - RECOMPUTE_CLAIM_EXPIRES)
        )
        .update(recompute_requested_at=now)
    )
    return claimed == 1


def conversation_votes(conversation: Conversation) -> tuple[Votes, list[int], list[int]]:
    """The votes as arrays (pid, tid, value), with the rejected and the meta statement ids."""
    rows = list(
        Vote.objects.filter(conversation=conversation).values_list(
            "participant__pid", "statement__tid", "value"
        )
    )
    if rows:
        data = np.asarray(rows, dtype=np.int64)
        votes = Votes(data[:, 0].copy(), data[:, 1].copy(), data[:, 2].astype(np.int8))
    else:
        votes = Votes.from_lists([], [], [])
    flags = Statement.objects.filter(conversation=conversation).values_list("tid", "status", "is_meta")
    # As in Pol.is, statements not yet moderated stay in; only rejected and meta ones are left out.
    rejected = [tid for tid, status, _meta in flags if status == StatementStatus.REJECTED]
    meta = [tid for tid, _status, is_meta in flags if is_meta]
    return votes, rejected, meta


def participation_by_day(conversation: Conversation) -> list[dict]:
    tz = zoneinfo.ZoneInfo(conversation.city.time_zone)
    votes = (
        Vote.objects.filter(conversation=conversation)
        .annotate(day=TruncDate("created_at", tzinfo=tz))
        .values("day")
        .annotate(n=Count("id"))
        .order_by("day")
    )
    joined = dict(
        Participant.objects.filter(conversation=conversation)
        .annotate(day=TruncDate("created_at", tzinfo=tz))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    return [
        {"day": row["day"].isoformat(), "votes": row["n"], "participants": joined.get(row["day"], 0)}
        for row in votes
    ]


def do_recompute_report(conversation: Conversation) -> OpinionReport:
    """Recomputes and stores the map. No audit event: it changes no one's data, and it runs often."""
    started = timezone.now()
    since = Conversation.objects.values_list("votes_since_report", flat=True).get(pk=conversation.pk)
    votes, rejected, meta = conversation_votes(conversation)
    result = build_report(votes, rejected, meta)
    result["participation"] = participation_by_day(conversation)
    with transaction.atomic():
        report, _created = OpinionReport.objects.update_or_create(
            conversation=conversation,
            defaults={
                "city": conversation.city,
                "computed_at": started,
                "votes_seen": len(votes.values),
                "participants_seen": len(set(votes.participant_ids.tolist())),
                "seconds": result["seconds"],
                "result": result,
            },
        )
        # Votes cast during the computation stay counted for the next round.
        Conversation.objects.filter(pk=conversation.pk).update(
            votes_since_report=F("votes_since_report") - since, recompute_requested_at=None
        )
    return report


def anonymise_participation_of(user) -> None:
    """Erasure: statements and votes stay (so counts and the map stay right) under the participant's
    number, with no link left to the person. Called by accounts.actions.do_erase_account."""
    Statement.objects.filter(author=user).update(author=None)
    joined = Participant.objects.filter(user=user)
    selectors.forget(
        *(
            selectors.participant_cache_key(conversation_id, user_id=user.pk)
            for conversation_id in joined.values_list("conversation_id", flat=True)
        )
    )
    joined.update(user=None)


@dataclass(frozen=True)
class ImportedStatement:
    tid: int
    text: str
    author_pid: int | None
    moderated: int  # Pol.is: 1 accepted, 0 not yet moderated, -1 rejected
    is_meta: bool = False
    created_at: datetime | None = None


@dataclass(frozen=True)
class ImportedVote:
    pid: int
    tid: int
    value: int
    at: datetime | None = None


MODERATED_STATUS = {1: StatementStatus.ACCEPTED, 0: StatementStatus.PENDING, -1: StatementStatus.REJECTED}


def load_statements_and_votes(
    conversation: Conversation, statements: list[ImportedStatement], votes: list[ImportedVote]
) -> None:
    """Bulk-writes statements, participants and votes with their own tids and pids (import and demo).
    Call inside a transaction; the caller has validated the data."""
    city = conversation.city
    pids = sorted({v.pid for v in votes} | {s.author_pid for s in statements if s.author_pid is not None})
    Participant.objects.bulk_create(
        [Participant(city=city, conversation=conversation, pid=pid) for pid in pids], batch_size=2000
    )
    participant_id = dict(Participant.objects.filter(conversation=conversation).values_list("pid", "pk"))
    Statement.objects.bulk_create(
        [
            Statement(
                city=city,
                conversation=conversation,
                tid=s.tid,
                text=s.text,
                participant_id=participant_id.get(s.author_pid) if s.author_pid is not None else None,
                is_seed=s.author_pid is None,
                status=MODERATED_STATUS[s.moderated],
                is_meta=s.is_meta,
            )
            for s in statements
        ],
        batch_size=2000,
    )
    selectors.forget_conversation(conversation)  # bulk_create sends no signals
    statement_id = dict(Statement.objects.filter(conversation=conversation).values_list("tid", "pk"))
    Vote.objects.bulk_create(
        [
            Vote(
                city=city,
                conversation=conversation,
                participant_id=participant_id[v.pid],
                statement_id=statement_id[v.tid],
                value=v.value,
            )
            for v in votes
        ],
        batch_size=5000,
    )
    # auto_now_add stamps rows with today; put back the times the file gives (participation over time).
    dated = [v for v in votes if v.at is not None]
    if dated:
        _restamp_votes(conversation, participant_id, statement_id, dated)
    first_seen: dict[int, datetime] = {}
    for v in dated:
        if v.pid not in first_seen or v.at < first_seen[v.pid]:
            first_seen[v.pid] = v.at
    if first_seen:
        rows = list(Participant.objects.filter(conversation=conversation, pid__in=list(first_seen)))
        for p in rows:
            p.created_at = first_seen[p.pid]
        Participant.objects.bulk_update(rows, ["created_at"], batch_size=2000)
    Conversation.objects.filter(pk=conversation.pk).update(
        next_pid=Greatest(F("next_pid"), (max(pids) + 1) if pids else 0),
        next_tid=Greatest(F("next_tid"), (max(s.tid for s in statements) + 1) if statements else 0),
        votes_since_report=F("votes_since_report") + len(votes),
    )


def _restamp_votes(conversation, participant_id, statement_id, dated: list[ImportedVote]) -> None:
    at = {(participant_id[v.pid], statement_id[v.tid]): v.at for v in dated}
    rows = list(Vote.objects.filter(conversation=conversation).only("pk", "participant_id", "statement_id"))
    for row in rows:
        stamp = at.get((row.participant_id, row.statement_id))
        if stamp is not None:
            row.created_at = row.updated_at = stamp
    Vote.objects.bulk_update(rows, ["created_at", "updated_at"], batch_size=2000)


@transaction.atomic
def do_import_conversation(
    city,
    actor,
    *,
    topic: str,
    slug: str,
    description: str = "",
    statements: list[ImportedStatement],
    votes: list[ImportedVote],
    participation: str = "residents",
    moderation: str = Moderation.POST,
) -> Conversation:
    """A new, unpublished conversation from a Pol.is export: all of it, or nothing."""
    tids = [s.tid for s in statements]
    if len(set(tids)) != len(tids):
        raise ValidationError(_("comments.csv lists a comment-id twice."))
    errors = []
    for s in statements:
        if not s.text.strip():
            errors.append(_("Comment %(tid)d has no text.") % {"tid": s.tid})
        elif len(s.text) > STATEMENT_MAX_LENGTH:
            errors.append(
                _("Comment %(tid)d is longer than %(n)d characters.")
                % {"tid": s.tid, "n": STATEMENT_MAX_LENGTH}
            )
        if s.moderated not in MODERATED_STATUS:
            errors.append(_("Comment %(tid)d has an unknown moderation value.") % {"tid": s.tid})
    known = set(tids)
    unknown = sorted({v.tid for v in votes} - known)
    if unknown:
        errors.append(
            _("votes refer to comments that comments.csv does not list: %(ids)s")
            % {"ids": ", ".join(map(str, unknown[:10]))}
        )
    if any(v.value not in (-1, 0, 1) for v in votes):
        errors.append(_("A vote is not -1, 0 or 1."))
    if len({(v.pid, v.tid) for v in votes}) != len(votes):
        errors.append(_("A participant has two votes on one comment; keep the latest only."))
    if errors:
        raise ValidationError(errors[:20])
    conversation = do_create_conversation(
        city,
        actor,
        topic=topic,
        slug=slug,
        description=description,
        participation=participation,
        moderation=moderation,
        published=False,
    )
    load_statements_and_votes(conversation, statements, votes)
    audit.record(
        "conversation.imported",
        actor=actor,
        city=city,
        target=conversation,
        statements=len(statements),
        votes=len(votes),
    )
    return conversation
