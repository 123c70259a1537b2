import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from civiclab.core.models import TimeStamped

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def validate_languages(value):
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Choose at least one language."))
    unknown = [code for code in value if code not in LANGUAGE_CODES]
    if unknown:
        raise ValidationError(_("Unsupported language: %(codes)s"), params={"codes": ", ".join(unknown)})


def validate_time_zone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone: %(tz)s"), params={"tz": value})


# First path segments the platform itself uses; a city can't take them.
RESERVED_SLUGS = frozenset(
    {
        "accounts",
        "account",
        "admin",
        "api",
        "i18n",
        "static",
        "media",
        "manifestos",
        "network",
        "healthz",
        "staff",
        "about",
        "privacy",
    }
)


def validate_not_reserved(value):
    if value.lower() in RESERVED_SLUGS:
        raise ValidationError(_("This address is reserved by the platform."))


class City(TimeStamped):
    """The tenant. Everything a city owns carries its city_id."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(
        _("address"),
        max_length=60,
        unique=True,
        validators=[validate_not_reserved],
        help_text=_(
            "Lower-case letters, digits and hyphens. It is the first part of the city's web address, "
            "as in /valencia/."
        ),
    )
    country = CountryField(_("country"))
    languages = models.JSONField(_("languages"), default=list, validators=[validate_languages])
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Brussels", validators=[validate_time_zone]
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    # Where maps of the city open, before anyone has placed a point.
    latitude = models.FloatField(
        _("map centre latitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.FloatField(
        _("map centre longitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    colour = models.CharField(
        _("colour"),
        max_length=7,
        default="#1f5f8b",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a hex colour such as #1f5f8b."))],
    )
    logo = models.ImageField(_("logo"), upload_to="city-logos/", blank=True)
    custom_domain = models.CharField(
        _("custom domain"),
        max_length=253,
        null=True,
        blank=True,
        unique=True,
        validators=[
            RegexValidator(
                r"^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$",
                _("Enter a host name such as participa.example.org."),
            )
        ],
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        constraints = [models.UniqueConstraint(Lower("slug"), name="city_slug_ci_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def default_language(self) -> str:
        return self.languages[0] if self.languages else settings.LANGUAGE_CODE

    def language_names(self) -> list[str]:
        names = dict(settings.LANGUAGES)
        return [names[code] for code in self.languages if code in names]


class Role(models.TextChoices):
    ADMIN = "admin", _("City admin")
    MODERATOR = "moderator", _("Moderator")
    EVALUATOR = "evaluator", _("Evaluator")


class Membership(TimeStamped):
    """A staff role a person holds in one city. A person may hold several roles."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["city", "user", "role"], name="membership_unique_role")
        ]
        verbose_name = _("staff role")

    def __str__(self) -> str:
        return f"{self.user_id} {self.role} @ {self.city_id}"
