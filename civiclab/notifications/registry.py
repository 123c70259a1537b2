"""Which models can be followed, and how to reach one for a request. Each app registers its models in
`AppConfig.ready()` with its own access helper, so the generic follow view never bypasses a permission."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_FOLLOWABLE: dict[str, Callable[..., Any]] = {}


def register_followable(label: str, get_for: Callable[..., Any]) -> None:
    """`label` is "app_label.modelname"; `get_for(request, city, pk)` returns the object or raises Http404."""
    _FOLLOWABLE[label.lower()] = get_for


def getter_for(label: str) -> Callable[..., Any] | None:
    return _FOLLOWABLE.get(label.lower())


def label_of(obj) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}"
