from django import forms
from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from civiclab.cities.models import City

from . import actions
from .models import PURPOSE_HELP, Purpose


class SignupExtraForm(forms.Form):
    """Fields added to allauth's sign-up form. The account itself is completed by an action."""

    display_name = forms.CharField(
        label=_("Name shown to others"),
        max_length=80,
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
        help_text=_("Use your name or a nickname. It appears next to what you write."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    home_city = forms.ModelChoiceField(
        label=_("My city"), queryset=City.objects.all(), required=False, empty_label=_("No city yet")
    )
    accept_terms = forms.BooleanField(
        label=_("I accept the terms of use and the privacy notice"),
        required=True,
        # Rendered as HTML by the field template: the link is ours, no user text goes in.
        help_text=format_lazy('{} <a href="/privacy/">{}</a>', PURPOSE_HELP[Purpose.TERMS], _("Read them")),
    )
    newsletter = forms.BooleanField(label=_("Email me news about processes in my city"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = getattr(self, "request", None)
        self.fields["language"].initial = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)

    def signup(self, request, user):
        actions.do_complete_signup(
            user,
            display_name=self.cleaned_data["display_name"],
            language=self.cleaned_data["language"],
            home_city=self.cleaned_data["home_city"],
            accept_terms=self.cleaned_data["accept_terms"],
            newsletter=self.cleaned_data["newsletter"],
        )


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label=_("Name shown to others"),
        max_length=80,
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    home_city = forms.ModelChoiceField(
        label=_("My city"), queryset=City.objects.all(), required=False, empty_label=_("No city yet")
    )


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(choices=Purpose.choices)
    decision = forms.ChoiceField(choices=[("give", "give"), ("withdraw", "withdraw")])


class EraseForm(forms.Form):
    # A checkbox rather than a typed word: as safe against slips, and works the same in every language.
    confirm = forms.BooleanField(
        label=_("I understand that my account and my personal data are deleted for good"),
        error_messages={"required": _("Tick the box to confirm.")},
    )
