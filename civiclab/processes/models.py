from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civiclab.core.models import CityScoped

from . import timeline


class ProcessQuerySet(models.QuerySet):
    def for_city(self, city):
        return self.filter(city=city)

    def published(self):
        return self.filter(published=True)


class Process(CityScoped):
    """A participatory process: a question the city opens to its people, run in ordered phases."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("address"), max_length=80)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown is allowed."))
    published = models.BooleanField(
        _("published"), default=False, help_text=_("Unpublished processes are visible to staff only.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ProcessQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["city", "slug"], name="process_slug_unique_per_city")]
        verbose_name = _("participatory process")

    def __str__(self) -> str:
        return self.title

    # These read `phases.all()`, so list pages prefetch phases and stay at a constant query count.
    def active_phase(self, now=None):
        return timeline.active_phase(list(self.phases.all()), now or timezone.now())

    def stage(self, now=None) -> timeline.Stage:
        return timeline.stage(list(self.phases.all()), now or timezone.now())


class PhaseKind(models.TextChoices):
    DIAGNOSIS = "diagnosis", _("Diagnosis")
    CO_DESIGN = "co_design", _("Co-design")
    DECISION = "decision", _("Decision")
    DELIVERY = "delivery", _("Delivery")
    EVALUATION = "evaluation", _("Evaluation")


class Phase(CityScoped):
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="phases")
    kind = models.CharField(_("kind"), max_length=20, choices=PhaseKind.choices)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["process", "position"], name="phase_position_unique"),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="phase_ends_after_start"
            ),
        ]
        verbose_name = _("phase")

    def __str__(self) -> str:
        return self.name


class ComponentKind(models.TextChoices):
    PROPOSALS = "proposals", _("Proposals")
    DEBATES = "debates", _("Debates")
    SURVEY = "survey", _("Survey")
    MEETINGS = "meetings", _("Meetings")


class ComponentQuerySet(models.QuerySet):
    def for_city(self, city):
        return self.filter(city=city)

    def enabled(self):
        return self.filter(enabled=True)


class Component(CityScoped):
    """A participation feature switched on for one phase (proposals, debates, a survey, meetings).

    `settings` belongs to the component's own app, which validates it (see `components.py`)."""

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="components")
    kind = models.CharField(_("kind"), max_length=20, choices=ComponentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    settings = models.JSONField(_("settings"), default=dict, blank=True)
    enabled = models.BooleanField(_("switched on"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = ComponentQuerySet.as_manager()

    class Meta:
        ordering = ["phase__position", "position", "id"]
        verbose_name = _("component")

    def __str__(self) -> str:
        return self.title

    @property
    def process(self) -> Process:
        return self.phase.process

    def is_open(self, now=None) -> bool:
        """Contributions are accepted while the component is on and its phase is running."""
        now = now or timezone.now()
        return self.enabled and self.phase.starts_at <= now < self.phase.ends_at
