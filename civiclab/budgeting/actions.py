"""Every write of participatory budgeting. See models.py for how ballots stay secret."""

import csv
import datetime as dt
import io
import json
import uuid
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from civiclab.core import audit
from civiclab.core.images import clean_image

from . import identity
from .explain import explain
from .models import (
    RULE_FIELDS,
    Ballot,
    BallotType,
    Budget,
    CensusEntry,
    Channel,
    District,
    LetterCode,
    Method,
    Outcome,
    PaperEntry,
    PaperEntryStatus,
    Participation,
    Project,
    ProjectImage,
    ProjectStatus,
    Residency,
    Rule,
    Verification,
)
from .selectors import BallotOptions, ballot_options, ballot_snapshot_key, election_for, paper_costs
from .tally import tally

MAX_CENSUS_ROWS = 2_000_000
MAX_LETTER_CODES = 500_000


class AlreadyVoted(ValidationError):
    pass


@dataclass(frozen=True)
class BallotChoice:
    """What a voter marked: project codes (in rank order for ranking ballots) and, for cumulative
    ballots, the points given to each."""

    projects: list[str]
    points: list[int] = field(default_factory=list)
    district: District | None = None


# --- Budgets ----------------------------------------------------------------------------------


def _check_budget(budget: Budget, districts: list[tuple[str, int]]) -> None:
    errors: dict[str, list[str]] = {}

    def err(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    methods = list(budget.methods or [])
    if not methods:
        err("methods", _("Choose at least one way for voters to prove who they are."))
    if set(methods) - set(Method.values):
        err("methods", _("Unknown verification method."))
    if budget.max_choices is not None and budget.max_choices < budget.min_choices:
        err("max_choices", _("The most projects on a ballot cannot be fewer than the fewest."))
    if budget.ballot_type == BallotType.CHOOSE_ONE and (
        budget.min_choices > 1 or (budget.max_choices or 1) != 1
    ):
        err("max_choices", _("A choose-one ballot lists exactly one project."))
    if budget.ballot_type == BallotType.CUMULATIVE and budget.max_points < 1:
        err("max_points", _("Give voters at least one point to share."))
    if budget.residency == Residency.DISTRICT and not districts:
        err("residency", _("Voting by district needs districts."))
    if budget.rule == Rule.GREEDY_THRESHOLD and budget.threshold < 1:
        err("threshold", _("Set the minimum number of votes."))
    names = [name.strip() for name, _amount in districts]
    if any(not n for n in names) or len(set(names)) != len(names):
        err("districts", _("Every district needs a name of its own."))
    if any(amount <= 0 for _name, amount in districts):
        err("districts", _("Every district needs a budget above zero."))
    if (
        budget.voting_opens_at
        and budget.voting_closes_at
        and budget.voting_closes_at <= budget.voting_opens_at
    ):
        err("voting_closes_at", _("Voting must close after it opens."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def do_create_budget(city, actor, *, districts: list[tuple[str, int]] | None = None, **fields) -> Budget:
    districts = districts or []
    if Budget.objects.filter(city=city, slug=fields.get("slug")).exists():
        raise ValidationError({"slug": _("This city already has a budget at this address.")})
    budget = Budget(city=city, created_by=actor, **fields)
    budget.full_clean(exclude=["city", "created_by", "process"])
    _check_budget(budget, districts)
    if budget.process_id and budget.process.city_id != city.pk:
        raise ValidationError({"process": _("The process belongs to another city.")})
    try:
        with transaction.atomic():
            budget.save()
    except IntegrityError as exc:
        raise ValidationError({"slug": _("This city already has a budget at this address.")}) from exc
    for name, amount in districts:
        District.objects.create(city=city, budget=budget, name=name.strip(), amount=amount)
    audit.record(
        "budget.created", actor=actor, city=city, target=budget, slug=budget.slug, districts=len(districts)
    )
    return budget


@transaction.atomic
def do_update_budget(
    budget: Budget, actor, *, districts: list[tuple[str, int]] | None = None, **fields
) -> Budget:
    """Texts can change at any time. The rules (RULE_FIELDS and districts) are frozen once voting opens."""
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    old_slug = budget.slug
    current = [(d.name, d.amount) for d in budget.districts.all()]
    changed = sorted(k for k, v in fields.items() if getattr(budget, k) != v)
    rules_changed = [k for k in changed if k in RULE_FIELDS]
    if districts is not None and sorted(districts) != sorted(current):
        rules_changed.append("districts")
    if rules_changed and budget.voting_has_opened():
        raise ValidationError(
            _("Voting has opened, so the rules are frozen and cannot change: %(fields)s.")
            % {"fields": ", ".join(rules_changed)}
        )
    for key in changed:
        setattr(budget, key, fields[key])
    budget.full_clean(exclude=["city", "created_by", "process"])
    _check_budget(budget, districts if districts is not None else current)
    if (
        "slug" in changed
        and Budget.objects.filter(city=budget.city, slug=budget.slug).exclude(pk=budget.pk).exists()
    ):
        raise ValidationError({"slug": _("This city already has a budget at this address.")})
    budget.save()
    if districts is not None and "districts" in rules_changed:
        keep = {name.strip(): amount for name, amount in districts}
        for district in budget.districts.all():
            if district.name not in keep:
                if Project.objects.filter(district=district).exists():
                    raise ValidationError(
                        _("District “%(name)s” has projects: move them before removing it.")
                        % {"name": district.name}
                    )
                district.delete()
            elif district.amount != keep[district.name]:
                district.amount = keep[district.name]
                district.save(update_fields=["amount"])
        existing = set(budget.districts.values_list("name", flat=True))
        for name, amount in keep.items():
            if name not in existing:
                District.objects.create(city=budget.city, budget=budget, name=name, amount=amount)
    slugs = {old_slug, budget.slug}
    transaction.on_commit(lambda: cache.delete_many([ballot_snapshot_key(budget.city_id, s) for s in slugs]))
    if changed or "districts" in rules_changed:
        audit.record(
            "budget.updated",
            actor=actor,
            city=budget.city,
            target=budget,
            fields=changed + rules_changed[len(changed) :],
        )
    return budget


# --- Projects and technical review ------------------------------------------------------------


def _notify(user, message) -> None:
    """Emails `message()` (subject, body) to `user` in their own language, once the transaction commits."""
    if user is None or not user.email or user.erased_at:
        return
    with translation.override(user.language or None):
        subject, body = message()
    email = user.email
    transaction.on_commit(lambda: send_mail(subject, body, None, [email], fail_silently=True))


@transaction.atomic
def do_submit_project(
    budget: Budget,
    author,
    *,
    title: str,
    description: str,
    cost: int,
    district: District | None = None,
    latitude=None,
    longitude=None,
    image=None,
    image_alt: str = "",
    more_images=(),
    source_proposal=None,
) -> Project:
    if not budget.accepts_projects or budget.voting_has_opened():
        raise ValidationError(_("This budget does not take new projects any more."))
    if source_proposal is not None:
        _check_source_proposal(budget, author, source_proposal)
    if district is not None and district.budget_id != budget.pk:
        raise ValidationError({"district": _("This district belongs to another budget.")})
    if budget.districts.exists() and district is None:
        raise ValidationError({"district": _("Choose the district of the project.")})
    if (latitude is None) != (longitude is None):
        raise ValidationError({"latitude": _("Give both latitude and longitude, or neither.")})
    limit = district.amount if district else budget.amount
    if cost > limit:
        raise ValidationError(
            {"cost": _("The cost is above the whole budget (%(limit)s).") % {"limit": limit}}
        )
    project = Project(
        city=budget.city,
        budget=budget,
        district=district,
        title=title.strip(),
        description=description,
        cost=cost,
        proposed_cost=cost,
        latitude=latitude,
        longitude=longitude,
        author=author,
        source_proposal=source_proposal,
    )
    project.full_clean(exclude=["city", "budget", "author", "district", "source_proposal"])
    # Up to MAX_PROJECT_IMAGES pictures: `image` and then `more_images`, each (file, text alternative).
    pictures = [(image, image_alt), *more_images][:MAX_PROJECT_IMAGES]
    cleaned = []
    for n, (upload, alt) in enumerate(pictures, start=1):
        if upload is None:
            continue
        suffix = "" if n == 1 else f"_{n}"
        if not (alt or "").strip():
            raise ValidationError(
                {f"image_alt{suffix}": _("Describe the image for people who cannot see it.")}
            )
        try:
            cleaned.append((clean_image(upload), alt.strip()))
        except ValidationError as exc:  # tied to its own field, so the form says which picture
            raise ValidationError({f"image{suffix}": exc.messages}) from None
    project.save()
    for picture, alt in cleaned:
        ProjectImage.objects.create(city=budget.city, project=project, image=picture, alt_text=alt)
    audit.record("budget.project_submitted", actor=author, city=budget.city, target=project, budget=budget.pk)
    return project


MAX_PROJECT_IMAGES = 3


def _check_source_proposal(budget: Budget, author, proposal) -> None:
    """Only its own authors bring a proposal of this city into a budget, once per budget."""
    from civiclab.proposals.selectors import authors_of

    if proposal.city_id != budget.city_id or proposal.hidden_at is not None:
        raise ValidationError(_("This proposal cannot be brought into this budget."))
    if author is None or author.pk not in {a.pk for a in authors_of(proposal)}:
        raise ValidationError(_("Only the authors of a proposal can bring it into a budget."))
    if Project.objects.filter(budget=budget, source_proposal=proposal).exists():
        raise ValidationError(_("This proposal is already a project of this budget."))


@transaction.atomic
def do_review_project(
    project: Project,
    reviewer,
    *,
    feasible: bool,
    review_reason: str,
    cost: int | None = None,
    cost_note: str = "",
) -> Project:
    project = (
        Project.objects.select_for_update(of=("self",)).select_related("budget", "author").get(pk=project.pk)
    )
    if project.budget.voting_has_opened():
        raise ValidationError(_("Voting has opened: the list of projects is frozen."))
    if not review_reason.strip():
        raise ValidationError({"review_reason": _("Give a public reason for the review.")})
    new_cost = project.cost if cost is None else cost
    if new_cost != project.cost and not cost_note.strip():
        raise ValidationError({"cost_note": _("Explain publicly why the cost changes.")})
    old_cost = project.cost
    project.status = ProjectStatus.FEASIBLE if feasible else ProjectStatus.UNFEASIBLE
    project.review_reason = review_reason.strip()
    project.cost = new_cost
    project.cost_note = cost_note.strip() if new_cost != old_cost else project.cost_note
    project.reviewed_at = timezone.now()
    project.save()
    audit.record(
        "budget.project_reviewed",
        actor=reviewer,
        city=project.city,
        target=project,
        feasible=feasible,
        cost_before=old_cost,
        cost_after=new_cost,
    )
    _notify(
        project.author,
        lambda: (
            _("Your project “%(title)s” has been reviewed") % {"title": project.title},
            _("Result: %(status)s.\n\n%(reason)s")
            % {"status": project.get_status_display(), "reason": project.review_reason},
        ),
    )
    return project


@transaction.atomic
def do_reply_to_review(project: Project, author, text: str) -> Project:
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.author_id is None or project.author_id != author.pk:
        raise ValidationError(_("Only the author can reply to the review."))
    if project.reviewed_at is None:
        raise ValidationError(_("The project has not been reviewed yet."))
    if project.author_reply:
        raise ValidationError(_("The author can reply once, and has already replied."))
    if not text.strip():
        raise ValidationError({"author_reply": _("Write a reply.")})
    project.author_reply = text.strip()
    project.save(update_fields=["author_reply", "updated_at"])
    audit.record("budget.review_replied", actor=author, city=project.city, target=project)
    return project


# --- Eligibility ------------------------------------------------------------------------------


def _age_ok(budget: Budget, birth_year: int | None) -> bool:
    # Age reached in the year voting closes: census lists give years, not dates.
    return birth_year is None or budget.voting_closes_at.year - birth_year >= budget.min_age


def _verify(
    budget: Budget, user, identity_hash: str, method: str, district: str, verified_by=None, any_method=False
) -> Verification:
    if method not in budget.methods and not any_method:
        raise ValidationError(_("This budget does not accept that way of proving who you are."))
    if budget.voting_has_closed():
        raise ValidationError(_("Voting has closed."))
    if budget.residency == Residency.DISTRICT and not budget.districts.filter(name=district).exists():
        raise ValidationError(_("Your district has no budget in this vote."))
    verification = Verification(
        city=budget.city,
        budget=budget,
        user=user,
        identity_hash=identity_hash,
        method=method,
        district=district,
        verified_by=verified_by,
    )
    try:
        with transaction.atomic():
            verification.save()
    except IntegrityError:
        if Verification.objects.filter(budget=budget, user=user).exists():
            raise ValidationError(_("You have already proved who you are for this budget.")) from None
        raise ValidationError(
            _("This identity has already been used for this budget, by another account.")
        ) from None
    return verification


@transaction.atomic
def do_verify_with_census(budget: Budget, user, identifier: str) -> Verification:
    digest = identity.identity_hash(budget.city_id, identifier)
    entry = CensusEntry.objects.filter(budget=budget, identity_hash=digest).first()
    if entry is None:
        raise ValidationError({"identifier": _("This number is not on the census list of this vote.")})
    if not _age_ok(budget, entry.birth_year):
        raise ValidationError(_("The minimum age to vote is %(age)s.") % {"age": budget.min_age})
    return _verify(budget, user, digest, Method.CENSUS, entry.district)


@transaction.atomic
def do_verify_with_letter(budget: Budget, user, code: str) -> Verification:
    digest = identity.letter_hash(budget.city_id, code)
    letter = LetterCode.objects.filter(budget=budget, code_hash=digest).first()
    if letter is None:
        raise ValidationError({"code": _("This code is not valid for this vote.")})
    return _verify(budget, user, digest, Method.LETTER, letter.district)


def _check_birth_date(budget: Budget, birth_date: dt.date) -> None:
    if birth_date > timezone.localdate():
        raise ValidationError({"birth_date": _("The date of birth is in the future.")})
    closes = timezone.localtime(budget.voting_closes_at).date()
    age = closes.year - birth_date.year - ((closes.month, closes.day) < (birth_date.month, birth_date.day))
    if age < budget.min_age:
        raise ValidationError(_("The minimum age to vote is %(age)s.") % {"age": budget.min_age})


@transaction.atomic
def do_register_paper_voter(
    budget: Budget, staff, *, station: str, identifier: str, birth_date: dt.date, district: str = ""
) -> Participation:
    """The polling station's register: staff saw an identity document and hand out a paper ballot. The
    person goes into the same register as online voters, so nobody votes both on paper and online."""
    if not budget.voting_is_open():
        raise ValidationError(_("Voting is not open."))
    if not station.strip():
        raise ValidationError({"station": _("Give the polling station.")})
    _check_birth_date(budget, birth_date)
    if budget.residency == Residency.DISTRICT and not budget.districts.filter(name=district).exists():
        raise ValidationError({"district": _("Choose the person's district.")})
    digest = identity.identity_hash(budget.city_id, identifier)
    verification = (
        Verification.objects.select_for_update().filter(budget=budget, identity_hash=digest).first()
    )
    if verification is not None and Participation.objects.filter(verification=verification).exists():
        raise AlreadyVoted(_("This person has already voted in this budget: do not hand out a paper ballot."))
    if verification is None:
        verification = _verify(budget, None, digest, Method.IN_PERSON, district, staff, any_method=True)
    try:
        with transaction.atomic():
            participation = Participation.objects.create(
                city_id=budget.city_id,
                budget=budget,
                verification=verification,
                channel=Channel.PAPER,
                receipt_mac=identity.new_code(8),  # paper voters hold no receipt: nothing can match it
            )
    except IntegrityError:
        raise AlreadyVoted(
            _("This person has already voted in this budget: do not hand out a paper ballot.")
        ) from None
    audit.record(
        "budget.paper_voter_registered", actor=staff, city=budget.city, target=budget, station=station.strip()
    )
    return participation


@transaction.atomic
def do_verify_in_person(
    budget: Budget, staff, user, *, identifier: str, birth_date: dt.date, district: str = ""
) -> Verification:
    """Staff saw an identity document. The identifier is hashed as a census entry would be, so the same
    person cannot also prove themselves with the census list."""
    _check_birth_date(budget, birth_date)
    verification = _verify(
        budget, user, identity.identity_hash(budget.city_id, identifier), Method.IN_PERSON, district, staff
    )
    audit.record(
        "budget.verified_in_person", actor=staff, city=budget.city, target=verification, budget=budget.pk
    )
    return verification


@transaction.atomic
def do_upload_census(budget: Budget, actor, text: str) -> int:
    """Replaces the census list with a CSV (identifier[,birth_year[,district]]). All or nothing."""
    if budget.voting_has_closed():
        raise ValidationError(_("Voting has closed."))
    districts = set(budget.districts.values_list("name", flat=True))
    entries: dict[str, CensusEntry] = {}
    errors: list[str] = []
    this_year = timezone.localdate().year
    reader = csv.reader(io.StringIO(text))
    for line, row in enumerate(reader, start=1):
        if not row or not "".join(row).strip():
            continue
        if line == 1 and row[0].strip().lower() in {"identifier", "id", "document"}:
            continue
        if len(entries) >= MAX_CENSUS_ROWS:
            errors.append(_("The list has more than %(n)s rows.") % {"n": MAX_CENSUS_ROWS})
            break
        ident = identity.normalise(row[0])
        if not ident:
            errors.append(_("Line %(line)s: the identifier is empty.") % {"line": line})
            continue
        year = None
        if len(row) > 1 and row[1].strip():
            try:
                year = int(row[1])
            except ValueError:
                year = None
            if year is None or not 1900 <= year <= this_year:
                errors.append(_("Line %(line)s: the birth year is not a year.") % {"line": line})
                continue
        district = row[2].strip() if len(row) > 2 else ""
        if district and district not in districts:
            errors.append(_("Line %(line)s: unknown district “%(d)s”.") % {"line": line, "d": district})
            continue
        digest = identity.identity_hash(budget.city_id, ident)
        if digest in entries:
            errors.append(_("Line %(line)s: this identifier is listed twice.") % {"line": line})
            continue
        entries[digest] = CensusEntry(
            city=budget.city, budget=budget, identity_hash=digest, birth_year=year, district=district
        )
        if len(errors) >= 20:
            break
    if errors:
        raise ValidationError(errors[:20])
    if not entries:
        raise ValidationError(_("The list is empty."))
    CensusEntry.objects.filter(budget=budget).delete()
    CensusEntry.objects.bulk_create(entries.values(), batch_size=5000)
    audit.record("budget.census_uploaded", actor=actor, city=budget.city, target=budget, rows=len(entries))
    return len(entries)


@transaction.atomic
def do_create_letter_codes(budget: Budget, actor, count: int, district: str = "") -> list[str]:
    """New single-use codes to print on letters. The clear codes are returned once and never stored."""
    if not 1 <= count <= MAX_LETTER_CODES:
        raise ValidationError(_("Create between 1 and %(n)s codes at a time.") % {"n": MAX_LETTER_CODES})
    if district and not budget.districts.filter(name=district).exists():
        raise ValidationError({"district": _("Unknown district.")})
    codes = [identity.new_code() for _ in range(count)]
    LetterCode.objects.bulk_create(
        [
            LetterCode(
                city=budget.city,
                budget=budget,
                code_hash=identity.letter_hash(budget.city_id, c),
                district=district,
            )
            for c in codes
        ],
        batch_size=5000,
    )
    audit.record(
        "budget.letter_codes_created",
        actor=actor,
        city=budget.city,
        target=budget,
        count=count,
        district=district,
    )
    return codes


# --- Ballots ----------------------------------------------------------------------------------


def check_ballot(budget: Budget, choice: BallotChoice, costs: dict[str, int]) -> None:
    """Raises ValidationError when the ballot breaks the budget's rules. `costs` are the projects on
    the ballot paper (feasible, of the chosen district): their cost by code."""
    listed = choice.projects
    if len(set(listed)) != len(listed):
        raise ValidationError(_("A project is marked twice."))
    unknown = [code for code in listed if code not in costs]
    if unknown:
        raise ValidationError(_("The ballot lists a project that is not on the ballot paper."))
    n = len(listed)
    kind = budget.ballot_type
    if n < budget.min_choices:
        raise ValidationError(_("Choose at least %(n)s projects.") % {"n": budget.min_choices})
    if budget.max_choices is not None and n > budget.max_choices:
        raise ValidationError(_("Choose at most %(n)s projects.") % {"n": budget.max_choices})
    if kind == BallotType.CHOOSE_ONE and n != 1:
        raise ValidationError(_("Choose exactly one project."))
    if kind == BallotType.KNAPSACK:
        limit = choice.district.amount if choice.district else budget.amount
        total = sum(costs[code] for code in listed)
        if total > limit:
            raise ValidationError(
                _("The projects you chose cost %(total)s, more than the budget of %(limit)s.")
                % {"total": total, "limit": limit}
            )
    if kind == BallotType.CUMULATIVE:
        if len(choice.points) != n or any(p < 1 for p in choice.points):
            raise ValidationError(_("Give each chosen project at least one point."))
        if sum(choice.points) > budget.max_points:
            raise ValidationError(_("You can give %(n)s points in all.") % {"n": budget.max_points})
    elif choice.points:
        raise ValidationError(_("This ballot has no points."))


def _district_for(
    budget: Budget, verification: Verification, district: District | None, districts: list[District]
) -> District | None:
    if not districts:
        return None
    if budget.residency == Residency.DISTRICT:
        own = next((d for d in districts if d.name == verification.district), None)
        if district is not None and district != own:
            raise ValidationError({"district": _("You can vote only in your own district.")})
        district = own
    if district is None or district.budget_id != budget.pk:
        raise ValidationError({"district": _("Choose a district.")})
    return district


def do_cast_ballot(
    budget: Budget, user, choice: BallotChoice, *, receipt: str = "", options: BallotOptions | None = None
) -> str:
    """Stores a secret ballot and writes the register in the same transaction; returns the receipt code.

    A second ballot replaces the first only when the budget allows changes and the voter gives the
    receipt of their first ballot. Concurrent sends of the same voter count once: the register is unique.
    `options` (the projects and districts of the ballot) may come from the vote snapshot, since they are
    frozen while voting is open."""
    if not budget.voting_is_open():
        raise ValidationError(_("Voting is not open."))
    # One query for the voter's proof and register row; ballots are the busy path of a vote.
    verification = (
        Verification.objects.select_related("participation").filter(budget=budget, user=user).first()
    )
    if verification is None:
        raise ValidationError(_("Prove that you may vote before you vote."))
    options = options or ballot_options(budget)
    district = None
    if any(district_id for _pk, _cost, district_id in options.paper) or choice.district is not None:
        district = _district_for(budget, verification, choice.district, options.districts)
    costs = {
        str(pk): cost
        for pk, cost, district_id in options.paper
        if district_id == (district.pk if district else None)
    }
    choice = BallotChoice(choice.projects, choice.points, district)
    check_ballot(budget, choice, costs)
    new_receipt = identity.new_code(5)
    if getattr(verification, "participation", None) is None and connection.vendor == "postgresql":
        if not _first_ballot_in_one_statement(budget, verification, choice, new_receipt):
            raise AlreadyVoted(_("You have already voted in this budget."))
        return new_receipt
    try:
        _cast(budget, verification, choice, receipt, new_receipt)
    except IntegrityError:
        raise AlreadyVoted(_("You have already voted in this budget.")) from None
    return new_receipt


# The register row and the ballot in one statement: atomic on its own, one round trip, and a concurrent
# second send meets the unique register (ON CONFLICT) and stores nothing.
FIRST_BALLOT_SQL = """
WITH registered AS (
    INSERT INTO budgeting_participation
        (created_at, updated_at, city_id, budget_id, verification_id, channel, receipt_mac, changes)
    VALUES (%s, %s, %s, %s, %s, %s, %s, 0)
    ON CONFLICT (verification_id) DO NOTHING
    RETURNING 1
)
INSERT INTO budgeting_ballot
    (id, city_id, budget_id, district_id, channel, cast_on, receipt_hash, projects, points)
SELECT %s::uuid, %s::bigint, %s::bigint, %s::bigint, %s, %s::date, %s, %s::jsonb, %s::jsonb FROM registered
RETURNING 1
"""


def _first_ballot_in_one_statement(
    budget: Budget, verification: Verification, choice: BallotChoice, receipt: str
) -> bool:
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    params = [now, now, budget.city_id, budget.pk, verification.pk, Channel.ONLINE]
    params += [identity.receipt_mac(budget.city_id, receipt)]
    params += [uuid.uuid4(), budget.city_id, budget.pk, choice.district.pk if choice.district else None]
    params += [Channel.ONLINE, timezone.localdate(), identity.receipt_hash(receipt)]
    params += [json.dumps(list(choice.projects)), json.dumps(list(choice.points))]
    with connection.cursor() as cursor:
        cursor.execute(FIRST_BALLOT_SQL, params)
        return cursor.fetchone() is not None


@transaction.atomic
def _cast(budget: Budget, verification: Verification, choice: BallotChoice, receipt: str, new_receipt: str):
    participation = getattr(verification, "participation", None)
    if participation is None:
        Participation.objects.create(
            city_id=budget.city_id,
            budget=budget,
            verification=verification,
            channel=Channel.ONLINE,
            receipt_mac=identity.receipt_mac(budget.city_id, new_receipt),
        )
    else:
        if not budget.allow_vote_change:
            raise AlreadyVoted(_("You have already voted in this budget, and ballots cannot be changed."))
        # Locked, so that two changes sent at once cannot both replace the same ballot.
        participation = Participation.objects.select_for_update().get(pk=participation.pk)
        if not receipt or identity.receipt_mac(budget.city_id, receipt) != participation.receipt_mac:
            raise AlreadyVoted(
                _("You have already voted. To change your ballot, give the receipt code of your last ballot.")
            )
        replaced = Ballot.objects.filter(budget=budget, receipt_hash=identity.receipt_hash(receipt)).delete()[
            0
        ]
        if replaced != 1:  # the register and the ballots disagree: refuse rather than guess
            raise ValidationError(_("Your earlier ballot could not be found. Please contact the city."))
        participation.receipt_mac = identity.receipt_mac(budget.city_id, new_receipt)
        participation.changes += 1
        participation.save(update_fields=["receipt_mac", "changes", "updated_at"])
    Ballot.objects.create(
        city_id=budget.city_id,
        budget=budget,
        district=choice.district,
        channel=Channel.ONLINE,
        cast_on=timezone.localdate(),
        receipt_hash=identity.receipt_hash(new_receipt),
        projects=list(choice.projects),
        points=list(choice.points),
    )


# --- Paper ballots ----------------------------------------------------------------------------


def _paper_ballot(budget: Budget, entry: PaperEntry) -> Ballot:
    return Ballot.objects.create(
        city_id=budget.city_id,
        budget=budget,
        district=entry.district,
        channel=Channel.PAPER,
        cast_on=timezone.localdate(),
        receipt_hash=identity.receipt_hash(identity.new_code(5)),  # paper voters hold no receipt
        projects=entry.projects,
        points=entry.points,
    )


@transaction.atomic
def do_enter_paper_ballot(
    budget: Budget, staff, *, station: str, sheet: str, choice: BallotChoice
) -> PaperEntry:
    """One typing of a paper ballot. The second typing by another staff member counts it when both agree,
    and sends both to the review queue when they differ."""
    budget = Budget.objects.select_for_update().get(pk=budget.pk)  # serialises entries of this budget
    if not budget.voting_has_opened():
        raise ValidationError(_("Voting has not opened yet."))
    if budget.results_published_at:
        raise ValidationError(_("The results are published: no more ballots can be entered."))
    station, sheet = station.strip(), sheet.strip()
    if not station or not sheet:
        raise ValidationError(_("Give the polling station and the ballot sheet number."))
    district = choice.district
    if budget.districts.exists() and (district is None or district.budget_id != budget.pk):
        raise ValidationError({"district": _("Choose a district.")})
    check_ballot(budget, choice, paper_costs(budget, district))
    others = list(PaperEntry.objects.filter(budget=budget, station=station, sheet=sheet))
    if any(o.entered_by_id == staff.pk for o in others):
        raise ValidationError(
            _("You have already entered this sheet: another staff member must enter it again.")
        )
    if any(o.status == PaperEntryStatus.MATCHED for o in others):
        raise ValidationError(_("This sheet is already counted."))
    entry = PaperEntry(
        city=budget.city,
        budget=budget,
        station=station,
        sheet=sheet,
        district=district,
        projects=list(choice.projects),
        points=list(choice.points),
        entered_by=staff,
    )
    waiting = [o for o in others if o.status == PaperEntryStatus.WAITING]
    if waiting:
        first = waiting[0]
        same = (first.projects, first.points, first.district_id) == (
            entry.projects,
            entry.points,
            entry.district_id,
        )
        if budget.ballot_type != BallotType.RANKING and same is False:
            # Order does not matter on approval ballots.
            same = (sorted(first.projects), first.district_id) == (
                sorted(entry.projects),
                entry.district_id,
            ) and (
                dict(zip(first.projects, first.points, strict=False))
                == dict(zip(entry.projects, entry.points, strict=False))
            )
        if same:
            ballot = _paper_ballot(budget, entry)
            entry.status = first.status = PaperEntryStatus.MATCHED
            entry.ballot = first.ballot = ballot
            first.save(update_fields=["status", "ballot", "updated_at"])
        else:
            entry.status = first.status = PaperEntryStatus.MISMATCH
            first.save(update_fields=["status", "updated_at"])
    elif any(o.status == PaperEntryStatus.MISMATCH for o in others):
        entry.status = PaperEntryStatus.MISMATCH
    entry.save()
    audit.record(
        "budget.paper_entered",
        actor=staff,
        city=budget.city,
        target=entry,
        station=station,
        sheet=sheet,
        status=entry.status,
    )
    return entry


@transaction.atomic
def do_resolve_paper_mismatch(entry: PaperEntry, reviewer) -> Ballot:
    """A reviewer who looked at the paper sheet picks the entry that is right; it counts, the others not."""
    budget = Budget.objects.select_for_update().get(pk=entry.budget_id)
    if budget.results_published_at:
        raise ValidationError(_("The results are published: no more ballots can be entered."))
    entry = PaperEntry.objects.get(pk=entry.pk)
    if entry.status != PaperEntryStatus.MISMATCH:
        raise ValidationError(_("This entry is not waiting for review."))
    sheet = PaperEntry.objects.filter(budget=budget, station=entry.station, sheet=entry.sheet)
    if sheet.filter(status=PaperEntryStatus.MATCHED).exists():
        raise ValidationError(_("This sheet is already counted."))
    ballot = _paper_ballot(budget, entry)
    sheet.exclude(pk=entry.pk).update(status=PaperEntryStatus.SUPERSEDED, updated_at=timezone.now())
    entry.status, entry.ballot = PaperEntryStatus.MATCHED, ballot
    entry.save(update_fields=["status", "ballot", "updated_at"])
    audit.record(
        "budget.paper_resolved",
        actor=reviewer,
        city=budget.city,
        target=entry,
        station=entry.station,
        sheet=entry.sheet,
    )
    return ballot


# --- Counting ---------------------------------------------------------------------------------


@transaction.atomic
def do_count(budget: Budget, actor) -> list[Outcome]:
    """Counts the closed vote with the rule chosen before it opened, publishes the results, and marks the
    funded projects. Counting again gives the same outcome (the rule is deterministic)."""
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    if not budget.voting_has_closed():
        raise ValidationError(_("Voting has not closed yet."))
    if PaperEntry.objects.filter(
        budget=budget, status__in=[PaperEntryStatus.WAITING, PaperEntryStatus.MISMATCH]
    ).exists():
        raise ValidationError(_("Some paper ballots wait for a second entry or a review."))
    districts = list(budget.districts.all()) or [None]
    Outcome.objects.filter(budget=budget).delete()
    Project.objects.filter(budget=budget).update(funded=False)
    outcomes = []
    for district in districts:
        election = election_for(budget, district)
        result = tally(
            election,
            budget.rule,
            threshold=budget.threshold if budget.rule == Rule.GREEDY_THRESHOLD else None,
            add1_start=budget.add1_start,
            add1_stop=budget.add1_stop,
            completion=budget.completion,
        )
        outcome = Outcome.objects.create(
            city=budget.city,
            budget=budget,
            district=district,
            rule=budget.rule,
            ballots=election.num_voters,
            selected=list(result.selected),
            cost=int(result.cost),
            explanation=explain(election, result),
        )
        Project.objects.filter(budget=budget, pk__in=[int(code) for code in result.selected]).update(
            funded=True
        )
        outcomes.append(outcome)
    budget.results_published_at = timezone.now()
    budget.save(update_fields=["results_published_at", "updated_at"])
    audit.record(
        "budget.counted",
        actor=actor,
        city=budget.city,
        target=budget,
        rule=budget.rule,
        ballots=sum(o.ballots for o in outcomes),
        selected=[code for o in outcomes for code in o.selected],
    )
    return outcomes
