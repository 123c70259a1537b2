import csv
import io
from datetime import UTC, datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from civiclab.processes.forms import DateTimeLocalInput
from civiclab.processes.models import Phase, Process

from .actions import ImportedStatement, ImportedVote
from .models import STATEMENT_MAX_LENGTH, Conversation, StatementStatus, VoteValue

MAX_UPLOAD = 50 * 1024 * 1024
VOTE_VALUES = frozenset(VoteValue.values)


class ConversationForm(forms.ModelForm):
    seeds = forms.CharField(
        label=_("Seed statements"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One statement per line, at most 280 characters each. They are accepted at once."),
    )

    class Meta:
        model = Conversation
        fields = [
            "topic",
            "slug",
            "description",
            "process",
            "phase",
            "moderation",
            "participation",
            "closes_at",
            "published",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "moderation": forms.RadioSelect,
            "participation": forms.RadioSelect,
            "closes_at": DateTimeLocalInput,
        }

    def __init__(self, *args, city, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["process"].queryset = Process.objects.for_city(city)
        self.fields["phase"].queryset = Phase.objects.for_city(city).select_related("process")
        self.fields["phase"].label_from_instance = lambda p: f"{p.process.title}: {p.name}"
        self.fields["process"].help_text = _("Optional: the process this conversation is part of.")
        self.fields["phase"].help_text = _("Optional: the phase of that process.")
        if editing:
            del self.fields["seeds"]

    def clean_seeds(self):
        lines = [" ".join(line.split()) for line in self.cleaned_data["seeds"].splitlines()]
        lines = [line for line in lines if line]
        too_long = [n for n, line in enumerate(lines, 1) if len(line) > STATEMENT_MAX_LENGTH]
        if too_long:
            raise forms.ValidationError(
                _("Line %(n)d is longer than 280 characters.") % {"n": too_long[0]}, code="too_long"
            )
        return lines


class StatementForm(forms.Form):
    text = forms.CharField(
        label=_("Your statement"),
        max_length=STATEMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": STATEMENT_MAX_LENGTH}),
        help_text=_("One short idea that others can agree or disagree with. At most 280 characters."),
    )
    confirm = forms.BooleanField(
        label=_("My statement says something different: post it anyway"), required=False
    )


def parse_vote(data) -> tuple[int, int] | None:
    """(statement number, answer) of a posted vote, or None when the post is not one.

    A plain parse rather than a Form: the vote is the busiest request there is, and a Form deep-copies
    its fields on every request (about 5% of a vote's CPU time)."""
    try:
        tid, value = int(data.get("statement", "")), int(data.get("value", ""))
    except ValueError:
        return None
    if not 0 <= tid < 2**31 or value not in VOTE_VALUES:
        return None
    return tid, value


class ModerationForm(forms.Form):
    statement = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(StatementStatus.ACCEPTED, _("Accept")), (StatementStatus.REJECTED, _("Reject"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)
    is_meta = forms.BooleanField(label=_("Meta: about the process, not the topic"), required=False)


class ImportForm(forms.Form):
    topic = forms.CharField(label=_("Topic"), max_length=200)
    slug = forms.SlugField(label=_("Address"), max_length=80)
    comments = forms.FileField(label=_("comments.csv"))
    votes = forms.FileField(
        label=_("votes.csv"),
        required=False,
        help_text=_("Every vote with its time. Give this or participants-votes.csv."),
    )
    participants_votes = forms.FileField(label=_("participants-votes.csv"), required=False)

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("votes") and not data.get("participants_votes"):
            raise forms.ValidationError(_("Upload votes.csv or participants-votes.csv."))
        for name in ("comments", "votes", "participants_votes"):
            upload = data.get(name)
            if upload is not None and upload.size > MAX_UPLOAD:
                self.add_error(name, _("The file is larger than 50 MB."))
        if self.errors:
            return data
        try:
            data["statements"] = read_comments(data["comments"])
            if data.get("votes"):
                data["vote_rows"] = read_votes(data["votes"])
            else:
                data["vote_rows"] = read_participants_votes(data["participants_votes"])
        except (ValueError, KeyError, UnicodeDecodeError, csv.Error) as exc:
            raise forms.ValidationError(
                _("The files are not in the Pol.is export format: %(error)s") % {"error": exc}
            ) from exc
        return data


def _rows(upload) -> csv.DictReader:
    text = io.TextIOWrapper(upload.file, encoding="utf-8-sig", newline="")
    return csv.DictReader(text)


def _int(value: str, what: str, line: int) -> int:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        raise ValueError(f"line {line}: {what} {value!r} is not a number") from None


def _when(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        ms = float(value)
    except ValueError:
        return None
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def read_comments(upload) -> list[ImportedStatement]:
    reader = _rows(upload)
    missing = {"comment-id", "comment-body"} - set(reader.fieldnames or [])
    if missing:
        raise ValueError(f"comments.csv lacks the columns {', '.join(sorted(missing))}")
    out = []
    for line, row in enumerate(reader, start=2):
        author = (row.get("author-id") or "").strip()
        out.append(
            ImportedStatement(
                tid=_int(row["comment-id"], "comment-id", line),
                text=" ".join((row["comment-body"] or "").split()),
                author_pid=_int(author, "author-id", line) if author else None,
                moderated=_int(row.get("moderated") or "0", "moderated", line),
                is_meta=(row.get("is-meta") or "").strip().lower() in {"1", "true", "t", "yes"},
                created_at=_when(row.get("timestamp")),
            )
        )
    return out


def read_votes(upload) -> list[ImportedVote]:
    reader = _rows(upload)
    missing = {"comment-id", "voter-id", "vote"} - set(reader.fieldnames or [])
    if missing:
        raise ValueError(f"votes.csv lacks the columns {', '.join(sorted(missing))}")
    latest: dict[tuple[int, int], tuple[float, ImportedVote]] = {}
    for line, row in enumerate(reader, start=2):
        vote = ImportedVote(
            pid=_int(row["voter-id"], "voter-id", line),
            tid=_int(row["comment-id"], "comment-id", line),
            value=_int(row["vote"], "vote", line),
            at=_when(row.get("timestamp")),
        )
        stamp = float(row.get("timestamp") or 0)
        key = (vote.pid, vote.tid)
        # Pol.is exports keep every vote; the latest answer of a participant is the one that counts.
        if key not in latest or stamp > latest[key][0]:
            latest[key] = (stamp, vote)
    return [vote for _stamp, vote in latest.values()]


def read_participants_votes(upload) -> list[ImportedVote]:
    reader = _rows(upload)
    if "participant" not in (reader.fieldnames or []):
        raise ValueError("participants-votes.csv lacks the column participant")
    columns = [name for name in reader.fieldnames or [] if name.strip().lstrip("-").isdigit()]
    out = []
    for line, row in enumerate(reader, start=2):
        pid = _int(row["participant"], "participant", line)
        for name in columns:
            cell = (row.get(name) or "").strip()
            if cell:
                out.append(ImportedVote(pid=pid, tid=int(name), value=_int(cell, "vote", line)))
    return out
