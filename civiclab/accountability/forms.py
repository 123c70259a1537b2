import datetime
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civiclab.budgeting.models import Budget
from civiclab.processes.models import Component, ComponentKind, Process

from .actions import ADOPTION_FIELDS
from .models import CityKpi, Delivered, Kpi, ProgressMode, Result, ResultStatus, StatusKind, Unit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ResultForm(forms.ModelForm):
    class Meta:
        model = Result
        fields = [
            "title",
            "description",
            "published",
            "parent",
            "origin_process",
            "department",
            "currency",
            "budget_amount",
            "spent",
            "start_date",
            "end_date",
            "status",
            "cancel_reason",
            "progress_mode",
            "progress",
            "kpis",
            "is_pilot",
            "hypothesis",
            "method",
            "participants",
            "evaluation",
        ]
        widgets = {
            "start_date": DATE,
            "end_date": DATE,
            "description": forms.Textarea(attrs={"rows": 5}),
            "cancel_reason": forms.Textarea(attrs={"rows": 2}),
            "hypothesis": forms.Textarea(attrs={"rows": 2}),
            "method": forms.Textarea(attrs={"rows": 2}),
            "participants": forms.Textarea(attrs={"rows": 2}),
            "evaluation": forms.Textarea(attrs={"rows": 2}),
            "kpis": forms.CheckboxSelectMultiple,
        }

    note = forms.CharField(
        label=_("Note for the public history"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, city, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].queryset = ResultStatus.objects.filter(city=city)
        self.fields["status"].required = False
        parents = Result.objects.for_city(city)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents
        self.fields["origin_process"].queryset = Process.objects.for_city(city)
        self.fields["kpis"].queryset = CityKpi.objects.filter(city=city).select_related("kpi")
        self.fields["kpis"].label_from_instance = lambda a: a.kpi.name
        self.fields["progress_mode"].choices = ProgressMode.choices

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("note", None)
        kpis = data.pop("kpis", None)
        if data.get("status") is None:
            data.pop("status")
        return {"fields": data, "kpis": list(kpis) if kpis is not None else None}


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=200)
    weight = forms.IntegerField(label=_("Weight"), min_value=1, max_value=100, initial=1)
    due_on = forms.DateField(label=_("Due"), required=False, widget=DATE)


class UpdateForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE, initial=timezone.localdate)
    text = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 4}))
    photo = forms.FileField(label=_("Photo"), required=False, help_text=_("JPEG, PNG or WebP, up to 5 MB."))
    photo_alt = forms.CharField(
        label=_("Description of the photo"),
        max_length=250,
        required=False,
        help_text=_("Required with a photo: what it shows, for people who cannot see it."),
    )
    document = forms.FileField(label=_("Document"), required=False, help_text=_("PDF, up to 10 MB."))
    document_title = forms.CharField(label=_("Document title"), max_length=200, required=False)


class FindingsForm(forms.Form):
    findings = forms.CharField(label=_("Findings of the pilot"), widget=forms.Textarea(attrs={"rows": 5}))


class FromProposalsForm(forms.Form):
    component = forms.ModelChoiceField(label=_("Proposals of"), queryset=Component.objects.none())

    def __init__(self, *args, city, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["component"].queryset = (
            Component.objects.for_city(city)
            .filter(kind=ComponentKind.PROPOSALS)
            .select_related("phase__process")
        )
        self.fields["component"].label_from_instance = lambda c: f"{c.phase.process.title}: {c.title}"


class FromBudgetForm(forms.Form):
    budget = forms.ModelChoiceField(label=_("Budget"), queryset=Budget.objects.none())

    def __init__(self, *args, city, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["budget"].queryset = Budget.objects.for_city(city).filter(
            results_published_at__isnull=False
        )


class FeedbackForm(forms.Form):
    delivered = forms.ChoiceField(
        label=_("Was it delivered as promised?"), choices=Delivered.choices, widget=forms.RadioSelect
    )
    rating = forms.TypedChoiceField(
        label=_("How well does it work?"),
        coerce=int,
        choices=[(5, _("5: very well")), (4, "4"), (3, "3"), (2, "2"), (1, _("1: not at all"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Public answer"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )


class CsvForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_("UTF-8, up to 1 MB."))
    apply = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def text(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 1 MB."))
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("Save the file as UTF-8 text.")) from None


class StatusForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40, help_text=_("Used in CSV files, e.g. tendering."))
    name = forms.CharField(label=_("Name"), max_length=80)
    kind = forms.ChoiceField(label=_("What it means"), choices=StatusKind.choices)


class ThresholdForm(forms.Form):
    reopen_threshold = forms.IntegerField(
        label=_("Reports of “not delivered” that reopen a result"), min_value=1, max_value=1000
    )


class AdoptForm(forms.Form):
    kpi = forms.ModelChoiceField(label=_("KPI"), queryset=Kpi.objects.none())
    baseline_value = forms.DecimalField(label=_("Baseline value"), max_digits=18, decimal_places=4)
    baseline_date = forms.DateField(label=_("Baseline date"), widget=DATE)
    target_value = forms.DecimalField(
        label=_("Target value"), max_digits=18, decimal_places=4, required=False
    )
    target_date = forms.DateField(label=_("Target date"), widget=DATE, required=False)
    success_criterion = forms.CharField(
        label=_("Success criterion"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    how_measured = forms.CharField(
        label=_("How the city measures it"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    interim_targets = forms.CharField(
        label=_("Interim targets"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional, one per line: the date (YYYY-MM-DD), a comma, the value. E.g. 2027-12-31, 25"),
    )
    processes = forms.ModelMultipleChoiceField(
        label=_("Processes that aim at it"),
        queryset=Process.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, kpis, city, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kpi"].queryset = kpis
        self.fields["processes"].queryset = Process.objects.for_city(city)

    def clean_interim_targets(self) -> list:
        targets = []
        for n, line in enumerate(self.cleaned_data["interim_targets"].splitlines(), start=1):
            if not line.strip():
                continue
            day, _sep, value = line.partition(",")
            try:
                targets.append((datetime.date.fromisoformat(day.strip()), Decimal(value.strip())))
            except (ValueError, InvalidOperation):
                raise forms.ValidationError(
                    _("Line %(n)d: write the date as YYYY-MM-DD, a comma, then the value.") % {"n": n}
                ) from None
        return targets


class AdoptionForm(AdoptForm):
    """The same fields without the choice of KPI: to change an adoption."""

    def __init__(self, *args, city, adoption=None, **kwargs):
        if adoption is not None:
            kwargs.setdefault(
                "initial",
                {
                    **{name: getattr(adoption, name) for name in ADOPTION_FIELDS},
                    "interim_targets": "\n".join(
                        f"{t.date.isoformat()}, {t.value.normalize()}" for t in adoption.targets.all()
                    ),
                    "processes": list(adoption.processes.all()),
                },
            )
        super().__init__(*args, kpis=Kpi.objects.none(), city=city, **kwargs)
        del self.fields["kpi"]


class CityKpiForm(forms.ModelForm):
    class Meta:
        model = Kpi
        fields = [
            "code",
            "name",
            "definition",
            "unit",
            "direction",
            "calculation",
            "data_source",
            "sdg_target",
            "normalise",
            "caveats",
        ]
        widgets = {
            "definition": forms.Textarea(attrs={"rows": 3}),
            "calculation": forms.Textarea(attrs={"rows": 2}),
            "caveats": forms.Textarea(attrs={"rows": 2}),
        }


class MeasurementForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE)
    value = forms.CharField(label=_("Value"), max_length=40)
    unit = forms.ChoiceField(label=_("Unit"), choices=Unit.choices)
    source = forms.CharField(label=_("Source"), max_length=300)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    corrects = forms.IntegerField(
        label=_("Corrects the value with id"),
        required=False,
        min_value=1,
        help_text=_(
            "Only for a correction: the id from the table below. The old value stays in the history."
        ),
    )


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What uses the token, e.g. the air sensors.")
    )
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=366, initial=90)
