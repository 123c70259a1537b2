"""Open data of opinion mapping: published conversations, their accepted statements, the report and the
Pol.is-format exports. Participants appear only as Pol.is does, by a number per conversation (`pid`);
nothing links a vote or a statement to an account.

Mounted by `civiclab/opendata/api.py` (at its end, after `Page`), so import that module, not this one.
"""

from datetime import datetime
from typing import Literal

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from civiclab.cities.models import City
from civiclab.opendata.api import Page

from . import exports, selectors
from .models import Conversation, OpinionReport

router = Router(tags=["conversations"])


class ConversationSchema(Schema):
    slug: str
    topic: str
    description: str
    process: str | None = Field(description="slug of the process it belongs to, if any")
    participation: str = Field(description="residents, verified or link")
    moderation: str = Field(description="pre or post")
    closes_at: datetime | None
    is_open: bool
    url: str
    report_url: str
    created_at: datetime

    @staticmethod
    def resolve_process(conversation) -> str | None:
        return conversation.process.slug if conversation.process_id else None

    @staticmethod
    def resolve_is_open(conversation) -> bool:
        return conversation.is_open()

    @staticmethod
    def resolve_url(conversation) -> str:
        return reverse("deliberation:detail", args=[conversation.city.slug, conversation.slug])

    @staticmethod
    def resolve_report_url(conversation) -> str:
        return reverse("deliberation:report", args=[conversation.city.slug, conversation.slug])


class StatementSchema(Schema):
    tid: int = Field(description="the statement's number in this conversation (Pol.is comment-id)")
    text: str
    is_seed: bool
    is_meta: bool
    created_at: datetime


class RepStatementSchema(Schema):
    tid: int
    repful_for: str = Field(alias="repful-for", description="agree or disagree")
    n_success: int = Field(alias="n-success")
    n_trials: int = Field(alias="n-trials")
    p_success: float = Field(alias="p-success")
    repness: float


class ConsensusStatementSchema(Schema):
    tid: int
    n_success: int = Field(alias="n-success")
    n_trials: int = Field(alias="n-trials")
    p_success: float = Field(alias="p-success")


class ConsensusSchema(Schema):
    agree: list[ConsensusStatementSchema]
    disagree: list[ConsensusStatementSchema]


class GroupSchema(Schema):
    id: int
    size: int
    center: list[float] = Field(description="x, y on the map")
    repness: list[RepStatementSchema]


class ReportSchema(Schema):
    computed_at: datetime | None = Field(description="null until the first computation")
    votes_seen: int
    participants_seen: int
    k: int = Field(description="number of opinion groups")
    groups: list[GroupSchema]
    consensus: ConsensusSchema
    group_aware_consensus: list[dict] = Field(description="tid, agree and disagree (products over groups)")
    divisive: list[dict] = Field(description="tid, spread and each group's smoothed agreement")
    participants: dict[str, list[float]] = Field(description="pid -> [group (-1: not placed), x, y]")


class ErrorSchema(Schema):
    detail: str | list


def _conversation(city: str, slug: str) -> Conversation:
    the_city = get_object_or_404(City, slug=city)
    return get_object_or_404(selectors.public_conversations(the_city).select_related("process"), slug=slug)


@router.get(
    "/cities/{city}/conversations",
    response={200: list[ConversationSchema], 404: ErrorSchema},
    summary="Published opinion-mapping conversations of a city",
)
@paginate(Page)
def list_conversations(request, city: str):
    the_city = get_object_or_404(City, slug=city)
    return selectors.public_conversations(the_city).select_related("process").order_by("-created_at", "-pk")


@router.get(
    "/cities/{city}/conversations/{slug}",
    response={200: ConversationSchema, 404: ErrorSchema},
    summary="One published conversation",
)
def get_conversation(request, city: str, slug: str):
    return _conversation(city, slug)


@router.get(
    "/cities/{city}/conversations/{slug}/statements",
    response={200: list[StatementSchema], 404: ErrorSchema},
    summary="Accepted statements of a conversation",
)
@paginate(Page)
def list_statements(request, city: str, slug: str):
    return selectors.accepted_statements(_conversation(city, slug))


@router.get(
    "/cities/{city}/conversations/{slug}/report",
    response={200: ReportSchema, 404: ErrorSchema},
    summary="The latest opinion report: groups, representative statements, consensus",
)
def get_report(request, city: str, slug: str):
    conversation = _conversation(city, slug)
    report = OpinionReport.objects.filter(conversation=conversation).first()
    result = report.result if report else {}
    sizes, centers = result.get("group_sizes", []), result.get("centers", [])
    return {
        "computed_at": report.computed_at if report else None,
        "votes_seen": report.votes_seen if report else 0,
        "participants_seen": report.participants_seen if report else 0,
        "k": result.get("k", 0),
        "groups": [
            {
                "id": g,
                "size": sizes[g] if g < len(sizes) else 0,
                "center": centers[g] if g < len(centers) else [],
                "repness": result.get("repness", {}).get(str(g), []),
            }
            for g in range(result.get("k", 0))
        ],
        "consensus": result.get("consensus", {"agree": [], "disagree": []}),
        "group_aware_consensus": result.get("group_consensus", []),
        "divisive": result.get("divisive", []),
        "participants": result.get("participants", {}),
    }


CSV_RESPONSE = {
    "responses": {
        200: {
            "description": "The file, in the Pol.is open-data format",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    }
}


@router.get(
    "/cities/{city}/conversations/{slug}/export/{name}",
    response={404: ErrorSchema},
    summary="The conversation in the Pol.is open-data format, one CSV file at a time",
    openapi_extra=CSV_RESPONSE,
)
def conversation_export(
    request,
    city: str,
    slug: str,
    name: Literal["comments.csv", "votes.csv", "participants-votes.csv", "summary.csv"],
):
    conversation = _conversation(city, slug)
    response = HttpResponse(exports.export_files(conversation)[name], content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{conversation.slug}-{name}"'
    return response
