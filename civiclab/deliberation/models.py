"""Opinion-mapping conversations: statements, participants, votes and the computed report.

Participants are known to the map and to exports only by `pid`, a small number per conversation (as in
Pol.is), never by their account. Statements are numbered the same way (`tid`).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civiclab.core.models import CityScoped, CityScopedQuerySet

STATEMENT_MAX_LENGTH = 280


class Moderation(models.TextChoices):
    PRE = "pre", _("Before publication: new statements wait for a moderator")
    POST = "post", _("After publication: new statements show at once, moderators can reject them")


class Participation(models.TextChoices):
    RESIDENTS = "residents", _("Residents: signed-in people whose city is this city")
    VERIFIED = "verified", _("Verified: signed-in people with a verified email address")
    LINK = "link", _("Anyone with the link, without an account")


class ConversationQuerySet(CityScopedQuerySet):
    def published(self):
        return self.filter(published=True)


class Conversation(CityScoped):
    topic = models.CharField(_("topic"), max_length=200)
    slug = models.SlugField(_("address"), max_length=80)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown is allowed."))
    process = models.ForeignKey(
        "processes.Process",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conversations",
        verbose_name=_("process"),
    )
    phase = models.ForeignKey(
        "processes.Phase",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conversations",
        verbose_name=_("phase"),
    )
    moderation = models.CharField(
        _("moderation"), max_length=8, choices=Moderation.choices, default=Moderation.POST
    )
    participation = models.CharField(
        _("who may take part"), max_length=12, choices=Participation.choices, default=Participation.RESIDENTS
    )
    closes_at = models.DateTimeField(
        _("closes"), null=True, blank=True, help_text=_("Optional. In the city's time zone.")
    )
    published = models.BooleanField(
        _("published"), default=False, help_text=_("Unpublished conversations are visible to staff only.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Counters kept with F() updates, so that deciding whether to recompute costs one indexed read.
    next_pid = models.PositiveIntegerField(default=0, editable=False)
    next_tid = models.PositiveIntegerField(default=0, editable=False)
    votes_since_report = models.PositiveIntegerField(default=0, editable=False)
    recompute_requested_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ConversationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["city", "slug"], name="conversation_slug_unique_per_city")
        ]
        verbose_name = _("conversation")

    def __str__(self) -> str:
        return self.topic

    def is_open(self, now=None) -> bool:
        return self.published and (self.closes_at is None or (now or timezone.now()) < self.closes_at)


class StatementStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for moderation")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class Statement(CityScoped):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="statements")
    tid = models.PositiveIntegerField(editable=False)
    text = models.CharField(_("statement"), max_length=STATEMENT_MAX_LENGTH)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    participant = models.ForeignKey(
        "Participant", null=True, blank=True, on_delete=models.SET_NULL, related_name="statements"
    )
    is_seed = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=StatementStatus.choices, default=StatementStatus.PENDING)
    is_meta = models.BooleanField(
        _("meta"), default=False, help_text=_("About the process rather than the topic; left out of the map.")
    )
    moderation_reason = models.CharField(_("reason"), max_length=300, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["tid"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "tid"], name="statement_tid_unique"),
        ]
        indexes = [models.Index(fields=["conversation", "status"], name="statement_conv_status")]
        verbose_name = _("statement")

    def __str__(self) -> str:
        return self.text


class Participant(CityScoped):
    """Someone taking part: a signed-in person (`user`), a visitor with a link (`anon_key`, a hash of
    the random token in their signed cookie; never an IP address), or an imported Pol.is voter (neither)."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="participants")
    pid = models.PositiveIntegerField(editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # NULL rather than "" for people with an account: the conditional unique constraint skips NULLs.
    anon_key = models.CharField(max_length=64, null=True, blank=True, editable=False)  # noqa: DJ001

    class Meta:
        ordering = ["pid"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "pid"], name="participant_pid_unique"),
            models.UniqueConstraint(
                fields=["conversation", "user"],
                condition=models.Q(user__isnull=False),
                name="participant_user_unique",
            ),
            models.UniqueConstraint(
                fields=["conversation", "anon_key"],
                condition=models.Q(anon_key__isnull=False),
                name="participant_anon_unique",
            ),
        ]
        verbose_name = _("participant")

    def __str__(self) -> str:
        return f"#{self.pid}"


class VoteValue(models.IntegerChoices):
    # Pol.is open-data sign convention (see polis_format.py): agree = +1.
    AGREE = 1, _("Agree")
    PASS = 0, _("Pass / unsure")
    DISAGREE = -1, _("Disagree")


class Vote(CityScoped):
    """The latest answer of a participant to a statement. A repeated vote replaces it (an upsert on the
    unique pair), so the table never holds two answers for one pair."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="votes")
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="votes")
    value = models.SmallIntegerField(choices=VoteValue.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participant", "statement"], name="vote_once_per_statement"),
            models.CheckConstraint(condition=models.Q(value__in=[-1, 0, 1]), name="vote_value_valid"),
        ]
        indexes = [models.Index(fields=["conversation", "created_at"], name="vote_conv_created")]
        verbose_name = _("vote")


class OpinionReport(CityScoped):
    """The latest computed map of a conversation. Pages read it; only the background task writes it."""

    conversation = models.OneToOneField(Conversation, on_delete=models.CASCADE, related_name="report")
    computed_at = models.DateTimeField()
    votes_seen = models.PositiveIntegerField(default=0)
    participants_seen = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)
    result = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("opinion report")
