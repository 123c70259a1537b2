from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from civiclab.core.models import CityScoped, TimeStamped


class Manifesto(TimeStamped):
    """A text the network stands on (the Inclusive and the Human Smart Cities Manifestos)."""

    slug = models.SlugField(unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"))
    body = models.TextField(_("text"), blank=True, help_text=_("Markdown is allowed."))
    source_url = models.URLField(_("source"), blank=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("manifesto")

    def __str__(self) -> str:
        return self.title


class EndorserKind(models.TextChoices):
    PERSON = "person", _("A person")
    ORGANISATION = "organisation", _("An organisation")


class OrganisationType(models.TextChoices):
    """The quadruple helix of innovation."""

    PUBLIC_BODY = "public_body", _("Public body")
    UNIVERSITY = "university", _("University or research")
    BUSINESS = "business", _("Business")
    CIVIL_SOCIETY = "civil_society", _("Civil society")


class Endorsement(TimeStamped):
    manifesto = models.ForeignKey(Manifesto, on_delete=models.CASCADE, related_name="endorsements")
    kind = models.CharField(_("I endorse as"), max_length=20, choices=EndorserKind.choices)
    name = models.CharField(_("name"), max_length=200, blank=True)
    organisation_type = models.CharField(
        _("type of organisation"), max_length=20, choices=OrganisationType.choices, blank=True
    )
    country = CountryField(_("country"))
    show_name = models.BooleanField(_("show my name in the list of signatories"), default=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="endorsements",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["manifesto", "user"], name="endorsement_once_per_account"),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="person", organisation_type="")
                    | models.Q(kind="organisation") & ~models.Q(organisation_type="")
                ),
                name="endorsement_org_type_iff_organisation",
            ),
        ]
        verbose_name = _("endorsement")

    def __str__(self) -> str:
        return f"{self.manifesto_id}: {self.public_name}"

    @property
    def public_name(self) -> str:
        return self.name if self.show_name and self.name else str(_("Name not shown"))


# --- Practice library (issue 6) ---------------------------------------------------------------------


class Topic(models.TextChoices):
    PARTICIPATION = "participation", _("Participation and democracy")
    MOBILITY = "mobility", _("Mobility")
    CLIMATE = "climate", _("Climate and green space")
    SERVICES = "services", _("Public services")
    INCLUSION = "inclusion", _("Inclusion")
    HOUSING = "housing", _("Housing")
    DIGITAL = "digital", _("Digital tools")


class PracticeKind(models.TextChoices):
    SERVICE = "service", _("A co-designed service")
    PROCESS = "process", _("A process template")
    TOOL = "tool", _("A tool")


class Practice(CityScoped):
    """A practice one city shares with the network. It belongs to that city; everyone may read it."""

    slug = models.SlugField(_("address"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=10, choices=PracticeKind.choices, default=PracticeKind.PROCESS
    )
    summary = models.CharField(_("summary"), max_length=300)
    problem = models.TextField(_("problem"), help_text=_("Markdown is allowed."))
    context = models.TextField(_("context"), blank=True)
    method = models.TextField(_("method"), blank=True)
    costs = models.TextField(_("costs"), blank=True)
    results = models.TextField(_("results"), blank=True)
    lessons = models.TextField(_("lessons learned"), blank=True)
    contact = models.CharField(
        _("contact"), max_length=200, blank=True, help_text=_("An office, not a person.")
    )
    licence = models.CharField(_("licence"), max_length=80, default="CC BY 4.0")
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    sdg_target = models.CharField(_("SDG target"), max_length=10, blank=True)
    language = models.CharField(_("language"), max_length=8, default="en")
    kpis = models.ManyToManyField(
        "accountability.Kpi", verbose_name=_("KPIs it moved"), blank=True, related_name="+"
    )
    source_process = models.ForeignKey(
        "processes.Process",
        verbose_name=_("process template"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published = models.BooleanField(_("published"), default=True)
    replication_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["topic"], name="practice_topic")]
        verbose_name = _("practice")

    def __str__(self) -> str:
        return self.title


class Replication(CityScoped):
    """A city copied a practice's process template into a draft process of its own."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="replications")
    process = models.OneToOneField("processes.Process", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("replication")

    def __str__(self) -> str:
        return f"{self.practice_id} -> {self.process_id}"


class PracticeComment(CityScoped):
    """A comment by a staff member of another city. Shown with the city and role, not the name."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="comments")
    role = models.CharField(max_length=20)
    body = models.TextField(_("comment"), max_length=4000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment on a practice")

    def __str__(self) -> str:
        return f"{self.practice_id}: {self.body[:30]}"
