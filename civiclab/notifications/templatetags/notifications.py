from django import template

from civiclab.notifications import registry, selectors

register = template.Library()


@register.filter
def follow_label(obj) -> str:
    return registry.label_of(obj)


@register.simple_tag(takes_context=True)
def following(context, obj) -> bool:
    return selectors.is_following(context["request"].user, obj)
