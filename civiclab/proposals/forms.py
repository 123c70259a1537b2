from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import AnswerState, Channel, ModerationSettings, Side

MAX_ATTACHMENTS = 5


class LinesField(forms.CharField):
    """One item per line in the form; a list of strings in the component's settings (and back)."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list | tuple) else value

    def to_python(self, value):
        if isinstance(value, list | tuple):
            lines = [str(v) for v in value]
        else:
            lines = (super().to_python(value) or "").splitlines()
        out: list[str] = []
        for line in lines:
            line = line.strip()
            if line and line not in out:
                out.append(line[:80])
        return out


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,.pdf"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class ProposalsSettingsForm(forms.Form):
    """The settings of a proposals component; its cleaned_data is stored on the component."""

    DEFAULTS = {
        "support_threshold": 0,
        "categories": [],
        "districts": [],
        "supports_enabled": True,
        "amendments_enabled": True,
        "comments_enabled": True,
        "endorsements_enabled": True,
        "verified_email_required": False,
    }

    support_threshold = forms.IntegerField(
        label=_("Supports that require an answer"),
        min_value=0,
        initial=0,
        help_text=_("A proposal with this many supports must get an official answer. 0: no threshold."),
    )
    categories = LinesField(label=_("Categories"), required=False, help_text=_("One per line."))
    districts = LinesField(label=_("Districts"), required=False, help_text=_("One per line."))
    supports_enabled = forms.BooleanField(label=_("People can support proposals"), required=False)
    amendments_enabled = forms.BooleanField(label=_("People can propose amendments"), required=False)
    comments_enabled = forms.BooleanField(label=_("People can comment"), required=False)
    endorsements_enabled = forms.BooleanField(label=_("Organisations can endorse proposals"), required=False)
    verified_email_required = forms.BooleanField(
        label=_("Submitting needs a verified email address"), required=False
    )


class DebatesSettingsForm(forms.Form):
    DEFAULTS = {"comments_enabled": True}

    comments_enabled = forms.BooleanField(label=_("People can comment on arguments"), required=False)


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Your proposal"),
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=20_000,
        help_text=_("Markdown is allowed: *emphasis*, lists, links."),
    )
    category = forms.ChoiceField(label=_("Category"), required=False)
    district = forms.ChoiceField(label=_("District"), required=False)
    latitude = forms.DecimalField(
        label=_("Latitude"), required=False, min_value=-90, max_value=90, decimal_places=5, max_digits=8
    )
    longitude = forms.DecimalField(
        label=_("Longitude"), required=False, min_value=-180, max_value=180, decimal_places=5, max_digits=8
    )
    files = MultipleFileField(
        label=_("Images or PDF documents"),
        required=False,
        help_text=_("Up to 5 files: JPEG, PNG or WebP images up to 5 MB, PDF documents up to 10 MB."),
    )
    files_description = forms.CharField(
        label=_("What the files show"),
        required=False,
        max_length=200,
        help_text=_("Needed with files: a short description, read aloud to people who cannot see them."),
    )

    def __init__(self, *args, component, **kwargs):
        super().__init__(*args, **kwargs)
        settings = component.settings or {}
        self.fields["category"].choices = [("", _("No category"))] + [
            (c, c) for c in settings.get("categories", [])
        ]
        self.fields["district"].choices = [("", _("Whole city"))] + [
            (d, d) for d in settings.get("districts", [])
        ]
        if not settings.get("categories"):
            del self.fields["category"]
        if not settings.get("districts"):
            del self.fields["district"]

    def clean_files(self):
        files = self.cleaned_data.get("files") or []
        left = getattr(self, "files_left", MAX_ATTACHMENTS)
        if len(files) > left:
            raise ValidationError(
                _("Attach at most 5 files.") if left == MAX_ATTACHMENTS else too_many_files(left)
            )
        return files

    def clean(self):
        data = super().clean()
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error("longitude", _("Give both the latitude and the longitude, or neither."))
        if data.get("files") and not (data.get("files_description") or "").strip():
            self.add_error("files_description", _("Describe what the files show."))
        return data


PROPOSAL_EDIT_FIELDS = ("title", "body", "category", "district", "latitude", "longitude")


def more_files_help(left: int) -> str:
    return ngettext(
        "You can add %(n)d more file: a JPEG, PNG or WebP image up to 5 MB, or a PDF document up to 10 MB.",
        "You can add %(n)d more files: JPEG, PNG or WebP images up to 5 MB, PDF documents up to 10 MB.",
        left,
    ) % {"n": left}


def too_many_files(left: int) -> str:
    return ngettext(
        "This proposal can take %(n)d more file.", "This proposal can take %(n)d more files.", left
    ) % {"n": left}


class ProposalEditForm(ProposalForm):
    """The proposal form for its authors' edits: the text, category, district and place, and more files
    up to MAX_ATTACHMENTS in all (files already attached stay)."""

    def __init__(self, *args, proposal, **kwargs):
        kwargs.setdefault("initial", {name: getattr(proposal, name) for name in PROPOSAL_EDIT_FIELDS})
        super().__init__(*args, component=proposal.component, **kwargs)
        self.files_left = max(0, MAX_ATTACHMENTS - proposal.attachments.count())
        if self.files_left:
            self.fields["files"].help_text = more_files_help(self.files_left)
        else:
            del self.fields["files"]
            del self.fields["files_description"]
        # A category or district that staff have taken off the lists since stays a choice for this one.
        for name in ("category", "district"):
            value = getattr(proposal, name)
            field = self.fields.get(name)
            if field is not None and value and value not in {v for v, _label in field.choices}:
                field.choices = [*field.choices, (value, value)]


class OfflineProposalForm(ProposalForm):
    channel = forms.ChoiceField(label=_("How it reached us"), choices=Channel.choices)
    author_email = forms.EmailField(
        label=_("Email of the resident's account"),
        required=False,
        help_text=_("Optional: the proposal is then theirs, and they get the answer."),
    )


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Your comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class CommentEditForm(forms.Form):
    body = forms.CharField(label=_("Your comment"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)


class AnswerForm(forms.Form):
    state = forms.ChoiceField(label=_("Answer"), choices=AnswerState.choices)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)
    merged_into = forms.IntegerField(
        label=_("Number of the proposal it is merged into"),
        required=False,
        help_text=_("Only when merged."),
    )


class AmendmentForm(forms.Form):
    body = forms.CharField(label=_("New text"), widget=forms.Textarea(attrs={"rows": 12}), max_length=20_000)
    explanation = forms.CharField(label=_("Why this change"), required=False, max_length=500)


class CoAuthorForm(forms.Form):
    email = forms.EmailField(label=_("Email of a person's account"), required=False)
    organisation_name = forms.CharField(label=_("Or an organisation's name"), required=False, max_length=160)
    organisation_type = forms.CharField(
        label=_("Type of organisation"),
        required=False,
        max_length=80,
        help_text=_("For example: neighbourhood association, school, cooperative."),
    )

    def clean(self):
        data = super().clean()
        if not data.get("email") and not (data.get("organisation_name") or "").strip():
            self.add_error("email", _("Give a person's email or an organisation's name."))
        return data


class EndorseForm(forms.Form):
    organisation_name = forms.CharField(label=_("Organisation you speak for"), max_length=160)


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("What is wrong with it"), widget=forms.Textarea(attrs={"rows": 3}), max_length=500
    )


class AppealForm(forms.Form):
    text = forms.CharField(
        label=_("Why it should be shown again"), widget=forms.Textarea(attrs={"rows": 4}), max_length=1000
    )


class ModerateForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("hide", _("Hide it")),
            ("restore", _("Show it again")),
            ("block", _("Hide it and block its author in this city")),
            ("unblock", _("Show it again and let its author post again")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason, sent to the author"), widget=forms.Textarea(attrs={"rows": 3}), max_length=300
    )


class ModerationSettingsForm(forms.ModelForm):
    class Meta:
        model = ModerationSettings
        fields = ["hide_after_reports"]

    def clean_hide_after_reports(self):
        value = self.cleaned_data["hide_after_reports"]
        if value < 1:
            raise ValidationError(_("At least one report."))
        return value


class OfflineSupportForm(forms.Form):
    channel = forms.ChoiceField(label=_("How it reached us"), choices=Channel.choices, initial=Channel.PAPER)
    email = forms.EmailField(label=_("Email of the resident's account"), required=False)
    name = forms.CharField(label=_("Or their full name"), required=False, max_length=160)
    identity_number = forms.CharField(
        label=_("and their identity document number"),
        required=False,
        max_length=40,
        help_text=_("Not stored: only a keyed fingerprint, so the same person cannot support twice."),
    )

    def clean(self):
        data = super().clean()
        if not data.get("email") and not (data.get("name") and data.get("identity_number")):
            self.add_error(
                "email", _("Give the email of an account, or a name and an identity document number.")
            )
        return data


class RemoveSupportForm(forms.Form):
    reason = forms.CharField(label=_("Why remove it"), max_length=300)


class DebateForm(forms.Form):
    title = forms.CharField(label=_("Question"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 5}), max_length=10_000
    )


class ArgumentForm(forms.Form):
    side = forms.ChoiceField(label=_("Side"), choices=Side.choices, widget=forms.RadioSelect)
    text = forms.CharField(
        label=_("Your argument"), widget=forms.Textarea(attrs={"rows": 3}), max_length=3000
    )


class ConclusionForm(forms.Form):
    conclusion = forms.CharField(
        label=_("Conclusion"), widget=forms.Textarea(attrs={"rows": 6}), max_length=10_000
    )
