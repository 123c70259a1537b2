"""Open data for accountability: results, the KPIs of a city and of the network, the practice library.
Read-only and paginated, except KPI measurements, which a city's systems send with a city API token."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from civiclab.cities.models import City
from civiclab.core import ratelimit
from civiclab.opendata.schemas import ErrorSchema

from . import actions, selectors
from .models import CityKpi, Kpi, Result

router = Router(tags=["accountability"])
API_POSTS = (120, 60)  # measurements per minute per token


def _page():
    from civiclab.opendata.api import Page

    return Page


class ResultSchema(Schema):
    id: int
    title: str
    description: str = Field(description="Markdown")
    status: str = Field(description="the city's status code")
    status_kind: str = Field(description="planned, in_progress, delivered or cancelled")
    cancel_reason: str
    progress: int = Field(description="0 to 100")
    progress_mode: str = Field(description="manual or milestones")
    department: str
    currency: str
    budget: int | None
    spent: int
    start_date: date | None
    end_date: date | None
    origin: str = Field(description="hand, project, process or proposal")
    parent: int | None
    is_pilot: bool
    kpis: list[str] = Field(description="codes of the KPIs it aims at")
    url: str

    @staticmethod
    def resolve_status(r) -> str:
        return r.status.code

    @staticmethod
    def resolve_status_kind(r) -> str:
        return r.status.kind

    @staticmethod
    def resolve_budget(r) -> int | None:
        return r.budget_amount

    @staticmethod
    def resolve_parent(r) -> int | None:
        return r.parent_id

    @staticmethod
    def resolve_kpis(r) -> list[str]:
        return [a.kpi.code for a in r.kpis.all()]

    @staticmethod
    def resolve_url(r) -> str:
        return reverse("accountability:result", args=[r.city.slug, r.pk])


class KpiSchema(Schema):
    code: str
    name: str
    definition: str
    unit: str
    direction: str = Field(description="higher or lower (is better)")
    calculation: str
    data_source: str
    sdg_target: str
    sdg_indicator: str
    normalise: bool = Field(description="compared per 1,000 residents across cities")
    computed_by_civiclab: bool
    caveats: str

    @staticmethod
    def resolve_computed_by_civiclab(k) -> bool:
        return bool(k.calculator)


class TargetSchema(Schema):
    date: date
    value: Decimal


class CityKpiSchema(Schema):
    kpi: KpiSchema
    baseline_value: Decimal
    baseline_date: date
    target_value: Decimal | None
    target_date: date | None
    interim_targets: list[TargetSchema]
    success_criterion: str
    latest_value: Decimal | None
    latest_date: date | None
    standing: str = Field(description="on_track, off_track, no_data or no_target")
    url: str


class PracticeSchema(Schema):
    slug: str
    title: str
    city: str
    country: str
    kind: str
    topic: str
    sdg_target: str
    summary: str
    problem: str
    context: str
    method: str
    costs: str
    results: str
    lessons: str
    licence: str
    language: str
    replications: int
    url: str

    @staticmethod
    def resolve_city(p) -> str:
        return p.city.slug

    @staticmethod
    def resolve_country(p) -> str:
        return p.city.country.code

    @staticmethod
    def resolve_replications(p) -> int:
        return p.replication_count

    @staticmethod
    def resolve_url(p) -> str:
        return reverse("network:practice", args=[p.slug])


class MeasurementIn(Schema):
    date: date
    value: str = Field(description="a decimal number, as a string")
    unit: str = Field(description="must be the KPI's unit")
    source: str
    note: str = ""


class MeasurementOut(Schema):
    id: int
    date: date
    value: Decimal
    source: str


class FieldErrors(Schema):
    detail: dict[str, list[str]] | str


@router.get(
    "/cities/{city}/results",
    response={200: list[ResultSchema], 404: ErrorSchema},
    summary="Published results of a city",
)
@paginate(_page())
def list_results(request, city: str):
    the_city = get_object_or_404(City, slug=city)
    return selectors.prefetch_results_for_api(
        Result.objects.for_city(the_city).published().select_related("status", "city")
    ).order_by("pk")


@router.get(
    "/cities/{city}/kpis",
    response={200: list[CityKpiSchema], 404: ErrorSchema},
    summary="The KPIs a city adopted, with baseline, target, latest value and standing",
)
@paginate(_page())
def list_city_kpis(request, city: str):
    the_city = get_object_or_404(City, slug=city)
    rows = selectors.dashboard(the_city)
    return [
        {
            "kpi": r.adoption.kpi,
            "baseline_value": r.adoption.baseline_value,
            "baseline_date": r.adoption.baseline_date,
            "target_value": r.adoption.target_value,
            "target_date": r.adoption.target_date,
            "interim_targets": list(r.adoption.targets.all()),
            "success_criterion": r.adoption.success_criterion,
            "latest_value": r.latest_value,
            "latest_date": r.latest_date,
            "standing": r.standing.value,
            "url": reverse("accountability:kpi", args=[the_city.slug, r.adoption.kpi.code]),
        }
        for r in rows
    ]


@router.get("/network/kpis", response=list[KpiSchema], summary="The network's KPI catalogue")
@paginate(_page())
def list_network_kpis(request):
    return Kpi.objects.filter(city__isnull=True).order_by("code")


@router.get("/network/practices", response=list[PracticeSchema], summary="The practice library")
@paginate(_page())
def list_practices(request):
    from civiclab.network.selectors import practices

    return practices().order_by("slug")


@router.post(
    "/cities/{city}/kpis/{code}/measurements",
    response={201: MeasurementOut, 401: ErrorSchema, 404: ErrorSchema, 422: FieldErrors, 429: ErrorSchema},
    summary="Record a KPI measurement (needs a city API token with the kpi:write scope)",
    auth=None,
)
def post_measurement(request, city: str, code: str, payload: MeasurementIn):
    the_city = get_object_or_404(City, slug=city)
    header = request.headers.get("Authorization", "")
    raw = header[7:].strip() if header.startswith("Bearer ") else ""
    token = actions.check_token(the_city, raw, "kpi:write")
    if token is None:
        return Status(401, {"detail": "A valid API token of this city with the kpi:write scope is needed."})
    try:
        ratelimit.check(f"kpi-api:{token.prefix}", *API_POSTS)
    except ratelimit.RateLimited:
        return Status(429, {"detail": "Too many measurements: at most 120 a minute per token."})
    adoption = get_object_or_404(
        CityKpi.objects.filter(city=the_city).select_related("kpi", "city"), kpi__code=code
    )
    try:
        m = actions.do_record_measurement(
            adoption,
            None,
            date=payload.date,
            value=payload.value,
            unit=payload.unit,
            source=payload.source,
            note=payload.note,
            via=f"api:{token.prefix}",
        )
    except ValidationError as exc:
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        return Status(422, {"detail": detail})
    return Status(201, m)
