from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from civiclab.core import audit
from civiclab.core.images import clean_image
from civiclab.processes.models import ComponentKind

from .models import Meeting, MeetingProposal, Photo, Registration, Status

EDITABLE = {
    "title",
    "description",
    "format",
    "online_url",
    "starts_at",
    "ends_at",
    "address",
    "latitude",
    "longitude",
    "step_free",
    "hearing_loop",
    "sign_language",
    "childcare",
    "languages",
    "access_notes",
    "living_lab",
    "capacity",
}
DEMOGRAPHIC_GROUPS = {
    "gender": ("woman", "man", "non_binary", "other", "prefer_not"),
    "age_band": ("under_18", "18_29", "30_44", "45_64", "65_plus", "prefer_not"),
    "migrant_background": ("yes", "no", "prefer_not"),
    "disability": ("yes", "no", "prefer_not"),
}


def _clean_languages(languages) -> list[str]:
    if isinstance(languages, str):
        languages = languages.replace("\n", ",").split(",")
    return [lang.strip() for lang in languages if lang and lang.strip()][:20]


def _check(meeting: Meeting) -> None:
    errors = {}
    if meeting.starts_at and meeting.ends_at and meeting.ends_at <= meeting.starts_at:
        errors["ends_at"] = _("A meeting ends after it starts.")
    if meeting.is_online and not meeting.online_url:
        errors["online_url"] = _("An online meeting needs the address where people join.")
    if meeting.has_place and not meeting.address.strip():
        errors["address"] = _("A meeting in person needs an address.")
    if (meeting.latitude is None) != (meeting.longitude is None):
        errors["longitude"] = _("Give both coordinates, or neither.")
    if errors:
        raise ValidationError(errors)
    meeting.full_clean(exclude=["city", "component", "created_by"])


@transaction.atomic
def do_create_meeting(component, actor, **fields) -> Meeting:
    if component.kind != ComponentKind.MEETINGS:
        raise ValidationError(_("This component is not for meetings."))
    unknown = set(fields) - EDITABLE
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    fields["languages"] = _clean_languages(fields.get("languages", []))
    meeting = Meeting(city=component.city, component=component, created_by=actor, **fields)
    _check(meeting)
    meeting.save()
    audit.record("meeting.created", actor=actor, city=meeting.city, target=meeting, component=component.pk)
    return meeting


@transaction.atomic
def do_update_meeting(meeting: Meeting, actor, **fields) -> Meeting:
    unknown = set(fields) - EDITABLE
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if "languages" in fields:
        fields["languages"] = _clean_languages(fields["languages"])
    changed = {k: v for k, v in fields.items() if getattr(meeting, k) != v}
    if "capacity" in changed:
        taken = meeting.registrations.filter(status=Status.REGISTERED).count()
        if changed["capacity"] is None and meeting.registrations.exclude(status=Status.CANCELLED).exists():
            raise ValidationError({"capacity": _("People have registered: keep a number of places.")})
        if changed["capacity"] is not None and changed["capacity"] < taken:
            raise ValidationError(
                {
                    "capacity": _("%(n)d people are already registered: give at least that many places.")
                    % {"n": taken}
                }
            )
    for key, value in changed.items():
        setattr(meeting, key, value)
    _check(meeting)
    meeting.save()
    if "capacity" in changed:
        _promote(meeting)
    if {"starts_at", "ends_at", "address", "format", "online_url"} & set(changed) and not meeting.has_ended():
        # Everyone registered or waiting, and followers, hear of a new time or place.
        transaction.on_commit(lambda: _notify_people_of(meeting, "events.changed", actor))
    if changed:
        audit.record(
            "meeting.updated", actor=actor, city=meeting.city, target=meeting, fields=sorted(changed)
        )
    return meeting


# --- Registration -----------------------------------------------------------------------------


def do_register(meeting: Meeting, user) -> Registration:
    """A place if one is free, otherwise the end of the waiting list. The meeting row is locked, so
    two people cannot take the last place at once; the registration is unique per person."""
    try:
        return _register(meeting, user)
    except IntegrityError:
        raise ValidationError(_("You are already registered for this meeting.")) from None


@transaction.atomic
def _register(meeting: Meeting, user) -> Registration:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.capacity is None:
        raise ValidationError(_("This meeting needs no registration: just come."))
    if not meeting.registration_open():
        raise ValidationError(_("Registration is closed: the meeting has started."))
    existing = Registration.objects.filter(meeting=meeting, user=user).first()
    if existing is not None and existing.status != Status.CANCELLED:
        raise ValidationError(_("You are already registered for this meeting."))
    taken = Registration.objects.filter(meeting=meeting, status=Status.REGISTERED).count()
    status = Status.REGISTERED if taken < meeting.capacity else Status.WAITING
    if existing is None:
        registration = Registration.objects.create(
            city=meeting.city, meeting=meeting, user=user, status=status
        )
    else:
        registration = existing
        registration.status, registration.queued_at = status, timezone.now()
        registration.save(update_fields=["status", "queued_at", "updated_at"])
    audit.record("meeting.registered", actor=user, city=meeting.city, target=meeting, status=status)
    return registration


@transaction.atomic
def do_cancel_registration(meeting: Meeting, user) -> Registration | None:
    """Gives the place up; the first person waiting gets it in the same transaction, and is told."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    registration = (
        Registration.objects.filter(meeting=meeting, user=user).exclude(status=Status.CANCELLED).first()
    )
    if registration is None:
        raise ValidationError(_("You are not registered for this meeting."))
    if meeting.has_ended():
        raise ValidationError(_("The meeting is over."))
    was = registration.status
    registration.status = Status.CANCELLED
    registration.save(update_fields=["status", "updated_at"])
    audit.record("meeting.cancelled", actor=user, city=meeting.city, target=meeting, was=was)
    promoted = _promote(meeting) if was == Status.REGISTERED else None
    return promoted


def _promote(meeting: Meeting) -> Registration | None:
    """Fills free places from the waiting list, first come first served (the meeting is locked)."""
    if meeting.capacity is None or not meeting.registration_open():
        return None
    taken = Registration.objects.filter(meeting=meeting, status=Status.REGISTERED).count()
    free = meeting.capacity - taken
    promoted = None
    for registration in Registration.objects.filter(meeting=meeting, status=Status.WAITING).order_by(
        "queued_at", "pk"
    )[: max(free, 0)]:
        registration.status = Status.REGISTERED
        registration.save(update_fields=["status", "updated_at"])
        audit.record(
            "meeting.promoted", actor=None, city=meeting.city, target=meeting, registration=registration.pk
        )
        transaction.on_commit(lambda r=registration: _notify_promoted(meeting, r))
        promoted = promoted or registration
    return promoted


def _notify_promoted(meeting: Meeting, registration: Registration) -> None:
    from civiclab.notifications.actions import do_notify

    if registration.user is None:
        return
    from .selectors import url_of

    do_notify(
        [registration.user],
        city=meeting.city,
        kind="events.promoted",
        params={
            "title": meeting.title,
            "date": formats.date_format(timezone.localtime(meeting.starts_at), "DATETIME_FORMAT"),
        },
        url=url_of(meeting),
    )


def _notify_people_of(meeting: Meeting, kind: str, actor) -> None:
    from civiclab.notifications.actions import do_notify
    from civiclab.notifications.selectors import followers_of

    from .selectors import url_of

    people = {u.pk: u for u in followers_of(meeting)}
    for registration in meeting.registrations.exclude(status=Status.CANCELLED).select_related("user"):
        if registration.user is not None:
            people[registration.user.pk] = registration.user
    do_notify(
        people.values(),
        city=meeting.city,
        kind=kind,
        params={
            "title": meeting.title,
            "date": formats.date_format(timezone.localtime(meeting.starts_at), "DATETIME_FORMAT"),
        },
        url=url_of(meeting),
        actor=actor,
    )


# --- After the meeting ------------------------------------------------------------------------


def _clean_outcomes(outcomes) -> list[dict]:
    """Lines "title | https://..." (or dicts) into [{"title", "url"}]."""
    from django.core.validators import URLValidator

    if isinstance(outcomes, str):
        pairs = []
        for line in outcomes.splitlines():
            if not line.strip():
                continue
            title, sep, url = line.rpartition("|")
            if not sep:
                raise ValidationError({"outcomes": _("Write each line as: title | address.")})
            pairs.append({"title": title.strip(), "url": url.strip()})
        outcomes = pairs
    clean = []
    for item in outcomes:
        title, url = str(item.get("title", "")).strip(), str(item.get("url", "")).strip()
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            raise ValidationError({"outcomes": _("“%(url)s” is not a web address.") % {"url": url}}) from None
        if not title:
            raise ValidationError({"outcomes": _("Every link needs a title.")})
        clean.append({"title": title[:200], "url": url})
    return clean


def _clean_proposals(meeting: Meeting, proposals) -> list[int]:
    """Ids of the proposals (objects or ids) that came out of the meeting: all of the meeting's city."""
    from civiclab.proposals.models import Proposal

    try:
        ids = list(dict.fromkeys(int(getattr(p, "pk", p)) for p in proposals))
    except (TypeError, ValueError):
        raise ValidationError({"proposals": _("Give proposals by their number.")}) from None
    found = dict(
        # A number too large for the database is no proposal (and SQLite would overflow on it).
        Proposal.objects.filter(pk__in=[pk for pk in ids if 0 < pk < 2**63]).values_list("pk", "city_id")
    )
    wrong = [pk for pk in ids if found.get(pk) != meeting.city_id]
    if wrong:
        raise ValidationError(
            {
                "proposals": ngettext(
                    "Proposal %(numbers)s is not a proposal of this city.",
                    "Proposals %(numbers)s are not proposals of this city.",
                    len(wrong),
                )
                % {"numbers": ", ".join(str(pk) for pk in wrong)}
            }
        )
    return ids


def _set_proposals(meeting: Meeting, ids: list[int]) -> None:
    """Links exactly these proposals (the meeting row is locked, so two reports cannot interleave)."""
    had = set(meeting.proposal_links.values_list("proposal_id", flat=True))
    meeting.proposal_links.filter(proposal_id__in=had - set(ids)).delete()
    MeetingProposal.objects.bulk_create(
        MeetingProposal(city_id=meeting.city_id, meeting=meeting, proposal_id=pk)
        for pk in ids
        if pk not in had
    )


def _clean_demographics(counts: dict, attendance: int | None) -> dict:
    clean: dict[str, dict[str, int]] = {}
    for group, values in (counts or {}).items():
        if group not in DEMOGRAPHIC_GROUPS:
            raise ValidationError({"attendance": _("Unknown group: %(g)s") % {"g": group}})
        row = {}
        for value, n in values.items():
            if value not in DEMOGRAPHIC_GROUPS[group] or int(n) < 0:
                raise ValidationError({f"{group}__{value}": _("Give a number of people, 0 or more.")})
            if int(n):
                row[value] = int(n)
        if row:
            if attendance is None or sum(row.values()) > attendance:
                raise ValidationError(
                    {f"{group}__{next(iter(row))}": _("These counts add up to more people than attended.")}
                )
            clean[group] = row
    return clean


@transaction.atomic
def do_report_meeting(
    meeting: Meeting,
    actor,
    *,
    minutes: str = "",
    proposals=None,
    outcomes=(),
    attendance: int | None = None,
    attendance_demographics: dict | None = None,
) -> Meeting:
    """Minutes, the proposals that came out of the meeting (of its city; None keeps them as they are),
    other outcomes as free links, and attendance counts (demographics only from attendees who
    consented, counted by staff; published with small groups suppressed)."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    proposal_ids = _clean_proposals(meeting, proposals) if proposals is not None else None
    if attendance is not None and attendance < 0:
        raise ValidationError({"attendance": _("Give a number of people, 0 or more.")})
    if (attendance is not None or attendance_demographics) and timezone.now() < meeting.starts_at:
        raise ValidationError({"attendance": _("Attendance is counted once the meeting has started.")})
    first_minutes = bool(minutes.strip()) and not meeting.minutes.strip()
    meeting.minutes = minutes
    meeting.outcomes = _clean_outcomes(outcomes)
    meeting.attendance = attendance
    meeting.attendance_demographics = _clean_demographics(attendance_demographics or {}, attendance)
    meeting.save()
    if proposal_ids is not None:
        _set_proposals(meeting, proposal_ids)
    audit.record(
        "meeting.reported",
        actor=actor,
        city=meeting.city,
        target=meeting,
        attendance=attendance,
        proposals=sorted(meeting.proposal_links.values_list("proposal_id", flat=True)),
        links=len(meeting.outcomes),
    )
    if first_minutes:
        transaction.on_commit(lambda: _notify_people_of(meeting, "events.reported", actor))
    return meeting


@transaction.atomic
def do_add_photo(meeting: Meeting, actor, *, image, alt_text: str) -> Photo:
    if not alt_text.strip():
        raise ValidationError({"alt_text": _("Describe the image for people who cannot see it.")})
    try:
        cleaned = clean_image(image)
    except ValidationError as exc:
        raise ValidationError({"image": exc.messages}) from None
    photo = Photo.objects.create(city=meeting.city, meeting=meeting, image=cleaned, alt_text=alt_text.strip())
    audit.record("meeting.photo_added", actor=actor, city=meeting.city, target=meeting, photo=photo.pk)
    return photo


@transaction.atomic
def do_remove_photo(photo: Photo, actor) -> None:
    meeting = photo.meeting
    pk = photo.pk
    photo.image.delete(save=False)
    photo.delete()
    audit.record("meeting.photo_removed", actor=actor, city=meeting.city, target=meeting, photo=pk)


def anonymise_registrations_of(user) -> None:
    """Erasure: registrations stay (so counts and the waiting list stay right) with no link to the person."""
    Registration.objects.filter(user=user).update(user=None)
