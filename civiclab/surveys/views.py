import csv

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from civiclab.cities.access import city_view, staff_view
from civiclab.core import ratelimit
from civiclab.core.forms import attach_errors, posted

from . import actions
from .answers import read_post
from .disclosure import K
from .forms import DemographicsForm, OfflineForm, QuestionForm, SurveySettingsForm
from .models import QuestionKind
from .rules import answer_refusal, may_see_results
from .selectors import (
    channel_counts,
    demographics_of,
    get_question_for,
    get_survey_for,
    questions_of,
    raw_responses,
    response_count,
    results_of,
    results_published,
)

ANSWER_LIMIT = (10, 60)  # answers a person may send per minute: enough for mistakes, not for floods


def _links(city, component) -> dict:
    return {
        "city_slug": city.slug,
        "process_slug": component.phase.process.slug,
        "component_id": component.pk,
    }


def _question_views(questions, raw=None, errors=None) -> list[dict]:
    """What the answer form shows per question: the question, what was sent and its error."""
    raw, errors = raw or {}, errors or {}
    views = []
    for q in questions:
        value = raw.get(q.pk, [] if q.kind == QuestionKind.MULTIPLE else "")
        views.append(
            {
                "q": q,
                "value": value,
                "values": [str(v) for v in value] if isinstance(value, list) else [str(value)],
                "error": errors.get(f"q{q.pk}", ""),
                "places": range(1, len(q.options) + 1),
            }
        )
    return views


@city_view
@require_http_methods(["GET", "POST"])
def survey_detail(request, city, process_slug, component_id):
    component, survey = get_survey_for(request, city, process_slug, component_id)
    refusal = answer_refusal(request.user, survey)
    if request.method == "POST" and refusal == "sign_in":
        return redirect_to_login(request.get_full_path())
    questions = questions_of(survey) if survey else []
    demographics = None
    if survey and survey.ask_demographics and actions.may_give_demographics(request.user):
        demographics = DemographicsForm(posted(request), prefix="demo", districts=survey.districts)
    status = 200
    items = _question_views(questions)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if refusal is not None:
            raise PermissionDenied
        try:
            ratelimit.check(f"survey-answer:{request.user.pk}", *ANSWER_LIMIT)
        except ratelimit.RateLimited:
            messages.error(request, _("Too many answers in a short time. Wait a minute and send again."))
            return redirect("surveys:detail", **_links(city, component))
        raw = read_post(questions, request.POST)
        demo_data = demographics.cleaned_data if demographics and demographics.is_valid() else None
        try:
            actions.do_answer_survey(survey, request.user, raw, demographics=demo_data)
        except actions.AlreadyAnswered:
            refusal = "answered"
        except ValidationError as exc:
            errors = {k: v[0] for k, v in exc.message_dict.items()} if hasattr(exc, "error_dict") else {}
            if not errors:
                messages.error(request, " ".join(exc.messages))
            if demographics is not None:
                for name in list(errors):
                    if name in demographics.fields:
                        demographics.add_error(name, errors.pop(name))
            items = _question_views(questions, raw, errors)
            status = 400
        else:
            messages.success(request, _("Thank you: your answers are saved."))
            return redirect("surveys:detail", **_links(city, component))
    return render(
        request,
        "surveys/detail.html",
        {
            "city": city,
            "component": component,
            "process": component.phase.process,
            "survey": survey,
            "items": items,
            "errors": errors,
            "refusal": refusal,
            "demographics": demographics,
            "can_change": request.user.has_perm("surveys.change_survey", city),
            "can_record": request.user.has_perm("surveys.record_offline", city),
            "results_shown": survey is not None and may_see_results(request.user, survey),
        },
        status=status,
    )


def _results_context(request, city, process_slug, component_id):
    component, survey = get_survey_for(request, city, process_slug, component_id)
    if survey is None:
        raise Http404
    return component, survey


@city_view
def survey_results(request, city, process_slug, component_id):
    component, survey = _results_context(request, city, process_slug, component_id)
    shown = may_see_results(request.user, survey)
    is_staff = request.user.has_perm("surveys.view_answers", city)
    total = response_count(survey) if shown else 0
    return render(
        request,
        "surveys/results.html",
        {
            "city": city,
            "component": component,
            "process": component.phase.process,
            "survey": survey,
            "shown": shown,
            "published": results_published(survey),
            "k": K,
            "total": total if total >= K else None,
            "results": results_of(survey, with_texts=is_staff) if shown else [],
            "channels": channel_counts(survey) if shown else {},
            "demographics": demographics_of(survey) if shown and survey.ask_demographics else [],
            "is_staff": is_staff,
        },
    )


def _csv_response(filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@city_view
def results_csv(request, city, process_slug, component_id):
    component, survey = _results_context(request, city, process_slug, component_id)
    if not may_see_results(request.user, survey):
        raise Http404
    response = _csv_response(f"survey-{component.pk}-results.csv")
    writer = csv.writer(response)
    writer.writerow(["question", "question_text", "row", "choice", "count", "suppressed", "mean_place"])
    for result in results_of(survey):
        for table in result.tables:
            for row in table.rows:
                writer.writerow(
                    [
                        result.question.number,
                        result.question.text,
                        table.title,
                        row.label,
                        "" if row.count is None else row.count,
                        "yes" if row.count is None else "no",
                        row.extra,
                    ]
                )
        if not result.tables:
            writer.writerow(
                [
                    result.question.number,
                    result.question.text,
                    "",
                    _("answers"),
                    "" if result.answered is None else result.answered,
                    "yes" if result.answered is None else "no",
                    "",
                ]
            )
    return response


# --- Staff ------------------------------------------------------------------------------------


@staff_view("surveys.change_survey")
@require_http_methods(["GET", "POST"])
def survey_edit(request, city, process_slug, component_id):
    component, survey = get_survey_for(request, city, process_slug, component_id)
    frozen = survey is not None and actions.has_answers(survey)
    initial = {}
    if survey is not None:
        initial = {
            "intro": survey.intro,
            "anonymous": survey.anonymous,
            "ask_demographics": survey.ask_demographics,
            "districts": "\n".join(survey.districts),
            "results_while_open": survey.results_while_open,
        }
    form = SurveySettingsForm(posted(request), initial=initial, frozen=frozen)
    if request.method == "POST" and form.is_valid():
        try:
            if survey is None:
                actions.do_create_survey(component, request.user, **form.cleaned_data)
            else:
                actions.do_update_survey(survey, request.user, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The survey is saved."))
            return redirect("surveys:edit", **_links(city, component))
    return render(
        request,
        "surveys/edit.html",
        {
            "city": city,
            "component": component,
            "process": component.phase.process,
            "survey": survey,
            "form": form,
            "frozen": frozen,
            "questions": questions_of(survey) if survey else [],
        },
        status=400 if form.is_bound else 200,
    )


def _survey_or_404(request, city, process_slug, component_id):
    component, survey = get_survey_for(request, city, process_slug, component_id)
    if survey is None:
        raise Http404
    return component, survey


@staff_view("surveys.change_survey")
@require_http_methods(["GET", "POST"])
def question_new(request, city, process_slug, component_id):
    component, survey = _survey_or_404(request, city, process_slug, component_id)
    questions = questions_of(survey)
    form = QuestionForm(posted(request), questions=questions)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_add_question(survey, request.user, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The question is added."))
            return redirect("surveys:edit", **_links(city, component))
    return render(
        request,
        "surveys/question_form.html",
        {"city": city, "component": component, "process": component.phase.process, "form": form},
        status=400 if form.is_bound else 200,
    )


@staff_view("surveys.change_survey")
@require_http_methods(["GET", "POST"])
def question_edit(request, city, process_slug, component_id, question_id):
    component, survey = _survey_or_404(request, city, process_slug, component_id)
    question = get_question_for(survey, question_id)
    earlier = [q for q in questions_of(survey) if q.position < question.position]
    initial = {
        "kind": question.kind,
        "text": question.text,
        "help_text": question.help_text,
        "required": question.required,
        "options": "\n".join(question.options),
        "rows": "\n".join(question.rows),
        "scale_min": question.scale_min,
        "scale_max": question.scale_max,
        "min_label": question.min_label,
        "max_label": question.max_label,
        "condition": f"{question.condition_question_id}:{question.condition_option}"
        if question.condition_question_id
        else "",
    }
    form = QuestionForm(posted(request), initial=initial, questions=earlier)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_question(question, request.user, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The question is saved."))
            return redirect("surveys:edit", **_links(city, component))
    return render(
        request,
        "surveys/question_form.html",
        {
            "city": city,
            "component": component,
            "process": component.phase.process,
            "form": form,
            "question": question,
        },
        status=400 if form.is_bound else 200,
    )


@staff_view("surveys.change_survey")
@require_POST
def question_delete(request, city, process_slug, component_id, question_id):
    component, survey = _survey_or_404(request, city, process_slug, component_id)
    question = get_question_for(survey, question_id)
    try:
        actions.do_delete_question(question, request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The question is removed."))
    return redirect("surveys:edit", **_links(city, component))


@staff_view("surveys.change_survey")
@require_POST
def question_move(request, city, process_slug, component_id, question_id):
    """Move up / Move down without JavaScript. Back on the edit page, the address's fragment names the
    button just pressed, so the browser gives it the focus again and the move can be repeated by
    keyboard (the other button once the question is first or last; the question when none is left)."""
    component, survey = _survey_or_404(request, city, process_slug, component_id)
    question = get_question_for(survey, question_id)
    direction = request.POST.get("direction", "")
    try:
        actions.do_move_question(question, request.user, direction)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        question.refresh_from_db(fields=["position"])
        messages.success(
            request, _("“%(text)s” is now question %(n)d.") % {"text": question.text, "n": question.number}
        )
    anchor = f"question-{question.pk}"
    if direction in actions.MOVES and not actions.has_answers(survey):
        first, last = question.position == 0, question.position == survey.questions.count() - 1
        buttons = [d for d, shown in (("up", not first), ("down", not last)) if shown]
        if buttons:
            anchor += "-" + (direction if direction in buttons else buttons[0])
    return redirect(f"{reverse('surveys:edit', kwargs=_links(city, component))}#{anchor}")


@staff_view("surveys.record_offline")
@require_http_methods(["GET", "POST"])
def offline_answer(request, city, process_slug, component_id):
    component, survey = _survey_or_404(request, city, process_slug, component_id)
    questions = questions_of(survey)
    form = OfflineForm(posted(request))
    items = _question_views(questions)
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        raw = read_post(questions, request.POST)
        status = 400
        if form.is_valid():
            try:
                actions.do_record_offline_answer(survey, request.user, raw=raw, **form.cleaned_data)
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    errors = {k: v[0] for k, v in exc.message_dict.items()}
                    for name in list(errors):
                        if name in form.fields:
                            form.add_error(name, errors.pop(name))
                if not errors and not form.errors:
                    form.add_error(None, exc)
            else:
                messages.success(request, _("The answer is recorded."))
                return redirect("surveys:offline", **_links(city, component))
        items = _question_views(questions, raw, errors)
    return render(
        request,
        "surveys/offline.html",
        {
            "city": city,
            "component": component,
            "process": component.phase.process,
            "survey": survey,
            "form": form,
            "items": items,
            "errors": errors,
            "is_open": component.is_open(),
        },
        status=status,
    )


@staff_view("surveys.view_answers")
def responses_csv(request, city, process_slug, component_id):
    component, survey = _survey_or_404(request, city, process_slug, component_id)
    questions = questions_of(survey)
    response = _csv_response(f"survey-{component.pk}-responses.csv")
    writer = csv.writer(response)
    people = [] if survey.anonymous else ["person", "email"]
    columns = []
    for q in questions:
        if q.kind == QuestionKind.MATRIX:
            columns += [(q, r, f"{q.number}. {q.text}: {row}") for r, row in enumerate(q.rows)]
        else:
            columns.append((q, None, f"{q.number}. {q.text}"))
    writer.writerow(["response", "channel", "given_on", *people, *(c[2] for c in columns)])
    for r in raw_responses(survey):
        values = {a.question_id: a.value for a in r.answers.all()}
        person = (
            [] if survey.anonymous else [r.user.public_name if r.user else "", r.user.email if r.user else ""]
        )
        cells = [_cell(q, values.get(q.pk), row) for q, row, _title in columns]
        writer.writerow([r.id, r.channel, r.given_on.isoformat(), *person, *cells])
    return response


def _cell(q, value, row) -> str:
    if value is None:
        return ""
    if q.kind in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT):
        return str(value)
    if q.kind == QuestionKind.SCALE:
        return str(value)
    if q.kind == QuestionKind.SINGLE:
        return q.options[value]
    if q.kind == QuestionKind.MULTIPLE:
        return "; ".join(q.options[i] for i in value)
    if q.kind == QuestionKind.RANKING:
        return " > ".join(q.options[i] for i in value)
    pick = value[row] if row < len(value) else None
    return "" if pick is None else q.options[pick]
