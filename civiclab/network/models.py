from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from civiclab.core.models import TimeStamped


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
