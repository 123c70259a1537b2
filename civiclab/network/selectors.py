from django.db.models import Count

from .models import Endorsement, EndorserKind, OrganisationType


def signatories(manifesto) -> dict:
    """Named signatories, and counts by kind and organisation type for everyone (named or not)."""
    endorsements = Endorsement.objects.filter(manifesto=manifesto)
    by_type = dict(
        endorsements.filter(kind=EndorserKind.ORGANISATION)
        .values_list("organisation_type")
        .annotate(n=Count("id"))
        .values_list("organisation_type", "n")
    )
    return {
        "named": endorsements.filter(show_name=True).exclude(name="").order_by("kind", "name"),
        "n_people": endorsements.filter(kind=EndorserKind.PERSON).count(),
        "n_organisations": sum(by_type.values()),
        "by_organisation_type": [(label, by_type.get(value, 0)) for value, label in OrganisationType.choices],
        "n_total": endorsements.count(),
    }
