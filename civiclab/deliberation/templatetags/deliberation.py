"""Links to conversations from pages of other apps (a process, a city), without touching their views."""

from django import template

from ..models import Conversation

register = template.Library()


@register.inclusion_tag("deliberation/_conversation_links.html")
def conversations_of(city, process=None):
    conversations = Conversation.objects.for_city(city).published()
    conversations = conversations.filter(process=process) if process is not None else conversations
    return {"city": city, "conversations": list(conversations.only("slug", "topic", "closes_at"))}
