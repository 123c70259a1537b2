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


# --- Practice library (issue 6) ---------------------------------------------------------------------

CITY_SIZES = {
    "small": (0, 100_000),
    "medium": (100_000, 500_000),
    "large": (500_000, 10**10),
}


def practices(*, q: str = "", topic: str = "", sdg: str = "", size: str = "", country: str = ""):
    from django.db.models import Q

    from .models import Practice

    qs = Practice.objects.filter(published=True).select_related("city")
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(summary__icontains=q) | Q(problem__icontains=q))
    if topic:
        qs = qs.filter(topic=topic)
    if sdg:
        qs = qs.filter(sdg_target__startswith=sdg)
    if size in CITY_SIZES:
        low, high = CITY_SIZES[size]
        qs = qs.filter(city__population__gte=low, city__population__lt=high)
    if country:
        qs = qs.filter(city__country=country.upper())
    return qs


def get_practice(slug: str):
    from django.shortcuts import get_object_or_404

    from .models import Practice

    return get_object_or_404(
        Practice.objects.filter(published=True).select_related("city", "source_process"), slug=slug
    )


def practice_page(practice) -> dict:
    from .models import Replication

    return {
        "kpis": list(practice.kpis.all()),
        "comments": list(practice.comments.select_related("city")),
        "replications": list(Replication.objects.filter(practice=practice).select_related("city")),
    }
