from dataclasses import dataclass
from fractions import Fraction

from django.core.cache import cache
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from . import identity
from .models import (
    Ballot,
    BallotType,
    Budget,
    District,
    Outcome,
    PaperEntry,
    PaperEntryStatus,
    Project,
    ProjectStatus,
    Rule,
    Verification,
)
from .pabulib import Election
from .pabulib import Project as PbProject


def public_budgets(city):
    return Budget.objects.for_city(city).published()


def get_budget_for(request, city, slug: str) -> Budget:
    """A budget of this city: 404 for another city's, and for unpublished ones unless staff may see them."""
    budget = get_object_or_404(Budget.objects.for_city(city), slug=slug)
    budget.city = city  # already loaded by the access helper
    if not budget.published and not request.user.has_perm("budgeting.view_unpublished", city):
        raise Http404
    return budget


@dataclass(frozen=True)
class BallotOptions:
    """What a ballot is checked against: the feasible projects (id, cost, district id) and the districts."""

    paper: list[tuple[int, int, int | None]]
    districts: list[District]


def ballot_options(budget: Budget) -> BallotOptions:
    paper = list(
        Project.objects.filter(budget=budget, status=ProjectStatus.FEASIBLE).values_list(
            "pk", "cost", "district_id"
        )
    )
    return BallotOptions(paper, list(budget.districts.all()))


BALLOT_SNAPSHOT_SECONDS = 30


def ballot_snapshot_key(city_id: int, slug: str) -> str:
    return f"civiclab:pb-ballot:{city_id}:{slug}"


def get_voting_budget_for(request, city, slug: str) -> tuple[Budget, BallotOptions | None]:
    """The budget of a ballot post, with its ballot options while voting is open (None otherwise).

    While voting is open the rules, the dates and the projects on the ballot are frozen (do_update_budget
    and do_review_project refuse changes), so both are kept in the cache for a few seconds: ballot posts
    are the busiest requests of a vote. Only texts and `published` can change; do_update_budget clears
    the entry, and without Redis other workers see a change within BALLOT_SNAPSHOT_SECONDS."""
    key = ballot_snapshot_key(city.pk, slug)
    cached = cache.get(key)
    if cached is not None:
        budget, options = cached
        budget.city = city
        if not budget.published and not request.user.has_perm("budgeting.view_unpublished", city):
            raise Http404
        if budget.voting_is_open():
            return budget, options
    budget = get_budget_for(request, city, slug)
    if not budget.voting_is_open():
        return budget, None
    options = ballot_options(budget)
    ttl = min(BALLOT_SNAPSHOT_SECONDS, int((budget.voting_closes_at - timezone.now()).total_seconds()))
    if ttl > 0:
        cache.set(key, (budget, options), ttl)
    return budget, options


def get_project_for(budget: Budget, project_id: int) -> Project:
    return get_object_or_404(
        Project.objects.filter(budget=budget).select_related(
            "district", "author", "source_proposal__component__phase__process"
        ),
        pk=project_id,
    )


def source_proposal_url(project: Project) -> str | None:
    """The page of the proposal a project came from, while that proposal is public."""
    proposal = project.source_proposal
    if proposal is None or proposal.hidden_at is not None:
        return None
    component = proposal.component
    process = component.phase.process
    if not (process.published and component.enabled):
        return None
    return reverse("proposals:detail", args=[project.city.slug, process.slug, component.pk, proposal.pk])


def budgets_taking_projects(city) -> list[Budget]:
    """Published budgets that take residents' projects now (voting has not opened)."""
    now = timezone.now()
    return list(public_budgets(city).filter(accepts_projects=True, voting_opens_at__gt=now))


def projects_of(budget: Budget, *, district=None, status: str | None = None):
    qs = Project.objects.filter(budget=budget).select_related("district")
    if district is not None:
        qs = qs.filter(district=district)
    if status:
        qs = qs.filter(status=status)
    return qs


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


def ballot_paper(budget: Budget, district: District | None) -> dict[str, Project]:
    """The projects a voter sees: feasible ones, of the chosen district when the budget has districts."""
    qs = Project.objects.filter(budget=budget, status=ProjectStatus.FEASIBLE)
    if district is not None or budget.districts.exists():
        qs = qs.filter(district=district)
    return {p.code: p for p in qs}


def paper_costs(budget: Budget, district: District | None) -> dict[str, int]:
    """Like ballot_paper, as {code: cost}: all a ballot check needs. `district` is None only for a budget
    without districts (callers resolve it first)."""
    qs = Project.objects.filter(budget=budget, status=ProjectStatus.FEASIBLE, district=district)
    return {str(pk): cost for pk, cost in qs.values_list("pk", "cost")}


def find_ballot(budget: Budget, receipt: str) -> Ballot | None:
    if not receipt.strip():
        return None
    return Ballot.objects.filter(budget=budget, receipt_hash=identity.receipt_hash(receipt)).first()


def election_for(budget: Budget, district: District | None, *, with_receipts: bool = False) -> Election:
    """The ballots of a budget (or of one district) as a pabulib election, voters in receipt-hash order,
    which is random and says nothing about who voted when."""
    projects = Project.objects.filter(budget=budget, status=ProjectStatus.FEASIBLE)
    ballots = Ballot.objects.filter(budget=budget)
    if district is not None:
        projects, ballots = projects.filter(district=district), ballots.filter(district=district)
    rows = list(ballots.order_by("receipt_hash").values_list("projects", "points", "receipt_hash"))
    vote_type = {
        BallotType.KNAPSACK: "approval",
        BallotType.K_APPROVAL: "approval",
        BallotType.CHOOSE_ONE: "approval",
        BallotType.CUMULATIVE: "cumulative",
        BallotType.RANKING: "ordinal",
    }[BallotType(budget.ballot_type)]
    meta = {
        "description": budget.title,
        "country": str(budget.city.country.name),
        "unit": budget.city.name,
        "instance": budget.slug + (f"-{district.name}" if district else ""),
        "budget": str(district.amount if district else budget.amount),
        "vote_type": vote_type,
        "rule": budget.rule,
        "currency": budget.currency,
        "date_begin": f"{timezone.localtime(budget.voting_opens_at):%d.%m.%Y}",
        "date_end": f"{timezone.localtime(budget.voting_closes_at):%d.%m.%Y}",
        "min_length": str(budget.min_choices),
    }
    if budget.max_choices is not None:
        meta["max_length"] = str(budget.max_choices)
    if budget.ballot_type == BallotType.CUMULATIVE:
        meta["max_sum_points"] = str(budget.max_points)
    if budget.rule == Rule.GREEDY_THRESHOLD:
        meta["min_project_score_threshold"] = str(budget.threshold)
    pb_projects = [
        PbProject(p.code, Fraction(p.cost), {"project_id": p.code, "cost": str(p.cost), "name": p.title})
        for p in projects
    ]
    election = Election.from_ballots(
        meta,
        pb_projects,
        [r[0] for r in rows],
        points=[r[1] for r in rows] if budget.ballot_type == BallotType.CUMULATIVE else None,
        voter_fields={"receipt_hash": [r[2] for r in rows]} if with_receipts else None,
    )
    return election


def personal_data_of(user) -> dict:
    """This app's part of a person's data export: whether and when they voted, never how."""
    return {
        "budget_projects": [
            {
                "city": p.city.slug,
                "budget": p.budget.slug,
                "title": p.title,
                "description": p.description,
                "cost": p.proposed_cost,
                "submitted_at": p.created_at.isoformat(),
                "author_reply": p.author_reply,
            }
            for p in Project.objects.filter(author=user).select_related("city", "budget")
        ],
        # Whether and when the person voted; never their ballot, which no table links to them.
        "budget_eligibility": [
            {
                "city": v.city.slug,
                "budget": v.budget.slug,
                "method": v.method,
                "district": v.district,
                "verified_at": v.created_at.isoformat(),
                "voted_at": v.participation.created_at.isoformat() if hasattr(v, "participation") else None,
                "ballot_changes": v.participation.changes if hasattr(v, "participation") else 0,
            }
            for v in Verification.objects.filter(user=user).select_related("city", "budget", "participation")
        ]
        + [
            {
                "city": v.city.slug,
                "budget": v.budget.slug,
                "verified_someone_in_person_at": v.created_at.isoformat(),
            }
            for v in Verification.objects.filter(verified_by=user).select_related("city", "budget")
        ],
        "budgets_created": [
            {"city": b.city.slug, "budget": b.slug, "title": b.title}
            for b in Budget.objects.filter(created_by=user).select_related("city")
        ],
        "paper_ballots_entered": [
            {
                "city": e.city.slug,
                "budget": e.budget.slug,
                "station": e.station,
                "sheet": e.sheet,
                "at": e.created_at.isoformat(),
            }
            for e in PaperEntry.objects.filter(entered_by=user).select_related("city", "budget")
        ],
    }
