"""Open data for surveys: the questions, and results aggregated with small cells suppressed.

Nothing here reads a response row, a person or the register: only counts, and only those of 10 or more."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from civiclab.cities.models import City
from civiclab.opendata.schemas import ErrorSchema

from .disclosure import safe_count
from .selectors import public_surveys, questions_of, response_count, results_of, results_published

router = Router(tags=["surveys"])


class QuestionSchema(Schema):
    number: int
    kind: str = Field(description="short_text, long_text, single, multiple, scale, ranking or matrix")
    text: str
    required: bool
    options: list[str]
    rows: list[str]
    scale_min: int | None
    scale_max: int | None
    min_label: str
    max_label: str
    shown_if: dict | None = Field(description="{question: number, answer: text} for a conditional question")

    @staticmethod
    def resolve_shown_if(q) -> dict | None:
        if q.condition_question is None:
            return None
        return {"question": q.condition_question.number, "answer": q.condition_text}


class CountSchema(Schema):
    label: str
    count: int | None = Field(
        description="null when the group is smaller than 10 people (or hidden with one)"
    )
    mean_place: str = Field(description="ranking questions: the average place, when 10 or more ranked it")


class TableSchema(Schema):
    row: str = Field(description="the row of a matrix question; empty otherwise")
    answered: int | None
    counts: list[CountSchema]


class ResultSchema(Schema):
    question: int
    answered: int | None = Field(description="null when fewer than 10 answered")
    mean: str
    tables: list[TableSchema]


class SurveySchema(Schema):
    id: int
    title: str
    process: str
    intro: str = Field(description="Markdown")
    anonymous: bool
    is_open: bool
    url: str

    @staticmethod
    def resolve_id(survey) -> int:
        return survey.component_id

    @staticmethod
    def resolve_title(survey) -> str:
        return survey.component.title

    @staticmethod
    def resolve_process(survey) -> str:
        return survey.component.phase.process.slug

    @staticmethod
    def resolve_is_open(survey) -> bool:
        return survey.component.is_open()

    @staticmethod
    def resolve_url(survey) -> str:
        process = survey.component.phase.process
        return reverse("surveys:detail", args=[survey.city.slug, process.slug, survey.component_id])


class SurveyDetailSchema(SurveySchema):
    questions: list[QuestionSchema]
    responses: int | None = Field(description="null when fewer than 10, or before results are published")
    results: list[ResultSchema] | None = Field(description="null until results are published")

    @staticmethod
    def resolve_questions(survey) -> list:
        return questions_of(survey)

    @staticmethod
    def resolve_responses(survey) -> int | None:
        return safe_count(response_count(survey)) if results_published(survey) else None

    @staticmethod
    def resolve_results(survey) -> list[dict] | None:
        if not results_published(survey):
            return None
        return [
            {
                "question": r.question.number,
                "answered": r.answered,
                "mean": r.mean,
                "tables": [
                    {
                        "row": t.title,
                        "answered": t.answered,
                        "counts": [
                            {"label": row.label, "count": row.count, "mean_place": row.extra}
                            for row in t.rows
                        ],
                    }
                    for t in r.tables
                ],
            }
            for r in results_of(survey)
        ]


def _page():
    from civiclab.opendata.api import Page

    return Page


@router.get(
    "/cities/{city}/surveys",
    response={200: list[SurveySchema], 404: ErrorSchema},
    summary="Surveys of a city's published processes",
)
@paginate(_page())
def list_surveys(request, city: str):
    return public_surveys(get_object_or_404(City, slug=city))


@router.get(
    "/cities/{city}/surveys/{survey_id}",
    response={200: SurveyDetailSchema, 404: ErrorSchema},
    summary="One survey: its questions and, once published, its aggregated results",
)
def get_survey(request, city: str, survey_id: int):
    return get_object_or_404(public_surveys(get_object_or_404(City, slug=city)), component_id=survey_id)
