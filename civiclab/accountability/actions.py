"""Every write of the accountability app: results, their history and feedback, KPIs and measurements."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civiclab.cities.rules import roles_in
from civiclab.core import audit
from civiclab.core.documents import MAX_PDF_BYTES, is_pdf
from civiclab.core.images import clean_image
from civiclab.notifications.actions import do_notify
from civiclab.notifications.selectors import followers_of

from . import calculators
from .models import (
    AccountabilitySettings,
    ApiToken,
    CityKpi,
    Delivered,
    Feedback,
    Kpi,
    KpiTarget,
    Measurement,
    Milestone,
    NetworkStatus,
    Origin,
    ProgressMode,
    Result,
    ResultChange,
    ResultStatus,
    ResultUpdate,
    StatusKind,
    Unit,
    UpdateDocument,
    UpdatePhoto,
)

DEFAULT_STATUSES = [
    ("planned", StatusKind.PLANNED),
    ("in-progress", StatusKind.IN_PROGRESS),
    ("delivered", StatusKind.DELIVERED),
    ("cancelled", StatusKind.CANCELLED),
]
API_SCOPES = ("kpi:write",)


def role_of(actor, city) -> str:
    """The role shown in the public history instead of a name."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return "system"
    roles = roles_in(actor, city)
    for role in ("admin", "moderator", "evaluator"):
        if role in roles:
            return role
    return "network_admin" if actor.is_superuser else "resident"


# --- Set-up of a city ------------------------------------------------------------------------------


@transaction.atomic
def do_set_up_city(city, names: dict[str, str] | None = None) -> list[ResultStatus]:
    """The seed statuses (named in `names` by code, or by their meaning) and the settings row of a city;
    does nothing when they exist."""
    AccountabilitySettings.objects.get_or_create(city=city)
    statuses = list(ResultStatus.objects.filter(city=city))
    if statuses:
        return statuses
    for position, (code, kind) in enumerate(DEFAULT_STATUSES):
        statuses.append(
            ResultStatus.objects.create(
                city=city,
                code=code,
                name=(names or {}).get(code) or str(StatusKind(kind).label),
                kind=kind,
                position=position,
            )
        )
    audit.record("results.statuses_seeded", city=city, codes=[c for c, _k in DEFAULT_STATUSES])
    return statuses


@transaction.atomic
def do_add_status(city, actor, *, code: str, name: str, kind: str) -> ResultStatus:
    do_set_up_city(city)
    if kind not in StatusKind.values:
        raise ValidationError({"kind": _("Choose what the status means.")})
    position = ResultStatus.objects.filter(city=city).count()
    status = ResultStatus(city=city, code=code, name=name, kind=kind, position=position)
    status.full_clean(exclude=["city"])
    try:
        with transaction.atomic():
            status.save()
    except IntegrityError as exc:
        raise ValidationError({"code": _("The city already has a status with this code.")}) from exc
    audit.record("results.status_added", actor=actor, city=city, target=status, code=code, kind=kind)
    return status


@transaction.atomic
def do_set_reopen_threshold(city, actor, threshold: int) -> AccountabilitySettings:
    if threshold < 1:
        raise ValidationError({"reopen_threshold": _("At least one report is needed.")})
    row, _created = AccountabilitySettings.objects.select_for_update().get_or_create(city=city)
    old = row.reopen_threshold
    row.reopen_threshold = threshold
    row.save(update_fields=["reopen_threshold", "updated_at"])
    audit.record("results.threshold_set", actor=actor, city=city, old=old, new=threshold)
    return row


# --- Results ---------------------------------------------------------------------------------------

TRACKED = (
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
    "is_pilot",
    "hypothesis",
    "method",
    "participants",
    "evaluation",
    "findings",
)


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _check(result: Result) -> None:
    errors: dict[str, str] = {}
    if result.status.city_id != result.city_id:
        errors["status"] = _("Choose one of this city's statuses.")
    elif result.status.kind == StatusKind.CANCELLED and not result.cancel_reason.strip():
        errors["cancel_reason"] = _("Say why the result is cancelled.")
    if result.parent_id:
        if result.parent.city_id != result.city_id:
            errors["parent"] = _("Choose a result of this city.")
        else:
            node, seen = result.parent, {result.pk}
            while node is not None:
                if node.pk in seen:
                    errors["parent"] = _("A result cannot be part of itself.")
                    break
                seen.add(node.pk)
                node = node.parent
    for name in ("origin_project", "origin_process", "origin_proposal"):
        linked = getattr(result, name)
        if linked is not None and linked.city_id != result.city_id:
            errors[name] = _("Choose one of this city's own.")
    if result.start_date and result.end_date and result.end_date < result.start_date:
        errors["end_date"] = _("The end date is before the start date.")
    if not 0 <= result.progress <= 100:
        errors["progress"] = _("Progress is between 0 and 100.")
    if errors:
        raise ValidationError(errors)
    result.full_clean(exclude=["city", "status", "parent", "origin_project", "origin_process", "created_by"])


def _record_changes(result: Result, actor, before: dict, note: str = "") -> list[ResultChange]:
    role = role_of(actor, result.city)
    rows = [
        ResultChange(
            city_id=result.city_id,
            result=result,
            field=name,
            old=_shown(before[name]),
            new=_shown(getattr(result, name)),
            role=role,
            note=note,
        )
        for name in TRACKED
        if before.get(name, object()) != getattr(result, name)
    ]
    ResultChange.objects.bulk_create(rows)
    return rows


@transaction.atomic
def do_create_result(city, actor, *, status: ResultStatus | None = None, kpis=(), **fields) -> Result:
    statuses = do_set_up_city(city)
    result = Result(city=city, created_by=actor, status=status or statuses[0], **fields)
    if result.origin_project_id and result.origin == Origin.HAND:
        result.origin = Origin.PROJECT
    elif result.origin_process_id and result.origin == Origin.HAND:
        result.origin = Origin.PROCESS
    elif result.origin_proposal_id and result.origin == Origin.HAND:
        result.origin = Origin.PROPOSAL
    _check(result)
    try:
        with transaction.atomic():
            result.save()
    except IntegrityError as exc:
        if result.origin_proposal_id:
            raise ValidationError({"origin_proposal": _("This proposal already has a result.")}) from exc
        raise ValidationError({"origin_project": _("This project already has a result.")}) from exc
    if kpis:
        result.kpis.set([k for k in kpis if k.city_id == city.pk])
    ResultChange.objects.create(
        city=city, result=result, field="created", new=result.title, role=role_of(actor, city)
    )
    audit.record("result.created", actor=actor, city=city, target=result, origin=result.origin)
    return result


def _progress_from_milestones(result: Result) -> int:
    milestones = list(result.milestones.all())
    total = sum(m.weight for m in milestones)
    if not total:
        return 0
    done = sum(m.weight for m in milestones if m.done_on)
    return round(100 * done / total)


@transaction.atomic
def do_update_result(result: Result, actor, *, note: str = "", kpis=None, **fields) -> Result:
    result = Result.objects.select_for_update().select_related("status", "city").get(pk=result.pk)
    unknown = set(fields) - set(TRACKED)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    before = {name: getattr(result, name) for name in TRACKED}
    was_delivered = result.status.kind == StatusKind.DELIVERED
    for name, value in fields.items():
        setattr(result, name, value)
    if result.status.kind != StatusKind.CANCELLED:
        result.cancel_reason = result.cancel_reason if "cancel_reason" in fields else ""
    if result.progress_mode == ProgressMode.MILESTONES:
        result.progress = _progress_from_milestones(result)
    if result.status.kind == StatusKind.DELIVERED and result.progress_mode == ProgressMode.MANUAL:
        result.progress = 100
    _check(result)
    result.save()
    if kpis is not None:
        result.kpis.set([k for k in kpis if k.city_id == result.city_id])
    changes = _record_changes(result, actor, before, note)
    if changes:
        audit.record(
            "result.updated",
            actor=actor,
            city=result.city,
            target=result,
            fields=sorted(c.field for c in changes),
        )
    if result.status.kind == StatusKind.DELIVERED and not was_delivered:
        _ask_for_feedback(result, actor)
    return result


def result_url(result: Result) -> str:
    return reverse("accountability:result", kwargs={"city_slug": result.city.slug, "result_id": result.pk})


def _ask_for_feedback(result: Result, actor) -> None:
    """Followers and the authors of the origin are asked whether it was delivered as promised."""
    people = {u.pk: u for u in followers_of(result)}
    if result.origin_project_id and result.origin_project.author_id:
        people.setdefault(result.origin_project.author_id, result.origin_project.author)
    if result.origin_proposal_id:
        from civiclab.proposals.selectors import authors_of

        for author in authors_of(result.origin_proposal):
            people.setdefault(author.pk, author)
    people.pop(getattr(actor, "pk", None), None)
    url = result_url(result)
    users = list(people.values())
    city = result.city
    params = {"title": result.title}
    transaction.on_commit(
        lambda: do_notify(
            users, city=city, kind="accountability.delivered", params=params, url=url, actor=actor
        )
    )


@transaction.atomic
def do_add_milestone(result: Result, actor, *, title: str, weight: int = 1, due_on=None) -> Milestone:
    if not title.strip():
        raise ValidationError({"title": _("A milestone needs a title.")})
    if weight < 1:
        raise ValidationError({"weight": _("The weight is at least 1.")})
    milestone = Milestone.objects.create(
        city_id=result.city_id, result=result, title=title.strip(), weight=weight, due_on=due_on
    )
    ResultChange.objects.create(
        city_id=result.city_id,
        result=result,
        field="milestone",
        new=milestone.title,
        role=role_of(actor, result.city),
    )
    audit.record("result.milestone_added", actor=actor, city=result.city, target=milestone, result=result.pk)
    _refresh_progress(result, actor)
    return milestone


@transaction.atomic
def do_complete_milestone(milestone: Milestone, actor, *, done_on: date | None = None) -> Milestone:
    done_on = done_on or timezone.localdate()
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": _("The date is in the future.")})
    old = milestone.done_on
    milestone.done_on = done_on
    milestone.save(update_fields=["done_on", "updated_at"])
    ResultChange.objects.create(
        city_id=milestone.city_id,
        result=milestone.result,
        field="milestone_done",
        old=_shown(old),
        new=f"{milestone.title}: {done_on.isoformat()}",
        role=role_of(actor, milestone.result.city),
    )
    audit.record("result.milestone_done", actor=actor, city=milestone.result.city, target=milestone)
    _refresh_progress(milestone.result, actor)
    return milestone


def _refresh_progress(result: Result, actor) -> None:
    result = Result.objects.select_related("city").get(pk=result.pk)
    if result.progress_mode != ProgressMode.MILESTONES:
        return
    progress = _progress_from_milestones(result)
    if progress != result.progress:
        before = {name: getattr(result, name) for name in TRACKED}
        result.progress = progress
        result.save(update_fields=["progress", "updated_at"])
        _record_changes(result, actor, before)


@transaction.atomic
def do_add_update(
    result: Result,
    actor,
    *,
    date: date,
    text: str,
    photos: list[tuple] = (),  # type: ignore[assignment]
    documents: list[tuple] = (),  # type: ignore[assignment]
) -> ResultUpdate:
    errors: dict[str, list[str]] = {}
    if not text.strip():
        errors.setdefault("text", []).append(_("Say what happened."))
    if date > timezone.localdate():
        errors.setdefault("date", []).append(_("The date is in the future."))
    cleaned_photos = []
    for upload, alt in photos:
        if not (alt or "").strip():
            errors.setdefault("photo_alt", []).append(_("Describe the photo for people who cannot see it."))
            continue
        try:
            cleaned_photos.append((clean_image(upload), alt.strip()))
        except ValidationError as exc:
            errors.setdefault("photo", []).extend(exc.messages)
    for upload, title in documents:
        if upload.size > MAX_PDF_BYTES:
            errors.setdefault("document", []).append(_("The document is larger than 10 MB."))
        elif not is_pdf(upload):
            errors.setdefault("document", []).append(_("Upload a PDF document."))
        elif not (title or "").strip():
            errors.setdefault("document_title", []).append(_("Give the document a title."))
    if errors:
        raise ValidationError(errors)
    update = ResultUpdate.objects.create(
        city_id=result.city_id,
        result=result,
        date=date,
        text=text.strip(),
        author=actor,
        author_role=role_of(actor, result.city),
    )
    for content, alt in cleaned_photos:
        UpdatePhoto.objects.create(city_id=result.city_id, update=update, image=content, alt_text=alt)
    for upload, title in documents:
        data = upload.read()
        UpdateDocument.objects.create(
            city_id=result.city_id,
            update=update,
            title=title.strip(),
            size=len(data),
            file=ContentFile(data, name=f"{secrets.token_hex(16)}.pdf"),
        )
    audit.record(
        "result.update_added",
        actor=actor,
        city=result.city,
        target=update,
        result=result.pk,
        photos=len(cleaned_photos),
        documents=len(documents),
    )
    return update


@transaction.atomic
def do_publish_findings(result: Result, actor, *, findings: str) -> Result:
    if not result.is_pilot:
        raise ValidationError(_("Only a pilot has findings."))
    if not findings.strip():
        raise ValidationError({"findings": _("Write the findings.")})
    result = do_update_result(result, actor, findings=findings.strip())
    Result.objects.filter(pk=result.pk).update(findings_published_at=timezone.now())
    ResultChange.objects.create(
        city_id=result.city_id,
        result=result,
        field="findings_published",
        new="yes",
        role=role_of(actor, result.city),
    )
    audit.record("result.findings_published", actor=actor, city=result.city, target=result)
    result.refresh_from_db()
    return result


@transaction.atomic
def do_create_results_from_budget(budget, actor) -> list[Result]:
    """A result for each funded project of a counted budget that has none yet: safe to press twice."""
    from civiclab.budgeting.models import Project

    funded = Project.objects.filter(budget=budget, funded=True).order_by("pk")
    taken = set(Result.objects.filter(origin_project__in=funded).values_list("origin_project_id", flat=True))
    made = [
        do_create_result(
            budget.city,
            actor,
            title=project.title,
            description=project.description,
            origin=Origin.PROJECT,
            origin_project=project,
            origin_process=budget.process,
            currency=budget.currency,
            budget_amount=project.cost,
        )
        for project in funded
        if project.pk not in taken
    ]
    audit.record("results.made_from_budget", actor=actor, city=budget.city, target=budget, made=len(made))
    return made


@transaction.atomic
def do_create_results_from_proposals(component, actor) -> list[Result]:
    """A result for each accepted proposal of a proposals component that has none yet: safe to press twice."""
    from civiclab.proposals.models import AnswerState, Proposal

    accepted = Proposal.objects.filter(
        component=component, answer_state=AnswerState.ACCEPTED, hidden_at__isnull=True
    ).order_by("pk")
    taken = set(
        Result.objects.filter(origin_proposal__in=accepted).values_list("origin_proposal_id", flat=True)
    )
    process = component.phase.process
    made = [
        do_create_result(
            component.city,
            actor,
            title=proposal.title,
            description=proposal.body,
            origin=Origin.PROPOSAL,
            origin_proposal=proposal,
            origin_process=process,
        )
        for proposal in accepted
        if proposal.pk not in taken
    ]
    audit.record(
        "results.made_from_proposals", actor=actor, city=component.city, target=component, made=len(made)
    )
    return made


# --- Feedback --------------------------------------------------------------------------------------


@transaction.atomic
def do_give_feedback(result: Result, user, *, delivered: str, rating: int, comment: str = "") -> Feedback:
    result = Result.objects.select_for_update().select_related("status", "city").get(pk=result.pk)
    errors = {}
    if result.status.kind != StatusKind.DELIVERED:
        raise ValidationError(_("Feedback opens when the result is delivered."))
    if delivered not in Delivered.values:
        errors["delivered"] = _("Say whether it was delivered as promised.")
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        errors["rating"] = _("Choose a rating from 1 to 5.")
    if errors:
        raise ValidationError(errors)
    feedback, created = Feedback.objects.update_or_create(
        result=result,
        user=user,
        defaults={
            "city_id": result.city_id,
            "delivered": delivered,
            "rating": rating,
            "comment": comment.strip(),
        },
    )
    audit.record(
        "result.feedback_given" if created else "result.feedback_changed",
        actor=user,
        city=result.city,
        target=feedback,
        result=result.pk,
        rating=rating,
        delivered=delivered,
    )
    _reopen_if_reported(result)
    return feedback


def _reopen_if_reported(result: Result) -> None:
    threshold = (
        AccountabilitySettings.objects.filter(city_id=result.city_id)
        .values_list("reopen_threshold", flat=True)
        .first()
        or 5
    )
    reports = Feedback.objects.filter(result=result, delivered=Delivered.NO).count()
    if reports < threshold:
        return
    status = ResultStatus.objects.filter(city_id=result.city_id, kind=StatusKind.IN_PROGRESS).first()
    if status is None:
        return
    before = {name: getattr(result, name) for name in TRACKED}
    result.status = status
    if result.progress_mode == ProgressMode.MANUAL and result.progress == 100:
        result.progress = 90
    result.save(update_fields=["status", "progress", "updated_at"])
    note = _("Reopened: %(n)d people reported that it was not delivered as promised.") % {"n": reports}
    _record_changes(result, None, before, note=note)
    audit.record("result.reopened", city=result.city, target=result, reports=reports, threshold=threshold)


@transaction.atomic
def do_answer_feedback(feedback: Feedback, actor, *, answer: str) -> Feedback:
    if not answer.strip():
        raise ValidationError({"answer": _("Write an answer.")})
    feedback.answer = answer.strip()
    feedback.answered_at = timezone.now()
    feedback.answered_by = actor
    feedback.save(update_fields=["answer", "answered_at", "answered_by", "updated_at"])
    audit.record("result.feedback_answered", actor=actor, city=feedback.result.city, target=feedback)
    if feedback.user_id:
        result, person = feedback.result, feedback.user
        transaction.on_commit(
            lambda: do_notify(
                [person],
                city=result.city,
                kind="accountability.answered",
                params={"title": result.title},
                url=result_url(result),
                actor=actor,
            )
        )
    return feedback


# --- CSV bulk update of results --------------------------------------------------------------------

CSV_COLUMNS = ("id", "status", "progress", "spent", "end_date", "note")


@dataclass
class RowPlan:
    line: int
    result: Result | None
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)
    values: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


@dataclass
class CsvPlan:
    rows: list[RowPlan]
    errors: list[str]

    @property
    def ok(self) -> bool:
        return not self.errors and all(not r.errors for r in self.rows)

    @property
    def n_changes(self) -> int:
        return sum(len(r.changes) for r in self.rows)


def plan_results_csv(city, text: str) -> CsvPlan:
    """What a CSV would change, row by row, with line-numbered errors. Writes nothing."""
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    if "id" not in header:
        return CsvPlan([], [_("Line 1: the first line must name the columns, including “id”.")])
    unknown = set(header) - set(CSV_COLUMNS)
    if unknown:
        return CsvPlan([], [_("Line 1: unknown columns: %(c)s") % {"c": ", ".join(sorted(unknown))}])
    statuses = {s.code: s for s in ResultStatus.objects.filter(city=city)}
    raw_rows = list(reader)
    ids = [r.get("id", "").strip() for r in raw_rows]
    results = {
        str(r.pk): r
        for r in Result.objects.for_city(city)
        .filter(pk__in=[i for i in ids if i.isdigit()])
        .select_related("status")
    }
    rows = []
    seen: set[str] = set()
    for n, raw in enumerate(raw_rows, start=2):
        raw = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
        row = RowPlan(line=n, result=results.get(raw.get("id", "")))
        rows.append(row)
        if row.result is None:
            row.errors.append(
                _("Line %(n)d: no result of this city has the id “%(id)s”.")
                % {"n": n, "id": raw.get("id", "")}
            )
            continue
        if raw["id"] in seen:
            row.errors.append(_("Line %(n)d: the result %(id)s is listed twice.") % {"n": n, "id": raw["id"]})
        seen.add(raw["id"])
        result = row.result
        if raw.get("status"):
            status = statuses.get(raw["status"])
            if status is None:
                row.errors.append(_("Line %(n)d: unknown status “%(s)s”.") % {"n": n, "s": raw["status"]})
            elif status.pk != result.status_id:
                if status.kind == StatusKind.CANCELLED and not raw.get("note"):
                    row.errors.append(_("Line %(n)d: a cancellation needs a reason in “note”.") % {"n": n})
                row.values["status"] = status
                if status.kind == StatusKind.CANCELLED:
                    row.values["cancel_reason"] = raw.get("note", "")
                row.changes["status"] = (result.status.name, status.name)
        for name in ("progress", "spent"):
            if raw.get(name):
                try:
                    number = int(raw[name])
                    if number < 0 or (name == "progress" and number > 100):
                        raise ValueError
                except ValueError:
                    row.errors.append(
                        _("Line %(n)d: “%(v)s” is not a valid %(f)s.") % {"n": n, "v": raw[name], "f": name}
                    )
                    continue
                if name == "progress" and result.progress_mode == ProgressMode.MILESTONES:
                    row.errors.append(
                        _("Line %(n)d: progress comes from the milestones of this result.") % {"n": n}
                    )
                    continue
                if number != getattr(result, name):
                    row.values[name] = number
                    row.changes[name] = (str(getattr(result, name)), str(number))
        if raw.get("end_date"):
            try:
                end = date.fromisoformat(raw["end_date"])
            except ValueError:
                row.errors.append(_("Line %(n)d: write the date as YYYY-MM-DD.") % {"n": n})
            else:
                if result.start_date and end < result.start_date:
                    row.errors.append(_("Line %(n)d: the end date is before the start date.") % {"n": n})
                elif end != result.end_date:
                    row.values["end_date"] = end
                    row.changes["end_date"] = (_shown(result.end_date), end.isoformat())
        row.values["_note"] = raw.get("note", "")
    return CsvPlan(rows, [])


@transaction.atomic
def do_apply_results_csv(city, actor, text: str) -> CsvPlan:
    """Applies every row, or none when any row has an error."""
    plan = plan_results_csv(city, text)
    if not plan.ok:
        raise ValidationError(plan.errors + [e for r in plan.rows for e in r.errors])
    for row in plan.rows:
        values = dict(row.values)
        note = values.pop("_note", "")
        if values and row.result is not None:
            do_update_result(row.result, actor, note=note, **values)
    audit.record("results.csv_applied", actor=actor, city=city, rows=len(plan.rows), changes=plan.n_changes)
    return plan


# --- KPIs ------------------------------------------------------------------------------------------

CATALOGUE_FIXTURE = Path(__file__).resolve().parent / "fixtures" / "kpi_catalogue.json"


@transaction.atomic
def do_load_catalogue() -> int:
    """Adds the seed KPIs that the catalogue lacks (the data migration does the same on a new database;
    this puts them back after a test flush or on a database made without migrations)."""
    specs = json.loads(CATALOGUE_FIXTURE.read_text(encoding="utf-8"))["kpis"]
    present = set(Kpi.objects.filter(city__isnull=True).values_list("code", flat=True))
    missing = [spec for spec in specs if spec["code"] not in present]
    for spec in missing:
        Kpi.objects.create(city=None, status=NetworkStatus.CATALOGUE, **spec)
    if missing:
        audit.record("kpi.catalogue_loaded", codes=[s["code"] for s in missing])
    return len(missing)


@transaction.atomic
def do_create_city_kpi(city, actor, **fields) -> Kpi:
    kpi = Kpi(city=city, status=NetworkStatus.OWN, **fields)
    if Kpi.objects.filter(city__isnull=True, code=kpi.code).exists():
        raise ValidationError({"code": _("The network catalogue already has a KPI with this code.")})
    kpi.full_clean(exclude=["city", "contributed_by"])
    try:
        with transaction.atomic():
            kpi.save()
    except IntegrityError as exc:
        raise ValidationError({"code": _("This city already has a KPI with this code.")}) from exc
    audit.record("kpi.created", actor=actor, city=city, target=kpi, code=kpi.code)
    return kpi


@transaction.atomic
def do_propose_kpi(kpi: Kpi, actor) -> Kpi:
    if kpi.city_id is None or kpi.status not in (NetworkStatus.OWN, NetworkStatus.REFUSED):
        raise ValidationError(_("Only a city's own KPI can be proposed to the network."))
    kpi.status = NetworkStatus.PROPOSED
    kpi.save(update_fields=["status", "updated_at"])
    audit.record("kpi.proposed", actor=actor, city=kpi.city, target=kpi, code=kpi.code)
    return kpi


@transaction.atomic
def do_decide_kpi_proposal(kpi: Kpi, actor, *, accept: bool) -> Kpi:
    kpi = Kpi.objects.select_for_update().get(pk=kpi.pk)
    if kpi.status != NetworkStatus.PROPOSED:
        raise ValidationError(_("This KPI is not waiting for a decision."))
    city = kpi.city
    if accept:
        if Kpi.objects.filter(city__isnull=True, code=kpi.code).exists():
            raise ValidationError(_("The catalogue already has a KPI with this code."))
        kpi.contributed_by, kpi.city, kpi.status = city, None, NetworkStatus.CATALOGUE
    else:
        kpi.status = NetworkStatus.REFUSED
    kpi.save(update_fields=["city", "contributed_by", "status", "updated_at"])
    audit.record(
        "kpi.accepted" if accept else "kpi.refused", actor=actor, city=city, target=kpi, code=kpi.code
    )
    return kpi


def _check_adoption(kpi, baseline_value, baseline_date, target_value, target_date, interim_targets) -> None:
    errors = {}
    if (target_value is None) != (target_date is None):
        errors["target_date"] = _("Give both the target value and its date, or neither.")
    if target_date and target_date <= baseline_date:
        errors["target_date"] = _("The target date comes after the baseline date.")
    for day, value in interim_targets:
        if day <= baseline_date or (target_date and day >= target_date):
            errors["interim_targets"] = _(
                "Interim targets fall between the baseline date and the target date."
            )
        elif target_value is None:
            errors["interim_targets"] = _("Set the final target first.")
        else:
            try:
                validate_value(kpi, value, None, field="interim_targets")
            except ValidationError as exc:
                errors["interim_targets"] = exc.message_dict["interim_targets"][0]
    if len({day for day, _v in interim_targets}) != len(interim_targets):
        errors["interim_targets"] = _("Give one interim target per date.")
    try:
        validate_value(kpi, baseline_value, baseline_date, field="baseline_value")
        if target_value is not None:
            validate_value(kpi, target_value, None, field="target_value")
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)


ADOPTION_FIELDS = (
    "baseline_value",
    "baseline_date",
    "target_value",
    "target_date",
    "success_criterion",
    "how_measured",
)


@transaction.atomic
def do_update_adoption(adoption: CityKpi, actor, *, processes=(), interim_targets=(), **fields) -> CityKpi:
    """Changes a city's baseline, targets or notes. The values before are kept in the audit event."""
    unknown = set(fields) - set(ADOPTION_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    adoption = CityKpi.objects.select_for_update().select_related("kpi", "city").get(pk=adoption.pk)
    merged = {name: fields.get(name, getattr(adoption, name)) for name in ADOPTION_FIELDS}
    _check_adoption(
        adoption.kpi,
        merged["baseline_value"],
        merged["baseline_date"],
        merged["target_value"],
        merged["target_date"],
        list(interim_targets),
    )
    before = {name: _shown(getattr(adoption, name)) for name in ADOPTION_FIELDS}
    old_targets = [f"{t.date.isoformat()}={t.value}" for t in adoption.targets.all()]
    for name, value in merged.items():
        setattr(adoption, name, value)
    adoption.save()
    adoption.processes.set([p for p in processes if p.city_id == adoption.city_id])
    KpiTarget.objects.filter(adoption=adoption).delete()
    KpiTarget.objects.bulk_create(
        KpiTarget(city_id=adoption.city_id, adoption=adoption, date=day, value=value)
        for day, value in interim_targets
    )
    changed = {
        k: [v, _shown(getattr(adoption, k))] for k, v in before.items() if v != _shown(getattr(adoption, k))
    }
    audit.record(
        "kpi.adoption_changed",
        actor=actor,
        city=adoption.city,
        target=adoption,
        code=adoption.kpi.code,
        changed=changed,
        interim_targets_before=old_targets,
    )
    return adoption


@transaction.atomic
def do_adopt_kpi(
    city,
    actor,
    kpi: Kpi,
    *,
    baseline_value: Decimal,
    baseline_date: date,
    target_value: Decimal | None = None,
    target_date: date | None = None,
    success_criterion: str = "",
    how_measured: str = "",
    processes=(),
    interim_targets: list[tuple[date, Decimal]] = (),  # type: ignore[assignment]
) -> CityKpi:
    if kpi.city_id not in (None, city.pk):
        raise ValidationError({"kpi": _("Choose a KPI of the network catalogue or of this city.")})
    _check_adoption(kpi, baseline_value, baseline_date, target_value, target_date, interim_targets)
    try:
        with transaction.atomic():
            adoption = CityKpi.objects.create(
                city=city,
                kpi=kpi,
                baseline_value=baseline_value,
                baseline_date=baseline_date,
                target_value=target_value,
                target_date=target_date,
                success_criterion=success_criterion,
                how_measured=how_measured,
            )
    except IntegrityError as exc:
        raise ValidationError({"kpi": _("The city has already adopted this KPI.")}) from exc
    adoption.processes.set([p for p in processes if p.city_id == city.pk])
    KpiTarget.objects.bulk_create(
        KpiTarget(city=city, adoption=adoption, date=day, value=value) for day, value in interim_targets
    )
    audit.record("kpi.adopted", actor=actor, city=city, target=adoption, code=kpi.code)
    return adoption


def validate_value(
    kpi: Kpi, value, day: date | None, *, field: str = "value", unit: str | None = None
) -> Decimal:
    """The value as a Decimal, or a clear error: wrong unit, a date in the future, out of range."""
    errors: dict[str, str] = {}
    if unit and unit != kpi.unit:
        errors["unit"] = _("This KPI is measured in “%(expected)s”, not “%(given)s”.") % {
            "expected": kpi.get_unit_display(),
            "given": unit,
        }
    try:
        number = Decimal(str(value))
        if not number.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: _("“%(v)s” is not a number.") % {"v": value}}) from None
    if kpi.unit == Unit.PERCENT and not 0 <= number <= 100:
        errors[field] = _("A percentage is between 0 and 100.")
    elif kpi.unit == Unit.RATING and not 1 <= number <= 5:
        errors[field] = _("A rating is between 1 and 5.")
    elif kpi.unit == Unit.COUNT and (number < 0 or number != number.to_integral_value()):
        errors[field] = _("A count is a whole number, 0 or more.")
    elif (
        kpi.unit != Unit.PERCENT
        and number < 0
        and kpi.unit
        in (Unit.PER_1000, Unit.CURRENCY, Unit.TONNES, Unit.MICROGRAMS_M3, Unit.SQUARE_METRES, Unit.DAYS)
    ):
        errors[field] = _("This value cannot be negative.")
    elif abs(number) >= Decimal("1e14"):
        errors[field] = _("The value is too large.")
    if day is not None and day > timezone.localdate():
        errors["date"] = _("The date is in the future.")
    if errors:
        raise ValidationError(errors)
    return number


@transaction.atomic
def do_record_measurement(
    adoption: CityKpi,
    actor,
    *,
    date: date,
    value,
    source: str,
    note: str = "",
    unit: str | None = None,
    via: str = "form",
) -> Measurement:
    number = validate_value(adoption.kpi, value, date, unit=unit)
    if not source.strip():
        raise ValidationError({"source": _("Say where the value comes from.")})
    measurement = Measurement.objects.create(
        city_id=adoption.city_id,
        adoption=adoption,
        date=date,
        value=number,
        source=source.strip(),
        note=note.strip(),
        entered_by=actor if getattr(actor, "is_authenticated", False) else None,
        via=via,
    )
    audit.record(
        "kpi.measured", actor=actor, city=adoption.city, target=measurement, code=adoption.kpi.code, via=via
    )
    return measurement


@transaction.atomic
def do_correct_measurement(
    measurement: Measurement, actor, *, value, source: str, note: str, date: date | None = None
) -> Measurement:
    """A new row that supersedes the old one; the old value stays in the history."""
    old = (
        Measurement.objects.select_for_update()
        .select_related("adoption__kpi", "adoption__city")
        .get(pk=measurement.pk)
    )
    if old.superseded_by_id:
        raise ValidationError(_("This value was already corrected: correct the newest one."))
    if not note.strip():
        raise ValidationError({"note": _("Say why the value is corrected.")})
    new = do_record_measurement(
        old.adoption, actor, date=date or old.date, value=value, source=source, note=note, via="correction"
    )
    old.superseded_by = new
    old.save(update_fields=["superseded_by", "updated_at"])
    audit.record("kpi.corrected", actor=actor, city=old.adoption.city, target=new, replaces=old.pk)
    return new


@transaction.atomic
def do_import_measurements_csv(adoption: CityKpi, actor, text: str) -> int:
    """Lines of date,value,source[,note]; all recorded, or none with every error numbered by line."""
    reader = csv.reader(io.StringIO(text))
    errors: list[str] = []
    rows = []
    for n, line in enumerate(reader, start=1):
        if not line or (n == 1 and line[0].strip().lower() == "date"):
            continue
        if len(line) < 3:
            errors.append(_("Line %(n)d: give a date, a value and a source.") % {"n": n})
            continue
        try:
            day = date.fromisoformat(line[0].strip())
        except ValueError:
            errors.append(_("Line %(n)d: write the date as YYYY-MM-DD.") % {"n": n})
            continue
        try:
            validate_value(adoption.kpi, line[1].strip(), day)
        except ValidationError as exc:
            errors += [_("Line %(n)d: %(e)s") % {"n": n, "e": m} for m in exc.messages]
            continue
        rows.append((day, line[1].strip(), line[2].strip(), line[3].strip() if len(line) > 3 else ""))
    if errors:
        raise ValidationError(errors)
    if not rows:
        raise ValidationError(_("The file holds no measurements."))
    for day, value, source, note in rows:
        do_record_measurement(
            adoption, actor, date=day, value=value, source=source or "CSV", note=note, via="csv"
        )
    return len(rows)


@transaction.atomic
def do_refresh_computed(city, actor=None, *, on: date | None = None) -> int:
    """Measures every adopted KPI that CivicLab computes itself, as of `on` (today by default)."""
    on = on or timezone.localdate()
    made = 0
    for adoption in (
        CityKpi.objects.filter(city=city).exclude(kpi__calculator="").select_related("kpi", "city")
    ):
        fn = calculators.get_calculator(adoption.kpi.calculator)
        value = fn(city, on) if fn else None
        if value is None:
            continue
        current = Measurement.objects.filter(adoption=adoption, date=on, superseded_by__isnull=True).first()
        if current and current.value == value:
            continue
        if current:
            do_correct_measurement(current, actor, value=value, source="CivicLab", note="Recomputed")
        else:
            do_record_measurement(adoption, actor, date=on, value=value, source="CivicLab", via="computed")
        made += 1
    return made


# --- API tokens ------------------------------------------------------------------------------------


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def do_create_api_token(city, actor, *, name: str, days: int, scopes=API_SCOPES) -> tuple[ApiToken, str]:
    """The token and its only readable copy, to show once."""
    if not name.strip():
        raise ValidationError({"name": _("Name the token after what uses it.")})
    if not 1 <= days <= 366:
        raise ValidationError({"days": _("A token lives 1 to 366 days.")})
    unknown = set(scopes) - set(API_SCOPES)
    if unknown:
        raise ValidationError({"scopes": _("Unknown scope.")})
    prefix = secrets.token_hex(4)
    raw = f"clk_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        city=city,
        name=name.strip(),
        prefix=prefix,
        token_hash=hash_token(raw),
        scopes=list(scopes),
        expires_at=timezone.now() + timedelta(days=days),
        created_by=actor,
    )
    audit.record("api_token.created", actor=actor, city=city, target=token, scopes=list(scopes), days=days)
    return token, raw


@transaction.atomic
def do_revoke_api_token(token: ApiToken, actor) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        audit.record("api_token.revoked", actor=actor, city=token.city, target=token)
    return token


def check_token(city, raw: str, scope: str) -> ApiToken | None:
    """The live token of this city with this scope, or None. Notes when it was last used."""
    if not raw:
        return None
    token = ApiToken.objects.filter(city=city, token_hash=hash_token(raw), revoked_at__isnull=True).first()
    if token is None or token.expires_at <= timezone.now() or scope not in token.scopes:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token


def spent_total(city) -> int:
    return Result.objects.for_city(city).aggregate(s=Sum("spent"))["s"] or 0
