from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Process


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
