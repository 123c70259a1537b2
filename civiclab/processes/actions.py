from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from civiclab.core import audit

from . import components, timeline
from .models import Component, ComponentKind, Phase, PhaseKind, Process


@dataclass(frozen=True)
class PhaseSpec:
    kind: str
    name: str
    starts_at: datetime
    ends_at: datetime
    description: str = ""
    id: int | None = None  # an existing phase to update; None creates one


@dataclass(frozen=True)
class _Positioned:
    name: str
    starts_at: datetime
    ends_at: datetime
    position: int


def _check_phases(specs: list[PhaseSpec]) -> None:
    errors = []
    for spec in specs:
        if spec.kind not in PhaseKind.values:
            errors.append(_("Unknown phase kind: %(kind)s") % {"kind": spec.kind})
        if not spec.name.strip():
            errors.append(_("Every phase needs a name."))
        if spec.ends_at <= spec.starts_at:
            errors.append(_("Phase “%(name)s” must end after it starts.") % {"name": spec.name})
    if errors:
        raise ValidationError(errors)
    # Specs are positioned by their order in the list.
    positioned = [_Positioned(s.name, s.starts_at, s.ends_at, i) for i, s in enumerate(specs)]
    for a, b in timeline.overlaps(positioned):
        errors.append(_("Phases “%(a)s” and “%(b)s” overlap.") % {"a": a.name, "b": b.name})
    if not errors and timeline.out_of_order(positioned):
        errors.append(_("Phases must be listed in the order they happen."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def do_create_process(
    city,
    actor,
    *,
    title: str,
    slug: str,
    summary: str = "",
    description: str = "",
    published: bool = False,
    phases: list[PhaseSpec] | None = None,
) -> Process:
    if Process.objects.filter(city=city, slug=slug).exists():
        raise ValidationError({"slug": _("This city already has a process at this address.")})
    process = Process(
        city=city,
        title=title,
        slug=slug,
        summary=summary,
        description=description,
        published=published,
        created_by=actor,
    )
    process.full_clean(exclude=["city", "created_by"])
    try:
        with transaction.atomic():
            process.save()
    except IntegrityError as exc:  # a concurrent request took the slug
        raise ValidationError({"slug": _("This city already has a process at this address.")}) from exc
    audit.record("process.created", actor=actor, city=city, target=process, slug=slug, published=published)
    if phases:
        do_save_phases(process, actor, phases)
    return process


@transaction.atomic
def do_update_process(process: Process, actor, **fields) -> Process:
    allowed = {"title", "slug", "summary", "description", "published"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    if (
        "slug" in fields
        and Process.objects.filter(city=process.city, slug=fields["slug"]).exclude(pk=process.pk).exists()
    ):
        raise ValidationError({"slug": _("This city already has a process at this address.")})
    changed = {k: v for k, v in fields.items() if getattr(process, k) != v}
    for key, value in changed.items():
        setattr(process, key, value)
    process.full_clean(exclude=["city", "created_by"])
    process.save()
    if changed:
        audit.record(
            "process.updated", actor=actor, city=process.city, target=process, fields=sorted(changed)
        )
    return process


@transaction.atomic
def do_save_phases(process: Process, actor, specs: list[PhaseSpec]) -> list[Phase]:
    """Replace the process's phases with `specs`, in that order. Phases keep their ids when updated,
    so everything that later hangs off a phase stays attached."""
    _check_phases(specs)
    existing = {p.pk: p for p in Phase.objects.select_for_update().filter(process=process)}
    unknown = {s.id for s in specs if s.id is not None} - set(existing)
    if unknown:
        raise ValidationError(_("A phase does not belong to this process."))
    keep = {s.id for s in specs if s.id is not None}
    removed = [pk for pk in existing if pk not in keep]
    Phase.objects.filter(pk__in=removed).delete()
    # Move survivors out of the way first: positions are unique per process.
    offset = len(existing) + len(specs) + 1
    for phase in existing.values():
        if phase.pk in keep:
            phase.position += offset
            phase.save(update_fields=["position"])
    saved = []
    for position, spec in enumerate(specs):
        phase = existing[spec.id] if spec.id is not None else Phase(process=process, city=process.city)
        phase.kind, phase.name, phase.description = spec.kind, spec.name.strip(), spec.description
        phase.starts_at, phase.ends_at, phase.position = spec.starts_at, spec.ends_at, position
        phase.save()
        saved.append(phase)
    audit.record(
        "process.phases_saved",
        actor=actor,
        city=process.city,
        target=process,
        phases=[p.pk for p in saved],
        removed=removed,
    )
    return saved


def _clean_component_settings(kind: str, settings: dict) -> dict:
    component_type = components.get_type(kind)
    if component_type is None or component_type.settings_form is None:
        return dict(settings)
    form = component_type.settings_form(data={**component_type.defaults, **settings})
    if not form.is_valid():
        raise ValidationError(form.errors)
    return dict(form.cleaned_data)


@transaction.atomic
def do_add_component(
    phase: Phase, actor, *, kind: str, title: str, settings: dict | None = None, enabled: bool = True
) -> Component:
    if kind not in ComponentKind.values:
        raise ValidationError({"kind": _("Unknown component kind: %(kind)s") % {"kind": kind}})
    if not title.strip():
        raise ValidationError({"title": _("A component needs a title.")})
    component = Component.objects.create(
        city=phase.city,
        phase=phase,
        kind=kind,
        title=title.strip(),
        settings=_clean_component_settings(kind, settings or {}),
        enabled=enabled,
        position=phase.components.count(),
    )
    audit.record("component.added", actor=actor, city=phase.city, target=component, kind=kind, phase=phase.pk)
    return component


@transaction.atomic
def do_update_component(component: Component, actor, **fields) -> Component:
    allowed = {"title", "settings", "enabled"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    if "title" in fields and not fields["title"].strip():
        raise ValidationError({"title": _("A component needs a title.")})
    if "settings" in fields:
        fields["settings"] = _clean_component_settings(component.kind, fields["settings"])
    changed = {k: v for k, v in fields.items() if getattr(component, k) != v}
    for key, value in changed.items():
        setattr(component, key, value)
    component.save()
    if changed:
        audit.record(
            "component.updated", actor=actor, city=component.city, target=component, fields=sorted(changed)
        )
    return component
