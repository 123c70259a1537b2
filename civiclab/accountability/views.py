import csv
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from civiclab.cities.access import city_view, staff_view
from civiclab.core import ratelimit
from civiclab.core.forms import attach_errors, posted, posted_with_files

from . import actions, charts, selectors
from .forms import (
    AdoptForm,
    AdoptionForm,
    AnswerForm,
    CityKpiForm,
    CsvForm,
    FeedbackForm,
    FindingsForm,
    FromBudgetForm,
    FromProposalsForm,
    MeasurementForm,
    MilestoneForm,
    ResultForm,
    StatusForm,
    ThresholdForm,
    TokenForm,
    UpdateForm,
)
from .models import ApiToken, Measurement, Milestone, StatusKind, UpdateDocument

FEEDBACK_POSTS = (10, 3600)  # at most 10 feedback posts per hour per person


# --- Public pages ----------------------------------------------------------------------------------


@city_view
def results(request, city):
    status = request.GET.get("status", "")
    process = request.GET.get("process", "")
    rows = list(selectors.results_of(city, status=status, process=process).order_by("title", "pk")[:500])
    processes = selectors.processes_with_results(city)
    return render(
        request,
        "accountability/results.html",
        {
            "city": city,
            "results": rows,
            "statuses": selectors.statuses_of(city),
            "processes": processes,
            "status": status,
            "process": process,
            "can_change": request.user.has_perm("accountability.change_result", city),
        },
    )


@city_view
def result_detail(request, city, result_id):
    result = selectors.get_result_for(request, city, result_id)
    return render(
        request,
        "accountability/result.html",
        {
            "city": city,
            "result": result,
            **selectors.result_page(result, request.user),
            "can_change": request.user.has_perm("accountability.change_result", city),
            "can_answer": request.user.has_perm("accountability.answer_feedback", city),
            "delivered": result.status.kind == StatusKind.DELIVERED,
            "threshold": selectors.reopen_threshold(city),
        },
    )


@city_view
@login_required
@require_http_methods(["GET", "POST"])
def result_feedback(request, city, result_id):
    result = selectors.get_result_for(request, city, result_id)
    if result.status.kind != StatusKind.DELIVERED:
        raise Http404
    mine = result.feedback.filter(user=request.user).first()
    initial = {"delivered": mine.delivered, "rating": mine.rating, "comment": mine.comment} if mine else None
    form = FeedbackForm(posted(request), initial=initial)
    if request.method == "POST":
        try:
            ratelimit.check(f"result-feedback:{request.user.pk}", *FEEDBACK_POSTS)
        except ratelimit.RateLimited as exc:
            response = HttpResponse(
                _("Too many posts. Try again later."), status=429, content_type="text/plain"
            )
            response["Retry-After"] = str(exc.retry_after)
            return response
        if form.is_valid():
            try:
                actions.do_give_feedback(result, request.user, **form.cleaned_data)
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, _("Thank you: your feedback is published."))
                return redirect("accountability:result", city_slug=city.slug, result_id=result.pk)
    return render(
        request,
        "accountability/feedback_form.html",
        {"city": city, "result": result, "form": form, "mine": mine},
        status=400 if form.is_bound else 200,
    )


@city_view
def document(request, city, document_id):
    doc = get_object_or_404(
        UpdateDocument.objects.filter(city=city).select_related("update__result"), pk=document_id
    )
    if not doc.update.result.published and not request.user.has_perm("accountability.change_result", city):
        raise Http404
    with doc.file.open("rb") as f:
        response = HttpResponse(f.read(), content_type="application/pdf")  # at most 10 MB
    response["Content-Disposition"] = content_disposition_header(True, f"{doc.title[:80]}.pdf")
    response["X-Content-Type-Options"] = "nosniff"
    return response


RESULT_COLUMNS = [
    "id",
    "title",
    "status",
    "progress",
    "department",
    "currency",
    "budget",
    "spent",
    "start_date",
    "end_date",
    "origin",
    "parent",
    "pilot",
    "url",
]


def _result_rows(city, request):
    for r in selectors.results_of(city).order_by("pk"):
        yield {
            "id": r.pk,
            "title": r.title,
            "status": r.status.code,
            "progress": r.progress,
            "department": r.department,
            "currency": r.currency,
            "budget": r.budget_amount,
            "spent": r.spent,
            "start_date": r.start_date.isoformat() if r.start_date else None,
            "end_date": r.end_date.isoformat() if r.end_date else None,
            "origin": r.origin,
            "parent": r.parent_id,
            "pilot": r.is_pilot,
            "url": request.build_absolute_uri(f"/{city.slug}/results/{r.pk}/"),
        }


def _export(rows, columns, fmt: str, name: str):
    if fmt == "json":
        response = HttpResponse(
            json.dumps(list(rows), ensure_ascii=False, indent=1), content_type="application/json"
        )
    elif fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        writer = csv.DictWriter(response, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@city_view
def results_export(request, city, fmt):
    return _export(_result_rows(city, request), RESULT_COLUMNS, fmt, f"{city.slug}-results")


@city_view
def dashboard(request, city):
    return render(
        request,
        "accountability/dashboard.html",
        {
            "city": city,
            "rows": selectors.dashboard(city),
            "delivered": selectors.delivered_results_count(city),
        },
    )


def chart_context(adoption, series):
    targets = [(p.day, p.value) for p in selectors.targets_of(adoption)]
    return charts.build(
        [(m.date, m.value) for m in series],
        baseline=(adoption.baseline_date, adoption.baseline_value),
        targets=targets,
    )


@city_view
def kpi_detail(request, city, code):
    adoption = selectors.get_adoption_for(city, code)
    prefetch_related_objects([adoption], "targets")
    series = selectors.series_of(adoption)
    row = selectors.kpi_row(adoption)
    return render(
        request,
        "accountability/kpi.html",
        {
            "city": city,
            "adoption": adoption,
            "kpi": adoption.kpi,
            "series": series,
            "history": selectors.history_of(adoption),
            "chart": chart_context(adoption, series),
            "interim": list(adoption.targets.all()),
            "row": row,
            **selectors.aiming_at(adoption),
            "can_measure": request.user.has_perm("accountability.enter_measurements", city),
        },
    )


MEASUREMENT_COLUMNS = ["kpi", "date", "value", "unit", "source", "note", "superseded"]


@city_view
def kpis_export(request, city, fmt):
    rows = (
        {
            "kpi": m.adoption.kpi.code,
            "date": m.date.isoformat(),
            "value": str(m.value),
            "unit": m.adoption.kpi.unit,
            "source": m.source,
            "note": m.note,
            "superseded": m.superseded_by_id is not None,
        }
        for m in Measurement.objects.filter(city=city)
        .select_related("adoption__kpi")
        .order_by("adoption__kpi__code", "date", "pk")
        .iterator(chunk_size=2000)
    )
    return _export(rows, MEASUREMENT_COLUMNS, fmt, f"{city.slug}-kpi-measurements")


# --- Staff: results --------------------------------------------------------------------------------


@staff_view("accountability.change_result")
@require_http_methods(["GET"])
def staff_results(request, city):
    actions.do_set_up_city(city)
    return render(
        request,
        "accountability/staff_results.html",
        {
            "city": city,
            "results": list(selectors.results_of(city, public=False).order_by("title", "pk")),
            "budget_form": FromBudgetForm(city=city),
            "proposals_form": FromProposalsForm(city=city),
            "threshold_form": ThresholdForm(initial={"reopen_threshold": selectors.reopen_threshold(city)}),
            "n_waiting": selectors.unanswered_low_ratings(city).count(),
            "statuses": selectors.statuses_of(city),
            "status_form": StatusForm(),
        },
    )


@staff_view("accountability.change_result")
@require_http_methods(["GET", "POST"])
def result_new(request, city):
    actions.do_set_up_city(city)
    form = ResultForm(posted(request), city=city)
    if request.method == "POST" and form.is_valid():
        values = form.values()
        try:
            result = actions.do_create_result(
                city, request.user, kpis=values["kpis"] or (), **values["fields"]
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The result is saved."))
            return redirect("accountability:result_edit", city_slug=city.slug, result_id=result.pk)
    return render(
        request,
        "accountability/result_form.html",
        {"city": city, "form": form, "heading": _("New result"), "submit": _("Save the result")},
        status=400 if form.is_bound else 200,
    )


def _staff_result(request, city, result_id):
    return selectors.get_result_for(request, city, result_id)


@staff_view("accountability.change_result")
@require_http_methods(["GET", "POST"])
def result_edit(request, city, result_id):
    result = _staff_result(request, city, result_id)
    form = (
        ResultForm(posted(request), instance=result, city=city)
        if request.method == "POST"
        else ResultForm(instance=result, city=city)
    )
    if request.method == "POST" and form.is_valid():
        values = form.values()
        try:
            actions.do_update_result(
                result,
                request.user,
                note=form.cleaned_data.get("note", ""),
                kpis=values["kpis"],
                **values["fields"],
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The result is saved."))
            return redirect("accountability:result_edit", city_slug=city.slug, result_id=result.pk)
    result.refresh_from_db()
    return render(
        request,
        "accountability/result_edit.html",
        {
            "city": city,
            "result": result,
            "form": form,
            "milestones": list(result.milestones.all()),
            "milestone_form": MilestoneForm(),
            "findings_form": FindingsForm(initial={"findings": result.findings}),
        },
        status=400 if form.is_bound else 200,
    )


@staff_view("accountability.change_result")
@require_POST
def result_milestones(request, city, result_id):
    result = _staff_result(request, city, result_id)
    done = request.POST.get("done")
    try:
        if done:
            milestone = get_object_or_404(Milestone.objects.filter(result=result), pk=done)
            actions.do_complete_milestone(milestone, request.user)
        else:
            form = MilestoneForm(request.POST)
            if not form.is_valid():
                raise ValidationError(
                    [f"{form.fields[k].label}: {' '.join(v)}" for k, v in form.errors.items()]
                )
            actions.do_add_milestone(result, request.user, **form.cleaned_data)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The milestones are saved."))
    return redirect("accountability:result_edit", city_slug=city.slug, result_id=result.pk)


@staff_view("accountability.change_result")
@require_http_methods(["GET", "POST"])
def result_update(request, city, result_id):
    result = _staff_result(request, city, result_id)
    form = UpdateForm(*posted_with_files(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        photos = [(data["photo"], data["photo_alt"])] if data.get("photo") else []
        documents = [(data["document"], data["document_title"])] if data.get("document") else []
        try:
            actions.do_add_update(
                result, request.user, date=data["date"], text=data["text"], photos=photos, documents=documents
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The update is published."))
            return redirect("accountability:result", city_slug=city.slug, result_id=result.pk)
    return render(
        request,
        "accountability/update_form.html",
        {
            "city": city,
            "result": result,
            "form": form,
            "heading": _("Add an update"),
            "submit": _("Publish the update"),
            "multipart": True,
        },
        status=400 if form.is_bound else 200,
    )


@staff_view("accountability.change_result")
@require_POST
def result_findings(request, city, result_id):
    result = _staff_result(request, city, result_id)
    form = FindingsForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Write the findings."))
        actions.do_publish_findings(result, request.user, findings=form.cleaned_data["findings"])
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The findings are published."))
    return redirect("accountability:result_edit", city_slug=city.slug, result_id=result.pk)


@staff_view("accountability.change_result")
@require_POST
def from_budget(request, city):
    form = FromBudgetForm(request.POST, city=city)
    if form.is_valid():
        made = actions.do_create_results_from_budget(form.cleaned_data["budget"], request.user)
        messages.success(request, _("%(n)d results made from the funded projects.") % {"n": len(made)})
    else:
        messages.error(request, _("Choose a counted budget."))
    return redirect("accountability:staff_results", city_slug=city.slug)


@staff_view("accountability.change_result")
@require_POST
def from_proposals(request, city):
    form = FromProposalsForm(request.POST, city=city)
    if form.is_valid():
        made = actions.do_create_results_from_proposals(form.cleaned_data["component"], request.user)
        messages.success(request, _("%(n)d results made from the accepted proposals.") % {"n": len(made)})
    else:
        messages.error(request, _("Choose a proposals component."))
    return redirect("accountability:staff_results", city_slug=city.slug)


@staff_view("accountability.change_result")
@require_POST
def status_new(request, city):
    form = StatusForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([f"{form.fields[k].label}: {' '.join(v)}" for k, v in form.errors.items()])
        actions.do_add_status(city, request.user, **form.cleaned_data)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The status is added."))
    return redirect("accountability:staff_results", city_slug=city.slug)


@staff_view("accountability.change_result")
@require_POST
def threshold(request, city):
    form = ThresholdForm(request.POST)
    if form.is_valid():
        actions.do_set_reopen_threshold(city, request.user, form.cleaned_data["reopen_threshold"])
        messages.success(request, _("The setting is saved."))
    else:
        messages.error(request, _("Give a whole number of 1 or more."))
    return redirect("accountability:staff_results", city_slug=city.slug)


@staff_view("accountability.answer_feedback")
def feedback_queue(request, city):
    return render(
        request,
        "accountability/feedback_queue.html",
        {"city": city, "waiting": list(selectors.unanswered_low_ratings(city))},
    )


@staff_view("accountability.answer_feedback")
@require_http_methods(["GET", "POST"])
def feedback_answer(request, city, feedback_id):
    feedback = selectors.get_feedback_for(city, feedback_id)
    form = AnswerForm(posted(request), initial={"answer": feedback.answer})
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_answer_feedback(feedback, request.user, answer=form.cleaned_data["answer"])
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The answer is published."))
            return redirect("accountability:feedback_queue", city_slug=city.slug)
    return render(
        request,
        "accountability/feedback_answer.html",
        {
            "city": city,
            "feedback": feedback,
            "form": form,
            "heading": _("Answer a low rating"),
            "submit": _("Publish the answer"),
        },
        status=400 if form.is_bound else 200,
    )


@staff_view("accountability.change_result")
@require_http_methods(["GET", "POST"])
def results_import(request, city):
    """A file is previewed; the preview page sends the same text back with "Apply all changes"."""
    applying = request.method == "POST" and "csv" in request.POST
    form = CsvForm() if applying else CsvForm(*posted_with_files(request))
    plan = None
    text = ""
    if applying:
        text = request.POST["csv"][: 1024 * 1024]
        plan = actions.plan_results_csv(city, text)
        if plan.ok:
            try:
                actions.do_apply_results_csv(city, request.user, text)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("%(n)d changes applied.") % {"n": plan.n_changes})
                return redirect("accountability:staff_results", city_slug=city.slug)
    elif request.method == "POST" and form.is_valid():
        try:
            text = form.text()
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            plan = actions.plan_results_csv(city, text)
    status = 200
    if (form.is_bound and form.errors) or (plan and not plan.ok):
        status = 400
    return render(
        request,
        "accountability/results_import.html",
        {"city": city, "form": form, "plan": plan, "text": text, "columns": actions.CSV_COLUMNS},
        status=status,
    )


# --- Staff: KPIs -----------------------------------------------------------------------------------


@staff_view("accountability.enter_measurements")
def staff_kpis(request, city):
    from .models import Kpi

    return render(
        request,
        "accountability/staff_kpis.html",
        {
            "city": city,
            "rows": selectors.dashboard(city),
            "own": list(Kpi.objects.filter(city=city)),
            "can_manage": request.user.has_perm("accountability.manage_kpis", city),
        },
    )


@staff_view("accountability.manage_kpis")
@require_http_methods(["GET", "POST"])
def kpi_adopt(request, city):
    kpis = selectors.kpis_available_to(city).exclude(adoptions__city=city)
    form = AdoptForm(posted(request), kpis=kpis, city=city, initial={"kpi": request.GET.get("kpi")})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        kpi = data.pop("kpi")
        try:
            adoption = actions.do_adopt_kpi(city, request.user, kpi, **data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The KPI is adopted."))
            return redirect("accountability:kpi", city_slug=city.slug, code=adoption.kpi.code)
    return render(
        request,
        "accountability/kpi_adopt.html",
        {"city": city, "form": form, "heading": _("Adopt a KPI"), "submit": _("Adopt the KPI")},
        status=400 if form.is_bound else 200,
    )


@staff_view("accountability.manage_kpis")
@require_http_methods(["GET", "POST"])
def adoption_edit(request, city, code):
    adoption = selectors.get_adoption_for(city, code)
    form = AdoptionForm(posted(request), city=city, adoption=adoption)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            actions.do_update_adoption(adoption, request.user, **data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The KPI's baseline and targets are saved."))
            return redirect("accountability:kpi", city_slug=city.slug, code=code)
    context = {
        "city": city,
        "form": form,
        "heading": _("Baseline and targets of “%(name)s”") % {"name": adoption.kpi.name},
        "submit": _("Save"),
    }
    return render(request, "accountability/form_page.html", context, status=400 if form.is_bound else 200)


@staff_view("accountability.manage_kpis")
@require_http_methods(["GET", "POST"])
def kpi_new(request, city):
    form = CityKpiForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_create_city_kpi(city, request.user, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The KPI is saved. Adopt it to measure it."))
            return redirect("accountability:staff_kpis", city_slug=city.slug)
    return render(
        request,
        "accountability/kpi_new.html",
        {"city": city, "form": form, "heading": _("A KPI of the city's own"), "submit": _("Save the KPI")},
        status=400 if form.is_bound else 200,
    )


@staff_view("accountability.manage_kpis")
@require_POST
def kpi_propose(request, city, code):
    from .models import Kpi

    kpi = get_object_or_404(Kpi.objects.filter(city=city), code=code)
    try:
        actions.do_propose_kpi(kpi, request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The KPI is proposed to the network catalogue."))
    return redirect("accountability:staff_kpis", city_slug=city.slug)


@staff_view("accountability.enter_measurements")
@require_POST
def kpis_refresh(request, city):
    n = actions.do_refresh_computed(city, request.user)
    messages.success(request, _("%(n)d computed values recorded.") % {"n": n})
    return redirect("accountability:staff_kpis", city_slug=city.slug)


@staff_view("accountability.enter_measurements")
@require_http_methods(["GET", "POST"])
def measurements(request, city, code):
    adoption = selectors.get_adoption_for(city, code)
    is_csv = request.method == "POST" and "file" in request.FILES
    form = MeasurementForm(None if is_csv else posted(request), initial={"unit": adoption.kpi.unit})
    csv_form = CsvForm(*posted_with_files(request)) if is_csv else CsvForm()
    if request.method == "POST" and not is_csv and form.is_valid():
        data = form.cleaned_data
        try:
            if data.get("corrects"):
                old = get_object_or_404(Measurement.objects.filter(adoption=adoption), pk=data["corrects"])
                actions.validate_value(adoption.kpi, data["value"], data["date"], unit=data["unit"])
                actions.do_correct_measurement(
                    old,
                    request.user,
                    value=data["value"],
                    source=data["source"],
                    note=data["note"],
                    date=data["date"],
                )
            else:
                actions.do_record_measurement(
                    adoption,
                    request.user,
                    date=data["date"],
                    value=data["value"],
                    source=data["source"],
                    note=data["note"],
                    unit=data["unit"],
                )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The measurement is recorded."))
            return redirect("accountability:measurements", city_slug=city.slug, code=code)
    if is_csv and csv_form.is_valid():
        try:
            n = actions.do_import_measurements_csv(adoption, request.user, csv_form.text())
        except ValidationError as exc:
            attach_errors(csv_form, exc)
        else:
            messages.success(request, _("%(n)d measurements recorded.") % {"n": n})
            return redirect("accountability:measurements", city_slug=city.slug, code=code)
    bound = form.is_bound or csv_form.is_bound
    return render(
        request,
        "accountability/measurements.html",
        {
            "city": city,
            "adoption": adoption,
            "kpi": adoption.kpi,
            "form": form,
            "csv_form": csv_form,
            "series": selectors.series_of(adoption)[::-1][:60],
        },
        status=400 if bound else 200,
    )


@staff_view("accountability.manage_api_tokens")
@require_http_methods(["GET", "POST"])
def tokens(request, city):
    form = TokenForm(posted(request))
    shown = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, shown = actions.do_create_api_token(city, request.user, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            form = TokenForm()
    response = render(
        request,
        "accountability/tokens.html",
        {"city": city, "form": form, "shown": shown, "tokens": list(ApiToken.objects.filter(city=city))},
        status=400 if form.is_bound and form.errors else 200,
    )
    response["Cache-Control"] = "no-store"
    return response


@staff_view("accountability.manage_api_tokens")
@require_POST
def token_revoke(request, city, token_id):
    token = get_object_or_404(ApiToken.objects.filter(city=city), pk=token_id)
    actions.do_revoke_api_token(token, request.user)
    messages.success(request, _("The token is revoked."))
    return redirect("accountability:tokens", city_slug=city.slug)


# --- Staff: practices (stored in the network app) ---------------------------------------------------


@staff_view("accountability.publish_practice")
@require_http_methods(["GET", "POST"])
def practice_new(request, city):
    from civiclab.network.actions import do_publish_practice
    from civiclab.network.forms import PracticeForm

    form = PracticeForm(posted(request), city=city, initial={"language": city.default_language})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        kpis = data.pop("kpis", [])
        try:
            practice = do_publish_practice(city, request.user, kpis=kpis, **data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The practice is published to the network."))
            return redirect("network:practice", slug=practice.slug)
    return render(
        request,
        "network/practice_form.html",
        {
            "city": city,
            "form": form,
            "heading": _("Share a practice with the network"),
            "submit": _("Publish the practice"),
        },
        status=400 if form.is_bound else 200,
    )


@staff_view("accountability.replicate_practice")
@require_POST
def practice_replicate(request, city, slug):
    from civiclab.network.actions import do_replicate_practice
    from civiclab.network.selectors import get_practice

    practice = get_practice(slug)
    try:
        replication = do_replicate_practice(practice, city, request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("network:practice", slug=practice.slug)
    messages.success(request, _("A draft process is ready: adjust its dates and publish it when ready."))
    return redirect("processes:edit", city_slug=city.slug, process_slug=replication.process.slug)


@staff_view("accountability.comment_practice")
@require_POST
def practice_comment(request, city, slug):
    from civiclab.network.actions import do_comment_practice
    from civiclab.network.selectors import get_practice

    practice = get_practice(slug)
    try:
        ratelimit.check(f"practice-comment:{request.user.pk}", 20, 3600)
        do_comment_practice(practice, city, request.user, body=request.POST.get("body", ""))
    except ratelimit.RateLimited:
        messages.error(request, _("Too many comments. Try again later."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Your comment is published."))
    return redirect("network:practice", slug=practice.slug)
