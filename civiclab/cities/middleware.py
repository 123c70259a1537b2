from civiclab.core import nearcache

from .models import City

GLOBAL_PREFIXES = (
    "/static/",
    "/media/",
    "/accounts/",
    "/account/",
    "/api/",
    "/i18n/",
    "/admin/",
    "/healthz",
    "/manifestos/",
    "/network/",
    "/privacy/",
)
DOMAINS_CACHE_KEY = "civiclab:custom-domains"


def custom_domains() -> dict[str, str]:
    return nearcache.get_or_set(
        DOMAINS_CACHE_KEY,
        lambda: dict(City.objects.exclude(custom_domain=None).values_list("custom_domain", "slug")),
        60,
    )


class CustomDomainMiddleware:
    """Serves a city on its own domain: participa.example.org/ shows /<city>/.

    Paths are rewritten rather than routed twice, so every reversed URL (/<city>/...) keeps working
    on the custom domain as well. The host must also be in ALLOWED_HOSTS."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        slug = custom_domains().get(request.get_host().split(":")[0].lower())
        if slug:
            path = request.path_info
            if not path.startswith(GLOBAL_PREFIXES) and not path.startswith(f"/{slug}/"):
                request.path_info = f"/{slug}{path}"
        return self.get_response(request)
