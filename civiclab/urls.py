from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Group
from django.urls import include, path
from django.views.i18n import set_language
from django.views.static import serve

from civiclab.cities.access import has_second_factor
from civiclab.cities.urls import city_urls, network_admin_urls
from civiclab.core.views import healthz, not_found
from civiclab.opendata.api import api

# Django's admin would let a network admin sign in without the second factor: send it through allauth,
# and open it only to network admins who have one.
admin.site.login = login_required(admin.site.login)
admin.site.has_permission = lambda request: bool(
    request.user.is_active and request.user.is_superuser and has_second_factor(request.user)
)
admin.site.site_header = "CivicLab network admin"
# The admin is for reading; these would let anyone's email, second factor or groups be changed
# without an action or an audit event.
for model in (EmailAddress, Authenticator, Group):
    if admin.site.is_registered(model):
        admin.site.unregister(model)

# Each city's pages, under one prefix so that its slug is matched once. Django tries the apps in this
# order until one matches, so the busiest addresses come first: the city home, then the votes of opinion
# maps and budgets. No two apps share an address, so the order changes nothing else.
city_apps = [
    path("", include((city_urls, "cities"))),
    path("", include("civiclab.deliberation.urls")),
    path("", include("civiclab.budgeting.urls")),
    path("", include("civiclab.proposals.urls")),
    path("", include("civiclab.processes.urls")),
    path("", include("civiclab.surveys.urls")),  # surveys and meetings
    path("", include("civiclab.events.urls")),
    path("", include("civiclab.accountability.urls")),  # accountability (issue 6)
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/", include("allauth.urls")),
    path("account/", include("civiclab.accounts.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("network/cities/", include((network_admin_urls, "network_admin"))),
    path("", include("civiclab.network.urls")),
    path("", include("civiclab.notifications.urls")),
    # Last: everything under /<city>/ belongs to that city.
    path("<slug:city_slug>/", include(city_apps)),
]

if settings.DEBUG:
    urlpatterns.append(path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}))

handler404 = not_found
