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
    path("<slug:city_slug>/", include((city_urls, "cities"))),
    path("<slug:city_slug>/", include("civiclab.processes.urls")),
    path("<slug:city_slug>/", include("civiclab.budgeting.urls")),
    path("<slug:city_slug>/", include("civiclab.deliberation.urls")),
    # surveys and meetings
    path("<slug:city_slug>/", include("civiclab.surveys.urls")),
    path("<slug:city_slug>/", include("civiclab.events.urls")),
    # proposals
    path("<slug:city_slug>/", include("civiclab.proposals.urls")),
    # accountability (issue 6)
    path("<slug:city_slug>/", include("civiclab.accountability.urls")),
]

if settings.DEBUG:
    urlpatterns.append(path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}))

handler404 = not_found
