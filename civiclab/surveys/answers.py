"""Reading and checking one person's answers against the questions of a survey.

`raw` holds what a form sent, per question id: a string (text, single choice, scale), a list of strings
(multiple choice: the chosen option indexes; ranking: the rank given to each option, "" for none; matrix:
per row the chosen option index, "" for none). Integers are accepted too (the demo and the tests)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from .models import Question, QuestionKind

MAX_SHORT = 300
MAX_LONG = 5000


def _int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def _list(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def is_shown(question: Question, given: dict[int, Any]) -> bool:
    """A conditional question applies only when its condition's answer (already checked) matches."""
    if question.condition_question_id is None:
        return True
    answer = given.get(question.condition_question_id)
    if answer is None:
        return False
    if isinstance(answer, list):
        return question.condition_option in answer
    return answer == question.condition_option


def check_answers(questions: list[Question], raw: dict[int, Any]) -> tuple[dict[int, Any], dict[str, str]]:
    """The stored values per question id and the errors per field name (`q<id>`).

    Answers to questions whose condition is not met are dropped, whatever was sent."""
    given: dict[int, Any] = {}
    errors: dict[str, str] = {}
    for q in sorted(questions, key=lambda q: q.position):
        if not is_shown(q, given):
            continue
        try:
            value = _read(q, raw.get(q.pk))
        except ValueError as exc:
            errors[f"q{q.pk}"] = str(exc)
            continue
        if value is None:
            if q.required:
                errors[f"q{q.pk}"] = _("Answer this question.")
            continue
        given[q.pk] = value
    return given, errors


def _read(q: Question, value: Any) -> Any:
    n = len(q.options)
    if q.kind in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT):
        text = str(value or "").strip()
        limit = MAX_SHORT if q.kind == QuestionKind.SHORT_TEXT else MAX_LONG
        if len(text) > limit:
            raise ValueError(_("Write at most %(n)d characters.") % {"n": limit})
        return text or None
    if q.kind == QuestionKind.SINGLE:
        index = _int(value)
        if value not in (None, "") and (index is None or not 0 <= index < n):
            raise ValueError(_("Choose one of the answers."))
        return index
    if q.kind == QuestionKind.MULTIPLE:
        chosen = [_int(v) for v in _list(value)]
        if any(i is None or not 0 <= i < n for i in chosen):
            raise ValueError(_("Choose among the answers shown."))
        return sorted({i for i in chosen if i is not None}) or None
    if q.kind == QuestionKind.SCALE:
        number = _int(value)
        if value not in (None, "") and (number is None or number not in q.scale_values):
            raise ValueError(_("Choose a value on the scale."))
        return number
    if q.kind == QuestionKind.RANKING:
        ranks = _list(value)
        ranks = (ranks + [""] * n)[:n]
        given = {i: _int(r) for i, r in enumerate(ranks) if r not in (None, "")}
        if any(r is None or not 1 <= r <= n for r in given.values()):
            raise ValueError(_("Give each choice a place from 1 to %(n)d.") % {"n": n})
        if len(set(given.values())) != len(given):
            raise ValueError(_("Give each place to one choice only."))
        if not given:
            return None
        if q.required and len(given) != n:
            raise ValueError(_("Give every choice a place."))
        return [i for i, _rank in sorted(given.items(), key=lambda item: item[1])]
    if q.kind == QuestionKind.MATRIX:
        cells = (_list(value) + [""] * len(q.rows))[: len(q.rows)]
        picked = [_int(c) for c in cells]
        if any(
            c not in (None, "") and (p is None or not 0 <= p < n) for c, p in zip(cells, picked, strict=True)
        ):
            raise ValueError(_("Choose one of the answers in each row."))
        if all(p is None for p in picked):
            return None
        if q.required and any(p is None for p in picked):
            raise ValueError(_("Answer every row."))
        return picked
    raise ValueError(_("Unknown question type."))


def read_post(questions: list[Question], data: Any) -> dict[int, Any]:
    """The raw answers from a POST (a QueryDict): field `q<id>`, `q<id>_<i>` per ranked choice or row."""
    raw: dict[int, Any] = {}
    for q in questions:
        name = f"q{q.pk}"
        if q.kind == QuestionKind.MULTIPLE:
            raw[q.pk] = data.getlist(name)
        elif q.kind == QuestionKind.RANKING:
            raw[q.pk] = [data.get(f"{name}_{i}", "") for i in range(len(q.options))]
        elif q.kind == QuestionKind.MATRIX:
            raw[q.pk] = [data.get(f"{name}_{i}", "") for i in range(len(q.rows))]
        else:
            raw[q.pk] = data.get(name, "")
    return raw
