"""Proposals, comments, debates and moderation: the co-design components of a process phase.

Counters (`supports_count`, `comments_count`, ...) are denormalised and kept right by the actions, in the
same transaction as the row they count, so list pages read them without a join or a GROUP BY.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civiclab.core.models import CityScoped, TimeStamped

User = settings.AUTH_USER_MODEL


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("By phone")
    PAPER = "paper", _("On paper")


class AnswerState(models.TextChoices):
    EVALUATING = "evaluating", _("Being evaluated")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    MERGED = "merged", _("Merged into another proposal")


class Moderated(CityScoped):
    """Content that can be reported and hidden. Hidden content stays in the database (for the appeal and
    the audit) and is left out of every public page and of the API."""

    hidden_at = models.DateTimeField(_("hidden"), null=True, blank=True)
    hidden_reason = models.CharField(_("why it is hidden"), max_length=300, blank=True)
    reports_count = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class ModerationSettings(TimeStamped):
    city = models.OneToOneField("cities.City", on_delete=models.CASCADE, related_name="+")
    hide_after_reports = models.PositiveSmallIntegerField(
        _("hide after this many reports"),
        default=3,
        help_text=_("Content is hidden until a moderator looks at it once this many people report it."),
    )

    class Meta:
        verbose_name = _("moderation settings")


class Proposal(Moderated):
    component = models.ForeignKey("processes.Component", on_delete=models.CASCADE, related_name="proposals")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("proposal"), help_text=_("Markdown is allowed."))
    category = models.CharField(_("category"), max_length=80, blank=True)
    district = models.CharField(_("district"), max_length=80, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    author = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices, default=Channel.ONLINE)
    # The official answer: the feedback loop. Empty until staff answer.
    answer_state = models.CharField(_("answer"), max_length=12, choices=AnswerState.choices, blank=True)
    answer_reason = models.TextField(_("reason"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )
    supports_count = models.PositiveIntegerField(default=0)
    comments_count = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    # Withdrawn by its author: it stays readable with a notice, takes no more supports, amendments,
    # edits or endorsements, and leaves the default list. Final: the author cannot undo it.
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["component", "-created_at"], name="proposal_recent"),
            models.Index(fields=["component", "-supports_count"], name="proposal_supported"),
        ]
        verbose_name = _("proposal")

    def __str__(self) -> str:
        return self.title

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class ProposalVersion(CityScoped):
    """The text of a proposal before an accepted amendment or an edit by its authors replaced it."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    body = models.TextField()

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "number"], name="proposal_version_unique"),
        ]


class AttachmentKind(models.TextChoices):
    IMAGE = "image", _("Image")
    PDF = "pdf", _("PDF document")


class Attachment(CityScoped):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(max_length=8, choices=AttachmentKind.choices)
    file = models.FileField(upload_to="proposals/%Y/%m/")
    title = models.CharField(_("description"), max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]


class CoAuthorship(CityScoped):
    """A person (invited by email, who accepts) or an organisation (named by the author) writing it too."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="coauthors")
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    organisation_name = models.CharField(_("organisation"), max_length=160, blank=True)
    organisation_type = models.CharField(_("type of organisation"), max_length=80, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    invited_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "user"], condition=Q(user__isnull=False), name="coauthor_person_once"
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(organisation_name=""), name="coauthor_is_someone"
            ),
        ]


class Support(CityScoped):
    """One per person and proposal: by account, or (on paper) by a keyed hash of an identity number."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    identity_hash = models.CharField(max_length=64, blank=True)
    supporter_name = models.CharField(max_length=160, blank=True)
    channel = models.CharField(max_length=12, choices=Channel.choices, default=Channel.ONLINE)
    recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "user"], condition=Q(user__isnull=False), name="support_once_per_person"
            ),
            models.UniqueConstraint(
                fields=["proposal", "identity_hash"],
                condition=~Q(identity_hash=""),
                name="support_once_per_identity",
            ),
        ]


class Endorsement(CityScoped):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="endorsements")
    organisation_name = models.CharField(_("organisation"), max_length=160)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["organisation_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "organisation_name"], name="endorsement_once_per_org"
            ),
        ]


class AmendmentState(models.TextChoices):
    PENDING = "pending", _("Waiting for the author")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class Amendment(CityScoped):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="amendments")
    author = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    base_body = models.TextField()  # the text it changes, so the diff stays right after other changes
    body = models.TextField(_("new text"))
    explanation = models.CharField(_("why"), max_length=500, blank=True)
    state = models.CharField(max_length=10, choices=AmendmentState.choices, default=AmendmentState.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class Debate(Moderated):
    component = models.ForeignKey("processes.Component", on_delete=models.CASCADE, related_name="debates")
    title = models.CharField(_("question"), max_length=200)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown is allowed."))
    author = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    conclusion = models.TextField(_("conclusion"), blank=True)
    arguments_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Side(models.TextChoices):
    PRO = "pro", _("For")
    CON = "con", _("Against")


class Argument(Moderated):
    debate = models.ForeignKey(Debate, on_delete=models.CASCADE, related_name="arguments")
    side = models.CharField(_("side"), max_length=3, choices=Side.choices)
    text = models.TextField(_("argument"))
    author = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    comments_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["created_at", "id"]


class Comment(Moderated):
    """A comment on a proposal or on a debate argument.

    Two explicit nullable foreign keys (exactly one set, checked by the database) rather than a generic
    relation: the database keeps referential integrity and cascades, and the page reads a proposal's
    comments with one indexed query and no content-type join."""

    proposal = models.ForeignKey(
        Proposal, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    argument = models.ForeignKey(
        Argument, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    depth = models.PositiveSmallIntegerField(default=0)
    author = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(_("comment"))
    edited_at = models.DateTimeField(null=True, blank=True)
    # Two ways a comment loses its text and keeps its place in the thread (so replies stay under it):
    # its author deletes it (`deleted_at`), or its author erases their account (`erased`).
    erased = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)
    agree_count = models.PositiveIntegerField(default=0)
    disagree_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(proposal__isnull=False) & Q(argument__isnull=True))
                | (Q(proposal__isnull=True) & Q(argument__isnull=False)),
                name="comment_on_one_thing",
            ),
        ]

    @property
    def is_removed(self) -> bool:
        """Deleted by its author or erased with their account: no text, no votes, edits or replies."""
        return self.erased or self.deleted_at is not None


class CommentRevision(CityScoped):
    """The text of a comment before an edit: the history shown under an edited comment."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()

    class Meta:
        ordering = ["created_at", "id"]


class CommentVote(CityScoped):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    value = models.SmallIntegerField(choices=[(1, _("Agree")), (-1, _("Disagree"))])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="comment_vote_once"),
            models.CheckConstraint(condition=Q(value__in=[1, -1]), name="comment_vote_value"),
        ]


class TargetKind(models.TextChoices):
    PROPOSAL = "proposal", _("Proposal")
    COMMENT = "comment", _("Comment")
    ARGUMENT = "argument", _("Argument")


class Report(CityScoped):
    kind = models.CharField(max_length=10, choices=TargetKind.choices)
    target_id = models.PositiveBigIntegerField()
    reporter = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(_("reason"), max_length=500)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "target_id", "reporter"],
                condition=Q(reporter__isnull=False),
                name="report_once_per_person",
            ),
        ]


class Appeal(CityScoped):
    kind = models.CharField(max_length=10, choices=TargetKind.choices)
    target_id = models.PositiveBigIntegerField()
    author = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    text = models.CharField(_("your appeal"), max_length=1000)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["kind", "target_id"], name="appeal_once")]


class Block(CityScoped):
    """A person who may no longer post in this city."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=300)
    blocked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["city", "user"], name="block_once_per_city")]
