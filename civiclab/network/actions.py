from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from civiclab.core import audit

from .models import Endorsement, EndorserKind, Manifesto


@transaction.atomic
def do_create_manifesto(
    actor, *, slug: str, title: str, summary: str, body: str = "", source_url: str = ""
) -> Manifesto:
    manifesto = Manifesto(slug=slug, title=title, summary=summary, body=body, source_url=source_url)
    manifesto.full_clean()
    manifesto.save()
    audit.record("manifesto.created", actor=actor, target=manifesto, slug=slug)
    return manifesto


@transaction.atomic
def do_endorse(
    manifesto: Manifesto,
    *,
    kind: str,
    name: str,
    country: str,
    show_name: bool,
    organisation_type: str = "",
    user=None,
) -> Endorsement:
    if kind == EndorserKind.PERSON:
        organisation_type = ""
    endorsement = Endorsement(
        manifesto=manifesto,
        kind=kind,
        name=name.strip(),
        country=country,
        show_name=show_name,
        organisation_type=organisation_type,
        user=user if user and user.is_authenticated else None,
    )
    errors = {}
    if kind == EndorserKind.ORGANISATION and not organisation_type:
        errors["organisation_type"] = _("Choose the type of organisation.")
    if kind == EndorserKind.ORGANISATION and not endorsement.name:
        errors["name"] = _("Give the organisation's name.")
    if show_name and not endorsement.name:
        errors["name"] = _("Give a name to show, or choose not to show it.")
    if errors:
        raise ValidationError(errors)
    endorsement.full_clean(exclude=["user", "manifesto"])
    try:
        with transaction.atomic():
            endorsement.save()
    except IntegrityError as exc:
        raise ValidationError(_("You have already endorsed this manifesto.")) from exc
    # The name is personal data: the audit trail records only the kind of endorser.
    audit.record(
        "manifesto.endorsed",
        actor=user,
        target=endorsement,
        manifesto=manifesto.slug,
        kind=kind,
        organisation_type=organisation_type,
    )
    return endorsement


def anonymise_endorsements_of(user) -> None:
    """Part of account erasure: the endorsement still counts, the person is no longer named."""
    Endorsement.objects.filter(user=user, kind=EndorserKind.PERSON).update(
        name="", show_name=False, user=None
    )
    Endorsement.objects.filter(user=user).update(user=None)


# --- Practice library (issue 6) ---------------------------------------------------------------------


@transaction.atomic
def do_publish_practice(city, actor, *, kpis=(), source_process=None, **fields):
    from .models import Practice

    if source_process is not None and source_process.city_id != city.pk:
        raise ValidationError({"source_process": _("Choose one of this city's processes.")})
    practice = Practice(city=city, source_process=source_process, **fields)
    practice.full_clean(exclude=["city", "source_process"])
    try:
        with transaction.atomic():
            practice.save()
    except IntegrityError as exc:
        raise ValidationError({"slug": _("Another practice has this address.")}) from exc
    practice.kpis.set([k for k in kpis if k.city_id in (None, city.pk)])
    audit.record("practice.published", actor=actor, city=city, target=practice, slug=practice.slug)
    return practice


@transaction.atomic
def do_comment_practice(practice, city, actor, *, body: str):
    """A staff member of `city` (another city than the practice's) comments on it."""
    from civiclab.accountability.actions import role_of

    from .models import PracticeComment

    if city.pk == practice.city_id:
        raise ValidationError(_("Comments come from the staff of other cities."))
    if not body.strip():
        raise ValidationError({"body": _("Write a comment.")})
    if len(body) > 4000:
        raise ValidationError({"body": _("Keep the comment under 4,000 characters.")})
    comment = PracticeComment.objects.create(
        practice=practice, city=city, role=role_of(actor, city), body=body.strip(), author=actor
    )
    audit.record("practice.commented", actor=actor, city=city, target=comment, practice=practice.slug)
    return comment


@transaction.atomic
def do_replicate_practice(practice, city, actor, *, starts_at=None):
    """Copies the practice's process template (phases with their relative dates, and their components
    with kind, title and settings) into a new draft process of `city`, linked back to the practice."""
    from datetime import timedelta

    from django.db.models import F
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.text import slugify

    from civiclab.processes.actions import PhaseSpec, do_create_process
    from civiclab.processes.models import Component, Phase, Process

    from .models import Practice, Replication

    source = practice.source_process
    if source is None:
        raise ValidationError(_("This practice has no process template to copy."))
    if city.pk == practice.city_id:
        raise ValidationError(_("A city replicates the practices of other cities."))
    phases = list(Phase.objects.filter(process=source).order_by("position"))
    starts_at = starts_at or (timezone.now() + timedelta(weeks=4)).replace(second=0, microsecond=0)
    origin = phases[0].starts_at if phases else starts_at
    specs = [
        PhaseSpec(
            kind=p.kind,
            name=p.name,
            description=p.description,
            starts_at=starts_at + (p.starts_at - origin),
            ends_at=starts_at + (p.ends_at - origin),
        )
        for p in phases
    ]
    base = slugify(practice.title)[:60] or "practice"
    slug, n = base, 2
    while Process.objects.filter(city=city, slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    link = reverse("network:practice", kwargs={"slug": practice.slug})
    note = _("Replicated from the practice [%(title)s](%(url)s) of %(city)s.") % {
        "title": practice.title,
        "url": link,
        "city": practice.city.name,
    }
    process = do_create_process(
        city,
        actor,
        title=source.title,
        slug=slug,
        summary=source.summary,
        description=f"{note}\n\n{source.description}".strip(),
        published=False,
        phases=specs,
    )
    new_phases = {p.position: p for p in Phase.objects.filter(process=process)}
    copies = [
        Component(
            city=city,
            phase=new_phases[c.phase.position],
            kind=c.kind,
            title=c.title,
            settings=dict(c.settings),
            enabled=c.enabled,
            position=c.position,
        )
        for c in Component.objects.filter(phase__process=source).select_related("phase")
    ]
    Component.objects.bulk_create(copies)
    replication = Replication.objects.create(practice=practice, city=city, process=process, created_by=actor)
    Practice.objects.filter(pk=practice.pk).update(replication_count=F("replication_count") + 1)
    audit.record(
        "practice.replicated",
        actor=actor,
        city=city,
        target=replication,
        practice=practice.slug,
        process=process.slug,
        components=len(copies),
    )
    return replication
