import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from civiclab.core.forms import posted

from . import actions
from .forms import ConsentForm, EraseForm, ProfileForm
from .models import PURPOSE_HELP, Purpose
from .selectors import personal_data


def _set_language(response, language: str):
    from django.conf import settings

    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        samesite="Lax",
        httponly=True,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        max_age=365 * 24 * 3600,
    )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def account_home(request):
    user = request.user
    initial = {"display_name": user.display_name, "language": user.language, "home_city": user.home_city}
    form = ProfileForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        actions.do_update_profile(user, **form.cleaned_data)
        translation.activate(user.language)
        messages.success(request, _("Your profile is saved."))
        return _set_language(redirect("accounts:home"), user.language)
    active = actions.active_consents(user)
    consents = [
        {
            "purpose": p,
            "label": p.label,
            "help": PURPOSE_HELP[p],
            "consent": active.get(p.value),
            "outdated": p.value in active and active[p.value].version != settings.CONSENT_VERSIONS[p.value],
        }
        for p in Purpose
    ]
    return render(
        request,
        "accounts/home.html",
        {"form": form, "consents": consents},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_POST
def consent_change(request):
    form = ConsentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("That consent choice was not understood."))
        return redirect("accounts:home")
    purpose, decision = form.cleaned_data["purpose"], form.cleaned_data["decision"]
    try:
        _change_consent(request, purpose, decision)
    except actions.ConsentError:
        messages.error(
            request, _("The terms can't be withdrawn while the account exists; delete the account instead.")
        )
    return redirect("accounts:home")


def _change_consent(request, purpose: str, decision: str) -> None:
    if decision == "give":
        actions.do_give_consent(request.user, purpose)
        messages.success(request, _("Consent given: %(purpose)s.") % {"purpose": Purpose(purpose).label})
    else:
        actions.do_withdraw_consent(request.user, purpose)
        messages.success(request, _("Consent withdrawn: %(purpose)s.") % {"purpose": Purpose(purpose).label})


@login_required
def export_data(request):
    body = json.dumps(personal_data(request.user), indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="civiclab-my-data-{stamp}.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def erase_account(request):
    form = EraseForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_erase_account(request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            logout(request)
            messages.success(request, _("Your account and your personal data are deleted."))
            return redirect("network:home")
    return render(request, "accounts/erase.html", {"form": form}, status=400 if form.is_bound else 200)
