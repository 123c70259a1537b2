from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civiclab.processes.models import ComponentKind
from civiclab.processes.selectors import get_component_for
from civiclab.surveys.disclosure import safe_count, suppress

from .models import Meeting, MeetingProposal, Registration, Status


def _with_counts(qs):
    return qs.annotate(
        registered=Count("registrations", filter=Q(registrations__status=Status.REGISTERED)),
        waiting=Count("registrations", filter=Q(registrations__status=Status.WAITING)),
    )


def get_meetings_component_for(request, city, process_slug: str, component_id: int):
    return get_component_for(request, city, process_slug, component_id, ComponentKind.MEETINGS)


def get_meeting_by_pk_for(request, city, pk) -> Meeting:
    """A meeting of this city that the person may see (the follow button's access helper)."""
    meeting = get_object_or_404(
        Meeting.objects.for_city(city).select_related("component__phase__process"), pk=pk
    )
    component = meeting.component
    get_component_for(request, city, component.phase.process.slug, component.pk, ComponentKind.MEETINGS)
    return meeting


def meetings_of(component):
    return (
        _with_counts(Meeting.objects.filter(component=component))
        .select_related("component__phase__process", "city")
        .order_by("starts_at", "pk")
    )


def get_meeting_for(component, meeting_id: int) -> Meeting:
    meeting = get_object_or_404(_with_counts(Meeting.objects.filter(component=component)), pk=meeting_id)
    meeting.component = component
    return meeting


def city_meetings(city):
    """Every published meeting of the city (the calendar page, the iCalendar feed and the API)."""
    return (
        _with_counts(Meeting.objects.for_city(city).public())
        .select_related("component__phase__process", "city")
        .order_by("starts_at", "pk")
    )


def url_of(meeting: Meeting) -> str:
    component = meeting.component
    return reverse(
        "events:detail",
        kwargs={
            "city_slug": meeting.city.slug,
            "process_slug": component.phase.process.slug,
            "component_id": component.pk,
            "meeting_id": meeting.pk,
        },
    )


# --- Proposals that came out of meetings ---------------------------------------------------------

PROPOSAL_CHOICES = 50  # the report form lists this many recent proposals; older ones go by number


def proposal_choices(meeting: Meeting) -> list:
    """What the report form offers: the city's most recent proposals that are not hidden, and every
    proposal already linked (even older or hidden, so saving the form keeps it), newest first."""
    from civiclab.proposals.models import Proposal

    recent = Proposal.objects.filter(city_id=meeting.city_id, hidden_at__isnull=True).order_by(
        "-created_at", "-id"
    )
    ids = set(recent.values_list("pk", flat=True)[:PROPOSAL_CHOICES])
    ids |= set(meeting.proposal_links.values_list("proposal_id", flat=True))
    return list(
        Proposal.objects.filter(pk__in=ids)
        .select_related("component__phase__process")
        .order_by("-created_at", "-id")
    )


def proposals_from(meeting: Meeting) -> list:
    """The proposals that came out of the meeting that anyone may read (the proposals app's own rule:
    published process, switched-on component, not hidden), each with its `url`."""
    from civiclab.proposals.actions import proposal_url
    from civiclab.proposals.selectors import public_proposals

    proposals = list(
        public_proposals(meeting.city_id)
        .filter(meeting_links__meeting=meeting)
        .select_related("component__phase__process__city")
        .order_by("created_at", "pk")
    )
    for proposal in proposals:
        proposal.url = proposal_url(proposal)
    return proposals


def with_public_proposal_ids(meetings, city):
    """Meetings with `proposal_ids`: the ids of their proposals that anyone may read (API)."""
    from civiclab.proposals.selectors import public_proposals

    return meetings.prefetch_related(
        Prefetch(
            "proposal_links",
            queryset=MeetingProposal.objects.filter(proposal__in=public_proposals(city)).order_by(
                "proposal_id"
            ),
            to_attr="public_links",
        )
    )


def meetings_for_proposal(proposal) -> list[Meeting]:
    """Published meetings that the proposal came out of, by start time, each with its `url`."""
    meetings = list(
        Meeting.objects.for_city(proposal.city_id)
        .public()
        .filter(proposal_links__proposal=proposal)
        .select_related("city", "component__phase__process")
        .order_by("starts_at", "pk")
    )
    for meeting in meetings:
        meeting.url = url_of(meeting)
    return meetings


def registration_of(meeting: Meeting, user) -> Registration | None:
    if not user.is_authenticated:
        return None
    return Registration.objects.filter(meeting=meeting, user=user).exclude(status=Status.CANCELLED).first()


def waiting_place(registration: Registration) -> int:
    """1 for the first person on the waiting list."""
    ahead = Q(queued_at__lt=registration.queued_at) | Q(
        queued_at=registration.queued_at, pk__lt=registration.pk
    )
    return (
        Registration.objects.filter(ahead, meeting_id=registration.meeting_id, status=Status.WAITING).count()
        + 1
    )


def registrations_of(meeting: Meeting):
    return (
        Registration.objects.filter(meeting=meeting)
        .exclude(status=Status.CANCELLED)
        .select_related("user")
        .order_by("status", "queued_at", "pk")
    )


GROUP_LABELS = {
    "gender": lambda: _("Gender"),
    "age_band": lambda: _("Age band"),
    "migrant_background": lambda: _("Migrant background"),
    "disability": lambda: _("Disability"),
}


def published_attendance(meeting: Meeting) -> dict:
    """Attendance as published: the total when 10 or more, and each group with small cells suppressed
    (a group's counts are not a partition of the total: people who did not consent are not in them)."""
    from civiclab.surveys.selectors import demographic_labels

    labels = {
        name: dict(choices)
        for name, (_title, choices) in demographic_labels(_NoDistricts()).items()
        if name in GROUP_LABELS
    }
    groups = []
    for name, counts in (meeting.attendance_demographics or {}).items():
        shown = suppress(counts, partition_of=sum(counts.values()))
        groups.append(
            {
                "name": name,
                "title": GROUP_LABELS[name](),
                "rows": [(str(labels[name].get(value, value)), n) for value, n in shown.items()],
            }
        )
    return {
        "total": safe_count(meeting.attendance) if meeting.attendance is not None else None,
        "counted": meeting.attendance is not None,
        "groups": groups,
    }


class _NoDistricts:
    districts: list[str] = []


def personal_data_of(user) -> dict:
    return {
        "meeting_registrations": [
            {
                "city": r.city.slug,
                "meeting": r.meeting.title,
                "starts_at": timezone.localtime(r.meeting.starts_at).isoformat(),
                "status": r.status,
                "since": r.queued_at.isoformat(),
            }
            for r in Registration.objects.filter(user=user).select_related("meeting", "city")
        ],
        "meetings_created": [
            {"city": m.city.slug, "meeting": m.title}
            for m in Meeting.objects.filter(created_by=user).select_related("city")
        ],
    }
