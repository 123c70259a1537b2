from django import forms
from django.utils.translation import gettext_lazy as _

from .actions import PhaseSpec
from .models import ComponentKind, Phase, PhaseKind, Process


class ProcessForm(forms.ModelForm):
    class Meta:
        model = Process
        fields = ["title", "slug", "summary", "description", "published"]
        widgets = {"description": forms.Textarea(attrs={"rows": 8})}


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class PhaseForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "---------"), *PhaseKind.choices])
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    starts_at = forms.DateTimeField(
        label=_("Starts"), widget=DateTimeLocalInput, help_text=_("In the city's time zone.")
    )
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DateTimeLocalInput)

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("A phase must end after it starts."))
        return data

    def to_spec(self) -> PhaseSpec:
        d = self.cleaned_data
        return PhaseSpec(
            kind=d["kind"],
            name=d["name"],
            description=d["description"],
            starts_at=d["starts_at"],
            ends_at=d["ends_at"],
            id=d.get("id"),
        )


class BasePhaseFormSet(forms.BaseFormSet):
    def specs(self) -> list[PhaseSpec]:
        kept = [f for f in self.forms if f.has_changed() and not self._should_delete_form(f)]
        return [f.to_spec() for f in kept]


PhaseFormSet = forms.formset_factory(
    PhaseForm, formset=BasePhaseFormSet, extra=1, can_delete=True, max_num=12, validate_max=True
)


def standard_phase_initial() -> list[dict]:
    """Empty rows for the five standard phases, so staff only add dates."""
    return [{"kind": kind.value, "name": kind.label} for kind in PhaseKind]


class ComponentAddForm(forms.Form):
    phase = forms.ModelChoiceField(label=_("Phase"), queryset=Phase.objects.none())
    kind = forms.ChoiceField(label=_("Component"), choices=ComponentKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)

    def __init__(self, *args, process, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phase"].queryset = process.phases.all()


class ComponentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    enabled = forms.BooleanField(
        label=_("Switched on"),
        required=False,
        help_text=_("Switched-off components are hidden from residents and take no contributions."),
    )
