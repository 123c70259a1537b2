"""A conversation in the Pol.is open-data format: comments.csv, votes.csv, participants-votes.csv,
summary.csv. Participants appear by their `pid` only, as in Pol.is's own exports."""

import io
import zipfile

from django.db.models import Count, Q
from django.urls import reverse

from . import polis_format
from .models import Participant, Statement, StatementStatus, Vote

EXPORT_FILES = ("comments.csv", "votes.csv", "participants-votes.csv", "summary.csv")
MODERATED = {StatementStatus.ACCEPTED: 1, StatementStatus.PENDING: 0, StatementStatus.REJECTED: -1}


def _ms(moment) -> int:
    return int(moment.timestamp() * 1000)


def _comments(conversation, public: bool) -> list[polis_format.CommentRecord]:
    statements = Statement.objects.filter(conversation=conversation).select_related("participant")
    if public:
        # Pending statements are not public yet; rejected ones are listed as Pol.is does (moderated -1).
        statements = statements.exclude(status=StatementStatus.PENDING)
    statements = statements.annotate(
        n_agree=Count("votes", filter=Q(votes__value=1)), n_disagree=Count("votes", filter=Q(votes__value=-1))
    ).order_by("tid")
    return [
        polis_format.CommentRecord(
            tid=s.tid,
            author_pid=s.participant.pid if s.participant else None,
            agrees=s.n_agree,
            disagrees=s.n_disagree,
            moderated=MODERATED[s.status],
            text=s.text,
            timestamp_ms=_ms(s.created_at),
            is_meta=s.is_meta,
        )
        for s in statements
    ]


def _votes(conversation, tids: set[int]) -> list[polis_format.VoteRecord]:
    rows = (
        Vote.objects.filter(conversation=conversation)
        .values_list("updated_at", "statement__tid", "participant__pid", "value")
        .order_by("updated_at", "id")
    )
    return [polis_format.VoteRecord(_ms(at), tid, pid, value) for at, tid, pid, value in rows if tid in tids]


def export_files(conversation, public: bool = True) -> dict[str, str]:
    """The four CSV files as text. `public` leaves out statements still waiting for moderation."""
    comments = _comments(conversation, public)
    tids = {c.tid for c in comments}
    votes = _votes(conversation, tids)
    report = getattr(conversation, "report", None) if hasattr(conversation, "report") else None
    groups = {
        int(pid): g for pid, (g, _x, _y) in (report.result.get("participants", {}) if report else {}).items()
    }
    groups = {pid: g for pid, g in groups.items() if g >= 0}
    comments_by: dict[int, int] = {}
    for c in comments:
        if c.author_pid is not None:
            comments_by[c.author_pid] = comments_by.get(c.author_pid, 0) + 1
    out = {}
    buffer = io.StringIO()
    polis_format.write_comments_csv(comments, buffer)
    out["comments.csv"] = buffer.getvalue()
    buffer = io.StringIO()
    polis_format.write_votes_csv(votes, buffer)
    out["votes.csv"] = buffer.getvalue()
    buffer = io.StringIO()
    polis_format.write_participants_votes_csv(votes, sorted(tids), groups, comments_by, buffer)
    out["participants-votes.csv"] = buffer.getvalue()
    buffer = io.StringIO()
    voters = {v.pid for v in votes}
    polis_format.write_summary_csv(
        [
            ("topic", conversation.topic),
            ("url", reverse("deliberation:detail", args=[conversation.city.slug, conversation.slug])),
            ("voters", len(voters)),
            ("voters-in-conv", len(groups)),
            ("commenters", len(comments_by)),
            ("comments", len(comments)),
            ("groups", report.result.get("k", 0) if report else 0),
            ("participants", Participant.objects.filter(conversation=conversation).count()),
            ("conversation-description", conversation.description),
        ],
        buffer,
    )
    out["summary.csv"] = buffer.getvalue()
    return out


def export_zip(conversation, public: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in export_files(conversation, public).items():
            archive.writestr(f"{conversation.slug}/{name}", text)
    return buffer.getvalue()
