"""Notification kinds. Each app registers its kinds once, in `AppConfig.ready()`, with a translatable
message; the text is formatted when it is shown, so each reader gets it in their own language."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _

_KINDS: dict[str, Promise | str] = {}


def register_kind(kind: str, message: Promise | str) -> None:
    _KINDS[kind] = message


def is_registered(kind: str) -> bool:
    return kind in _KINDS


def render(kind: str, params: dict[str, Any]) -> str:
    message = _KINDS.get(kind)
    if message is None:
        return _("Something changed on a page you follow.")
    try:
        return str(message) % params
    except (KeyError, TypeError, ValueError):
        # A kind whose message changed since the notification was stored: say something true.
        return _("Something changed on a page you follow.")
