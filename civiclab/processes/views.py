from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from civiclab.budgeting.selectors import public_budgets
from civiclab.cities.access import city_view, staff_view
from civiclab.core.forms import posted

from . import actions
from .forms import PhaseFormSet, ProcessForm, standard_phase_initial
from .models import Process
from .selectors import get_process_for


@city_view
def process_detail(request, city, process_slug):
    process = get_process_for(request, city, process_slug)
    now = timezone.now()
    return render(
        request,
        "processes/detail.html",
        {
            "city": city,
            "process": process,
            "phases": list(process.phases.all()),
            "active_phase": process.active_phase(now),
            "stage": process.stage(now),
            "can_change": request.user.has_perm("processes.change_process", city),
            "budgets": list(public_budgets(city).filter(process=process)),
        },
    )


@staff_view("processes.add_process")
@require_http_methods(["GET", "POST"])
def process_new(request, city):
    form = ProcessForm(posted(request), prefix="process")
    formset = PhaseFormSet(
        posted(request),
        prefix="phases",
        initial=standard_phase_initial(),
        form_kwargs={"empty_permitted": True},
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            process = actions.do_create_process(
                city, request.user, phases=formset.specs(), **form.cleaned_data
            )
        except ValidationError as exc:
            _attach(form, formset, exc)
        else:
            messages.success(request, _("The process is created."))
            return redirect("processes:detail", city_slug=city.slug, process_slug=process.slug)
    return _render_form(request, city, None, form, formset)


@staff_view("processes.change_process")
@require_http_methods(["GET", "POST"])
def process_edit(request, city, process_slug):
    process = get_object_or_404(Process.objects.for_city(city), slug=process_slug)
    initial = [
        {
            "id": p.pk,
            "kind": p.kind,
            "name": p.name,
            "description": p.description,
            "starts_at": timezone.localtime(p.starts_at),
            "ends_at": timezone.localtime(p.ends_at),
        }
        for p in process.phases.all()
    ]
    form = ProcessForm(posted(request), instance=process, prefix="process")
    formset = PhaseFormSet(posted(request), prefix="phases", initial=initial)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            with transaction.atomic():
                process = actions.do_update_process(
                    Process.objects.get(pk=process.pk), request.user, **form.cleaned_data
                )
                actions.do_save_phases(process, request.user, formset.specs())
        except ValidationError as exc:
            _attach(form, formset, exc)
        else:
            messages.success(request, _("The process is saved."))
            return redirect("processes:detail", city_slug=city.slug, process_slug=process.slug)
    return _render_form(request, city, process, form, formset)


def _attach(form, formset, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        form.add_error(None, exc)
    else:
        formset._non_form_errors = formset.error_class(exc.messages)


def _render_form(request, city, process, form, formset):
    return render(
        request,
        "processes/form.html",
        {"city": city, "process": process, "form": form, "formset": formset},
        status=400 if form.is_bound else 200,
    )
