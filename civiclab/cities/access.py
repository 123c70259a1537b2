"""Access helpers: the one way views reach a city and check a staff role in it."""

import zoneinfo
from contextlib import contextmanager
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from civiclab.core import nearcache

from .models import City

CITY_CACHE_TTL = 300


def city_cache_key(slug: str) -> str:
    return f"civiclab:city:{slug}"


def get_city(slug: str) -> City:
    """The city of a URL, from the shared cache when it can be: every city page starts here.
    do_update_city clears the entry after a change commits."""
    key = city_cache_key(slug)
    city = nearcache.get(key)
    if city is None:
        city = get_object_or_404(City, slug=slug)
        nearcache.set(key, city, CITY_CACHE_TTL)
    return city


def has_second_factor(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def _require(request, perm: str, obj=None):
    """None when allowed; otherwise the response that refuses (login, 403, or TOTP set-up)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied
    if not has_second_factor(request.user):
        # Every staff role needs a second factor: send them to set one up, then back.
        messages.warning(request, _("Staff areas need a second factor. Set up an authenticator app first."))
        return redirect("mfa_activate_totp")
    return None


@contextmanager
def _in_city(request, city_slug: str):
    """Sets request.city and shows and reads times in the city's time zone for this request."""
    request.city = get_city(city_slug)
    timezone.activate(zoneinfo.ZoneInfo(request.city.time_zone))
    try:
        yield request.city
    finally:
        timezone.deactivate()


def city_view(view):
    """Resolves <city_slug> to request.city (404 when unknown) and passes the city on."""

    @wraps(view)
    def wrapper(request, city_slug, *args, **kwargs):
        with _in_city(request, city_slug) as city:
            return view(request, city, *args, **kwargs)

    return wrapper


def staff_view(perm: str = "cities.view_staff_area"):
    """A city view that needs a staff permission in that city and a second factor."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, city_slug, *args, **kwargs):
            with _in_city(request, city_slug) as city:
                refusal = _require(request, perm, city)
                if refusal is not None:
                    return refusal
                return view(request, city, *args, **kwargs)

        return wrapper

    return decorator


def network_admin_view(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        refusal = _require(request, "cities.add_city")
        if refusal is not None:
            return refusal
        return view(request, *args, **kwargs)

    return wrapper
