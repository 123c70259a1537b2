from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Digest


class DigestForm(forms.Form):
    frequency = forms.ChoiceField(
        label=_("Email me about new notifications"),
        choices=Digest.choices,
        widget=forms.RadioSelect,
    )
