"""Meetings and living-lab sessions: one meetings component holds many meetings, each with a place,
accessibility information, registration with a capacity and a waiting list, and what came after it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civiclab.core.models import CityScoped


class Format(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("Hybrid: in person and online")


class MeetingQuerySet(models.QuerySet):
    def for_city(self, city):
        return self.filter(city=city)

    def public(self):
        """Meetings of switched-on components in published processes."""
        return self.filter(component__enabled=True, component__phase__process__published=True)


class Meeting(CityScoped):
    component = models.ForeignKey(
        "processes.Component", on_delete=models.CASCADE, related_name="meetings", verbose_name=_("component")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown is allowed."))
    format = models.CharField(_("format"), max_length=10, choices=Format.choices, default=Format.IN_PERSON)
    online_url = models.URLField(
        _("address of the online meeting"), blank=True, help_text=_("Shown only to registered people.")
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    step_free = models.BooleanField(_("step-free access"), default=False)
    hearing_loop = models.BooleanField(_("hearing loop"), default=False)
    sign_language = models.BooleanField(_("sign language interpretation"), default=False)
    childcare = models.BooleanField(_("childcare"), default=False)
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    access_notes = models.TextField(_("other accessibility notes"), blank=True)
    living_lab = models.BooleanField(_("living-lab session"), default=False)
    capacity = models.PositiveIntegerField(
        _("places"), null=True, blank=True, help_text=_("Empty: no limit and no registration needed.")
    )
    # After the meeting
    minutes = models.TextField(_("minutes"), blank=True, help_text=_("Markdown is allowed."))
    # The proposals that came out of the meeting (same city: checked by do_report_meeting).
    proposals = models.ManyToManyField(
        "proposals.Proposal",
        through="MeetingProposal",
        related_name="meetings",
        blank=True,
        verbose_name=_("proposals that came out of it"),
    )
    # [{"title": ..., "url": ...}]: other outcomes that are not proposals (a report, a video...).
    outcomes = models.JSONField(_("other outcomes (links)"), default=list, blank=True)
    attendance = models.PositiveIntegerField(_("people who attended"), null=True, blank=True)
    # {"gender": {"woman": 14, ...}, ...}: counted among attendees who consented; shown suppressed.
    attendance_demographics = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"
            )
        ]
        indexes = [models.Index(fields=["city", "starts_at"], name="meeting_city_start")]
        verbose_name = _("meeting")

    def __str__(self) -> str:
        return self.title

    def registration_open(self, now=None) -> bool:
        return self.capacity is not None and (now or timezone.now()) < self.starts_at

    def has_ended(self, now=None) -> bool:
        return (now or timezone.now()) >= self.ends_at

    @property
    def is_online(self) -> bool:
        return self.format in (Format.ONLINE, Format.HYBRID)

    @property
    def has_place(self) -> bool:
        return self.format in (Format.IN_PERSON, Format.HYBRID)


class MeetingProposal(CityScoped):
    """A proposal that came out of a meeting. Both are of this row's city: do_report_meeting refuses
    another city's proposal. No personal data: who linked it is in the audit log."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="proposal_links")
    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.CASCADE, related_name="meeting_links")

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "proposal"], name="meeting_proposal_once")]
        verbose_name = _("proposal of a meeting")


class Status(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    WAITING = "waiting", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class Registration(CityScoped):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=12, choices=Status.choices)
    # The place in the waiting list: when the person (last) asked for a place.
    queued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["queued_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"], condition=Q(user__isnull=False), name="meeting_registration_once"
            )
        ]
        verbose_name = _("registration")


class Photo(CityScoped):
    """A photo of a meeting, re-encoded on upload (civiclab/core/images.py), with its text alternative."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("image"), upload_to="meetings/")
    alt_text = models.CharField(_("description of the image"), max_length=250)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("photo")

    def __str__(self) -> str:
        return self.alt_text
