"""Open data of proposals, debates and comments: what the public pages show, nothing more. Hidden content
and anything of an unpublished process or a switched-off component is left out; people appear only by
their public display name.

Mounted by `civiclab/opendata/api.py` (at its end, after `Page`), so import that module, not this one.
"""

from datetime import datetime
from decimal import Decimal

from django.db.models import Q
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from civiclab.cities.models import City
from civiclab.opendata.api import Page

from .models import Argument, Comment, Debate, Proposal

router = Router(tags=["proposals"])

PUBLIC = {"component__enabled": True, "component__phase__process__published": True, "hidden_at__isnull": True}


def _name(user) -> str | None:
    return user.public_name if user is not None else None


class AnswerSchema(Schema):
    state: str = Field(description="evaluating, accepted, rejected or merged")
    reason: str
    answered_at: datetime | None
    merged_into: int | None


class ProposalSchema(Schema):
    id: int
    process: str = Field(description="slug of the process")
    component: int
    title: str
    body: str = Field(description="Markdown")
    category: str
    district: str
    latitude: Decimal | None
    longitude: Decimal | None
    author: str | None = Field(description="public display name; null when recorded by the city or erased")
    channel: str = Field(description="online, in_person, phone or paper")
    supports: int
    comments: int
    answer: AnswerSchema | None
    withdrawn_at: datetime | None = Field(description="when its author withdrew it; null if not withdrawn")
    created_at: datetime

    @staticmethod
    def resolve_process(p) -> str:
        return p.component.phase.process.slug

    @staticmethod
    def resolve_component(p) -> int:
        return p.component_id

    @staticmethod
    def resolve_author(p) -> str | None:
        return _name(p.author)

    @staticmethod
    def resolve_supports(p) -> int:
        return p.supports_count

    @staticmethod
    def resolve_comments(p) -> int:
        return p.comments_count

    @staticmethod
    def resolve_answer(p) -> dict | None:
        if not p.answer_state:
            return None
        return {
            "state": p.answer_state,
            "reason": p.answer_reason,
            "answered_at": p.answered_at,
            "merged_into": p.merged_into_id,
        }


class ArgumentSchema(Schema):
    id: int
    side: str = Field(description="pro or con")
    text: str
    author: str | None
    comments: int
    created_at: datetime

    @staticmethod
    def resolve_author(a) -> str | None:
        return _name(a.author)

    @staticmethod
    def resolve_comments(a) -> int:
        return a.comments_count


class DebateSchema(Schema):
    id: int
    process: str
    component: int
    title: str
    description: str
    closed_at: datetime | None
    conclusion: str
    created_at: datetime

    @staticmethod
    def resolve_process(d) -> str:
        return d.component.phase.process.slug

    @staticmethod
    def resolve_component(d) -> int:
        return d.component_id


class DebateDetailSchema(DebateSchema):
    arguments: list[ArgumentSchema]

    @staticmethod
    def resolve_arguments(d) -> list:
        return list(d.arguments.filter(hidden_at__isnull=True).select_related("author"))


class CommentSchema(Schema):
    id: int
    proposal: int | None
    argument: int | None
    parent: int | None
    body: str
    author: str | None
    agree: int
    disagree: int
    edited_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_proposal(c) -> int | None:
        return c.proposal_id

    @staticmethod
    def resolve_argument(c) -> int | None:
        return c.argument_id

    @staticmethod
    def resolve_parent(c) -> int | None:
        return c.parent_id

    @staticmethod
    def resolve_body(c) -> str:
        # Deleted by its author or erased with their account: the text is gone either way.
        return "deleted" if c.is_removed else c.body

    @staticmethod
    def resolve_author(c) -> str | None:
        return None if c.is_removed else _name(c.author)

    @staticmethod
    def resolve_agree(c) -> int:
        return c.agree_count

    @staticmethod
    def resolve_disagree(c) -> int:
        return c.disagree_count


class ErrorSchema(Schema):
    detail: str | list


def _proposals(city: str):
    the_city = get_object_or_404(City, slug=city)
    return (
        Proposal.objects.filter(city=the_city, **PUBLIC)
        .select_related("author", "component__phase__process")
        .order_by("-created_at", "-pk")
    )


def _debates(city: str):
    the_city = get_object_or_404(City, slug=city)
    return (
        Debate.objects.filter(city=the_city, **PUBLIC)
        .select_related("component__phase__process")
        .order_by("-created_at", "-pk")
    )


@router.get(
    "/cities/{city}/proposals",
    response={200: list[ProposalSchema], 404: ErrorSchema},
    summary="Proposals of a city's published processes",
)
@paginate(Page)
def list_proposals(request, city: str, component: int | None = None):
    qs = _proposals(city)
    return qs.filter(component_id=component) if component else qs


@router.get(
    "/cities/{city}/proposals/{proposal_id}",
    response={200: ProposalSchema, 404: ErrorSchema},
    summary="One proposal",
)
def get_proposal(request, city: str, proposal_id: int):
    return get_object_or_404(_proposals(city), pk=proposal_id)


@router.get(
    "/cities/{city}/debates",
    response={200: list[DebateSchema], 404: ErrorSchema},
    summary="Debates of a city's published processes",
)
@paginate(Page)
def list_debates(request, city: str):
    return _debates(city)


@router.get(
    "/cities/{city}/debates/{debate_id}",
    response={200: DebateDetailSchema, 404: ErrorSchema},
    summary="One debate with its arguments",
)
def get_debate(request, city: str, debate_id: int):
    return get_object_or_404(_debates(city), pk=debate_id)


@router.get(
    "/cities/{city}/comments",
    response={200: list[CommentSchema], 404: ErrorSchema},
    summary="Comments on public proposals and debate arguments, oldest first",
)
@paginate(Page)
def list_comments(request, city: str, proposal: int | None = None, argument: int | None = None):
    the_city = get_object_or_404(City, slug=city)
    visible_proposals = Proposal.objects.filter(city=the_city, **PUBLIC)
    visible_arguments = Argument.objects.filter(
        city=the_city,
        hidden_at__isnull=True,
        debate__hidden_at__isnull=True,
        debate__component__enabled=True,
        debate__component__phase__process__published=True,
    )
    qs = Comment.objects.filter(city=the_city, hidden_at__isnull=True).filter(
        Q(proposal__in=visible_proposals) | Q(argument__in=visible_arguments)
    )
    if proposal:
        qs = qs.filter(proposal_id=proposal)
    if argument:
        qs = qs.filter(argument_id=argument)
    return qs.select_related("author").order_by("created_at", "pk")
