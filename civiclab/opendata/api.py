"""The open data API, /api/v1/. Read-only and public data only; OpenAPI 3.1 at /api/v1/openapi.json."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, NinjaAPI, Schema
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import LimitOffsetPagination, paginate

from civiclab.cities.models import City
from civiclab.processes.selectors import public_processes

from .schemas import CitySchema, ErrorSchema, ProcessSchema

api = NinjaAPI(
    title="CivicLab open data API",
    version="1",
    description="Cities of the network and their participatory processes. Lists are paginated with "
    "`limit` (1 to 100) and `offset`. Errors are JSON objects with a `detail` member.",
    urls_namespace="api-v1",
    docs_url=None,  # the interactive docs load scripts from a CDN; the JSON document is enough
)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "Not found"}, status=404)


@api.exception_handler(NinjaValidationError)
def invalid(request, exc):
    return api.create_response(request, {"detail": exc.errors}, status=422)


class Page(LimitOffsetPagination):
    """limit/offset pages. The offset is bounded so that no database sees an out-of-range integer."""

    class Input(Schema):
        limit: int = Field(20, ge=1, le=100, description="items per page")
        offset: int = Field(0, ge=0, le=1_000_000_000, description="items to skip")


@api.get("/cities", response=list[CitySchema], tags=["cities"], summary="List the cities of the network")
@paginate(Page)
def list_cities(request):
    return City.objects.order_by("name", "pk")


@api.get("/cities/{city}", response={200: CitySchema, 404: ErrorSchema}, tags=["cities"], summary="One city")
def get_city(request, city: str):
    return get_object_or_404(City, slug=city)


@api.get(
    "/cities/{city}/processes",
    response={200: list[ProcessSchema], 404: ErrorSchema},
    tags=["processes"],
    summary="Published participatory processes of a city, with their phases",
)
@paginate(Page)
def list_processes(request, city: str):
    the_city = get_object_or_404(City, slug=city)
    return public_processes(the_city).select_related("city").order_by("-created_at", "-pk")


# Each app's routes live with the app; they are mounted here, under the same API and error handling.
def _mount_app_routers() -> None:
    from civiclab.budgeting.api import router as budgeting
    from civiclab.deliberation.api import router as deliberation

    api.add_router("/", budgeting)
    api.add_router("", deliberation)
    # surveys and meetings
    from civiclab.events.api import router as events
    from civiclab.surveys.api import router as surveys

    api.add_router("", surveys)
    api.add_router("", events)
    # proposals
    from civiclab.proposals.api import router as proposals

    api.add_router("", proposals)
    # accountability (issue 6)
    from civiclab.accountability.api import router as accountability

    api.add_router("", accountability)


_mount_app_routers()
