from collections import defaultdict

from civiclab.processes.models import Process

from .models import City, Membership


def cities_with_public_processes() -> list[City]:
    """All cities, each with `.public_processes` (published, phases prefetched): 3 queries in all."""
    cities = list(City.objects.all())
    by_city = defaultdict(list)
    for process in (
        Process.objects.published()
        .defer("description")
        .prefetch_related("phases")
        .order_by("city_id", "-created_at")
    ):
        by_city[process.city_id].append(process)
    for city in cities:
        city.public_processes = by_city[city.pk]
    return cities


def staff_of(city: City):
    return Membership.objects.filter(city=city).select_related("user").order_by("role", "user__display_name")
