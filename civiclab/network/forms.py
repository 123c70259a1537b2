from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from .models import EndorserKind, OrganisationType


class EndorsementForm(forms.Form):
    """Validation of the combination (organisation needs a type and a name...) lives in do_endorse."""

    kind = forms.ChoiceField(
        label=_("I endorse as"),
        choices=EndorserKind.choices,
        widget=forms.RadioSelect,
        initial=EndorserKind.PERSON,
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        required=False,
        help_text=_("Your name, or your organisation's name."),
    )
    organisation_type = forms.ChoiceField(
        label=_("Type of organisation"),
        required=False,
        choices=[("", _("Not an organisation")), *OrganisationType.choices],
        help_text=_("Only for organisations."),
    )
    country = forms.ChoiceField(label=_("Country"))
    show_name = forms.BooleanField(label=_("Show the name in the list of signatories"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built per request so that country names follow the active language.
        self.fields["country"].choices = [("", _("Choose a country")), *countries]


class PracticeForm(forms.ModelForm):
    """A city publishes a practice; the KPIs it moved and the process template are the city's own."""

    class Meta:
        from .models import Practice

        model = Practice
        fields = [
            "title",
            "slug",
            "kind",
            "summary",
            "problem",
            "context",
            "method",
            "costs",
            "results",
            "lessons",
            "contact",
            "licence",
            "topic",
            "sdg_target",
            "language",
            "kpis",
            "source_process",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ("problem", "context", "method", "costs", "results", "lessons")
        } | {"kpis": forms.CheckboxSelectMultiple}

    def __init__(self, *args, city, **kwargs):
        from django.db.models import Q

        from civiclab.accountability.models import Kpi
        from civiclab.processes.models import Process

        super().__init__(*args, **kwargs)
        self.fields["kpis"].queryset = Kpi.objects.filter(Q(city__isnull=True) | Q(city=city))
        self.fields["source_process"].queryset = Process.objects.for_city(city)
        self.fields["language"] = forms.ChoiceField(label=_("Language"), choices=settings_languages())


def settings_languages():
    from django.conf import settings

    return list(settings.LANGUAGES)
