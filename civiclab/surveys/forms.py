from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CHOICE_KINDS, AgeBand, Channel, Gender, Question, QuestionKind, YesNo


class SurveySettingsForm(forms.Form):
    intro = forms.CharField(
        label=_("Introduction"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Markdown is allowed."),
    )
    anonymous = forms.BooleanField(
        label=_("Anonymous answers"),
        required=False,
        help_text=_("No stored answer is linked to a person. Fixed once the first answer is in."),
    )
    ask_demographics = forms.BooleanField(
        label=_("Ask the demographic questions"),
        required=False,
        help_text=_(
            "Gender, age band, district, migrant background, disability: only of people who consented."
        ),
    )
    districts = forms.CharField(
        label=_("Districts"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For the demographic question on districts: one per line."),
    )
    results_while_open = forms.BooleanField(label=_("Show results while the survey is open"), required=False)

    def __init__(self, *args, frozen: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if frozen:
            for name in ("anonymous", "ask_demographics", "districts"):
                self.fields[name].disabled = True

    def clean_districts(self):
        return [line.strip() for line in self.cleaned_data["districts"].splitlines() if line.strip()]


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=QuestionKind.choices)
    text = forms.CharField(label=_("Question"), max_length=300)
    help_text = forms.CharField(label=_("Help"), max_length=300, required=False)
    required = forms.BooleanField(label=_("An answer is required"), required=False)
    options = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One per line. For one choice, several choices, ranking, and the shared scale of a matrix."
        ),
    )
    rows = forms.CharField(
        label=_("Rows of the matrix"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line. Matrix only."),
    )
    scale_min = forms.IntegerField(
        label=_("Lowest value of the scale"), required=False, min_value=-10, max_value=10
    )
    scale_max = forms.IntegerField(
        label=_("Highest value of the scale"), required=False, min_value=-9, max_value=20
    )
    min_label = forms.CharField(label=_("Label of the lowest value"), max_length=60, required=False)
    max_label = forms.CharField(label=_("Label of the highest value"), max_length=60, required=False)
    condition = forms.ChoiceField(
        label=_("Show only to people who gave this answer"),
        required=False,
        help_text=_("Optional: an answer to an earlier question with one or several choices."),
    )

    def __init__(self, *args, questions: list[Question], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = {q.pk: q for q in questions if q.kind in CHOICE_KINDS}
        self.fields["condition"].choices = [("", _("Always show this question"))] + [
            (f"{q.pk}:{i}", f"{q.number}. {q.text}: {option}")
            for q in self.questions.values()
            for i, option in enumerate(q.options)
        ]

    def clean(self):
        data = super().clean()
        condition = data.pop("condition", "")
        data["condition_question"] = data["condition_option"] = None
        if condition:
            pk, option = condition.split(":")
            data["condition_question"] = self.questions[int(pk)]
            data["condition_option"] = int(option)
        return data


class OfflineForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("How the answer was given"),
        choices=[c for c in Channel.choices if c[0] != Channel.ONLINE],
        widget=forms.RadioSelect,
    )
    email = forms.EmailField(
        label=_("Email address of the person's account"),
        required=False,
        help_text=_(
            "Check the person's identity first. Anonymous surveys can be answered without an account."
        ),
    )


def _with_prefer_not(choices) -> list:
    return [("", _("No answer")), *choices]


class DemographicsForm(forms.Form):
    gender = forms.ChoiceField(label=_("Gender"), required=False, choices=_with_prefer_not(Gender.choices))
    age_band = forms.ChoiceField(
        label=_("Age band"), required=False, choices=_with_prefer_not(AgeBand.choices)
    )
    district = forms.ChoiceField(label=_("District"), required=False)
    migrant_background = forms.ChoiceField(
        label=_("Do you have a migrant background?"),
        required=False,
        choices=_with_prefer_not(YesNo.choices),
        help_text=_("You or one of your parents were born in another country."),
    )
    disability = forms.ChoiceField(
        label=_("Do you have a disability?"), required=False, choices=_with_prefer_not(YesNo.choices)
    )

    def __init__(self, *args, districts: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        if districts:
            self.fields["district"].choices = _with_prefer_not(
                [(d, d) for d in districts] + [("prefer_not", _("Prefer not to say"))]
            )
        else:
            del self.fields["district"]
