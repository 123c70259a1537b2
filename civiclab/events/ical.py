"""iCalendar (RFC 5545) files of meetings, written with the `icalendar` package (folding, escaping)."""

from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vText

from .models import Meeting


def _event(meeting: Meeting, url: str) -> Event:
    event = Event()
    event.add("uid", f"meeting-{meeting.pk}@{meeting.city.slug}.civiclab")
    event.add("dtstamp", meeting.updated_at or timezone.now())
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("summary", meeting.title)
    if meeting.description:
        event.add("description", meeting.description)
    if meeting.has_place and meeting.address:
        event.add("location", vText(meeting.address))
        if meeting.latitude is not None and meeting.longitude is not None:
            event.add("geo", (float(meeting.latitude), float(meeting.longitude)))
    # The online address stays off: calendars are public, and it is for registered people only.
    event.add("url", url)
    return event


def calendar_of(meetings: Iterable[tuple[Meeting, str]], name: str) -> bytes:
    """`meetings`: (meeting, absolute URL of its page) pairs."""
    cal = Calendar()
    cal.add("prodid", f"-//{getattr(settings, 'SITE_NAME', 'CivicLab')}//meetings//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    for meeting, url in meetings:
        cal.add_component(_event(meeting, url))
    return cal.to_ical()
