from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Component, Process


def public_processes(city):
    return Process.objects.for_city(city).published().prefetch_related("phases")


def all_processes(city):
    return Process.objects.for_city(city).prefetch_related("phases")


def get_process_for(request, city, slug: str) -> Process:
    """A process of this city: 404 for another city's, and for unpublished ones unless staff may see them."""
    process = get_object_or_404(Process.objects.for_city(city).prefetch_related("phases"), slug=slug)
    if not process.published and not request.user.has_perm("processes.view_unpublished", city):
        raise Http404
    return process


def get_component_for(request, city, process_slug: str, component_id: int, kind: str) -> Component:
    """A component of `kind` in a process of this city. 404 for another city's, another kind, an
    unpublished process or a switched-off component, unless the person may see drafts."""
    component = get_object_or_404(
        Component.objects.for_city(city).select_related("phase__process__city"),
        pk=component_id,
        kind=kind,
        phase__process__slug=process_slug,
    )
    may_see_drafts = request.user.has_perm("processes.view_unpublished", city)
    if not may_see_drafts and not (component.enabled and component.phase.process.published):
        raise Http404
    return component


def components_of(process) -> list[Component]:
    return list(Component.objects.filter(phase__process=process).select_related("phase"))


def get_process_by_pk_for(request, city, pk: int) -> Process:
    """As get_process_for, by id (the follow button posts ids)."""
    process = get_object_or_404(Process.objects.for_city(city), pk=pk)
    if not process.published and not request.user.has_perm("processes.view_unpublished", city):
        raise Http404
    return process
