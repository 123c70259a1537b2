from django import template
from django.utils.safestring import SafeString, mark_safe

from civiclab.core import markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(source: str) -> SafeString:
    # Safe because core.markdown sanitises with an allow-list (nh3) after rendering.
    return mark_safe(markdown.render(source))
