from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class CityScopedQuerySet(models.QuerySet):
    def for_city(self, city):
        return self.filter(city=city)


class CityScoped(TimeStamped):
    """A tenant-owned row. It carries city_id even when a parent would give it, so that every
    query can be scoped to one city and the database can be sharded by city."""

    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="+")

    objects = CityScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class AuditEvent(models.Model):
    """Who did what, in which city, when. Written in the same transaction as the change itself.

    `data` never holds personal data (no names or emails), so erasure can keep the trail."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    city = models.ForeignKey("cities.City", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=80, db_index=True)
    target_type = models.CharField(max_length=80, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["city", "-created_at"], name="audit_city_recent")]
        verbose_name = _("audit event")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_type}:{self.target_id}"
