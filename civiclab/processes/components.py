"""The registry of component kinds. Each app that provides a component registers, in its
`AppConfig.ready()`, where its pages live and which form validates its settings; the process pages
and the staff screens read the registry, so adding a component touches no code here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse


@dataclass(frozen=True)
class ComponentType:
    kind: str  # one of ComponentKind
    url_name: str  # reversed with city_slug, process_slug and component_id
    settings_form: Callable[..., Any] | None = None  # a Form class whose cleaned_data is the settings
    defaults: dict[str, Any] = field(default_factory=dict)


_TYPES: dict[str, ComponentType] = {}


def register(component_type: ComponentType) -> None:
    _TYPES[component_type.kind] = component_type


def get_type(kind: str) -> ComponentType | None:
    return _TYPES.get(kind)


def url_of(component) -> str | None:
    t = _TYPES.get(component.kind)
    if t is None:
        return None
    return reverse(
        t.url_name,
        kwargs={
            "city_slug": component.phase.process.city.slug,
            "process_slug": component.phase.process.slug,
            "component_id": component.pk,
        },
    )
