"""Surveys: one per survey component, with typed questions, responses and a separate demographic block.

Anonymous surveys keep answers secret by construction, as budgeting keeps ballots: `Response` has a random
primary key, only the day it was given and, when the survey is anonymous, no link to a person. Who answered
is written in `Participation` (the register) in the same transaction, under a unique constraint, so nobody
answers twice. Demographic answers (`DemographicAnswer`) carry no link to a response or a person at all."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civiclab.core.models import CityScoped


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    IN_PERSON = "in_person", _("In person or at a kiosk")
    PHONE = "phone", _("By phone")
    PAPER = "paper", _("On paper")


class Survey(CityScoped):
    component = models.OneToOneField(
        "processes.Component", on_delete=models.CASCADE, related_name="survey", verbose_name=_("component")
    )
    intro = models.TextField(_("introduction"), blank=True, help_text=_("Markdown is allowed."))
    anonymous = models.BooleanField(
        _("anonymous answers"),
        default=False,
        help_text=_("No stored answer is linked to a person. Fixed once the first answer is in."),
    )
    ask_demographics = models.BooleanField(
        _("ask the demographic questions"),
        default=False,
        help_text=_("Asked only of people who consented to demographic statistics."),
    )
    districts = models.JSONField(_("districts"), default=list, blank=True)
    results_while_open = models.BooleanField(
        _("show results while the survey is open"),
        default=False,
        help_text=_("Otherwise results appear when the phase ends. Staff always see them."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("survey")

    def __str__(self) -> str:
        return self.component.title


class QuestionKind(models.TextChoices):
    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    SINGLE = "single", _("One choice")
    MULTIPLE = "multiple", _("Several choices")
    SCALE = "scale", _("Scale")
    RANKING = "ranking", _("Ranking")
    MATRIX = "matrix", _("Matrix")


CHOICE_KINDS = {QuestionKind.SINGLE, QuestionKind.MULTIPLE}
TEXT_KINDS = {QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT}


class Question(CityScoped):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("type"), max_length=12, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("help"), max_length=300, blank=True)
    required = models.BooleanField(_("an answer is required"), default=False)
    # Choices of single, multiple and ranking questions; the shared scale of a matrix.
    options = models.JSONField(_("choices"), default=list, blank=True)
    rows = models.JSONField(_("rows"), default=list, blank=True)  # matrix only
    scale_min = models.SmallIntegerField(_("lowest value"), null=True, blank=True)
    scale_max = models.SmallIntegerField(_("highest value"), null=True, blank=True)
    min_label = models.CharField(_("label of the lowest value"), max_length=60, blank=True)
    max_label = models.CharField(_("label of the highest value"), max_length=60, blank=True)
    # Shown only to people who gave this answer (an option index) to an earlier choice question.
    condition_question = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    condition_option = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "position"], name="survey_question_position_unique"),
            models.CheckConstraint(
                condition=Q(condition_question__isnull=True, condition_option__isnull=True)
                | Q(condition_question__isnull=False, condition_option__isnull=False),
                name="survey_condition_complete",
            ),
        ]
        verbose_name = _("question")

    def __str__(self) -> str:
        return self.text

    @property
    def number(self) -> int:
        return self.position + 1

    @property
    def scale_values(self) -> list[int]:
        if self.scale_min is None or self.scale_max is None:
            return []
        return list(range(self.scale_min, self.scale_max + 1))

    @property
    def condition_text(self) -> str:
        q = self.condition_question
        if q is None or self.condition_option is None or self.condition_option >= len(q.options):
            return ""
        return q.options[self.condition_option]


class Response(models.Model):
    """One person's answers. No precise time and a random id; `user` is empty in anonymous surveys."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="+")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    given_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "user"], condition=Q(user__isnull=False), name="survey_response_once"
            )
        ]

    def __str__(self) -> str:
        return str(self.id)


class Answer(models.Model):
    """The answer to one question. `value` by type: text (str), single and scale (int), multiple (list of
    option indexes), ranking (option indexes, best first), matrix (per row an option index or null)."""

    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="+")
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    value = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="survey_answer_once_per_question")
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.value}"


class Participation(CityScoped):
    """The register: who answered which survey, and through which channel. Never joined with responses."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="participations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.ONLINE)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "user"], name="survey_participation_once")]


PREFER_NOT = "prefer_not"


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    NON_BINARY = "non_binary", _("Non-binary")
    SELF_DESCRIBED = "other", _("In another way")
    PREFER_NOT = PREFER_NOT, _("Prefer not to say")


class AgeBand(models.TextChoices):
    UNDER_18 = "under_18", _("Under 18")
    FROM_18 = "18_29", _("18 to 29")
    FROM_30 = "30_44", _("30 to 44")
    FROM_45 = "45_64", _("45 to 64")
    FROM_65 = "65_plus", _("65 or older")
    PREFER_NOT = PREFER_NOT, _("Prefer not to say")


class YesNo(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    PREFER_NOT = PREFER_NOT, _("Prefer not to say")


# (field, label, choices): the standard block; district choices come from the survey (or meeting city).
DEMOGRAPHIC_FIELDS = ("gender", "age_band", "district", "migrant_background", "disability")


class DemographicAnswer(models.Model):
    """One person's demographic block for one survey. No link to a response or a person, no time."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="+")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="demographics")
    gender = models.CharField(max_length=12, choices=Gender.choices, blank=True)
    age_band = models.CharField(max_length=12, choices=AgeBand.choices, blank=True)
    district = models.CharField(max_length=120, blank=True)
    migrant_background = models.CharField(max_length=12, choices=YesNo.choices, blank=True)
    disability = models.CharField(max_length=12, choices=YesNo.choices, blank=True)

    def __str__(self) -> str:
        return str(self.id)
