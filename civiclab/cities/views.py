from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods, require_POST

from civiclab.budgeting.selectors import public_budgets
from civiclab.core.contrast import readable_ink
from civiclab.core.forms import posted, posted_with_files
from civiclab.core.models import AuditEvent
from civiclab.core.pagecache import anonymous_page_cache
from civiclab.processes.selectors import all_processes, public_processes

from . import actions
from .access import city_view, get_city, network_admin_view, staff_view
from .forms import CityForm, GrantRoleForm
from .models import City, Membership
from .selectors import staff_of


@anonymous_page_cache
@city_view
def city_home(request, city):
    return render(
        request,
        "cities/home.html",
        {"city": city, "processes": public_processes(city), "budgets": list(public_budgets(city))},
    )


@city_view
@cache_control(public=True, max_age=300)
def city_theme(request, city):
    """The city's colour for its header, with whichever ink keeps the contrast at WCAG AA.

    A stylesheet rather than an inline style, which the Content-Security-Policy forbids."""
    ink = readable_ink(city.colour)
    css = (
        f".site-header {{ background: {city.colour}; color: {ink}; }}\n"
        f".site-header a, .site-header .link, .site-header label {{ color: {ink}; }}\n"
        f".site-header button:not(.link) {{ background: {ink}; color: {city.colour}; "
        f"border-color: {ink}; }}\n"
    )
    return HttpResponse(css, content_type="text/css; charset=utf-8")


@staff_view()
def staff_home(request, city):
    return render(
        request,
        "cities/staff_home.html",
        {
            "city": city,
            "processes": all_processes(city),
            "can_add_process": request.user.has_perm("processes.add_process", city),
            "can_manage_members": request.user.has_perm("cities.manage_members", city),
        },
    )


@staff_view("cities.manage_members")
@require_http_methods(["GET", "POST"])
def staff_members(request, city):
    form = GrantRoleForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_grant_role(city, form.user, form.cleaned_data["role"], actor=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The role is granted."))
            return redirect("cities:staff_members", city_slug=city.slug)
    return render(
        request,
        "cities/staff_members.html",
        {"city": city, "form": form, "members": staff_of(city)},
        status=400 if form.is_bound else 200,
    )


@staff_view("cities.manage_members")
@require_POST
def staff_member_revoke(request, city, membership_id):
    membership = get_object_or_404(
        Membership.objects.filter(city=city).select_related("user"), pk=membership_id
    )
    try:
        actions.do_revoke_role(membership, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The role is revoked."))
    return redirect("cities:staff_members", city_slug=city.slug)


@staff_view("cities.view_audit_log")
def staff_audit(request, city):
    events = AuditEvent.objects.filter(city=city).select_related("actor")[:200]
    return render(request, "cities/staff_audit.html", {"city": city, "events": events})


@network_admin_view
def network_cities(request):
    return render(request, "cities/network_cities.html", {"cities": City.objects.all()})


@network_admin_view
@require_http_methods(["GET", "POST"])
def network_city_new(request):
    return _city_form(request, None)


@network_admin_view
@require_http_methods(["GET", "POST"])
def network_city_edit(request, city_slug):
    return _city_form(request, get_city(city_slug))


def _city_form(request, city: City | None):
    form = CityForm(*posted_with_files(request), instance=city)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        fields["logo"] = fields["logo"] or ""  # False when "clear" is ticked, None when there is none
        try:
            if city is None:
                city = actions.do_create_city(request.user, **fields)
                messages.success(request, _("The city is created."))
            else:
                city = actions.do_update_city(City.objects.get(pk=city.pk), request.user, **fields)
                messages.success(request, _("The city is saved."))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("network_admin:cities")
    return render(
        request,
        "cities/network_city_form.html",
        {"form": form, "city": city},
        status=400 if form.is_bound else 200,
    )
