from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .actions import CITY_FIELDS
from .models import City, Role


class CityForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=settings.LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The first one ticked is the city's default language."),
    )

    class Meta:
        model = City
        fields = list(CITY_FIELDS)  # what the actions accept, in one place
        widgets = {"colour": forms.TextInput(attrs={"type": "color"})}

    def clean_languages(self):
        # Keep the order of settings.LANGUAGES so the first ticked is a stable default.
        chosen = self.cleaned_data["languages"]
        return [code for code, _name in settings.LANGUAGES if code in chosen]

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo and hasattr(logo, "size") and logo.size > 512 * 1024:
            raise forms.ValidationError(_("The logo must be 512 KB or smaller."))
        return logo


class GrantRoleForm(forms.Form):
    email = forms.EmailField(label=_("Email address of the person"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        try:
            self.user = get_user_model().objects.get(email=email, is_active=True)
        except get_user_model().DoesNotExist:
            raise forms.ValidationError(_("Nobody with this email address has an account yet.")) from None
        return email
