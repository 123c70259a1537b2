from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from civiclab.cities.selectors import cities_with_public_processes
from civiclab.core.forms import posted

from . import actions
from .forms import EndorsementForm
from .models import Manifesto
from .selectors import signatories


def home(request):
    manifestos = Manifesto.objects.defer("body").annotate(n_endorsements=Count("endorsements"))
    return render(
        request,
        "network/home.html",
        {
            "cities": cities_with_public_processes(),
            "manifestos": manifestos,
        },
    )


@require_http_methods(["GET", "POST"])
def manifesto_detail(request, slug):
    manifesto = get_object_or_404(Manifesto, slug=slug)
    form = EndorsementForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_endorse(manifesto, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Thank you: your endorsement is recorded."))
            return redirect("network:manifesto", slug=manifesto.slug)
    status = 400 if form.is_bound else 200
    return render(
        request,
        "network/manifesto.html",
        {
            "manifesto": manifesto,
            "form": form,
            **signatories(manifesto),
        },
        status=status,
    )


def privacy(request):
    """The terms of use and privacy notice that people accept, with the version of each text."""
    return render(request, "network/privacy.html", {"versions": settings.CONSENT_VERSIONS})
