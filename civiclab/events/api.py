"""Open data for meetings: public facts, places, accessibility, the proposals that came out of them and
published attendance (suppressed).

The online address and who registered are never here."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from civiclab.cities.models import City
from civiclab.opendata.schemas import ErrorSchema

from .selectors import city_meetings, published_attendance, url_of, with_public_proposal_ids

router = Router(tags=["meetings"])


class AccessibilitySchema(Schema):
    step_free: bool
    hearing_loop: bool
    sign_language: bool
    childcare: bool
    languages: list[str]
    notes: str


class OutcomeSchema(Schema):
    title: str
    url: str


class MeetingSchema(Schema):
    id: int
    title: str
    process: str
    format: str = Field(description="in_person, online or hybrid")
    living_lab: bool
    starts_at: datetime
    ends_at: datetime
    address: str
    latitude: float | None
    longitude: float | None
    accessibility: AccessibilitySchema
    capacity: int | None = Field(description="null: no registration needed")
    registered: int
    waiting: int
    url: str
    proposals: list[int] = Field(
        description="ids of the proposals that came out of the meeting (see /cities/{city}/proposals/{id}); "
        "hidden ones and those of unpublished processes are left out"
    )

    @staticmethod
    def resolve_process(meeting) -> str:
        return meeting.component.phase.process.slug

    @staticmethod
    def resolve_latitude(meeting) -> float | None:
        return float(meeting.latitude) if meeting.latitude is not None else None

    @staticmethod
    def resolve_longitude(meeting) -> float | None:
        return float(meeting.longitude) if meeting.longitude is not None else None

    @staticmethod
    def resolve_accessibility(meeting) -> dict:
        return {
            "step_free": meeting.step_free,
            "hearing_loop": meeting.hearing_loop,
            "sign_language": meeting.sign_language,
            "childcare": meeting.childcare,
            "languages": meeting.languages,
            "notes": meeting.access_notes,
        }

    @staticmethod
    def resolve_url(meeting) -> str:
        return url_of(meeting)

    @staticmethod
    def resolve_proposals(meeting) -> list[int]:
        return [link.proposal_id for link in meeting.public_links]


class GroupSchema(Schema):
    name: str
    counts: dict[str, int | None] = Field(description="null: fewer than 10 people, or hidden with one")


class MeetingDetailSchema(MeetingSchema):
    description: str = Field(description="Markdown")
    minutes: str = Field(description="Markdown")
    outcomes: list[OutcomeSchema] = Field(description="other outcomes that are not proposals, as links")
    attendance: int | None = Field(description="null when not counted or fewer than 10")
    attendance_groups: list[GroupSchema]


def _page():
    from civiclab.opendata.api import Page

    return Page


@router.get(
    "/cities/{city}/meetings",
    response={200: list[MeetingSchema], 404: ErrorSchema},
    summary="Published meetings and living-lab sessions of a city, by start time",
)
@paginate(_page())
def list_meetings(request, city: str):
    the_city = get_object_or_404(City, slug=city)
    return with_public_proposal_ids(city_meetings(the_city), the_city)


@router.get(
    "/cities/{city}/meetings/{meeting_id}",
    response={200: MeetingDetailSchema, 404: ErrorSchema},
    summary="One meeting, with its minutes, outcomes and published attendance",
)
def get_meeting(request, city: str, meeting_id: int):
    the_city = get_object_or_404(City, slug=city)
    meeting = get_object_or_404(with_public_proposal_ids(city_meetings(the_city), the_city), pk=meeting_id)
    attendance = published_attendance(meeting)
    meeting.attendance_groups = [  # type: ignore[attr-defined]
        {
            "name": g["name"],
            "counts": dict(
                zip(meeting.attendance_demographics[g["name"]], (n for _l, n in g["rows"]), strict=True)
            ),
        }
        for g in attendance["groups"]
    ]
    meeting.attendance = attendance["total"]
    return meeting
