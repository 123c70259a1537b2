from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Budget, Outcome, PaperEntry, PaperEntryStatus, Project, ProjectStatus


def public_budgets(city):
    return Budget.objects.for_city(city).published()


def get_budget_for(request, city, slug: str) -> Budget:
    """A budget of this city: 404 for another city's, and for unpublished ones unless staff may see them."""
    budget = get_object_or_404(Budget.objects.for_city(city), slug=slug)
    budget.city = city  # already loaded by the access helper
    if not budget.published and not request.user.has_perm("budgeting.view_unpublished", city):
        raise Http404
    return budget


def get_project_for(budget: Budget, project_id: int) -> Project:
    return get_object_or_404(
        Project.objects.filter(budget=budget).select_related("district", "author"), pk=project_id
    )


def projects_of(budget: Budget, *, district=None, status: str | None = None):
    qs = Project.objects.filter(budget=budget).select_related("district")
    if district is not None:
        qs = qs.filter(district=district)
    if status:
        qs = qs.filter(status=status)
    return qs


def feasible_projects(budget: Budget):
    return projects_of(budget, status=ProjectStatus.FEASIBLE)


def outcomes_of(budget: Budget) -> list[Outcome]:
    return list(Outcome.objects.filter(budget=budget).select_related("district"))


def paper_queue(budget: Budget):
    return PaperEntry.objects.filter(budget=budget, status=PaperEntryStatus.MISMATCH).select_related(
        "district", "entered_by"
    )


def turnout(budget: Budget) -> dict:
    """Counts only: ballots by channel. Never who voted."""
    rows = budget.ballots.values("channel").annotate(n=Count("id")).order_by("channel")
    return {r["channel"]: r["n"] for r in rows}
