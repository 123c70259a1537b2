"""Reads of the accountability app. Every list page runs a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Count, OuterRef, Prefetch, Q, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse

from . import kpimath
from .models import (
    AccountabilitySettings,
    CityKpi,
    Delivered,
    Feedback,
    Kpi,
    Measurement,
    NetworkStatus,
    Result,
    ResultStatus,
    ResultUpdate,
    StatusKind,
)


def statuses_of(city) -> list[ResultStatus]:
    return list(ResultStatus.objects.filter(city=city))


def reopen_threshold(city) -> int:
    row = AccountabilitySettings.objects.filter(city=city).first()
    return row.reopen_threshold if row else 5


def results_of(city, *, public: bool = True, status: str = "", process: str = ""):
    qs = Result.objects.for_city(city).select_related("status", "origin_process", "parent")
    if public:
        qs = qs.published()
    if status:
        qs = qs.filter(status__code=status)
    if process:
        qs = qs.filter(origin_process__slug=process)
    return qs.annotate(n_feedback=Count("feedback"), mean_rating=Avg("feedback__rating"))


def get_result_for(request, city, result_id: int) -> Result:
    """A result of this city: 404 for another city's, and for unpublished ones unless staff may see them."""
    result = get_object_or_404(
        Result.objects.for_city(city).select_related(
            "status",
            "parent",
            "origin_project__budget",
            "origin_process",
            "origin_proposal__component__phase__process",
            "city",
        ),
        pk=result_id,
    )
    if not result.published and not request.user.has_perm("accountability.change_result", city):
        raise Http404
    return result


def origin_url_of(result: Result) -> str | None:
    if result.origin_project_id:
        project = result.origin_project
        return reverse("budgeting:project", args=[result.city.slug, project.budget.slug, project.pk])
    proposal = result.origin_proposal if result.origin_proposal_id else None
    if proposal is not None and proposal.hidden_at is None and proposal.component.phase.process.published:
        component = proposal.component
        return reverse(
            "proposals:detail",
            args=[result.city.slug, component.phase.process.slug, component.pk, proposal.pk],
        )
    if result.origin_process_id and result.origin_process.published:
        return reverse("processes:detail", args=[result.city.slug, result.origin_process.slug])
    return None


def result_page(result: Result, user) -> dict:
    updates = list(
        ResultUpdate.objects.filter(result=result)
        .prefetch_related("photos", "documents")
        .order_by("-date", "-pk")
    )
    feedback = list(Feedback.objects.filter(result=result).order_by("-updated_at"))
    summary = feedback_summary(feedback)
    mine = next((f for f in feedback if user.is_authenticated and f.user_id == user.pk), None)
    return {
        "updates": updates,
        "milestones": list(result.milestones.all()),
        "children": list(result.children.filter(published=True).select_related("status")),
        "changes": list(result.changes.all()[:200]),
        "feedback": feedback,
        "summary": summary,
        "my_feedback": mine,
        "kpis": list(result.kpis.select_related("kpi")),
        "origin_url": origin_url_of(result),
    }


def feedback_summary(feedback: list[Feedback]) -> dict:
    n = len(feedback)
    by_rating = {r: sum(1 for f in feedback if f.rating == r) for r in range(5, 0, -1)}
    by_delivered = {d: sum(1 for f in feedback if f.delivered == d) for d in Delivered.values}
    mean = round(sum(f.rating for f in feedback) / n, 1) if n else None
    return {
        "n": n,
        "mean": mean,
        "by_rating": [(r, c, round(100 * c / n) if n else 0) for r, c in by_rating.items()],
        "by_delivered": [(Delivered(d).label, c) for d, c in by_delivered.items()],
        "not_delivered": by_delivered[Delivered.NO],
    }


def unanswered_low_ratings(city):
    return (
        Feedback.objects.filter(city=city, rating__lte=2, answer="")
        .select_related("result")
        .order_by("created_at")
    )


def get_feedback_for(city, feedback_id: int) -> Feedback:
    return get_object_or_404(
        Feedback.objects.filter(city=city).select_related("result__city"), pk=feedback_id
    )


# --- KPIs ------------------------------------------------------------------------------------------


def catalogue():
    return Kpi.objects.filter(city__isnull=True).select_related("contributed_by")


def kpis_available_to(city):
    return Kpi.objects.filter(Q(city__isnull=True) | Q(city=city)).order_by("code")


def kpi_proposals():
    return Kpi.objects.filter(status=NetworkStatus.PROPOSED).select_related("city")


def _latest(field: str):
    return Subquery(
        Measurement.objects.filter(adoption=OuterRef("pk"), superseded_by__isnull=True)
        .order_by("-date", "-pk")
        .values(field)[:1]
    )


def adoptions_with_latest(qs):
    return (
        qs.select_related("kpi")
        .prefetch_related("targets")
        .annotate(latest_value=_latest("value"), latest_date=_latest("date"))
    )


def targets_of(adoption) -> list[kpimath.Point]:
    """Interim targets and the final one, by date (reads the prefetched `targets`)."""
    points = [kpimath.Point(t.date, t.value) for t in adoption.targets.all()]
    if adoption.target_value is not None:
        points.append(kpimath.Point(adoption.target_date, adoption.target_value))
    return sorted(points, key=lambda p: p.day)


@dataclass
class KpiRow:
    adoption: CityKpi
    standing: kpimath.Standing
    latest_value: Decimal | None
    latest_date: object
    progress: float | None


def _row(adoption) -> KpiRow:
    latest = (
        kpimath.Point(adoption.latest_date, adoption.latest_value)
        if adoption.latest_value is not None
        else None
    )
    final = (
        kpimath.Point(adoption.target_date, adoption.target_value)
        if adoption.target_value is not None
        else None
    )
    baseline = kpimath.Point(adoption.baseline_date, adoption.baseline_value)
    progress = kpimath.progress_share(baseline.value, final.value, latest.value) if latest and final else None
    standing = kpimath.standing_on_path(baseline, targets_of(adoption), latest)
    return KpiRow(adoption, standing, adoption.latest_value, adoption.latest_date, progress)


def dashboard(city) -> list[KpiRow]:
    """Every KPI the city adopted, with its latest value and how it stands: two queries whatever the size."""
    return [_row(a) for a in adoptions_with_latest(CityKpi.objects.filter(city=city).order_by("kpi__code"))]


def kpi_row(adoption: CityKpi) -> KpiRow:
    return _row(adoptions_with_latest(CityKpi.objects.filter(pk=adoption.pk)).get())


def processes_with_results(city) -> list:
    from civiclab.processes.models import Process

    used = Result.objects.for_city(city).published().values("origin_process")
    return list(Process.objects.for_city(city).published().filter(pk__in=used).order_by("title"))


def get_adoption_for(city, code: str) -> CityKpi:
    return get_object_or_404(CityKpi.objects.filter(city=city).select_related("kpi", "city"), kpi__code=code)


def series_of(adoption: CityKpi) -> list[Measurement]:
    return list(
        Measurement.objects.filter(adoption=adoption, superseded_by__isnull=True).order_by("date", "pk")
    )


def history_of(adoption: CityKpi) -> list[Measurement]:
    """Superseded values, newest first, for the corrections table."""
    return list(
        Measurement.objects.filter(adoption=adoption, superseded_by__isnull=False)
        .select_related("superseded_by")
        .order_by("-date", "-pk")
    )


def aiming_at(adoption: CityKpi) -> dict:
    return {
        "results": list(adoption.results.filter(published=True).select_related("status")),
        "processes": list(adoption.processes.filter(published=True)),
    }


@dataclass
class CityComparison:
    city: object
    adoption: CityKpi
    latest_value: Decimal | None
    latest_date: object
    per_1000: Decimal | None
    change: float | None
    progress: float | None
    standing: kpimath.Standing
    practices: list


def network_comparison(kpi: Kpi) -> list[CityComparison]:
    """The cities that adopted `kpi`, each against its own baseline (ordered by city name, never by rank)."""
    from civiclab.network.models import Practice

    adoptions = (
        CityKpi.objects.filter(kpi=kpi)
        .select_related("city")
        .only(
            "city__name",
            "city__slug",
            "city__population",
            "baseline_value",
            "baseline_date",
            "target_value",
            "target_date",
            "how_measured",
        )
        .prefetch_related("targets")
        .annotate(latest_value=_latest("value"), latest_date=_latest("date"))
        .order_by("city__name")
    )
    practices: dict[int, list] = {}
    for practice in Practice.objects.filter(kpis=kpi, published=True).only("slug", "title", "city_id"):
        practices.setdefault(practice.city_id, []).append(practice)
    rows = []
    higher = kpi.direction == "higher"
    for a in adoptions:
        row = _row(a)
        change = (
            kpimath.change_from_baseline(a.baseline_value, a.latest_value, higher)
            if a.latest_value is not None
            else None
        )
        per_1000 = (
            kpimath.per_thousand(a.latest_value, a.city.population)
            if kpi.normalise and a.latest_value is not None
            else None
        )
        rows.append(
            CityComparison(
                a.city,
                a,
                a.latest_value,
                a.latest_date,
                per_1000,
                change,
                row.progress,
                row.standing,
                practices.get(a.city_id, []),
            )
        )
    return rows


def practices_behind_strong_progress(rows: list[CityComparison]) -> list:
    """The practices of the cities that are on track, or improved by a tenth or more since their baseline."""
    strong = [r for r in rows if r.standing == kpimath.Standing.ON_TRACK or (r.change or 0) >= 0.1]
    return [(r.city, p) for r in strong for p in r.practices]


def kpi_adoption_counts():
    return catalogue().annotate(n_cities=Count("adoptions")).order_by("code")


def delivered_results_count(city) -> int:
    return Result.objects.for_city(city).published().filter(status__kind=StatusKind.DELIVERED).count()


def personal_data_of(user) -> dict:
    return {
        "result_feedback": [
            {
                "city": f.city.slug,
                "result": f.result_id,
                "delivered": f.delivered,
                "rating": f.rating,
                "comment": f.comment,
                "answer": f.answer,
                "at": f.updated_at.isoformat(),
            }
            for f in Feedback.objects.filter(user=user).select_related("city")
        ],
        "results_created": [
            {"city": r.city.slug, "result": r.pk, "title": r.title}
            for r in Result.objects.filter(created_by=user).select_related("city")
        ],
        "result_updates_written": [
            {"city": u.city.slug, "result": u.result_id, "date": u.date.isoformat()}
            for u in ResultUpdate.objects.filter(author=user).select_related("city")
        ],
        "feedback_answered": [
            {
                "city": f.city.slug,
                "feedback": f.pk,
                "at": f.answered_at.isoformat() if f.answered_at else None,
            }
            for f in Feedback.objects.filter(answered_by=user).select_related("city")
        ],
        "kpi_measurements_entered": [
            {"city": m.city.slug, "measurement": m.pk, "date": m.date.isoformat()}
            for m in Measurement.objects.filter(entered_by=user).select_related("city")
        ],
        "api_tokens_created": [
            {"city": t.city.slug, "name": t.name, "created_at": t.created_at.isoformat()}
            for t in _tokens_created_by(user)
        ],
        **_network_rows_of(user),
    }


def _network_rows_of(user) -> dict:
    from civiclab.network.models import PracticeComment, Replication

    return {
        "practice_comments": [
            {"practice": c.practice.slug, "city": c.city.slug, "body": c.body, "at": c.created_at.isoformat()}
            for c in PracticeComment.objects.filter(author=user).select_related("practice", "city")
        ],
        "practice_replications": [
            {"practice": r.practice.slug, "city": r.city.slug, "process": r.process.slug}
            for r in Replication.objects.filter(created_by=user).select_related("practice", "city", "process")
        ],
    }


def _tokens_created_by(user):
    from .models import ApiToken

    return ApiToken.objects.filter(created_by=user).select_related("city")


def prefetch_results_for_api(qs):
    return qs.prefetch_related(Prefetch("kpis", queryset=CityKpi.objects.select_related("kpi")))
