from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from civiclab.cities.access import network_admin_view
from civiclab.cities.selectors import cities_with_public_processes
from civiclab.core.forms import posted
from civiclab.core.pagecache import anonymous_page_cache

from . import actions
from .forms import EndorsementForm
from .models import Manifesto
from .selectors import signatories


@anonymous_page_cache
def home(request):
    manifestos = Manifesto.objects.defer("body").annotate(n_endorsements=Count("endorsements"))
    return render(
        request,
        "network/home.html",
        {
            "cities": cities_with_public_processes(),
            "manifestos": manifestos,
        },
    )


@require_http_methods(["GET", "POST"])
def manifesto_detail(request, slug):
    manifesto = get_object_or_404(Manifesto, slug=slug)
    form = EndorsementForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_endorse(manifesto, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Thank you: your endorsement is recorded."))
            return redirect("network:manifesto", slug=manifesto.slug)
    status = 400 if form.is_bound else 200
    return render(
        request,
        "network/manifesto.html",
        {
            "manifesto": manifesto,
            "form": form,
            **signatories(manifesto),
        },
        status=status,
    )


def privacy(request):
    """The terms of use and privacy notice that people accept, with the version of each text."""
    return render(request, "network/privacy.html", {"versions": settings.CONSENT_VERSIONS})


# --- KPI catalogue, comparisons and the practice library (issue 6) ----------------------------------


def kpi_catalogue(request):
    from civiclab.accountability.selectors import kpi_adoption_counts

    return render(request, "network/kpis.html", {"kpis": list(kpi_adoption_counts())})


def kpi_compare(request, code):
    from civiclab.accountability.models import Kpi
    from civiclab.accountability.selectors import network_comparison, practices_behind_strong_progress

    kpi = get_object_or_404(Kpi.objects.filter(city__isnull=True), code=code)
    view = request.GET.get("view", "progress")
    rows = network_comparison(kpi)
    return render(
        request,
        "network/kpi_compare.html",
        {
            "strong": practices_behind_strong_progress(rows),
            "kpi": kpi,
            "rows": rows,
            "view": view if view in ("progress", "values") else "progress",
        },
    )


@network_admin_view
@require_http_methods(["GET", "POST"])
def kpi_proposals(request):
    from civiclab.accountability.actions import do_decide_kpi_proposal
    from civiclab.accountability.selectors import kpi_proposals as proposals

    if request.method == "POST":
        kpi = get_object_or_404(proposals(), pk=request.POST.get("kpi") or 0)
        try:
            do_decide_kpi_proposal(kpi, request.user, accept=request.POST.get("decision") == "accept")
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The decision is saved."))
        return redirect("network:kpi_proposals")
    return render(request, "network/kpi_proposals.html", {"proposals": list(proposals())})


def practice_list(request):
    from django_countries import countries

    from .models import Topic
    from .selectors import CITY_SIZES, practices

    filters = {k: request.GET.get(k, "").strip()[:100] for k in ("q", "topic", "sdg", "size", "country")}
    return render(
        request,
        "network/practices.html",
        {
            "practices": list(practices(**filters)[:200]),
            "filters": filters,
            "topics": Topic.choices,
            "sizes": list(CITY_SIZES),
            "countries": list(countries),
        },
    )


def practice_detail(request, slug):
    from civiclab.cities.models import Membership, Role

    from .selectors import get_practice, practice_page

    practice = get_practice(slug)
    staff_cities = []
    if request.user.is_authenticated:
        staff_cities = list(
            Membership.objects.filter(user=request.user)
            .exclude(city_id=practice.city_id)
            .select_related("city")
            .order_by("city__name")
        )
    admin_cities = {m.city.slug: m.city for m in staff_cities if m.role == Role.ADMIN}
    comment_cities = {m.city.slug: m.city for m in staff_cities}
    return render(
        request,
        "network/practice.html",
        {
            "practice": practice,
            **practice_page(practice),
            "replicate_cities": list(admin_cities.values()),
            "comment_cities": list(comment_cities.values()),
        },
    )
