from django import forms
from django.utils.translation import gettext_lazy as _

from civiclab.surveys.models import AgeBand, Gender, YesNo

from .actions import DEMOGRAPHIC_GROUPS
from .models import Format

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Markdown is allowed."),
    )
    living_lab = forms.BooleanField(label=_("Living-lab session"), required=False)
    format = forms.ChoiceField(label=_("Format"), choices=Format.choices, widget=forms.RadioSelect)
    online_url = forms.URLField(
        label=_("Address of the online meeting"),
        required=False,
        assume_scheme="https",
        help_text=_("Shown only to registered people."),
    )
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DATETIME)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    latitude = forms.DecimalField(
        label=_("Latitude"), required=False, min_value=-90, max_value=90, max_digits=8, decimal_places=5
    )
    longitude = forms.DecimalField(
        label=_("Longitude"), required=False, min_value=-180, max_value=180, max_digits=8, decimal_places=5
    )
    step_free = forms.BooleanField(label=_("Step-free access"), required=False)
    hearing_loop = forms.BooleanField(label=_("Hearing loop"), required=False)
    sign_language = forms.BooleanField(label=_("Sign language interpretation"), required=False)
    childcare = forms.BooleanField(label=_("Childcare"), required=False)
    languages = forms.CharField(
        label=_("Languages spoken"), required=False, max_length=300, help_text=_("Separated by commas.")
    )
    access_notes = forms.CharField(
        label=_("Other accessibility notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    capacity = forms.IntegerField(
        label=_("Places"),
        required=False,
        min_value=1,
        max_value=100_000,
        help_text=_("Empty: no limit and no registration needed. When full, people join a waiting list."),
    )

    def clean_languages(self):
        return [lang.strip() for lang in self.cleaned_data["languages"].split(",") if lang.strip()]


GROUP_CHOICES = {
    "gender": Gender.choices,
    "age_band": AgeBand.choices,
    "migrant_background": YesNo.choices,
    "disability": YesNo.choices,
}
GROUP_TITLES = {
    "gender": _("Gender"),
    "age_band": _("Age band"),
    "migrant_background": _("Migrant background"),
    "disability": _("Disability"),
}


class ReportForm(forms.Form):
    minutes = forms.CharField(
        label=_("Minutes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown is allowed."),
    )
    outcomes = forms.CharField(
        label=_("Proposals that came out of the meeting"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: title | web address."),
    )
    attendance = forms.IntegerField(label=_("People who attended"), required=False, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for group, values in DEMOGRAPHIC_GROUPS.items():
            labels = dict(GROUP_CHOICES[group])
            for value in values:
                self.fields[f"{group}__{value}"] = forms.IntegerField(
                    label=f"{GROUP_TITLES[group]}: {labels[value]}", required=False, min_value=0
                )

    def demographic_fields(self):
        return [self[name] for name in self.fields if "__" in name]

    def plain_fields(self):
        return [self[name] for name in self.fields if "__" not in name]

    def clean(self):
        data = super().clean()
        counts: dict[str, dict[str, int]] = {}
        for name in list(data):
            if "__" in name:
                group, value = name.split("__")
                n = data.pop(name)
                if n:
                    counts.setdefault(group, {})[value] = n
        data["attendance_demographics"] = counts
        return data


class PhotoForm(forms.Form):
    image = forms.FileField(
        label=_("Photo"),
        help_text=_("A JPEG, PNG or WebP picture of 5 MB at most."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    alt_text = forms.CharField(
        label=_("Description of the photo"),
        max_length=250,
        help_text=_("What the photo shows, for people who cannot see it."),
    )
