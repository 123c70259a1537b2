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
from civiclab.core.pagecache import anonymous_page_cache

from . import actions, components, selectors
from .forms import ComponentAddForm, ComponentForm, PhaseFormSet, ProcessForm, standard_phase_initial
from .models import Component, Process
from .selectors import get_process_for


@anonymous_page_cache
@city_view
def process_detail(request, city, process_slug):
    process = get_process_for(request, city, process_slug)
    now = timezone.now()
    phases = list(process.phases.all())
    by_phase = _visible_components(request, city, process)
    for phase in phases:
        phase.visible_components = by_phase.get(phase.pk, [])
    return render(
        request,
        "processes/detail.html",
        {
            "city": city,
            "process": process,
            "phases": phases,
            "active_phase": process.active_phase(now),
            "stage": process.stage(now),
            "can_change": request.user.has_perm("processes.change_process", city),
            "budgets": list(public_budgets(city).filter(process=process)),
        },
    )


def _visible_components(request, city, process) -> dict[int, list[dict]]:
    """The components of each phase, by phase id, with their links; drafts only for staff."""
    may_see_drafts = request.user.has_perm("processes.view_unpublished", city)
    by_phase: dict[int, list[dict]] = {}
    for component in selectors.components_of(process):
        if not component.enabled and not may_see_drafts:
            continue
        component.phase.process = process  # url_of reads the process and its city: no extra query
        by_phase.setdefault(component.phase_id, []).append(
            {"component": component, "url": components.url_of(component)}
        )
    return by_phase


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


@staff_view("processes.change_process")
@require_http_methods(["GET", "POST"])
def component_list(request, city, process_slug):
    process = get_object_or_404(Process.objects.for_city(city), slug=process_slug)
    form = ComponentAddForm(posted(request), process=process)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            component = actions.do_add_component(
                data["phase"], request.user, kind=data["kind"], title=data["title"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The component is added. Check its settings."))
            return redirect(
                "processes:component_edit",
                city_slug=city.slug,
                process_slug=process.slug,
                component_id=component.pk,
            )
    return render(
        request,
        "processes/components.html",
        {
            "city": city,
            "process": process,
            "components": selectors.components_of(process),
            "form": form,
        },
        status=400 if form.is_bound else 200,
    )


@staff_view("processes.change_process")
@require_http_methods(["GET", "POST"])
def component_edit(request, city, process_slug, component_id):
    component = get_object_or_404(
        Component.objects.for_city(city).select_related("phase__process"),
        pk=component_id,
        phase__process__slug=process_slug,
    )
    component_type = components.get_type(component.kind)
    settings_class = component_type.settings_form if component_type else None
    form = ComponentForm(posted(request), initial={"title": component.title, "enabled": component.enabled})
    settings_form = (
        settings_class(posted(request), initial=component.settings, prefix="settings")
        if settings_class
        else None
    )
    if request.method == "POST" and form.is_valid() and (settings_form is None or settings_form.is_valid()):
        fields = dict(form.cleaned_data)
        if settings_form is not None:
            fields["settings"] = settings_form.cleaned_data
        try:
            actions.do_update_component(component, request.user, **fields)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The component is saved."))
            return redirect("processes:components", city_slug=city.slug, process_slug=process_slug)
    return render(
        request,
        "processes/component_form.html",
        {
            "city": city,
            "process": component.phase.process,
            "component": component,
            "form": form,
            "settings_form": settings_form,
        },
        status=400 if form.is_bound else 200,
    )
