import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ERASED_NAME = "deleted participant"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Email is the login; the display name is what others see.

    `is_staff` only opens Django's admin for network admins; city roles live in cities.Membership."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    home_city = models.ForeignKey(
        "cities.City",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("my city"),
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    erased_at = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.public_name

    @property
    def public_name(self) -> str:
        if self.erased_at:
            return str(_("deleted participant"))
        return self.display_name or str(_("participant"))


class Purpose(models.TextChoices):
    TERMS = "terms", _("Terms of use")
    NEWSLETTER = "newsletter", _("Newsletter by email")
    DEMOGRAPHICS = "demographics", _("Demographic statistics")


PURPOSE_HELP = {
    Purpose.TERMS: _("Needed to take part: you accept the terms of use and the privacy notice."),
    Purpose.NEWSLETTER: _("We email you news about processes in your city. At most twice a month."),
    Purpose.DEMOGRAPHICS: _(
        "You may answer optional questions (age band, gender, district...). They are only used for "
        "anonymous statistics on who takes part, and small groups are never shown."
    ),
}


class Consent(models.Model):
    """One consent, bound to a purpose and to the version of the text the person agreed to.

    Giving creates a row; withdrawing stamps it. History is never rewritten."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    version = models.CharField(max_length=20)
    given_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["given_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "purpose"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="consent_one_active_per_purpose",
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True)
                | models.Q(withdrawn_at__gte=models.F("given_at")),
                name="consent_withdrawn_after_given",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} v{self.version}"

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None
