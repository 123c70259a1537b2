"""Meetings shown on other apps' pages, without those apps importing the events app:
`{% load events_tags %}{% meetings_for_proposal proposal %}` on a proposal's page."""

from django import template

from civiclab.events.selectors import meetings_for_proposal as meetings_of_proposal

register = template.Library()


@register.inclusion_tag("events/_proposal_meetings.html")
def meetings_for_proposal(proposal) -> dict:
    """The published meetings the proposal came out of (nothing at all when there are none)."""
    return {"meetings": meetings_of_proposal(proposal) if proposal is not None else []}
