from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from civiclab.core.models import CityScoped, TimeStamped


class Follow(CityScoped):
    """A person follows an object (a process, a proposal, a debate, a result) to hear what happens to it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "content_type", "object_id"], name="follow_once"),
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="follow_target")]
        verbose_name = _("follow")


class Notification(CityScoped):
    """One line in a person's notifications. The text is rendered when read, in the reader's language,
    from a registered `kind` and plain `params` (see kinds.py)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=60)
    params = models.JSONField(default=dict)
    url = models.CharField(max_length=500)
    read_at = models.DateTimeField(null=True, blank=True)
    digested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]
        verbose_name = _("notification")


class Digest(models.TextChoices):
    NEVER = "never", _("No emails")
    DAILY = "daily", _("A daily email")
    WEEKLY = "weekly", _("A weekly email")


class DigestPreference(TimeStamped):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_preference"
    )
    frequency = models.CharField(
        _("email digest"), max_length=10, choices=Digest.choices, default=Digest.NEVER
    )

    class Meta:
        verbose_name = _("email digest preference")
