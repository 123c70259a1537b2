from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.urls import Resolver404, resolve
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from civiclab.proposals.models import Proposal
from civiclab.surveys.models import AgeBand, Gender, YesNo

from .actions import DEMOGRAPHIC_GROUPS
from .models import Format
from .selectors import proposal_choices

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


def _proposal_number(token: str) -> int | None:
    """A proposal's number, written as such or as the address of its page (on this site or its own)."""
    if token.isdigit():
        return int(token) if len(token) <= 12 else None
    try:
        match = resolve(urlsplit(token).path)
    except (Resolver404, ValueError):
        return None
    return int(match.kwargs["proposal_id"]) if match.view_name == "proposals:detail" else None


class ProposalsField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for pk in value:
            # A number too large for the database is no proposal (and SQLite would overflow on it).
            if str(pk).isdigit() and int(pk) >= 2**63:
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": pk}
                )
        return super()._check_values(value)


class ReportForm(forms.Form):
    minutes = forms.CharField(
        label=_("Minutes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown is allowed."),
    )
    proposals = ProposalsField(
        label=_("Proposals that came out of the meeting"),
        queryset=Proposal.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The city's most recent proposals, and those already linked."),
        error_messages={"invalid_choice": _("Proposal %(value)s is not a proposal of this city.")},
    )
    proposal_numbers = forms.CharField(
        label=_("Older proposals, by number or address"),
        required=False,
        max_length=2000,
        help_text=_(
            "A proposal's number is the last part of its address. Separate numbers (or addresses) "
            "with commas or spaces."
        ),
    )
    outcomes = forms.CharField(
        label=_("Other outcomes (links)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Things that are not proposals, such as a report or a video. One per line: title | web address."
        ),
    )
    attendance = forms.IntegerField(label=_("People who attended"), required=False, min_value=0)

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.city_id = meeting.city_id
        field = self.fields["proposals"]
        # Any proposal of the city is accepted (another city's is refused); the list shows the recent ones.
        field.queryset = Proposal.objects.filter(city_id=meeting.city_id)
        field.widget.choices = [
            (
                p.pk,
                _("%(title)s (%(process)s, number %(n)d)")
                % {"title": p.title, "process": p.component.phase.process.title, "n": p.pk},
            )
            for p in proposal_choices(meeting)
        ]
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

    def clean_proposal_numbers(self) -> list[int]:
        numbers = []
        for token in self.cleaned_data["proposal_numbers"].replace(",", " ").split():
            number = _proposal_number(token.strip().rstrip("."))
            if number is None:
                raise ValidationError(
                    _("“%(token)s” is not a proposal number or the address of a proposal.") % {"token": token}
                )
            numbers.append(number)
        missing = sorted(
            set(numbers)
            - set(Proposal.objects.filter(city_id=self.city_id, pk__in=numbers).values_list("pk", flat=True))
        )
        if missing:
            raise ValidationError(
                ngettext(
                    "No proposal of this city has the number %(numbers)s.",
                    "No proposals of this city have the numbers %(numbers)s.",
                    len(missing),
                )
                % {"numbers": ", ".join(str(n) for n in missing)}
            )
        return numbers

    def clean(self):
        data = super().clean()
        if "proposals" in data and "proposal_numbers" in data:
            data["proposals"] = [p.pk for p in data["proposals"]] + data.pop("proposal_numbers")
        else:
            data.pop("proposal_numbers", None)
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
