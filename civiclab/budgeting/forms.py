from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from civiclab.processes.forms import DateTimeLocalInput

from .actions import BallotChoice
from .models import RULE_FIELDS, BallotType, Budget, District, Method

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


def parse_districts(text: str) -> list[tuple[str, int]]:
    """'North: 200000' per line."""
    out = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, sep, amount = line.rpartition(":")
        try:
            value = int(amount.strip().replace(" ", "").replace(",", ""))
        except ValueError:
            value = None
        if not sep or not name.strip() or value is None:
            raise ValidationError(_("Line %(n)s: write a district as “name: amount”.") % {"n": n})
        out.append((name.strip(), value))
    return out


class BudgetForm(forms.ModelForm):
    methods = forms.MultipleChoiceField(
        label=_("Verification methods"), choices=Method.choices, widget=forms.CheckboxSelectMultiple
    )
    districts = forms.CharField(
        label=_("Districts"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line, as “name: amount”. Leave empty for a city-wide budget."),
    )

    class Meta:
        model = Budget
        fields = [
            "title",
            "slug",
            "description",
            "process",
            "published",
            "currency",
            "amount",
            "accepts_projects",
            "ballot_type",
            "min_choices",
            "max_choices",
            "max_points",
            "rule",
            "threshold",
            "add1_start",
            "add1_stop",
            "completion",
            "allow_vote_change",
            "min_age",
            "residency",
            "methods",
            "voting_opens_at",
            "voting_closes_at",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "voting_opens_at": DateTimeLocalInput,
            "voting_closes_at": DateTimeLocalInput,
        }

    def __init__(self, *args, city, **kwargs):
        super().__init__(*args, **kwargs)
        from civiclab.processes.models import Process

        self.fields["process"].queryset = Process.objects.for_city(city)
        if self.instance.pk:
            self.fields["districts"].initial = "\n".join(
                f"{d.name}: {d.amount}" for d in self.instance.districts.all()
            )
            if self.instance.voting_has_opened():
                # Frozen: shown, not editable; the posted values are ignored and the stored ones kept.
                for name in (*RULE_FIELDS, "districts"):
                    if name in self.fields:
                        self.fields[name].disabled = True

    def clean_districts(self):
        return parse_districts(self.cleaned_data.get("districts", ""))


class ProjectForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 8}), help_text=_("Markdown is allowed.")
    )
    cost = forms.IntegerField(label=_("Estimated cost"), min_value=1)
    district = forms.ModelChoiceField(label=_("District"), queryset=District.objects.none(), required=False)
    latitude = forms.DecimalField(
        label=_("Latitude"), required=False, min_value=-90, max_value=90, max_digits=8, decimal_places=5
    )
    longitude = forms.DecimalField(
        label=_("Longitude"), required=False, min_value=-180, max_value=180, max_digits=8, decimal_places=5
    )
    image = forms.FileField(
        label=_("Image"),
        required=False,
        help_text=_("Optional. A JPEG, PNG or WebP picture of 5 MB at most."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    image_alt = forms.CharField(
        label=_("Description of the image"),
        required=False,
        max_length=250,
        help_text=_("What the image shows, for people who cannot see it."),
    )
    image_2 = forms.FileField(
        label=_("Second image"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    image_alt_2 = forms.CharField(label=_("Description of the second image"), required=False, max_length=250)
    image_3 = forms.FileField(
        label=_("Third image"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    image_alt_3 = forms.CharField(label=_("Description of the third image"), required=False, max_length=250)

    def project_fields(self) -> dict:
        """cleaned_data as do_submit_project takes it: the second and third pictures in `more_images`."""
        data = dict(self.cleaned_data)
        data["more_images"] = [(data.pop(f"image_{n}"), data.pop(f"image_alt_{n}")) for n in (2, 3)]
        return data

    def __init__(self, *args, budget, **kwargs):
        super().__init__(*args, **kwargs)
        districts = budget.districts.all()
        self.fields["district"].queryset = districts
        if districts:
            self.fields["district"].required = True
        else:
            del self.fields["district"]


class ReviewForm(forms.Form):
    feasible = forms.TypedChoiceField(
        label=_("Outcome of the review"),
        choices=[("yes", _("Feasible")), ("no", _("Not feasible"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    review_reason = forms.CharField(label=_("Public reason"), widget=forms.Textarea(attrs={"rows": 4}))
    cost = forms.IntegerField(label=_("Cost after review"), min_value=1)
    cost_note = forms.CharField(
        label=_("Public note on the cost"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReplyForm(forms.Form):
    author_reply = forms.CharField(
        label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )


class CensusVerifyForm(forms.Form):
    identifier = forms.CharField(
        label=_("Identity document number"),
        max_length=40,
        help_text=_("As on your identity card or residence permit."),
    )


class LetterVerifyForm(forms.Form):
    code = forms.CharField(label=_("Code from your letter"), max_length=40)


class InPersonForm(forms.Form):
    email = forms.EmailField(label=_("Email of the person's account"))
    identifier = forms.CharField(label=_("Identity document number"), max_length=40)
    birth_date = forms.DateField(label=_("Date of birth"), widget=forms.DateInput(attrs={"type": "date"}))
    district = forms.CharField(label=_("District of residence"), max_length=120, required=False)


class PaperVoterForm(forms.Form):
    station = forms.CharField(label=_("Polling station"), max_length=80)
    identifier = forms.CharField(label=_("Identity document number"), max_length=40)
    birth_date = forms.DateField(label=_("Date of birth"), widget=forms.DateInput(attrs={"type": "date"}))
    district = forms.CharField(label=_("District of residence"), max_length=120, required=False)


class CensusUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Census list (CSV)"),
        help_text=_("One person per line: identifier, birth year, district. Replaces the current list."),
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("The file is larger than 50 MB."))
        try:
            return f.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(_("The file is not UTF-8 text.")) from None


class LetterCodesForm(forms.Form):
    count = forms.IntegerField(label=_("How many codes"), min_value=1, max_value=500_000)
    district = forms.CharField(label=_("District"), max_length=120, required=False)


class ReceiptForm(forms.Form):
    receipt = forms.CharField(label=_("Receipt code"), max_length=40)


class PaperSheetForm(forms.Form):
    station = forms.CharField(label=_("Polling station"), max_length=80)
    sheet = forms.CharField(label=_("Ballot sheet number"), max_length=40)


def read_district(data, districts: list[District]) -> District | None:
    if not districts:
        return None
    for district in districts:
        if str(district.pk) == (data.get("district") or ""):
            return district
    raise ValidationError(_("Choose a district."))


def _marks(data, prefix: str) -> list[tuple[str, int]]:
    """(project code, whole number) for every non-empty `<prefix>-<code>` field."""
    out = []
    for key in data:
        if key.startswith(prefix) and (raw := (data.get(key) or "").strip()):
            try:
                out.append((key[len(prefix) :], int(raw)))
            except ValueError:
                raise ValidationError(_("Write whole numbers only.")) from None
    return out


def read_ballot(data, budget: Budget, district: District | None) -> BallotChoice:
    """The marks of a posted ballot (online or typed from paper). Raises ValidationError for marks that
    cannot be read; check_ballot then applies the budget's rules (unknown projects included)."""
    kind = budget.ballot_type
    if kind == BallotType.CUMULATIVE:
        marks = _marks(data, "points-")
        if any(v < 0 for _c, v in marks):
            raise ValidationError(_("Points cannot be negative."))
        marks = sorted((c, v) for c, v in marks if v)
        return BallotChoice([c for c, _v in marks], [v for _c, v in marks], district)
    if kind == BallotType.RANKING:
        ranked = sorted((r, c) for c, r in _marks(data, "rank-"))
        ranks = [r for r, _c in ranked]
        if ranks != list(range(1, len(ranks) + 1)):
            raise ValidationError(_("Number your choices 1, 2, 3… without gaps or repeats."))
        return BallotChoice([c for _r, c in ranked], [], district)
    return BallotChoice([c for c in data.getlist("project") if c], [], district)
