import hashlib
import re
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, Max, Prefetch, Q
from django.db.models.functions import Mod
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from civiclab.core import markdown
from civiclab.processes.models import Component, ComponentKind
from civiclab.processes.selectors import get_component_for

from .actions import MAX_COMMENT_DEPTH, settings_of
from .models import (
    Amendment,
    Appeal,
    Argument,
    Block,
    Channel,
    CoAuthorship,
    Comment,
    CommentRevision,
    CommentVote,
    Debate,
    Endorsement,
    Proposal,
    Report,
    Support,
    TargetKind,
)


def recorded_supports(proposal):
    """The supports staff typed in for this proposal (paper, phone, in person), newest first."""
    return (
        Support.objects.filter(proposal=proposal)
        .exclude(channel=Channel.ONLINE)
        .select_related("user", "recorded_by")
        .order_by("-created_at", "-pk")
    )


def get_recorded_support(proposal, support_id: int):
    return get_object_or_404(recorded_supports(proposal), pk=support_id)


SORTS = ("recent", "supported", "commented", "random")
WITHDRAWN = "withdrawn"  # the list's state filter that shows withdrawn proposals (and only them)


def fragment_key(*parts, language: str | None = None) -> str:
    """The shared-cache key of a rendered fragment (list cards, an anonymous comment thread)."""
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f"civiclab:proposals:{digest}:{language or get_language()}"


def forget_threads(proposals: Iterable[tuple[int, datetime]]) -> None:
    """Drops the cached anonymous comment threads of these (pk, updated_at) proposals in every language.
    Touching a proposal already stops them being served; this takes a removed text out of the shared
    cache at once instead of when it expires."""
    keys = [
        fragment_key("thread", pk, at.isoformat(), language=code)
        for pk, at in proposals
        for code, _name in settings.LANGUAGES
    ]
    if keys:
        cache.delete_many(keys)


def proposals_component(request, city, process_slug: str, component_id: int) -> Component:
    component = get_component_for(request, city, process_slug, component_id, ComponentKind.PROPOSALS)
    component.phase.process.city = city
    return component


def debates_component(request, city, process_slug: str, component_id: int) -> Component:
    component = get_component_for(request, city, process_slug, component_id, ComponentKind.DEBATES)
    component.phase.process.city = city
    return component


def _may_moderate(request, city) -> bool:
    return request.user.has_perm("proposals.moderate", city)


def get_proposal_for(request, city, component: Component, proposal_id: int) -> Proposal:
    """A proposal of this component: 404 for another's, and for a hidden one unless moderator or author."""
    proposal = get_object_or_404(
        Proposal.objects.filter(component=component).select_related("author", "merged_into"), pk=proposal_id
    )
    proposal.component = component
    proposal.city = city
    if proposal.is_hidden and not (
        (request.user.is_authenticated and proposal.author_id == request.user.pk)
        or _may_moderate(request, city)
    ):
        raise Http404
    return proposal


def get_debate_for(request, city, component: Component, debate_id: int) -> Debate:
    debate = get_object_or_404(Debate.objects.filter(component=component), pk=debate_id)
    debate.component = component
    debate.city = city
    if debate.is_hidden and not _may_moderate(request, city):
        raise Http404
    return debate


def public_proposals(city):
    """Proposals of published processes and switched-on components, not hidden."""
    return Proposal.objects.filter(
        city=city,
        hidden_at__isnull=True,
        component__enabled=True,
        component__phase__process__published=True,
    )


def search(qs, text: str):
    """Full-text search: PostgreSQL's own on PostgreSQL, the FTS5 index (kept by the actions) on SQLite."""
    text = " ".join(text.split())[:200]
    if not text:
        return qs
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        vector = SearchVector("title", weight="A", config="simple") + SearchVector(
            "body", weight="B", config="simple"
        )
        # Every word as a prefix (as on SQLite); only word characters reach the query.
        words = re.findall(r"\w+", text)
        if not words:
            return qs.none()
        query = SearchQuery(" & ".join(f"{w}:*" for w in words), search_type="raw", config="simple")
        return qs.annotate(search=vector).filter(search=query)
    if connection.vendor == "sqlite":
        # Every word quoted (so no FTS5 syntax gets through) and matched as a prefix.
        terms = " ".join('"{}"*'.format(word.replace('"', '""')) for word in text.split())
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid FROM proposals_proposal_fts WHERE proposals_proposal_fts MATCH %s", [terms]
            )
            ids = [row[0] for row in cursor.fetchall()]
        return qs.filter(pk__in=ids)
    return qs.filter(Q(title__icontains=text) | Q(body__icontains=text))


def proposals_of(
    component: Component,
    *,
    user=None,
    category: str = "",
    district: str = "",
    state: str = "",
    mine: bool = False,
    q: str = "",
    sort: str = "recent",
    seed: int = 0,
):
    qs = Proposal.objects.filter(component=component, hidden_at__isnull=True).select_related("author")
    if category:
        qs = qs.filter(category=category)
    if district:
        qs = qs.filter(district=district)
    # As in Decidim, withdrawn proposals leave every list but their own.
    qs = qs.filter(withdrawn_at__isnull=state != WITHDRAWN)
    if state == "unanswered":
        qs = qs.filter(answer_state="")
    elif state and state != WITHDRAWN:
        qs = qs.filter(answer_state=state)
    if mine and user is not None and user.is_authenticated:
        qs = qs.filter(
            Q(author=user) | Q(coauthors__user=user, coauthors__accepted_at__isnull=False)
        ).distinct()
    if q:
        qs = search(qs, q)
    if sort == "supported":
        return qs.order_by("-supports_count", "-created_at", "-id")
    if sort == "commented":
        return qs.order_by("-comments_count", "-created_at", "-id")
    if sort == "random":
        # A shuffle that is the same for the same seed, so pages of a random order do not overlap.
        return qs.annotate(shuffle=Mod(F("id") * 2654435761 + seed, 4294967291)).order_by("shuffle", "id")
    return qs.order_by("-created_at", "-id")


EXTRAS_TTL = 60


def proposal_extras(proposal: Proposal) -> dict:
    """Co-authors, files, endorsements, amendments and earlier versions of a proposal: the same for every
    reader, kept in the shared cache under the proposal's updated_at (the actions that change them move
    it), so a proposal page reads them with no query most of the time."""
    key = f"civiclab:proposals:extras:{proposal.pk}:{proposal.updated_at.isoformat()}"
    extras = cache.get(key)
    if extras is None:
        extras = {
            "coauthors": list(proposal.coauthors.select_related("user")),
            "attachments": list(proposal.attachments.all()),
            "endorsements": list(proposal.endorsements.all()),
            "amendments": list(proposal.amendments.select_related("author")),
            "versions": list(proposal.versions.all()),
        }
        cache.set(key, extras, EXTRAS_TTL)
    return extras


def list_version(component) -> tuple:
    """Changes whenever a proposal of the component changes what a list shows (actions move updated_at)."""
    row = Proposal.objects.filter(component=component).aggregate(at=Max("updated_at"), n=Count("id"))
    return (row["at"].isoformat() if row["at"] else "", row["n"])


def must_answer(city):
    """Proposals at or over their component's support threshold that have no answer yet (and are not
    withdrawn: their authors took them back)."""
    out = []
    candidates = (
        Proposal.objects.filter(
            city=city,
            hidden_at__isnull=True,
            withdrawn_at__isnull=True,
            answer_state="",
            supports_count__gt=0,
        )
        .select_related("component__phase__process")
        .order_by("-supports_count", "created_at")
    )
    for p in candidates:
        threshold = settings_of(p.component).get("support_threshold") or 0
        if threshold and p.supports_count >= threshold:
            out.append(p)
    return out


def comment_thread(
    *, proposal: Proposal | None = None, argument: Argument | None = None, user=None
) -> list[Comment]:
    """Comments of a proposal or an argument in reading order (each reply under its parent), with
    `shown_depth` capped for display, earlier versions and the reader's own vote: three queries."""
    qs = Comment.objects.filter(proposal=proposal) if proposal else Comment.objects.filter(argument=argument)
    comments = list(
        qs.select_related("author").prefetch_related(
            Prefetch("revisions", queryset=CommentRevision.objects.order_by("created_at", "id"))
        )
    )
    mine = {}
    if user is not None and user.is_authenticated and comments:
        mine = dict(
            CommentVote.objects.filter(comment__in=[c.pk for c in comments], user=user).values_list(
                "comment_id", "value"
            )
        )
    render_bodies(comments)
    children: dict[int | None, list[Comment]] = {}
    for c in comments:
        c.my_vote = mine.get(c.pk, 0)
        c.shown_depth = min(c.depth, MAX_COMMENT_DEPTH)
        children.setdefault(c.parent_id, []).append(c)
    ordered: list[Comment] = []

    def walk(parent_id):
        for c in children.get(parent_id, []):
            ordered.append(c)
            walk(c.pk)

    walk(None)
    return ordered


BODY_TTL = 24 * 3600


def render_bodies(comments: list[Comment]) -> None:
    """Sets `c.html`: each comment's Markdown rendered and sanitised by core.markdown (as the `markdown`
    filter does), kept in the shared cache under the comment's updated_at, so a thread of 200 comments is
    not rendered 200 times for every signed-in reader."""
    keys = {c.pk: f"civiclab:proposals:comment-html:{c.pk}:{c.updated_at.isoformat()}" for c in comments}
    cached = cache.get_many(list(keys.values())) if keys else {}
    missing = {}
    for c in comments:
        html = cached.get(keys[c.pk])
        if html is None:
            html = markdown.render(c.body)
            missing[keys[c.pk]] = html
        c.html = mark_safe(html)  # sanitised by nh3 in core.markdown.render
    if missing:
        cache.set_many(missing, BODY_TTL)


def get_comment_for(city, comment_id: int) -> Comment:
    return get_object_or_404(
        Comment.objects.filter(city=city).select_related(
            "proposal__component__phase__process", "argument__debate__component__phase__process", "author"
        ),
        pk=comment_id,
    )


def get_target(city, kind: str, pk: int):
    if kind == TargetKind.PROPOSAL:
        qs = Proposal.objects.select_related("component__phase__process", "author")
    elif kind == TargetKind.COMMENT:
        qs = Comment.objects.select_related("author")
    elif kind == TargetKind.ARGUMENT:
        qs = Argument.objects.select_related("debate__component__phase__process", "author")
    else:
        raise Http404
    target = get_object_or_404(qs.filter(city=city), pk=pk)
    target.city = city
    return target


def moderation_queue(city) -> dict:
    """Hidden content, reported content still shown, and open appeals. A comment its author deleted has
    nothing left to look at (a hidden one cannot be deleted), so it leaves the queue."""
    items = []
    for kind, qs in (
        (TargetKind.PROPOSAL, Proposal.objects.all()),
        (TargetKind.ARGUMENT, Argument.objects.all()),
        (TargetKind.COMMENT, Comment.objects.filter(deleted_at__isnull=True)),
    ):
        for obj in (
            qs.filter(city=city)
            .filter(Q(reports_count__gt=0) | Q(hidden_at__isnull=False))
            .select_related("author")[:200]
        ):
            obj.kind = kind
            items.append(obj)
    appeals = {(a.kind, a.target_id): a for a in Appeal.objects.filter(city=city, decided_at__isnull=True)}
    for obj in items:
        obj.appeal = appeals.get((obj.kind, obj.pk))
    items.sort(key=lambda o: (o.appeal is None, o.hidden_at is None, -o.reports_count))
    return {"items": items, "appeals": len(appeals)}


def reports_of(city, kind: str, pk: int):
    return list(Report.objects.filter(city=city, kind=kind, target_id=pk))


# Access helpers for the notifications app's generic follow view.


def followable_proposal(request, city, pk):
    proposal = get_object_or_404(
        Proposal.objects.filter(
            city=city,
            hidden_at__isnull=True,
            component__enabled=True,
            component__phase__process__published=True,
        ),
        pk=pk,
    )
    return proposal


def followable_debate(request, city, pk):
    return get_object_or_404(
        Debate.objects.filter(
            city=city,
            hidden_at__isnull=True,
            component__enabled=True,
            component__phase__process__published=True,
        ),
        pk=pk,
    )


def personal_data_of(user) -> dict:
    """This app's part of a person's data export."""
    return {
        "proposals": [
            {
                "city": p.city.slug,
                "id": p.pk,
                "title": p.title,
                "body": p.body,
                "category": p.category,
                "district": p.district,
                "latitude": str(p.latitude) if p.latitude is not None else None,
                "longitude": str(p.longitude) if p.longitude is not None else None,
                "channel": p.channel,
                "submitted_at": p.created_at.isoformat(),
            }
            for p in Proposal.objects.filter(author=user).select_related("city")
        ],
        "proposals_answered": [
            {"proposal": p.pk, "state": p.answer_state, "reason": p.answer_reason}
            for p in Proposal.objects.filter(answered_by=user)
        ],
        "proposal_coauthorships": [
            {"proposal": c.proposal_id, "accepted_at": c.accepted_at.isoformat() if c.accepted_at else None}
            for c in CoAuthorship.objects.filter(user=user)
        ]
        + [
            {"proposal": c.proposal_id, "invited": c.organisation_name or "a person"}
            for c in CoAuthorship.objects.filter(invited_by=user)
        ],
        "proposal_supports": [
            {"proposal": s.proposal_id, "channel": s.channel, "at": s.created_at.isoformat()}
            for s in Support.objects.filter(user=user)
        ]
        + [
            {"proposal": s.proposal_id, "recorded_for_someone_at": s.created_at.isoformat()}
            for s in Support.objects.filter(recorded_by=user)
        ],
        "proposal_endorsements": [
            {"proposal": e.proposal_id, "organisation": e.organisation_name, "at": e.created_at.isoformat()}
            for e in Endorsement.objects.filter(user=user)
        ],
        "amendments": [
            {"proposal": a.proposal_id, "text": a.body, "explanation": a.explanation, "state": a.state}
            for a in Amendment.objects.filter(author=user)
        ],
        "debates_created": [{"id": d.pk, "question": d.title} for d in Debate.objects.filter(author=user)],
        "debate_arguments": [
            {"debate": a.debate_id, "side": a.side, "text": a.text, "at": a.created_at.isoformat()}
            for a in Argument.objects.filter(author=user)
        ],
        "comments": [
            {
                "id": c.pk,
                "proposal": c.proposal_id,
                "argument": c.argument_id,
                "text": c.body,
                "earlier_versions": [r.body for r in c.revisions.all()],
                "at": c.created_at.isoformat(),
            }
            for c in Comment.objects.filter(author=user).prefetch_related("revisions")
        ],
        "comment_votes": [
            {"comment": v.comment_id, "vote": v.value} for v in CommentVote.objects.filter(user=user)
        ],
        "reports": [
            {"kind": r.kind, "id": r.target_id, "reason": r.reason, "at": r.created_at.isoformat()}
            for r in Report.objects.filter(reporter=user)
        ],
        "appeals": [
            {"kind": a.kind, "id": a.target_id, "text": a.text} for a in Appeal.objects.filter(author=user)
        ],
        "posting_blocks": [
            {"city_id": b.city_id, "reason": b.reason, "at": b.created_at.isoformat()}
            for b in Block.objects.filter(user=user)
        ]
        + [{"blocked_someone_at": b.created_at.isoformat()} for b in Block.objects.filter(blocked_by=user)],
    }


def authors_of(proposal: Proposal) -> list:
    """The author and the co-authors who accepted: the people an answer or a delivery is told to."""
    people = [proposal.author] if proposal.author_id else []
    people += [
        c.user
        for c in CoAuthorship.objects.filter(
            proposal=proposal, user__isnull=False, accepted_at__isnull=False
        ).select_related("user")
    ]
    return people
