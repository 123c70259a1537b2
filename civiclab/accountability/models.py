"""Accountability: results the city committed to (with their public history and citizens' feedback),
and KPIs (a network catalogue, each city's adoptions, baselines, targets and measurements).

Nothing is rewritten in silence: a result's every change is a `ResultChange` row shown publicly, and a
corrected measurement is superseded by a new row, never updated in place."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civiclab.core.models import CityScoped, TimeStamped


class AccountabilitySettings(CityScoped):
    """Per-city settings of this app (one row per city, made on first use)."""

    reopen_threshold = models.PositiveSmallIntegerField(
        _("reports of “not delivered” that reopen a result"),
        default=5,
        validators=[MinValueValidator(1)],
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["city"], name="accountability_settings_per_city")]
        verbose_name = _("accountability settings")

    def __str__(self) -> str:
        return f"settings of {self.city_id}"


class StatusKind(models.TextChoices):
    """What a city's own status means to the platform (a city may have several statuses of a kind)."""

    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


class ResultStatus(CityScoped):
    """One entry of a city's configurable list of result statuses."""

    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("meaning"), max_length=12, choices=StatusKind.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["city", "code"], name="result_status_code_per_city")]
        verbose_name = _("result status")

    def __str__(self) -> str:
        return self.name


class ProgressMode(models.TextChoices):
    MANUAL = "manual", _("Entered by staff")
    MILESTONES = "milestones", _("Computed from weighted milestones")


class Origin(models.TextChoices):
    HAND = "hand", _("Entered by hand")
    PROJECT = "project", _("A funded budget project")
    PROCESS = "process", _("A participatory process")
    PROPOSAL = "proposal", _("An accepted proposal")


class ResultQuerySet(models.QuerySet):
    def for_city(self, city):
        return self.filter(city=city)

    def published(self):
        return self.filter(published=True)


class Result(CityScoped):
    """Anything the city committed to, tracked to delivery."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown is allowed."))
    published = models.BooleanField(_("published"), default=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Where the commitment comes from. Nullable links, so a result may also be entered by hand.
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices, default=Origin.HAND)
    origin_project = models.ForeignKey(
        "budgeting.Project",
        verbose_name=_("budget project"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    origin_process = models.ForeignKey(
        "processes.Process",
        verbose_name=_("process"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    origin_proposal = models.ForeignKey(
        "proposals.Proposal",
        verbose_name=_("proposal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    department = models.CharField(_("owner department"), max_length=160, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    budget_amount = models.PositiveBigIntegerField(_("budget"), null=True, blank=True)
    spent = models.PositiveBigIntegerField(_("money spent"), default=0)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    status = models.ForeignKey(
        ResultStatus, verbose_name=_("status"), on_delete=models.PROTECT, related_name="results"
    )
    cancel_reason = models.TextField(_("reason for the cancellation"), blank=True)
    progress_mode = models.CharField(
        _("progress"), max_length=10, choices=ProgressMode.choices, default=ProgressMode.MANUAL
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    kpis = models.ManyToManyField(
        "CityKpi", verbose_name=_("KPIs it aims at"), blank=True, related_name="results"
    )
    # A pilot (living lab): the findings are public once `findings_published_at` is set.
    is_pilot = models.BooleanField(_("this is a pilot"), default=False)
    hypothesis = models.TextField(_("hypothesis"), blank=True)
    method = models.TextField(_("method"), blank=True)
    participants = models.TextField(_("participants"), blank=True)
    evaluation = models.TextField(_("evaluation"), blank=True)
    findings = models.TextField(_("findings"), blank=True, help_text=_("Markdown is allowed."))
    findings_published_at = models.DateTimeField(_("findings published"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ResultQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["origin_project"],
                condition=Q(origin_project__isnull=False),
                name="result_once_per_project",
            ),
            models.UniqueConstraint(
                fields=["origin_proposal"],
                condition=Q(origin_proposal__isnull=False),
                name="result_once_per_proposal",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="result_progress_at_most_100"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="result_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["city", "status"], name="result_city_status")]
        verbose_name = _("result")

    def __str__(self) -> str:
        return self.title


class Milestone(CityScoped):
    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=200)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1, validators=[MinValueValidator(1)])
    due_on = models.DateField(_("due"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [models.CheckConstraint(condition=Q(weight__gte=1), name="milestone_weight_positive")]
        verbose_name = _("milestone")

    def __str__(self) -> str:
        return self.title


class ResultUpdate(CityScoped):
    """A dated entry of a result's public timeline."""

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="updates")
    date = models.DateField(_("date"))
    text = models.TextField(_("what happened"), help_text=_("Markdown is allowed."))
    author_role = models.CharField(max_length=20, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("result update")

    def __str__(self) -> str:
        return f"{self.date}: {self.text[:40]}"


class UpdatePhoto(CityScoped):
    update = models.ForeignKey(ResultUpdate, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to="results/")
    alt_text = models.CharField(
        _("description of the photo"),
        max_length=250,
        help_text=_("What the photo shows, for people who cannot see it."),
    )

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.alt_text


class UpdateDocument(CityScoped):
    """A PDF attached to an update; checked by its first bytes and always served as a download."""

    update = models.ForeignKey(ResultUpdate, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(_("document"), upload_to="result-documents/")
    title = models.CharField(_("document title"), max_length=200)
    size = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title


class ResultChange(CityScoped):
    """The public history of a result: one row per changed field. Names no person, only a role."""

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="changes")
    field = models.CharField(max_length=40)
    old = models.TextField(blank=True)
    new = models.TextField(blank=True)
    role = models.CharField(max_length=40, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("change of a result")

    def __str__(self) -> str:
        return f"{self.result_id}.{self.field}"


class Delivered(models.TextChoices):
    YES = "yes", _("Yes")
    PARTLY = "partly", _("Partly")
    NO = "no", _("No")


class Feedback(CityScoped):
    """A person's judgement of a delivered result: one per person and result, editable."""

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    delivered = models.CharField(_("Was it delivered as promised?"), max_length=6, choices=Delivered.choices)
    rating = models.PositiveSmallIntegerField(
        _("How well does it work? (1 to 5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True)
    answer = models.TextField(_("answer of the city"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["result", "user"], condition=Q(user__isnull=False), name="feedback_once_per_person"
            ),
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_to_5"),
        ]
        indexes = [models.Index(fields=["city", "rating", "answered_at"], name="feedback_queue")]
        verbose_name = _("feedback on a result")

    def __str__(self) -> str:
        return f"{self.result_id}: {self.rating}"

    @property
    def needs_answer(self) -> bool:
        return self.rating <= 2 and not self.answer


# --- KPIs --------------------------------------------------------------------------------------------


class Unit(models.TextChoices):
    PERCENT = "percent", _("Percentage (0 to 100)")
    COUNT = "count", _("Count")
    PER_1000 = "per_1000", _("Per 1,000 residents")
    RATING = "rating", _("Rating (1 to 5)")
    CURRENCY = "currency", _("Money (EUR)")
    TONNES = "tonnes", _("Tonnes")
    MICROGRAMS_M3 = "ug_m3", _("Micrograms per cubic metre")
    SQUARE_METRES = "m2", _("Square metres")
    DAYS = "days", _("Days")


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class NetworkStatus(models.TextChoices):
    CATALOGUE = "catalogue", _("In the network catalogue")
    OWN = "own", _("The city's own")
    PROPOSED = "proposed", _("Proposed to the network")
    REFUSED = "refused", _("Not taken into the network catalogue")


class Kpi(TimeStamped):
    """An indicator. `city` is empty for the network catalogue; a city's own KPI carries its city until
    the network admin accepts it into the catalogue (the city stays as `contributed_by`)."""

    city = models.ForeignKey("cities.City", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    contributed_by = models.ForeignKey(
        "cities.City", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=NetworkStatus.choices, default=NetworkStatus.CATALOGUE)
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    definition = models.TextField(_("definition"))
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    direction = models.CharField(
        _("direction"), max_length=6, choices=Direction.choices, default=Direction.HIGHER
    )
    calculation = models.TextField(_("calculation method"), blank=True)
    data_source = models.CharField(_("data source"), max_length=300, blank=True)
    sdg_target = models.CharField(_("SDG target"), max_length=10, blank=True, help_text=_("For example 11.6"))
    sdg_indicator = models.CharField(_("SDG indicator"), max_length=12, blank=True)
    normalise = models.BooleanField(
        _("compare per 1,000 residents"),
        default=False,
        help_text=_("Only for totals (counts, money, tonnes), where a city's size changes the number."),
    )
    calculator = models.CharField(
        _("computed by CivicLab"), max_length=40, blank=True, help_text=_("Empty: measured by the city.")
    )
    caveats = models.TextField(_("comparability caveats"), blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(city__isnull=True), name="kpi_code_in_catalogue"
            ),
            models.UniqueConstraint(fields=["city", "code"], name="kpi_code_per_city"),
        ]
        verbose_name = _("KPI")

    def __str__(self) -> str:
        return f"{self.code}: {self.name}"


class CityKpi(CityScoped):
    """A city's adoption of a KPI: where it starts, where it aims, and what counts as success."""

    kpi = models.ForeignKey(Kpi, on_delete=models.PROTECT, related_name="adoptions")
    baseline_value = models.DecimalField(_("baseline value"), max_digits=18, decimal_places=4)
    baseline_date = models.DateField(_("baseline date"))
    target_value = models.DecimalField(
        _("target value"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    target_date = models.DateField(_("target date"), null=True, blank=True)
    success_criterion = models.TextField(_("success criterion"), blank=True)
    how_measured = models.TextField(_("how the city measures it"), blank=True)
    processes = models.ManyToManyField(
        "processes.Process", verbose_name=_("processes that aim at it"), blank=True, related_name="+"
    )

    class Meta:
        ordering = ["kpi__code"]
        constraints = [
            models.UniqueConstraint(fields=["city", "kpi"], name="kpi_adopted_once"),
            models.CheckConstraint(
                condition=Q(target_value__isnull=True, target_date__isnull=True)
                | Q(target_value__isnull=False, target_date__isnull=False),
                name="kpi_target_value_and_date",
            ),
        ]
        verbose_name = _("adopted KPI")

    def __str__(self) -> str:
        return f"{self.city_id}:{self.kpi_id}"


class KpiTarget(CityScoped):
    """An interim target on the way to the adoption's final target (`CityKpi.target_value`)."""

    adoption = models.ForeignKey(CityKpi, on_delete=models.CASCADE, related_name="targets")
    date = models.DateField(_("date"))
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=4)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["adoption", "date"], name="kpi_target_once_per_date")]
        verbose_name = _("interim target")

    def __str__(self) -> str:
        return f"{self.adoption_id} {self.date}: {self.value}"


class Measurement(CityScoped):
    """One value of a city's KPI. A correction adds a new row and points the old one at it."""

    adoption = models.ForeignKey(CityKpi, on_delete=models.CASCADE, related_name="measurements")
    date = models.DateField(_("date"))
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=4)
    source = models.CharField(_("source"), max_length=300)
    note = models.TextField(_("note"), blank=True)
    superseded_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="supersedes"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    via = models.CharField(max_length=20, default="form")  # form, csv, api, computed, demo

    class Meta:
        ordering = ["date", "pk"]
        indexes = [
            models.Index(
                fields=["adoption", "date"],
                condition=Q(superseded_by__isnull=True),
                name="measurement_current",
            )
        ]
        verbose_name = _("measurement")

    def __str__(self) -> str:
        return f"{self.adoption_id} {self.date}: {self.value}"


class ApiToken(CityScoped):
    """A per-city API token. Only sha256(token) is stored; the token is shown once, when made."""

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    token_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")

    def __str__(self) -> str:
        return f"{self.prefix}…"
