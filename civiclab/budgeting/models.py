"""Participatory budgets: projects, eligibility, secret ballots and their separate participation register.

Secrecy by construction: `Ballot` has no link to a person or an account, a random primary key (so row
order tells nothing) and only the day it was cast. `Participation` (the register) says who voted, and is
written in the same transaction under a unique constraint. The only value tying a voter to a ballot is the
receipt code, which only the voter holds: the ballot stores sha256(receipt) and the register
hmac(secret, receipt), and neither can be computed from the other without the code.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civiclab.core.models import CityScoped


class BallotType(models.TextChoices):
    KNAPSACK = "knapsack", _("Approval within the budget")
    K_APPROVAL = "k_approval", _("Approval of a number of projects")
    CHOOSE_ONE = "choose_one", _("Choose one project")
    CUMULATIVE = "cumulative", _("Share points among projects")
    RANKING = "ranking", _("Rank projects")


class Rule(models.TextChoices):
    GREEDY = "greedy", _("Most votes first, skipping projects that no longer fit")
    GREEDY_NOSKIP = "greedy-noskip", _("Most votes first, stopping at the first that does not fit")
    GREEDY_THRESHOLD = "greedy-threshold", _("Most votes first, among projects with a minimum of votes")
    MES = "mes", _("Method of Equal Shares")
    MES_ADD1 = "mes-add1", _("Method of Equal Shares, completed (Add1)")


class Residency(models.TextChoices):
    ANYONE = "anyone", _("Anyone who proves their identity")
    RESIDENTS = "residents", _("Residents of the city")
    DISTRICT = "district", _("Residents of the chosen district")


class Method(models.TextChoices):
    CENSUS = "census", _("Census list")
    IN_PERSON = "in_person", _("In person at a city office")
    LETTER = "letter", _("Code sent by letter")


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    PAPER = "paper", _("Paper")


# The fields that decide who may vote and how votes count. Frozen once voting opens.
RULE_FIELDS = (
    "amount",
    "ballot_type",
    "min_choices",
    "max_choices",
    "max_points",
    "rule",
    "threshold",
    "add1_start",
    "add1_stop",
    "completion",
    "allow_vote_change",
    "min_age",
    "residency",
    "methods",
    "voting_opens_at",
    "voting_closes_at",
)


class BudgetQuerySet(models.QuerySet):
    def for_city(self, city):
        return self.filter(city=city)

    def published(self):
        return self.filter(published=True)


class Budget(CityScoped):
    process = models.ForeignKey(
        "processes.Process",
        verbose_name=_("process"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="budgets",
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("address"), max_length=80)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown is allowed."))
    published = models.BooleanField(_("published"), default=False)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    amount = models.PositiveBigIntegerField(
        _("budget"), help_text=_("The whole budget. With districts, each district has its own amount.")
    )
    accepts_projects = models.BooleanField(_("residents can submit projects"), default=True)
    ballot_type = models.CharField(
        _("ballot"), max_length=20, choices=BallotType.choices, default=BallotType.KNAPSACK
    )
    min_choices = models.PositiveSmallIntegerField(_("fewest projects on a ballot"), default=1)
    max_choices = models.PositiveSmallIntegerField(
        _("most projects on a ballot"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    max_points = models.PositiveSmallIntegerField(
        _("points to share"), default=10, help_text=_("Cumulative ballots only.")
    )
    rule = models.CharField(_("counting rule"), max_length=20, choices=Rule.choices, default=Rule.MES_ADD1)
    threshold = models.PositiveIntegerField(
        _("minimum votes"), default=0, help_text=_("With the minimum-votes rule only.")
    )
    add1_start = models.CharField(
        _("Add1 start"),
        max_length=10,
        choices=[("exact", _("exact")), ("integral", _("integral"))],
        default="exact",
    )
    add1_stop = models.CharField(
        _("Add1 stop"),
        max_length=12,
        choices=[("exhaustive", _("exhaustive")), ("overspend", _("overspend"))],
        default="exhaustive",
    )
    completion = models.CharField(
        _("completion"),
        max_length=10,
        choices=[("greedy", _("greedy")), ("none", _("none"))],
        default="greedy",
    )
    allow_vote_change = models.BooleanField(_("voters can change their ballot until the close"), default=True)
    min_age = models.PositiveSmallIntegerField(_("minimum age"), default=16)
    residency = models.CharField(
        _("who may vote"), max_length=12, choices=Residency.choices, default=Residency.RESIDENTS
    )
    methods = models.JSONField(_("verification methods"), default=list)
    voting_opens_at = models.DateTimeField(_("voting opens"))
    voting_closes_at = models.DateTimeField(_("voting closes"))
    results_published_at = models.DateTimeField(_("results published"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = BudgetQuerySet.as_manager()

    class Meta:
        ordering = ["-voting_opens_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["city", "slug"], name="budget_slug_unique_per_city"),
            models.CheckConstraint(
                condition=Q(voting_closes_at__gt=models.F("voting_opens_at")), name="budget_closes_after_open"
            ),
        ]
        verbose_name = _("participatory budget")

    def __str__(self) -> str:
        return self.title

    def voting_has_opened(self, now=None) -> bool:
        return (now or timezone.now()) >= self.voting_opens_at

    def voting_is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.voting_opens_at <= now < self.voting_closes_at

    def voting_has_closed(self, now=None) -> bool:
        return (now or timezone.now()) >= self.voting_closes_at

    @property
    def stage(self) -> str:
        if self.results_published_at:
            return "results"
        now = timezone.now()
        if self.voting_has_closed(now):
            return "closed"
        if self.voting_is_open(now):
            return "voting"
        return "preparing"


class District(CityScoped):
    """A part of a budget kept for one district: a voter picks one and votes on its projects."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="districts")
    name = models.CharField(_("district"), max_length=120)
    amount = models.PositiveBigIntegerField(_("budget"))

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["budget", "name"], name="district_unique_per_budget")]
        verbose_name = _("district")

    def __str__(self) -> str:
        return self.name


class ProjectStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for technical review")
    FEASIBLE = "feasible", _("Feasible")
    UNFEASIBLE = "unfeasible", _("Not feasible")


class Project(CityScoped):
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="projects")
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), help_text=_("Markdown is allowed."))
    cost = models.PositiveBigIntegerField(_("estimated cost"))
    proposed_cost = models.PositiveBigIntegerField(_("cost proposed by the author"))
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ProjectStatus.choices, default=ProjectStatus.SUBMITTED
    )
    review_reason = models.TextField(_("reason"), blank=True)
    cost_note = models.TextField(_("note on the cost"), blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    author_reply = models.TextField(_("reply of the author"), blank=True)
    funded = models.BooleanField(default=False)
    # Brought in by its author from the co-creation phase; the project page links back to it.
    source_proposal = models.ForeignKey(
        "proposals.Proposal",
        verbose_name=_("from the proposal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("project")
        constraints = [
            models.UniqueConstraint(
                fields=["budget", "source_proposal"],
                condition=models.Q(source_proposal__isnull=False),
                name="project_once_per_proposal_and_budget",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def code(self) -> str:
        """The project's id in ballots, results and pabulib files."""
        return str(self.pk)


class ProjectImage(CityScoped):
    """A picture of a project, re-encoded on upload (civiclab/core/images.py), with its text alternative."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(_("image"), upload_to="budget-projects/")
    alt_text = models.CharField(
        _("description of the image"),
        max_length=250,
        help_text=_("What the image shows, for people who cannot see it."),
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("project image")

    def __str__(self) -> str:
        return self.alt_text


class CensusEntry(models.Model):
    """One line of the census list: a keyed hash of the person's identifier, never the identifier."""

    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="+")
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="census")
    identity_hash = models.CharField(max_length=64)
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    district = models.CharField(max_length=120, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["budget", "identity_hash"], name="census_entry_unique")
        ]

    def __str__(self) -> str:
        return self.identity_hash[:12]


class LetterCode(models.Model):
    """A single-use voting code sent by letter; stored as a keyed hash."""

    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="+")
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="letter_codes")
    code_hash = models.CharField(max_length=64)
    district = models.CharField(max_length=120, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["budget", "code_hash"], name="letter_code_unique")]

    def __str__(self) -> str:
        return self.code_hash[:12]


class Verification(CityScoped):
    """A person proved they may vote in a budget. `identity_hash` is unique per budget, so a second account
    (or an account erased and registered again) cannot be verified with the same identity."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="verifications")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    identity_hash = models.CharField(max_length=64)
    method = models.CharField(max_length=12, choices=Method.choices)
    district = models.CharField(max_length=120, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["budget", "identity_hash"], name="verification_identity_unique"),
            models.UniqueConstraint(
                fields=["budget", "user"], condition=Q(user__isnull=False), name="verification_user_unique"
            ),
        ]


class Participation(CityScoped):
    """The participation register: who voted in which budget, and when. Never joined with ballots."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="participations")
    verification = models.OneToOneField(Verification, on_delete=models.CASCADE, related_name="participation")
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.ONLINE)
    # hmac(secret, receipt code): proves a voter's own receipt when they change their ballot.
    receipt_mac = models.CharField(max_length=64)
    changes = models.PositiveSmallIntegerField(default=0)


class Ballot(models.Model):
    """A secret ballot. No person, no account, no precise time; a random id so that order says nothing."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="+")
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="ballots")
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.ONLINE)
    cast_on = models.DateField()
    receipt_hash = models.CharField(max_length=64, unique=True)
    projects = models.JSONField(default=list)  # project codes, in rank order for ranking ballots
    points = models.JSONField(default=list)  # cumulative ballots: points per listed project

    class Meta:
        indexes = [models.Index(fields=["budget", "district"], name="ballot_budget_district")]

    def __str__(self) -> str:
        return str(self.id)


class PaperEntryStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for the second entry")
    MATCHED = "matched", _("Counted")
    MISMATCH = "mismatch", _("Entries differ: to review")
    SUPERSEDED = "superseded", _("Replaced in review")


class PaperEntry(CityScoped):
    """One staff member's typing of one paper ballot. A ballot counts once two people typed it the same."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="paper_entries")
    station = models.CharField(_("polling station"), max_length=80)
    sheet = models.CharField(_("ballot sheet number"), max_length=40)
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    projects = models.JSONField(default=list)
    points = models.JSONField(default=list)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=12, choices=PaperEntryStatus.choices, default=PaperEntryStatus.WAITING
    )
    ballot = models.ForeignKey(Ballot, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["station", "sheet", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["budget", "station", "sheet", "entered_by"], name="paper_entry_once_per_staff"
            )
        ]


class Outcome(CityScoped):
    """The count of one budget (or one district of it), with the explanation shown on the results page."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="outcomes")
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    rule = models.CharField(max_length=20)
    ballots = models.PositiveIntegerField()
    selected = models.JSONField(default=list)
    cost = models.PositiveBigIntegerField()
    explanation = models.JSONField(default=dict)

    class Meta:
        ordering = ["district__name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["budget", "district"],
                condition=Q(district__isnull=False),
                name="outcome_per_district",
            ),
            models.UniqueConstraint(
                fields=["budget"], condition=Q(district__isnull=True), name="outcome_per_budget"
            ),
        ]
