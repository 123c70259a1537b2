from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from civiclab.cities.access import city_view
from civiclab.core.forms import posted

from . import actions, registry, selectors
from .forms import DigestForm


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return fallback


@city_view
@require_POST
def follow(request, city):
    """Follow or stop following anything an app registered as followable, through that app's own
    access helper: a person can only follow what they may see."""
    if not request.user.is_authenticated:
        return redirect("account_login")
    get_for = registry.getter_for(request.POST.get("target", ""))
    try:
        pk = int(request.POST.get("pk", ""))
    except ValueError:
        pk = None
    if get_for is None or pk is None:
        raise Http404
    obj = get_for(request, city, pk)
    if request.POST.get("action") == "unfollow":
        actions.do_unfollow(request.user, obj)
        messages.success(request, _("You no longer follow this."))
    else:
        actions.do_follow(request.user, obj)
        messages.success(request, _("You follow this now. Updates appear in your notifications."))
    return redirect(_safe_next(request, "/" + city.slug + "/"))


@login_required
@require_http_methods(["GET", "POST"])
def notification_list(request):
    form = DigestForm(posted(request), initial={"frequency": selectors.digest_of(request.user)})
    if request.method == "POST":
        if "mark_read" in request.POST:
            actions.do_mark_read(request.user)
            messages.success(request, _("All notifications are marked as read."))
            return redirect("notifications:list")
        if form.is_valid():
            actions.do_set_digest(request.user, form.cleaned_data["frequency"])
            messages.success(request, _("Your email preference is saved."))
            return redirect("notifications:list")
    return render(
        request,
        "notifications/list.html",
        {"notifications": selectors.notifications_of(request.user), "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )
