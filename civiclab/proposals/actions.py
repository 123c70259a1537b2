"""Every write of proposals, comments, debates and moderation.

Counters on proposals, arguments and comments are updated here with F() expressions in the same
transaction as the row they count, so pages read them without joins."""

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civiclab.budgeting import identity
from civiclab.core import audit, ratelimit
from civiclab.core.documents import MAX_PDF_BYTES, is_pdf
from civiclab.core.images import clean_image
from civiclab.processes.models import ComponentKind

from . import selectors  # a module, not names: selectors imports this module too
from .forms import (
    MAX_ATTACHMENTS,
    PROPOSAL_EDIT_FIELDS,
    DebatesSettingsForm,
    ProposalsSettingsForm,
    too_many_files,
)
from .models import (
    Amendment,
    AmendmentState,
    AnswerState,
    Appeal,
    Argument,
    Attachment,
    AttachmentKind,
    Block,
    Channel,
    CoAuthorship,
    Comment,
    CommentRevision,
    CommentVote,
    Debate,
    Endorsement,
    ModerationSettings,
    Proposal,
    ProposalVersion,
    Report,
    Side,
    Support,
    TargetKind,
)
from .rules import FINAL_ANSWERS, author_ids, blocked_in

PROPOSAL_LIMIT = (5, 3600)  # proposals per person per hour
COMMENT_LIMIT = (20, 600)  # comments per person per 10 minutes
REPORT_LIMIT = (10, 3600)  # reports per person per hour
ARGUMENT_LIMIT = (10, 600)
MAX_COMMENT_DEPTH = 3  # replies deeper than this are shown at this depth


def settings_of(component) -> dict:
    kind = component.kind
    defaults = (
        ProposalsSettingsForm.DEFAULTS if kind == ComponentKind.PROPOSALS else DebatesSettingsForm.DEFAULTS
    )
    return {**defaults, **(component.settings or {})}


# --- Helpers ------------------------------------------------------------------------------------


def _limit(key: str, limit: tuple[int, int], field: str | None = None) -> None:
    try:
        ratelimit.check(key, *limit)
    except ratelimit.RateLimited as exc:
        message = _("You are posting very fast. Try again in %(n)d minutes.") % {
            "n": max(1, round(exc.retry_after / 60))
        }
        raise ValidationError({field: message} if field else message) from exc


def _check_may_post(user, component, field: str | None = None) -> None:
    if not getattr(user, "is_authenticated", False):
        raise ValidationError(_("Sign in first."))
    if blocked_in(user, component.city_id):
        raise ValidationError(_("The moderators have blocked you from posting in this city."))
    if not component.is_open():
        raise ValidationError(_("This phase is not open for contributions."))


def _notify(users, *, city, kind: str, params: dict, url: str, actor=None) -> None:
    """In-app notifications through the notifications app (a no-op until it is installed)."""
    if not apps.is_installed("civiclab.notifications"):
        return
    from civiclab.notifications.actions import do_notify

    people = {u.pk: u for u in users if u is not None and u.is_active and (actor is None or u.pk != actor.pk)}
    if people:
        do_notify(list(people.values()), city=city, kind=kind, params=params, url=url, actor=actor)


def _followers(obj) -> list:
    if not apps.is_installed("civiclab.notifications"):
        return []
    from civiclab.notifications.selectors import followers_of

    return list(followers_of(obj))


def proposal_url(proposal: Proposal) -> str:
    component = proposal.component
    return reverse(
        "proposals:detail",
        kwargs={
            "city_slug": component.phase.process.city.slug,
            "process_slug": component.phase.process.slug,
            "component_id": component.pk,
            "proposal_id": proposal.pk,
        },
    )


def debate_url(debate: Debate) -> str:
    component = debate.component
    return reverse(
        "proposals:debate",
        kwargs={
            "city_slug": component.phase.process.city.slug,
            "process_slug": component.phase.process.slug,
            "component_id": component.pk,
            "debate_id": debate.pk,
        },
    )


def touch(*, proposal_ids=(), comments=()) -> None:
    """Marks proposals as changed: their cached comment thread and list cards are keyed by updated_at."""
    ids = set(proposal_ids) | {c.proposal_id for c in comments if c.proposal_id}
    if ids:
        Proposal.objects.filter(pk__in=ids).update(updated_at=timezone.now())


# --- Full-text search index (SQLite FTS5; PostgreSQL searches the table itself) --------------------

FTS_TABLE = "proposals_proposal_fts"


def fts_sync(proposal: Proposal) -> None:
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM proposals_proposal_fts WHERE rowid = %s", [proposal.pk])
        cursor.execute(
            "INSERT INTO proposals_proposal_fts (rowid, title, body) VALUES (%s, %s, %s)",
            [proposal.pk, proposal.title, proposal.body],
        )


# --- Proposals ----------------------------------------------------------------------------------


def _proposal_errors(
    settings: dict, *, title: str, body: str, category: str, district: str, keep: tuple = ()
) -> dict[str, str]:
    """Field errors of a proposal's text; `keep` holds a category and district the proposal has already,
    which an edit may leave as they are although staff took them off the lists since."""
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("Give your proposal a title.")
    if len(body) < 10:
        errors["body"] = _("Describe your proposal in a few words at least.")
    if category and category not in settings["categories"] and category not in keep:
        errors["category"] = _("Choose one of the categories.")
    if district and district not in settings["districts"] and district not in keep:
        errors["district"] = _("Choose one of the districts.")
    return errors


def _read_attachment(upload) -> tuple[ContentFile, str, str]:
    """(file, kind, content type), the type read from the content, never from the name."""
    if is_pdf(upload):
        if upload.size > MAX_PDF_BYTES:
            raise ValidationError({"files": _("A PDF document can be at most 10 MB.")})
        import uuid

        return (
            ContentFile(upload.read(), name=f"{uuid.uuid4().hex}.pdf"),
            AttachmentKind.PDF,
            "application/pdf",
        )
    try:
        image = clean_image(upload)
    except ValidationError as exc:
        raise ValidationError({"files": _("Attach JPEG, PNG or WebP images or PDF documents only.")}) from exc
    extension = image.name.rsplit(".", 1)[1]
    content_type = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}[extension]
    return image, AttachmentKind.IMAGE, content_type


@transaction.atomic
def do_submit_proposal(
    component,
    author,
    *,
    title: str,
    body: str,
    category: str = "",
    district: str = "",
    latitude=None,
    longitude=None,
    files=(),
    files_description: str = "",
    channel: str = Channel.ONLINE,
    recorded_by=None,
) -> Proposal:
    """A resident's proposal, or (with `recorded_by`) one that staff record for a resident who gave it on
    paper, by phone or in person; then `author` may be None."""
    settings = settings_of(component)
    if recorded_by is None:
        _check_may_post(author, component)
        _limit(f"proposal:{author.pk}", PROPOSAL_LIMIT, "title")
        if settings["verified_email_required"] and not _has_verified_email(author):
            raise ValidationError(_("Verify your email address before submitting a proposal."))
    elif not component.enabled:
        raise ValidationError(_("This component is switched off."))
    title, body = (title or "").strip(), (body or "").strip()
    errors = _proposal_errors(settings, title=title, body=body, category=category, district=district)
    if (latitude is None) != (longitude is None):
        errors["longitude"] = _("Give both the latitude and the longitude, or neither.")
    if len(files) > MAX_ATTACHMENTS:
        errors["files"] = _("Attach at most 5 files.")
    if errors:
        raise ValidationError(errors)
    proposal = Proposal.objects.create(
        city_id=component.city_id,
        component=component,
        title=title,
        body=body,
        category=category,
        district=district,
        latitude=latitude,
        longitude=longitude,
        author=author,
        channel=channel,
    )
    _store_attachments(proposal, files, files_description or title)
    fts_sync(proposal)
    audit.record(
        "proposal.submitted",
        actor=recorded_by or author,
        city=component.city,
        target=proposal,
        channel=channel,
        on_behalf_of=str(author.public_id) if recorded_by and author else None,
        files=len(files),
    )
    return proposal


def _store_attachments(proposal: Proposal, files, description: str) -> None:
    for upload in files:
        content, kind, content_type = _read_attachment(upload)
        Attachment.objects.create(
            city_id=proposal.city_id,
            proposal=proposal,
            kind=kind,
            file=content,
            title=description.strip()[:200],
            content_type=content_type,
            size=content.size,
        )


def _has_verified_email(user) -> bool:
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, verified=True).exists()


@transaction.atomic
def do_support(proposal: Proposal, user) -> Support:
    component = proposal.component
    _check_may_post(user, component)
    if not settings_of(component)["supports_enabled"]:
        raise ValidationError(_("Supports are switched off here."))
    # Read again under a lock: a proposal withdrawn or hidden since the page was loaded takes no support,
    # and an edit by its authors (which needs no supports yet) waits for this one, or this one for it.
    hidden_at, withdrawn_at = (
        Proposal.objects.select_for_update().values_list("hidden_at", "withdrawn_at").get(pk=proposal.pk)
    )
    if hidden_at is not None:
        raise ValidationError(_("This proposal is hidden."))
    if withdrawn_at is not None:
        raise ValidationError(_("Its author withdrew this proposal: it takes no more supports."))
    try:
        with transaction.atomic():
            support = Support.objects.create(city_id=proposal.city_id, proposal=proposal, user=user)
    except IntegrityError:
        raise ValidationError(_("You already support this proposal.")) from None
    Proposal.objects.filter(pk=proposal.pk).update(
        supports_count=F("supports_count") + 1, updated_at=timezone.now()
    )
    audit.record("proposal.supported", actor=user, city=component.city, target=proposal)
    return support


@transaction.atomic
def do_withdraw_support(proposal: Proposal, user) -> None:
    """A person takes back the support they gave online, while supporting is open. Supports that staff
    recorded as given on paper, by phone or in person are not theirs to take back here."""
    component = proposal.component
    if not getattr(user, "is_authenticated", False):
        raise ValidationError(_("Sign in first."))
    if not component.is_open():
        raise ValidationError(_("Supports can only be taken back while the phase is open."))
    if not settings_of(component)["supports_enabled"]:
        raise ValidationError(_("Supports are switched off here."))
    # One DELETE decides: of two requests at once, only the one that removed the row lowers the count.
    removed, _rows = Support.objects.filter(proposal=proposal, user=user, channel=Channel.ONLINE).delete()
    if not removed:
        if Support.objects.filter(proposal=proposal, user=user).exists():
            raise ValidationError(
                _("The city recorded your support as given on paper, by phone or in person: ask its staff.")
            )
        raise ValidationError(_("You do not support this proposal."))
    Proposal.objects.filter(pk=proposal.pk).update(
        supports_count=F("supports_count") - 1, updated_at=timezone.now()
    )
    audit.record("proposal.support_withdrawn", actor=user, city=component.city, target=proposal)


@transaction.atomic
def do_record_offline_support(
    proposal: Proposal,
    staff,
    *,
    channel: str,
    email: str = "",
    name: str = "",
    identity_number: str = "",
) -> Support:
    """A support given on paper, by phone or in person, typed by staff. The person is an account (by
    email) or a name with a keyed hash of an identity number, so nobody supports twice either way."""
    if channel not in Channel.values or channel == Channel.ONLINE:
        raise ValidationError({"channel": _("Choose how the support reached you.")})
    if not proposal.component.enabled or not settings_of(proposal.component)["supports_enabled"]:
        raise ValidationError(_("Supports are switched off here."))
    user, id_hash = None, ""
    if email:
        user = get_user_model().objects.filter(email__iexact=email.strip(), is_active=True).first()
        if user is None:
            raise ValidationError({"email": _("No account uses this email address.")})
    elif name.strip() and identity.normalise(identity_number):
        id_hash = identity.identity_hash(proposal.city_id, identity_number)
    else:
        raise ValidationError({"email": _("Give the email of an account, or a name and an identity number.")})
    try:
        with transaction.atomic():
            support = Support.objects.create(
                city_id=proposal.city_id,
                proposal=proposal,
                user=user,
                identity_hash=id_hash,
                supporter_name="" if user else name.strip(),
                channel=channel,
                recorded_by=staff,
            )
    except IntegrityError:
        raise ValidationError({"email": _("This person already supports this proposal.")}) from None
    Proposal.objects.filter(pk=proposal.pk).update(
        supports_count=F("supports_count") + 1, updated_at=timezone.now()
    )
    audit.record(
        "proposal.support_recorded",
        actor=staff,
        city=proposal.component.city,
        target=proposal,
        channel=channel,
    )
    return support


@transaction.atomic
def do_remove_offline_support(support: Support, staff, *, reason: str) -> None:
    """Staff take back a support that staff recorded from paper, phone or in person, to correct a
    mistake, with a reason for the audit log. Supports given online are their givers' to take back."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the support is removed.")})
    proposal = support.proposal
    if not proposal.component.enabled or not settings_of(proposal.component)["supports_enabled"]:
        raise ValidationError(_("Supports are switched off here."))
    # One DELETE decides: of two requests at once, only the one that removed the row lowers the count.
    removed, _rows = (
        Support.objects.filter(pk=support.pk, proposal=proposal).exclude(channel=Channel.ONLINE).delete()
    )
    if not removed:
        raise ValidationError(_("This support is no longer recorded."))
    Proposal.objects.filter(pk=proposal.pk).update(
        supports_count=F("supports_count") - 1, updated_at=timezone.now()
    )
    audit.record(
        "proposal.support_removed",
        actor=staff,
        city=proposal.component.city,
        target=proposal,
        channel=support.channel,
        reason=reason[:300],
    )


@transaction.atomic
def do_answer(
    proposal: Proposal, staff, *, state: str, reason: str, merged_into: Proposal | None = None
) -> Proposal:
    errors = {}
    if state not in AnswerState.values:
        errors["state"] = _("Choose an answer.")
    if not (reason or "").strip():
        errors["reason"] = _("Explain the answer: the author and everyone following it will read it.")
    if state == AnswerState.MERGED:
        if merged_into is None:
            errors["merged_into"] = _("Give the number of the proposal it is merged into.")
        elif merged_into.pk == proposal.pk or merged_into.component_id != proposal.component_id:
            errors["merged_into"] = _("Choose another proposal of the same component.")
    if errors:
        raise ValidationError(errors)
    proposal = (
        Proposal.objects.select_for_update()
        .select_related("component__phase__process__city")
        .get(pk=proposal.pk)
    )
    proposal.answer_state = state
    proposal.answer_reason = reason.strip()
    proposal.answered_at = timezone.now()
    proposal.answered_by = staff
    proposal.merged_into = merged_into if state == AnswerState.MERGED else None
    proposal.save()
    audit.record("proposal.answered", actor=staff, city=proposal.city, target=proposal, state=state)
    _notify(
        selectors.authors_of(proposal) + _followers(proposal),
        city=proposal.city,
        kind="proposals.answered",
        params={"title": proposal.title, "state": str(proposal.get_answer_state_display())},
        url=proposal_url(proposal),
        actor=staff,
    )
    return proposal


def edit_refusal(proposal: Proposal, user) -> str | None:
    """Why `user` may not edit `proposal` now, or None: the rule of do_edit_proposal in words, for the
    page (the action checks it again under a lock)."""
    if not getattr(user, "is_authenticated", False):
        return _("Sign in first.")
    if user.pk not in author_ids(proposal):
        return _("Only its authors can edit a proposal.")
    if blocked_in(user, proposal.city_id):
        return _("The moderators have blocked you from posting in this city.")
    if not proposal.component.is_open():
        return _("This phase is not open for contributions.")
    if proposal.withdrawn_at is not None:
        return _("This proposal is withdrawn: it can no longer be edited.")
    if proposal.hidden_at is not None:
        return _("The moderators hid this proposal: it stays as it is until they decide.")
    if proposal.supports_count:
        return _("People support this proposal already: it can no longer be edited.")
    if proposal.answer_state:
        return _("This proposal has an official answer: it can no longer be edited.")
    return None


def withdraw_refusal(proposal: Proposal, user) -> str | None:
    """Why `user` may not withdraw `proposal`, or None (the rule of do_withdraw_proposal)."""
    if not getattr(user, "is_authenticated", False):
        return _("Sign in first.")
    if proposal.author_id != user.pk:
        return _("Only its author can withdraw a proposal.")
    if proposal.withdrawn_at is not None:
        return _("This proposal is withdrawn already.")
    if proposal.answer_state in FINAL_ANSWERS:
        return _("This proposal has an official answer: it can no longer be withdrawn.")
    return None


@transaction.atomic
def do_edit_proposal(
    proposal: Proposal,
    user,
    *,
    title: str,
    body: str,
    category: str | None = None,
    district: str | None = None,
    latitude=None,
    longitude=None,
    files=(),
    files_description: str = "",
) -> Proposal:
    """Its author or a co-author who accepted changes the title, text, category, district or place, and
    adds files up to MAX_ATTACHMENTS in all, while the phase takes proposals and before anyone supports it
    or staff answer it (as in Decidim: nobody has relied on the text yet). A category or district left
    out (the component has no such list) stays as it is. A changed text keeps the one before as a
    numbered version, as an accepted amendment does."""
    component = proposal.component
    # Read again under a lock: a support, an answer or a withdrawal since the form was shown wins.
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    locked.component = component
    refusal = edit_refusal(locked, user)
    if refusal:
        raise ValidationError(refusal)
    new = {
        "title": (title or "").strip(),
        "body": (body or "").strip(),
        "category": locked.category if category is None else category,
        "district": locked.district if district is None else district,
        "latitude": Proposal._meta.get_field("latitude").to_python(latitude),
        "longitude": Proposal._meta.get_field("longitude").to_python(longitude),
    }
    errors = _proposal_errors(
        settings_of(component),
        title=new["title"],
        body=new["body"],
        category=new["category"],
        district=new["district"],
        keep=(locked.category, locked.district),
    )
    if (new["latitude"] is None) != (new["longitude"] is None):
        errors["longitude"] = _("Give both the latitude and the longitude, or neither.")
    if files:
        left = max(0, MAX_ATTACHMENTS - locked.attachments.count())
        if len(files) > left:
            errors["files"] = too_many_files(left)
        elif not files_description.strip():
            errors["files_description"] = _("Describe what the files show.")
    if errors:
        raise ValidationError(errors)
    changed = [name for name in PROPOSAL_EDIT_FIELDS if getattr(locked, name) != new[name]]
    if not changed and not files:
        return locked
    if "body" in changed:
        ProposalVersion.objects.create(
            city_id=locked.city_id, proposal=locked, number=locked.version, body=locked.body
        )
        locked.version += 1
        changed_columns = [*changed, "version"]
    else:
        changed_columns = changed
    for name in changed:
        setattr(locked, name, new[name])
    # updated_at moves too: the cached list cards, comment thread and extras are keyed by it.
    locked.save(update_fields=[*changed_columns, "updated_at"])
    _store_attachments(locked, files, files_description)
    fts_sync(locked)  # search finds the new words (SQLite; PostgreSQL searches the table itself)
    audit.record(
        "proposal.edited", actor=user, city=component.city, target=locked, fields=changed, files=len(files)
    )
    return locked


@transaction.atomic
def do_withdraw_proposal(proposal: Proposal, user) -> Proposal:
    """The author withdraws the proposal, in any phase, until staff give it a final answer (accepted,
    rejected or merged). It stays readable with a notice; it cannot be undone. Co-authors and followers
    are told."""
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    locked.component = proposal.component
    refusal = withdraw_refusal(locked, user)
    if refusal:
        raise ValidationError(refusal)
    locked.withdrawn_at = timezone.now()
    locked.save(update_fields=["withdrawn_at", "updated_at"])
    city = proposal.component.city
    audit.record("proposal.withdrawn", actor=user, city=city, target=locked)
    _notify(
        selectors.authors_of(locked) + _followers(locked),
        city=city,
        kind="proposals.withdrawn",
        params={"title": locked.title},
        url=proposal_url(locked),
        actor=user,
    )
    return locked


def _check_not_withdrawn(proposal: Proposal, message: str) -> None:
    """Read under a lock, so a withdrawal at the same moment is seen (do_withdraw_proposal locks it too)."""
    withdrawn_at = (
        Proposal.objects.select_for_update().values_list("withdrawn_at", flat=True).get(pk=proposal.pk)
    )
    if withdrawn_at is not None:
        raise ValidationError(message)


@transaction.atomic
def do_invite_coauthor(
    proposal: Proposal, actor, *, email: str = "", organisation_name: str = "", organisation_type: str = ""
) -> CoAuthorship:
    if proposal.author_id != actor.pk:
        raise ValidationError(_("Only the author can invite co-authors."))
    if email:
        user = get_user_model().objects.filter(email__iexact=email.strip(), is_active=True).first()
        if user is None:
            raise ValidationError({"email": _("No account uses this email address.")})
        if user.pk == actor.pk:
            raise ValidationError({"email": _("You are the author already.")})
        try:
            with transaction.atomic():
                coauthor = CoAuthorship.objects.create(
                    city_id=proposal.city_id, proposal=proposal, user=user, invited_by=actor
                )
        except IntegrityError:
            raise ValidationError({"email": _("This person is invited already.")}) from None
        _notify(
            [user],
            city=proposal.city,
            kind="proposals.coauthor_invited",
            params={"title": proposal.title},
            url=proposal_url(proposal),
            actor=actor,
        )
    else:
        name = organisation_name.strip()
        if not name:
            raise ValidationError({"organisation_name": _("Give the organisation's name.")})
        coauthor = CoAuthorship.objects.create(
            city_id=proposal.city_id,
            proposal=proposal,
            organisation_name=name,
            organisation_type=organisation_type.strip(),
            invited_by=actor,
            accepted_at=timezone.now(),  # the author vouches for the organisation
        )
    touch(proposal_ids=[proposal.pk])
    audit.record(
        "proposal.coauthor_invited", actor=actor, city=proposal.city, target=proposal, organisation=not email
    )
    return coauthor


@transaction.atomic
def do_accept_coauthorship(proposal: Proposal, user) -> CoAuthorship:
    coauthor = CoAuthorship.objects.filter(proposal=proposal, user=user, accepted_at__isnull=True).first()
    if coauthor is None:
        raise ValidationError(_("There is no invitation waiting for you."))
    coauthor.accepted_at = timezone.now()
    coauthor.save(update_fields=["accepted_at", "updated_at"])
    touch(proposal_ids=[proposal.pk])
    audit.record("proposal.coauthor_accepted", actor=user, city=proposal.city, target=proposal)
    return coauthor


@transaction.atomic
def do_endorse(proposal: Proposal, user, organisation_name: str) -> Endorsement:
    _check_may_post(user, proposal.component)
    if not settings_of(proposal.component)["endorsements_enabled"]:
        raise ValidationError(_("Endorsements are switched off here."))
    _check_not_withdrawn(proposal, _("Its author withdrew this proposal: it takes no more endorsements."))
    name = " ".join((organisation_name or "").split())
    if not name:
        raise ValidationError({"organisation_name": _("Give the organisation's name.")})
    try:
        with transaction.atomic():
            endorsement = Endorsement.objects.create(
                city_id=proposal.city_id, proposal=proposal, organisation_name=name, user=user
            )
    except IntegrityError:
        raise ValidationError({"organisation_name": _("This organisation endorses it already.")}) from None
    touch(proposal_ids=[proposal.pk])
    audit.record("proposal.endorsed", actor=user, city=proposal.city, target=proposal)
    return endorsement


@transaction.atomic
def do_propose_amendment(proposal: Proposal, user, *, body: str, explanation: str = "") -> Amendment:
    _check_may_post(user, proposal.component)
    if not settings_of(proposal.component)["amendments_enabled"]:
        raise ValidationError(_("Amendments are switched off here."))
    _check_not_withdrawn(proposal, _("Its author withdrew this proposal: it takes no more amendments."))
    _limit(f"amendment:{user.pk}", PROPOSAL_LIMIT, "body")
    body = (body or "").strip()
    if body == proposal.body.strip():
        raise ValidationError({"body": _("Change something in the text.")})
    if len(body) < 10:
        raise ValidationError({"body": _("Write the whole new text.")})
    amendment = Amendment.objects.create(
        city_id=proposal.city_id,
        proposal=proposal,
        author=user,
        base_body=proposal.body,
        body=body,
        explanation=(explanation or "").strip(),
    )
    touch(proposal_ids=[proposal.pk])
    audit.record("amendment.proposed", actor=user, city=proposal.city, target=amendment, proposal=proposal.pk)
    _notify(
        selectors.authors_of(proposal) + _followers(proposal),
        city=proposal.city,
        kind="proposals.amendment",
        params={"title": proposal.title},
        url=proposal_url(proposal),
        actor=user,
    )
    return amendment


@transaction.atomic
def do_decide_amendment(amendment: Amendment, user, *, accept: bool) -> Amendment:
    proposal = Proposal.objects.select_for_update().get(pk=amendment.proposal_id)
    if proposal.author_id != user.pk:
        raise ValidationError(_("Only the author decides on amendments."))
    if amendment.state != AmendmentState.PENDING:
        raise ValidationError(_("This amendment is decided already."))
    if proposal.withdrawn_at is not None:
        raise ValidationError(_("This proposal is withdrawn: its text no longer changes."))
    amendment.state = AmendmentState.ACCEPTED if accept else AmendmentState.REJECTED
    amendment.decided_at = timezone.now()
    amendment.save(update_fields=["state", "decided_at", "updated_at"])
    if accept:
        ProposalVersion.objects.create(
            city_id=proposal.city_id, proposal=proposal, number=proposal.version, body=proposal.body
        )
        proposal.body = amendment.body
        proposal.version += 1
        proposal.save(update_fields=["body", "version", "updated_at"])
        fts_sync(proposal)
    touch(proposal_ids=[proposal.pk])
    audit.record("amendment.decided", actor=user, city=proposal.city, target=amendment, accepted=accept)
    return amendment


# --- Comments -----------------------------------------------------------------------------------


@transaction.atomic
def do_comment(
    user, *, body: str, proposal: Proposal | None = None, argument: Argument | None = None, parent=None
) -> Comment:
    if (proposal is None) == (argument is None):
        raise ValueError("a comment is on a proposal or on an argument")
    target = proposal or argument
    component = proposal.component if proposal else argument.debate.component
    _check_may_post(user, component, "body")
    if not settings_of(component).get("comments_enabled", True):
        raise ValidationError(_("Comments are switched off here."))
    if target.is_hidden:
        raise ValidationError(_("This contribution is hidden."))
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write a comment.")})
    if parent is not None and (
        parent.proposal_id != getattr(proposal, "pk", None)
        or parent.argument_id != getattr(argument, "pk", None)
    ):
        raise ValidationError({"body": _("You can only reply to a comment of the same page.")})
    if parent is not None:
        # Read again under a lock: a comment deleted since the page was loaded takes no reply.
        erased, deleted_at = (
            Comment.objects.select_for_update().values_list("erased", "deleted_at").get(pk=parent.pk)
        )
        if erased or deleted_at is not None:
            raise ValidationError({"body": _("This comment is deleted: it takes no replies.")})
    _limit(f"comment:{user.pk}", COMMENT_LIMIT, "body")
    comment = Comment.objects.create(
        city_id=target.city_id,
        proposal=proposal,
        argument=argument,
        parent=parent,
        depth=(parent.depth + 1) if parent else 0,
        author=user,
        body=body,
    )
    if proposal:
        Proposal.objects.filter(pk=proposal.pk).update(
            comments_count=F("comments_count") + 1, updated_at=timezone.now()
        )
    else:
        Argument.objects.filter(pk=argument.pk).update(comments_count=F("comments_count") + 1)
    audit.record("comment.added", actor=user, city=component.city, target=comment)
    return comment


@transaction.atomic
def do_edit_comment(comment: Comment, user, body: str) -> Comment:
    if comment.author_id != user.pk:
        raise ValidationError(_("Only its author can edit a comment."))
    if comment.is_hidden or comment.is_removed:
        raise ValidationError(_("This comment can no longer be edited."))
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write a comment.")})
    if body == comment.body:
        return comment
    CommentRevision.objects.create(city_id=comment.city_id, comment=comment, body=comment.body)
    comment.body = body
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "edited_at", "updated_at"])
    touch(comments=[comment])
    audit.record("comment.edited", actor=user, city=comment.city, target=comment)
    return comment


@transaction.atomic
def do_vote_comment(comment: Comment, user, value: int) -> CommentVote | None:
    """Agree (1) or disagree (-1); the same value again withdraws the vote; the other value changes it."""
    if value not in (1, -1):
        raise ValidationError(_("Agree or disagree."))
    if not user.is_authenticated or blocked_in(user, comment.city_id):
        raise ValidationError(_("You cannot vote here."))
    component = comment.proposal.component if comment.proposal_id else comment.argument.debate.component
    if not component.is_open():
        raise ValidationError(_("This phase is not open for contributions."))
    field = {1: "agree_count", -1: "disagree_count"}
    erased, deleted_at = (
        Comment.objects.select_for_update().values_list("erased", "deleted_at").get(pk=comment.pk)
    )
    if erased or deleted_at is not None:
        raise ValidationError(_("This comment is deleted: it takes no votes."))
    touch(comments=[comment])
    existing = CommentVote.objects.select_for_update().filter(comment=comment, user=user).first()
    if existing is None:
        try:
            with transaction.atomic():
                vote = CommentVote.objects.create(
                    city_id=comment.city_id, comment=comment, user=user, value=value
                )
        except IntegrityError:
            raise ValidationError(_("You have voted already.")) from None
        Comment.objects.filter(pk=comment.pk).update(**{field[value]: F(field[value]) + 1})
        return vote
    old = existing.value
    if old == value:
        existing.delete()
        Comment.objects.filter(pk=comment.pk).update(**{field[value]: F(field[value]) - 1})
        return None
    existing.value = value
    existing.save(update_fields=["value", "updated_at"])
    Comment.objects.filter(pk=comment.pk).update(
        **{field[value]: F(field[value]) + 1, field[old]: F(field[old]) - 1}
    )
    return existing


def _comment_html_key(pk: int, updated_at) -> str:
    return f"civiclab:proposals:comment-html:{pk}:{updated_at.isoformat()}"  # see selectors.render_bodies


@transaction.atomic
def do_delete_comment(comment: Comment, user) -> Comment:
    """Its author deletes a comment. The row stays, so replies keep their place, and the thread shows
    "Comment deleted by its author"; its text, its earlier versions, its author link and the
    agree/disagree votes on it are removed from the database and its rendered text from the shared
    cache. It no longer counts as a comment of the proposal or argument."""
    locked = Comment.objects.select_for_update().get(pk=comment.pk)
    if locked.is_removed:
        raise ValidationError(_("This comment is deleted already."))
    if locked.author_id != getattr(user, "pk", None):
        raise ValidationError(_("Only its author can delete a comment."))
    if locked.is_hidden:
        # Kept as it is for the appeal and the moderators' decision.
        raise ValidationError(_("The moderators hid this comment: it stays as it is until they decide."))
    now = timezone.now()
    if locked.proposal_id:
        selectors.forget_threads(
            Proposal.objects.filter(pk=locked.proposal_id).values_list("pk", "updated_at")
        )
    cache.delete(_comment_html_key(locked.pk, locked.updated_at))
    CommentRevision.objects.filter(comment=locked).delete()
    CommentVote.objects.filter(comment=locked).delete()
    Comment.objects.filter(pk=locked.pk).update(
        body="",
        author=None,
        edited_at=None,
        deleted_at=now,
        agree_count=0,
        disagree_count=0,
        updated_at=now,
    )
    if locked.proposal_id:
        Proposal.objects.filter(pk=locked.proposal_id).update(
            comments_count=F("comments_count") - 1, updated_at=now
        )
    else:
        Argument.objects.filter(pk=locked.argument_id).update(comments_count=F("comments_count") - 1)
    audit.record("comment.deleted", actor=user, city=comment.city, target=locked)
    locked.refresh_from_db()
    return locked


# --- Debates ------------------------------------------------------------------------------------


@transaction.atomic
def do_create_debate(component, staff, *, title: str, description: str = "") -> Debate:
    if component.kind != ComponentKind.DEBATES:
        raise ValidationError(_("Debates live in a debates component."))
    if not (title or "").strip():
        raise ValidationError({"title": _("Ask a question.")})
    debate = Debate.objects.create(
        city_id=component.city_id,
        component=component,
        title=title.strip(),
        description=(description or "").strip(),
        author=staff,
    )
    audit.record("debate.created", actor=staff, city=component.city, target=debate)
    return debate


@transaction.atomic
def do_add_argument(debate: Debate, user, *, side: str, text: str) -> Argument:
    _check_may_post(user, debate.component, "text")
    # Read again under a lock: a debate closed since the page was loaded takes no more arguments.
    closed_at, hidden_at = (
        Debate.objects.select_for_update().values_list("closed_at", "hidden_at").get(pk=debate.pk)
    )
    debate.closed_at, debate.hidden_at = closed_at, hidden_at
    if debate.closed_at is not None:
        raise ValidationError(_("This debate is closed."))
    if debate.is_hidden:
        raise ValidationError(_("This debate is hidden."))
    errors = {}
    if side not in Side.values:
        errors["side"] = _("Choose a side.")
    if not (text or "").strip():
        errors["text"] = _("Write your argument.")
    if errors:
        raise ValidationError(errors)
    _limit(f"argument:{user.pk}", ARGUMENT_LIMIT, "text")
    argument = Argument.objects.create(
        city_id=debate.city_id, debate=debate, side=side, text=text.strip(), author=user
    )
    Debate.objects.filter(pk=debate.pk).update(arguments_count=F("arguments_count") + 1)
    audit.record("argument.added", actor=user, city=debate.component.city, target=argument, side=side)
    return argument


@transaction.atomic
def do_close_debate(debate: Debate, staff, *, conclusion: str) -> Debate:
    debate = (
        Debate.objects.select_for_update().select_related("component__phase__process__city").get(pk=debate.pk)
    )
    if debate.closed_at is not None:
        raise ValidationError(_("This debate is closed already."))
    if not (conclusion or "").strip():
        raise ValidationError({"conclusion": _("Write the conclusion.")})
    debate.conclusion = conclusion.strip()
    debate.closed_at = timezone.now()
    debate.save(update_fields=["conclusion", "closed_at", "updated_at"])
    audit.record("debate.closed", actor=staff, city=debate.city, target=debate)
    _notify(
        _followers(debate),
        city=debate.city,
        kind="proposals.debate_closed",
        params={"title": debate.title},
        url=debate_url(debate),
        actor=staff,
    )
    return debate


# --- Moderation ---------------------------------------------------------------------------------

MODELS = {TargetKind.PROPOSAL: Proposal, TargetKind.COMMENT: Comment, TargetKind.ARGUMENT: Argument}


def hide_after(city) -> int:
    row = ModerationSettings.objects.filter(city=city).first()
    return row.hide_after_reports if row else ModerationSettings._meta.get_field("hide_after_reports").default


@transaction.atomic
def do_update_moderation_settings(city, actor, *, hide_after_reports: int) -> ModerationSettings:
    if hide_after_reports < 1:
        raise ValidationError({"hide_after_reports": _("At least one report.")})
    row, _created = ModerationSettings.objects.get_or_create(city=city)
    row.hide_after_reports = hide_after_reports
    row.save()
    audit.record("moderation.settings_changed", actor=actor, city=city, hide_after_reports=hide_after_reports)
    return row


def _hide(target, reason: str) -> None:
    target.hidden_at = timezone.now()
    target.hidden_reason = reason[:300]
    target.save(update_fields=["hidden_at", "hidden_reason", "updated_at"])
    if isinstance(target, Comment):
        touch(comments=[target])


def _tell_author(target, city, reason: str, actor=None) -> None:
    author = target.author
    if author is None:
        return
    _notify(
        [author],
        city=city,
        kind="proposals.hidden",
        params={"reason": reason},
        url=reverse(
            "proposals:appeal", kwargs={"city_slug": city.slug, "kind": kind_of(target), "pk": target.pk}
        ),
        actor=actor,
    )


def kind_of(target) -> str:
    return {Proposal: TargetKind.PROPOSAL, Comment: TargetKind.COMMENT, Argument: TargetKind.ARGUMENT}[
        type(target)
    ]


@transaction.atomic
def do_report(user, target, reason: str) -> Report:
    city = target.city
    if not user.is_authenticated:
        raise ValidationError(_("Sign in first."))
    if isinstance(target, Comment) and target.is_removed:
        raise ValidationError(_("This comment is deleted."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say what is wrong with it.")})
    _limit(f"report:{user.pk}", REPORT_LIMIT, "reason")
    kind = kind_of(target)
    try:
        with transaction.atomic():
            report = Report.objects.create(
                city_id=target.city_id, kind=kind, target_id=target.pk, reporter=user, reason=reason.strip()
            )
    except IntegrityError:
        raise ValidationError({"reason": _("You have reported this already.")}) from None
    model = type(target)
    model.objects.filter(pk=target.pk).update(reports_count=F("reports_count") + 1)
    target.refresh_from_db(fields=["reports_count", "hidden_at"])
    audit.record("moderation.reported", actor=user, city=city, target=target)
    if target.hidden_at is None and target.reports_count >= hide_after(city):
        reason_text = _("Several people reported it; a moderator will look at it.")
        _hide(target, reason_text)
        audit.record("moderation.hidden_automatically", actor=None, city=city, target=target)
        _tell_author(target, city, reason_text)
    return report


@transaction.atomic
def do_moderate(target, moderator, *, decision: str, reason: str):
    city = target.city
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason: the author is told.")})
    if decision in ("hide", "block"):
        _hide(target, reason.strip())
        _tell_author(target, city, reason.strip(), actor=moderator)
        if decision == "block" and target.author_id:
            Block.objects.get_or_create(
                city_id=target.city_id,
                user_id=target.author_id,
                defaults={"reason": reason.strip()[:300], "blocked_by": moderator},
            )
    elif decision in ("restore", "unblock"):
        if decision == "unblock" and target.author_id:
            Block.objects.filter(city_id=target.city_id, user_id=target.author_id).delete()
        target.hidden_at = None
        target.hidden_reason = ""
        target.save(update_fields=["hidden_at", "hidden_reason", "updated_at"])
        if isinstance(target, Comment):
            touch(comments=[target])
    else:
        raise ValidationError({"decision": _("Choose a decision.")})
    Appeal.objects.filter(kind=kind_of(target), target_id=target.pk, decided_at__isnull=True).update(
        decided_at=timezone.now()
    )
    audit.record(f"moderation.{decision}", actor=moderator, city=city, target=target)
    return target


@transaction.atomic
def do_appeal(target, user, text: str) -> Appeal:
    if target.author_id != user.pk:
        raise ValidationError(_("Only the author can appeal."))
    if not target.is_hidden:
        raise ValidationError(_("This contribution is not hidden."))
    if not (text or "").strip():
        raise ValidationError({"text": _("Say why it should be shown again.")})
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(
                city_id=target.city_id,
                kind=kind_of(target),
                target_id=target.pk,
                author=user,
                text=text.strip(),
            )
    except IntegrityError:
        raise ValidationError(
            {"text": _("You have appealed already: a contribution can be appealed once.")}
        ) from None
    audit.record("moderation.appealed", actor=user, city=target.city, target=target)
    return appeal


# --- Erasure ------------------------------------------------------------------------------------


def anonymise_contributions_of(user) -> None:
    """Erasure: contributions stay (so counts, threads and debates stay right) with no link to the person;
    the text of their comments is replaced by "deleted". As with a comment its author deletes, the
    earlier versions go, the rendered text leaves the shared cache, and the comment takes no more votes,
    edits or replies (`Comment.is_removed`). Called by accounts.actions.do_erase_account."""
    mine = Comment.objects.filter(author=user)
    threads = mine.exclude(proposal=None).values_list("proposal_id", flat=True).distinct()
    selectors.forget_threads(Proposal.objects.filter(pk__in=threads).values_list("pk", "updated_at"))
    touch(proposal_ids=threads)
    touch(proposal_ids=Proposal.objects.filter(author=user).values_list("pk", flat=True))
    for model, field in ((Amendment, "author"), (CoAuthorship, "user"), (Endorsement, "user")):
        touch(proposal_ids=model.objects.filter(**{field: user}).values_list("proposal_id", flat=True))
    CommentRevision.objects.filter(comment__in=mine).delete()
    # Their rendered text leaves the shared cache too (see selectors.render_bodies).
    cache.delete_many([_comment_html_key(pk, at) for pk, at in mine.values_list("pk", "updated_at")])
    # No edit time either: the history it pointed to is gone.
    mine.update(author=None, body="deleted", erased=True, edited_at=None, updated_at=timezone.now())
    Proposal.objects.filter(author=user).update(author=None)
    Proposal.objects.filter(answered_by=user).update(answered_by=None)
    Amendment.objects.filter(author=user).update(author=None)
    Argument.objects.filter(author=user).update(author=None)
    Debate.objects.filter(author=user).update(author=None)
    Support.objects.filter(user=user).update(user=None)  # the support still counts
    Support.objects.filter(recorded_by=user).update(recorded_by=None)
    Endorsement.objects.filter(user=user).update(user=None)
    CoAuthorship.objects.filter(user=user).delete()
    CoAuthorship.objects.filter(invited_by=user).update(invited_by=None)
    CommentVote.objects.filter(user=user).delete()  # the comment's counters keep the vote
    Report.objects.filter(reporter=user).update(reporter=None)
    Appeal.objects.filter(author=user).update(author=None, text="deleted")
    Block.objects.filter(user=user).delete()
    Block.objects.filter(blocked_by=user).update(blocked_by=None)
