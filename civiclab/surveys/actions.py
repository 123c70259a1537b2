from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from civiclab.accounts.models import Purpose
from civiclab.core import audit
from civiclab.processes.models import ComponentKind

from .answers import check_answers
from .models import (
    CHOICE_KINDS,
    DEMOGRAPHIC_FIELDS,
    AgeBand,
    Answer,
    Channel,
    DemographicAnswer,
    Gender,
    Participation,
    Question,
    QuestionKind,
    Response,
    Survey,
    YesNo,
)

MAX_OPTIONS = 30


class AlreadyAnswered(ValidationError):
    pass


def _frozen_error() -> ValidationError:
    return ValidationError(
        _("The survey has answers, so its questions and its privacy settings can no longer change.")
    )


def has_answers(survey: Survey) -> bool:
    return Response.objects.filter(survey=survey).exists()


def _clean_districts(districts) -> list[str]:
    if isinstance(districts, str):
        districts = districts.splitlines()
    names = [d.strip() for d in districts if d and d.strip()]
    if len(set(names)) != len(names):
        raise ValidationError({"districts": _("Each district once, please.")})
    return names


@transaction.atomic
def do_create_survey(
    component,
    actor,
    *,
    intro: str = "",
    anonymous: bool = False,
    ask_demographics: bool = False,
    districts=(),
    results_while_open: bool = False,
) -> Survey:
    if component.kind != ComponentKind.SURVEY:
        raise ValidationError(_("This component is not a survey."))
    if Survey.objects.filter(component=component).exists():
        raise ValidationError(_("This component already has its survey."))
    survey = Survey.objects.create(
        city=component.city,
        component=component,
        intro=intro,
        anonymous=anonymous,
        ask_demographics=ask_demographics,
        districts=_clean_districts(districts),
        results_while_open=results_while_open,
        created_by=actor,
    )
    audit.record(
        "survey.created",
        actor=actor,
        city=survey.city,
        target=survey,
        anonymous=anonymous,
        component=component.pk,
    )
    return survey


@transaction.atomic
def do_update_survey(survey: Survey, actor, **fields) -> Survey:
    allowed = {"intro", "anonymous", "ask_demographics", "districts", "results_while_open"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if "districts" in fields:
        fields["districts"] = _clean_districts(fields["districts"])
    changed = {k: v for k, v in fields.items() if getattr(survey, k) != v}
    frozen = {"anonymous", "ask_demographics", "districts"} & set(changed)
    if frozen and has_answers(survey):
        raise ValidationError({name: _frozen_error() for name in frozen})
    for key, value in changed.items():
        setattr(survey, key, value)
    survey.save()
    if changed:
        audit.record("survey.updated", actor=actor, city=survey.city, target=survey, fields=sorted(changed))
    return survey


def _clean_list(values, field: str, least: int, most: int = MAX_OPTIONS) -> list[str]:
    if isinstance(values, str):
        values = values.splitlines()
    items = [str(v).strip() for v in values if str(v).strip()]
    if not least <= len(items) <= most:
        raise ValidationError(
            {field: _("Give between %(a)d and %(b)d, one per line.") % {"a": least, "b": most}}
        )
    if len(set(items)) != len(items):
        raise ValidationError({field: _("Each one once, please.")})
    if any(len(item) > 200 for item in items):
        raise ValidationError({field: _("Keep each one under 200 characters.")})
    return items


def _question_fields(
    survey: Survey,
    *,
    kind: str,
    text: str,
    help_text: str = "",
    required: bool = False,
    options=(),
    rows=(),
    scale_min: int | None = None,
    scale_max: int | None = None,
    min_label: str = "",
    max_label: str = "",
    condition_question: Question | None = None,
    condition_option: int | None = None,
) -> dict[str, Any]:
    """The checked fields of a question, with errors tied to the form's fields."""
    if kind not in QuestionKind.values:
        raise ValidationError({"kind": _("Choose a question type.")})
    if not text.strip():
        raise ValidationError({"text": _("Write the question.")})
    clean_options: list[str] = []
    clean_rows: list[str] = []
    if kind in CHOICE_KINDS or kind == QuestionKind.RANKING:
        clean_options = _clean_list(options, "options", 2)
    elif kind == QuestionKind.MATRIX:
        clean_rows = _clean_list(rows, "rows", 1)
        clean_options = _clean_list(options, "options", 2, 10)
    if kind == QuestionKind.SCALE:
        if scale_min is None or scale_max is None or not -10 <= scale_min < scale_max <= scale_min + 10:
            raise ValidationError(
                {"scale_max": _("A scale runs from a lower to a higher value, with at most 11 steps.")}
            )
    else:
        scale_min = scale_max = None
        min_label = max_label = ""
    if (condition_question is None) != (condition_option is None):
        raise ValidationError({"condition_option": _("Choose both the earlier question and its answer.")})
    if condition_question is not None:
        if condition_question.survey_id != survey.pk or condition_question.kind not in CHOICE_KINDS:
            raise ValidationError(
                {"condition_question": _("Choose an earlier choice question of this survey.")}
            )
        if not 0 <= condition_option < len(condition_question.options):  # type: ignore[operator]
            raise ValidationError({"condition_option": _("Choose one of that question's answers.")})
    return {
        "kind": kind,
        "text": text.strip(),
        "help_text": help_text.strip(),
        "required": required,
        "options": clean_options,
        "rows": clean_rows,
        "scale_min": scale_min,
        "scale_max": scale_max,
        "min_label": min_label.strip(),
        "max_label": max_label.strip(),
        "condition_question": condition_question,
        "condition_option": condition_option,
    }


@transaction.atomic
def do_add_question(survey: Survey, actor, **fields) -> Question:
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if has_answers(survey):
        raise _frozen_error()
    clean = _question_fields(survey, **fields)
    question = Question.objects.create(
        city=survey.city, survey=survey, position=survey.questions.count(), **clean
    )
    audit.record("survey.question_added", actor=actor, city=survey.city, target=survey, question=question.pk)
    return question


@transaction.atomic
def do_update_question(question: Question, actor, **fields) -> Question:
    survey = Survey.objects.select_for_update().get(pk=question.survey_id)
    if has_answers(survey):
        raise _frozen_error()
    question = Question.objects.get(pk=question.pk)
    clean = _question_fields(survey, **fields)
    condition = clean["condition_question"]
    if condition is not None and condition.position >= question.position:
        raise ValidationError({"condition_question": _("Choose an earlier choice question of this survey.")})
    dependants = list(Question.objects.filter(condition_question=question))
    if dependants and (
        clean["kind"] not in CHOICE_KINDS
        or max(d.condition_option or 0 for d in dependants) >= len(clean["options"])
    ):
        raise ValidationError(
            {"options": _("A later question depends on these choices: keep them, or change that one first.")}
        )
    changed = sorted(k for k, v in clean.items() if getattr(question, k) != v)
    for key, value in clean.items():
        setattr(question, key, value)
    question.save()
    if changed:
        audit.record(
            "survey.question_updated",
            actor=actor,
            city=survey.city,
            target=survey,
            question=question.pk,
            fields=changed,
        )
    return question


@transaction.atomic
def do_delete_question(question: Question, actor) -> None:
    survey = Survey.objects.select_for_update().get(pk=question.survey_id)
    if has_answers(survey):
        raise _frozen_error()
    if Question.objects.filter(condition_question=question).exists():
        raise ValidationError(_("A later question is shown depending on this one: remove that one first."))
    pk = question.pk
    question.delete()
    # Close the gap: positions stay 0..n-1, in order (moved one by one, they never collide).
    for position, q in enumerate(Question.objects.filter(survey=survey).order_by("position")):
        if q.position != position:
            q.position = position
            q.save(update_fields=["position", "updated_at"])
    audit.record("survey.question_deleted", actor=actor, city=survey.city, target=survey, question=pk)


MOVES = ("up", "down")


@transaction.atomic
def do_move_question(question: Question, actor, direction: str) -> Question:
    """Swaps a question with the one before (up) or after (down) it. Order is part of the questions
    (numbers, what a condition may refer to), so it is frozen with them once the survey has answers."""
    if direction not in MOVES:
        raise ValidationError(_("Move a question up or down."))
    survey = Survey.objects.select_for_update().get(pk=question.survey_id)
    if has_answers(survey):
        raise _frozen_error()
    # Positions read again under the survey's lock: every change to questions takes it first.
    question = Question.objects.get(pk=question.pk)
    siblings = Question.objects.filter(survey=survey)
    if direction == "up":
        other = siblings.filter(position__lt=question.position).order_by("-position").first()
    else:
        other = siblings.filter(position__gt=question.position).order_by("position").first()
    if other is None:
        if direction == "up":
            raise ValidationError(_("“%(text)s” is already the first question.") % {"text": question.text})
        raise ValidationError(_("“%(text)s” is already the last question.") % {"text": question.text})
    earlier, later = (other, question) if direction == "up" else (question, other)
    if later.condition_question_id == earlier.pk:
        raise ValidationError(
            _(
                "“%(later)s” is shown depending on the answer to “%(earlier)s”, so it must stay after it. "
                "Change or remove that condition first."
            )
            % {"later": later.text, "earlier": earlier.text}
        )
    # (survey, position) is unique and not deferrable: park one question on a free position first.
    free = siblings.aggregate(top=Max("position"))["top"] + 1
    mine, theirs = question.position, other.position
    for q, position in ((question, free), (other, mine), (question, theirs)):
        q.position = position
        q.save(update_fields=["position", "updated_at"])
    audit.record(
        "survey.question_moved",
        actor=actor,
        city=survey.city,
        target=survey,
        question=question.pk,
        direction=direction,
        position=question.position,
    )
    return question


# --- Answers ---------------------------------------------------------------------------------


def may_give_demographics(user) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.consents.filter(purpose=Purpose.DEMOGRAPHICS, withdrawn_at__isnull=True).exists()
    )


def _clean_demographics(survey: Survey, data: dict | None) -> dict[str, str] | None:
    if not data:
        return None
    allowed = {
        "gender": set(Gender.values),
        "age_band": set(AgeBand.values),
        "district": {*survey.districts, "prefer_not"},
        "migrant_background": set(YesNo.values),
        "disability": set(YesNo.values),
    }
    clean = {}
    errors = {}
    for name in DEMOGRAPHIC_FIELDS:
        value = str(data.get(name) or "")
        if value and value not in allowed[name]:
            errors[name] = _("Choose one of the answers.")
        clean[name] = value
    if errors:
        raise ValidationError(errors)
    return clean if any(clean.values()) else None


def do_answer_survey(
    survey: Survey,
    user,
    raw: dict[int, Any],
    *,
    demographics: dict | None = None,
    channel: str = Channel.ONLINE,
    recorded_by=None,
) -> Response:
    """Stores one person's answers; in anonymous surveys the register, not the response, names them.

    Concurrent sends by the same person count once: the register (and the response) are unique."""
    try:
        return _answer(survey, user, raw, demographics, channel, recorded_by)
    except IntegrityError:
        raise AlreadyAnswered(_("You have already answered this survey.")) from None


@transaction.atomic
def _answer(survey: Survey, user, raw, demographics, channel, recorded_by) -> Response:
    survey = Survey.objects.select_related("component__phase").get(pk=survey.pk)
    if not survey.component.is_open():
        raise ValidationError(_("This survey is not open for answers."))
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Choose how the answer was given.")})
    person = user if user is not None and user.is_authenticated else None
    if person is None and not (survey.anonymous and recorded_by is not None):
        raise ValidationError(_("Sign in to answer this survey."))
    if person is not None and Participation.objects.filter(survey=survey, user=person).exists():
        raise AlreadyAnswered(_("You have already answered this survey."))
    questions = list(survey.questions.all())
    if not questions:
        raise ValidationError(_("This survey has no questions yet."))
    given, errors = check_answers(questions, raw)
    demography = None
    if survey.ask_demographics and recorded_by is None and may_give_demographics(person):
        try:
            demography = _clean_demographics(survey, demographics)
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    if person is not None:
        with transaction.atomic():
            Participation.objects.create(city_id=survey.city_id, survey=survey, user=person, channel=channel)
    response = Response.objects.create(
        city_id=survey.city_id,
        survey=survey,
        user=None if survey.anonymous else person,
        channel=channel,
        given_on=timezone.localdate(),
    )
    Answer.objects.bulk_create(
        Answer(city_id=survey.city_id, response=response, question_id=pk, value=value)
        for pk, value in given.items()
    )
    if demography is not None:
        DemographicAnswer.objects.create(city_id=survey.city_id, survey=survey, **demography)
    if recorded_by is not None:
        # The staff member is named; the person only by whether they were identified.
        audit.record(
            "survey.answer_recorded",
            actor=recorded_by,
            city=survey.city,
            target=survey,
            channel=channel,
            identified=person is not None,
        )
    else:
        audit.record("survey.answered", actor=person, city=survey.city, target=survey, channel=channel)
    return response


def do_record_offline_answer(survey: Survey, staff, *, channel: str, email: str = "", raw) -> Response:
    """An answer given at a kiosk, by phone or on paper, typed by a staff member for the resident.

    The person is an existing account, found by email; without one, the answer counts only in an
    anonymous survey (with its channel), since a named survey must know who answered."""
    if channel == Channel.ONLINE:
        raise ValidationError({"channel": _("Choose how the answer was given.")})
    person = None
    if email.strip():
        person = (
            get_user_model()
            .objects.filter(email__iexact=email.strip(), is_active=True, erased_at__isnull=True)
            .first()
        )
        if person is None:
            raise ValidationError({"email": _("No account has this email address.")})
    elif not survey.anonymous:
        raise ValidationError(
            {"email": _("This survey is not anonymous: give the email address of the person's account.")}
        )
    return do_answer_survey(survey, person, raw, channel=channel, recorded_by=staff)


def anonymise_answers_of(user) -> None:
    """Erasure: answers stay (so results stay right) with no link left to the person. The register row
    stays on the erased account, so the count of participants stays right too."""
    Response.objects.filter(user=user).update(user=None)
