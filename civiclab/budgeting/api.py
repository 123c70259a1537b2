"""Open data for participatory budgets: budgets, projects, results and the published ballot list.

Nothing here reads the participation register or any account: ballots are published only after the
count, keyed by the hash of their receipt."""

from datetime import datetime

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from civiclab.cities.models import City
from civiclab.opendata.schemas import ErrorSchema

from .models import Ballot, Budget, Project, ProjectStatus
from .selectors import outcomes_of

router = Router(tags=["participatory budgeting"])


class DistrictSchema(Schema):
    id: int
    name: str
    amount: int


class BudgetSchema(Schema):
    slug: str
    title: str
    currency: str
    amount: int
    stage: str = Field(description="preparing, voting, closed or results")
    ballot_type: str = Field(description="knapsack, k_approval, choose_one, cumulative or ranking")
    min_choices: int
    max_choices: int | None
    max_points: int
    rule: str = Field(description="greedy, greedy-noskip, greedy-threshold, mes or mes-add1")
    threshold: int
    add1_start: str
    add1_stop: str
    completion: str
    allow_vote_change: bool
    min_age: int
    residency: str
    voting_opens_at: datetime
    voting_closes_at: datetime
    results_published_at: datetime | None
    districts: list[DistrictSchema]
    url: str

    @staticmethod
    def resolve_districts(budget) -> list:
        return list(budget.districts.all())

    @staticmethod
    def resolve_url(budget) -> str:
        return reverse("budgeting:detail", args=[budget.city.slug, budget.slug])


class ProjectSchema(Schema):
    id: str
    title: str
    description: str = Field(description="Markdown")
    cost: int
    proposed_cost: int
    district: str | None
    status: str = Field(description="submitted, feasible or unfeasible")
    review_reason: str
    cost_note: str
    latitude: float | None
    longitude: float | None
    funded: bool

    @staticmethod
    def resolve_id(project) -> str:
        return project.code

    @staticmethod
    def resolve_district(project) -> str | None:
        return project.district.name if project.district else None

    @staticmethod
    def resolve_latitude(project) -> float | None:
        return float(project.latitude) if project.latitude is not None else None

    @staticmethod
    def resolve_longitude(project) -> float | None:
        return float(project.longitude) if project.longitude is not None else None


class OutcomeSchema(Schema):
    district: str | None
    rule: str
    ballots: int
    selected: list[str] = Field(description="project ids in the order funded")
    cost: int
    explanation: dict = Field(description="per project: votes, cost, funded and why (docs/budgeting.md)")

    @staticmethod
    def resolve_district(outcome) -> str | None:
        return outcome.district.name if outcome.district else None


class BallotSchema(Schema):
    receipt_hash: str = Field(description="SHA-256 of the voter's receipt code")
    district: str | None
    channel: str
    projects: list[str]
    points: list[int]

    @staticmethod
    def resolve_district(ballot) -> str | None:
        return ballot.district.name if ballot.district else None


def _budget(city: str, budget: str) -> Budget:
    the_city = get_object_or_404(City, slug=city)
    return get_object_or_404(
        Budget.objects.for_city(the_city).published().select_related("city"), slug=budget
    )


def _page():
    from civiclab.opendata.api import Page

    return Page


@router.get(
    "/cities/{city}/budgets",
    response={200: list[BudgetSchema], 404: ErrorSchema},
    summary="Published budgets of a city",
)
@paginate(_page())
def list_budgets(request, city: str):
    the_city = get_object_or_404(City, slug=city)
    return (
        Budget.objects.for_city(the_city)
        .published()
        .select_related("city")
        .prefetch_related("districts")
        .order_by("-voting_opens_at", "-pk")
    )


@router.get(
    "/cities/{city}/budgets/{budget}",
    response={200: BudgetSchema, 404: ErrorSchema},
    summary="One budget and its rules",
)
def get_budget(request, city: str, budget: str):
    return _budget(city, budget)


@router.get(
    "/cities/{city}/budgets/{budget}/projects",
    response={200: list[ProjectSchema], 404: ErrorSchema},
    summary="Projects of a budget, with their technical review",
)
@paginate(_page())
def list_projects(request, city: str, budget: str):
    the_budget = _budget(city, budget)
    qs = Project.objects.filter(budget=the_budget).select_related("district").order_by("pk")
    if the_budget.voting_has_opened():
        qs = qs.filter(status=ProjectStatus.FEASIBLE)
    return qs


@router.get(
    "/cities/{city}/budgets/{budget}/results",
    response={200: list[OutcomeSchema], 404: ErrorSchema},
    summary="The count: funded projects and why, per district (404 until published)",
)
def get_results(request, city: str, budget: str):
    the_budget = _budget(city, budget)
    if not the_budget.results_published_at:
        raise Http404
    return outcomes_of(the_budget)


@router.get(
    "/cities/{city}/budgets/{budget}/ballots",
    response={200: list[BallotSchema], 404: ErrorSchema},
    summary="The anonymised ballot list, after the count (404 before); as pabulib from the results page.",
)
@paginate(_page())
def list_ballots(request, city: str, budget: str):
    the_budget = _budget(city, budget)
    if not the_budget.results_published_at:
        raise Http404
    return Ballot.objects.filter(budget=the_budget).select_related("district").order_by("receipt_hash")
