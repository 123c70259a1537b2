from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.defaults import page_not_found


@never_cache
def healthz(request):
    """For load balancers: the app answers and its database too."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def not_found(request, exception=None):
    """404 page; JSON under /api/ so that API clients always get a machine-readable error."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found"}, status=404)
    return page_not_found(request, exception)
