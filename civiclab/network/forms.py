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
