from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from django.views.i18n import set_language
from django.views.static import serve

from civiclab.cities.urls import city_urls, network_admin_urls
from civiclab.core.views import healthz, not_found
from civiclab.opendata.api import api

# Django's admin would let a network admin sign in without the second factor: send it through allauth.
admin.site.login = login_required(admin.site.login)
admin.site.site_header = "CivicLab network admin"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/", include("allauth.urls")),
    path("account/", include("civiclab.accounts.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("network/cities/", include((network_admin_urls, "network_admin"))),
    path("", include("civiclab.network.urls")),
    # Last: everything under /<city>/ belongs to that city.
    path("<slug:city_slug>/", include((city_urls, "cities"))),
    path("<slug:city_slug>/", include("civiclab.processes.urls")),
]

if settings.DEBUG:
    urlpatterns.append(path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}))

handler404 = not_found
