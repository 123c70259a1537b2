from collections import Counter
from dataclasses import dataclass, field

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from civiclab.processes.models import ComponentKind
from civiclab.processes.selectors import get_component_for

from .disclosure import safe_count, suppress
from .models import (
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


def get_survey_for(request, city, process_slug: str, component_id: int) -> tuple:
    """(component, survey or None): the survey component of this city (404 for another city's, a
    switched-off one or an unpublished process, unless staff)."""
    component = get_component_for(request, city, process_slug, component_id, ComponentKind.SURVEY)
    survey = Survey.objects.filter(component=component).first()
    if survey is not None:
        survey.component = component
    return component, survey


def get_question_for(survey: Survey, question_id: int) -> Question:
    return get_object_or_404(Question, survey=survey, pk=question_id)


def questions_of(survey: Survey) -> list[Question]:
    return list(survey.questions.select_related("condition_question"))


def public_surveys(city):
    return (
        Survey.objects.for_city(city)
        .filter(component__enabled=True, component__phase__process__published=True)
        .select_related("component__phase__process", "city")
        .order_by("-component__phase__starts_at", "-pk")
    )


def has_answered(survey: Survey, user) -> bool:
    return bool(user.is_authenticated and Participation.objects.filter(survey=survey, user=user).exists())


def results_published(survey: Survey, now=None) -> bool:
    """Aggregated results are public while the survey runs only when staff said so; always after."""
    now = now or timezone.now()
    return survey.results_while_open or now >= survey.component.phase.ends_at


@dataclass
class Row:
    label: str
    count: int | None  # None: too small to show
    extra: str = ""  # e.g. the mean place of a ranked choice
    bar: float = 0.0  # width in % of the largest shown count
    y: int = 0


@dataclass
class Table:
    title: str  # a matrix row, or "" for the question itself
    answered: int | None
    rows: list[Row]
    height: int = 0
    key: str = ""  # unique on the page: ids of the chart's title

    @property
    def has_bars(self) -> bool:
        return any(row.count is not None for row in self.rows)


@dataclass
class QuestionResult:
    question: Question
    answered: int | None
    tables: list[Table] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # staff only
    mean: str = ""


def _table(title: str, labels: list[str], counts: list[int], answered: int, partition: bool) -> Table:
    shown = (
        suppress(dict(enumerate(counts)), partition_of=answered if partition else None)
        if safe_count(answered) is not None
        else dict.fromkeys(range(len(counts)))
    )
    top = max([c for c in shown.values() if c is not None], default=0)
    rows = [
        Row(label, shown[i], bar=round(100 * (shown[i] or 0) / top, 1) if top else 0.0, y=3 * i)
        for i, label in enumerate(labels)
    ]
    return Table(title, safe_count(answered), rows, height=max(3 * len(rows) - 1, 1))


def _result(q: Question, values: list, with_texts: bool) -> QuestionResult:
    n = len(values)
    result = QuestionResult(q, safe_count(n))
    if q.kind in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT):
        result.texts = sorted(values) if with_texts else []
    elif q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        tally: Counter = Counter()
        for v in values:
            tally.update(v if isinstance(v, list) else [v])
        counts = [tally[i] for i in range(len(q.options))]
        result.tables.append(_table("", q.options, counts, n, partition=q.kind == QuestionKind.SINGLE))
    elif q.kind == QuestionKind.SCALE:
        tally = Counter(values)
        scale = q.scale_values
        labels = [str(v) for v in scale]
        if labels and q.min_label:
            labels[0] = f"{labels[0]} ({q.min_label})"
        if labels and q.max_label:
            labels[-1] = f"{labels[-1]} ({q.max_label})"
        result.tables.append(_table("", labels, [tally[v] for v in scale], n, partition=True))
        if safe_count(n) is not None:
            result.mean = f"{sum(values) / n:.1f}"
    elif q.kind == QuestionKind.RANKING:
        first: Counter = Counter(v[0] for v in values if v)
        table = _table("", q.options, [first[i] for i in range(len(q.options))], n, partition=True)
        for i, row in enumerate(table.rows):
            places = [v.index(i) + 1 for v in values if i in v]
            if safe_count(len(places)) is not None:
                row.extra = f"{sum(places) / len(places):.1f}"
        result.tables.append(table)
    elif q.kind == QuestionKind.MATRIX:
        for r, row_label in enumerate(q.rows):
            picks = [v[r] for v in values if r < len(v) and v[r] is not None]
            tally = Counter(picks)
            result.tables.append(
                _table(row_label, q.options, [tally[i] for i in range(len(q.options))], len(picks), True)
            )
    return result


def results_of(survey: Survey, *, with_texts: bool = False) -> list[QuestionResult]:
    """Per question, counts with small cells suppressed (disclosure.py). Two queries, whatever the size."""
    questions = questions_of(survey)
    values: dict[int, list] = {q.pk: [] for q in questions}
    for question_id, value in Answer.objects.filter(question__survey=survey).values_list(
        "question_id", "value"
    ):
        values[question_id].append(value)
    results = [_result(q, values[q.pk], with_texts) for q in questions]
    for result in results:
        for i, table in enumerate(result.tables):
            table.key = f"q{result.question.pk}-{i}"
    return results


def response_count(survey: Survey) -> int:
    return Response.objects.filter(survey=survey).count()


def channel_counts(survey: Survey) -> dict[str, int | None]:
    """People per channel (online, in person, phone, paper), by the channel's name, suppressed."""
    counts = Counter(Response.objects.filter(survey=survey).values_list("channel", flat=True))
    shown = suppress(dict(counts), partition_of=sum(counts.values())) if counts else {}
    labels = dict(Channel.choices)
    return {str(labels.get(channel, channel)): n for channel, n in shown.items()}


def demographic_labels(survey: Survey) -> dict[str, tuple[str, list[tuple[str, str]]]]:
    prefer = ("prefer_not", _("Prefer not to say"))
    return {
        "gender": (_("Gender"), list(Gender.choices)),
        "age_band": (_("Age band"), list(AgeBand.choices)),
        "district": (_("District"), [(d, d) for d in survey.districts] + [prefer]),
        "migrant_background": (_("Migrant background"), list(YesNo.choices)),
        "disability": (_("Disability"), list(YesNo.choices)),
    }


def demographics_of(survey: Survey) -> list[Table]:
    """Who answered the demographic block, per question, with small groups suppressed."""
    rows = list(DemographicAnswer.objects.filter(survey=survey).values_list(*DEMOGRAPHIC_FIELDS))
    tables = []
    for i, (name, (title, choices)) in enumerate(demographic_labels(survey).items()):
        assert name == DEMOGRAPHIC_FIELDS[i]
        tally = Counter(r[i] for r in rows if r[i])
        answered = sum(tally.values())
        table = _table(
            str(title), [str(label) for _v, label in choices], [tally[v] for v, _l in choices], answered, True
        )
        table.key = f"demo-{name}"
        tables.append(table)
    return tables


def raw_responses(survey: Survey):
    """Every response with its answers, for the staff export: ordered by the random id, so the order
    says nothing about when anyone answered."""
    return (
        Response.objects.filter(survey=survey)
        .select_related("user")
        .prefetch_related("answers")
        .order_by("id")
    )


def personal_data_of(user) -> dict:
    """A person's survey answers (named surveys) and the anonymous surveys they took part in."""
    named = (
        Response.objects.filter(user=user)
        .select_related("survey__component", "city")
        .prefetch_related("answers__question")
    )
    return {
        "survey_answers": [
            {
                "city": r.city.slug,
                "survey": r.survey.component.title,
                "given_on": r.given_on.isoformat(),
                "channel": r.channel,
                "answers": [{"question": a.question.text, "value": a.value} for a in r.answers.all()],
            }
            for r in named
        ],
        "survey_participation": [
            {
                "city": p.city.slug,
                "survey": p.survey.component.title,
                "anonymous": p.survey.anonymous,
                "channel": p.channel,
                "at": p.created_at.isoformat(),
            }
            for p in Participation.objects.filter(user=user).select_related("survey__component", "city")
        ],
        "surveys_created": [
            {"city": s.city.slug, "survey": s.component.title}
            for s in Survey.objects.filter(created_by=user).select_related("component", "city")
        ],
    }
