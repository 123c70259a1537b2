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
