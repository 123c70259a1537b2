import csv
import hashlib
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from civiclab.cities.access import city_view, staff_view
from civiclab.core import ratelimit
from civiclab.core.forms import attach_errors, posted, posted_with_files

from . import actions, pabulib
from .forms import (
    BudgetForm,
    CensusUploadForm,
    CensusVerifyForm,
    InPersonForm,
    LetterCodesForm,
    LetterVerifyForm,
    PaperSheetForm,
    PaperVoterForm,
    ProjectForm,
    ReceiptForm,
    ReplyForm,
    ReviewForm,
    read_ballot,
    read_district,
)
from .models import Budget, Method, PaperEntry, PaperEntryStatus, ProjectStatus, Verification
from .selectors import (
    ballot_options,
    ballot_paper,
    election_for,
    find_ballot,
    get_budget_for,
    get_project_for,
    get_voting_budget_for,
    outcomes_of,
    paper_queue,
    projects_of,
    source_proposal_url,
    turnout,
)

RECEIPT_COOKIE = "pb-receipt-{}"


# --- Public pages -----------------------------------------------------------------------------


@city_view
def budget_detail(request, city, budget_slug):
    budget = get_budget_for(request, city, budget_slug)
    districts = list(budget.districts.all())
    district = next((d for d in districts if str(d.pk) == request.GET.get("district")), None)
    show_all = request.user.has_perm("budgeting.review_project", city)
    projects = projects_of(budget, district=district)
    if not show_all and budget.voting_has_opened():
        projects = projects.filter(status=ProjectStatus.FEASIBLE)
    return render(
        request,
        "budgeting/detail.html",
        {
            "city": city,
            "budget": budget,
            "districts": districts,
            "district": district,
            "projects": list(projects),
            "can_submit": budget.accepts_projects and not budget.voting_has_opened(),
            "can_change": request.user.has_perm("budgeting.change_budget", city),
        },
    )


@city_view
def project_detail(request, city, budget_slug, project_id):
    budget = get_budget_for(request, city, budget_slug)
    project = get_project_for(budget, project_id)
    images = list(project.images.all())
    is_author = request.user.is_authenticated and project.author_id == request.user.pk
    return render(
        request,
        "budgeting/project.html",
        {
            "city": city,
            "budget": budget,
            "project": project,
            "images": images,
            "reply_form": ReplyForm()
            if is_author and project.reviewed_at and not project.author_reply
            else None,
            "can_review": request.user.has_perm("budgeting.review_project", city),
            "source_url": source_proposal_url(project),
        },
    )


@city_view
@login_required
@require_http_methods(["GET", "POST"])
def project_new(request, city, budget_slug):
    budget = get_budget_for(request, city, budget_slug)
    source = _source_proposal(request, city)
    initial = {}
    if source is not None:
        initial = {"title": source.title, "description": source.body}
        initial |= {"latitude": source.latitude, "longitude": source.longitude}
    form = ProjectForm(*posted_with_files(request), budget=budget, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            project = actions.do_submit_project(
                budget, request.user, source_proposal=source, **form.project_fields()
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Your project is submitted. City staff will review it."))
            return redirect(
                "budgeting:project", city_slug=city.slug, budget_slug=budget.slug, project_id=project.pk
            )
    return render(
        request,
        "budgeting/project_form.html",
        {"city": city, "budget": budget, "form": form, "source": source},
        status=400 if form.is_bound else 200,
    )


def _source_proposal(request, city):
    """The proposal named by ?from_proposal= (GET) or the posted field: only its authors may bring it."""
    from civiclab.proposals.models import Proposal
    from civiclab.proposals.selectors import authors_of

    raw = request.POST.get("from_proposal") or request.GET.get("from_proposal") or ""
    if not raw.isdigit():
        return None
    proposal = Proposal.objects.filter(city=city, pk=int(raw), hidden_at__isnull=True).first()
    if proposal is None or request.user.pk not in {a.pk for a in authors_of(proposal)}:
        raise Http404
    return proposal


@city_view
@login_required
@require_POST
def project_reply(request, city, budget_slug, project_id):
    budget = get_budget_for(request, city, budget_slug)
    project = get_project_for(budget, project_id)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            actions.do_reply_to_review(project, request.user, form.cleaned_data["author_reply"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Your reply is published."))
    else:
        messages.error(request, _("Write a reply."))
    return redirect("budgeting:project", city_slug=city.slug, budget_slug=budget.slug, project_id=project.pk)


def _marked(paper: dict, request) -> list:
    """The ballot paper with the marks of a refused ballot kept, so nobody has to mark it all again."""
    data = request.POST if request.method == "POST" else {}
    chosen = set(request.POST.getlist("project")) if data else set()
    projects = list(paper.values())
    for p in projects:
        p.marked = p.code in chosen
        p.points_value = data.get(f"points-{p.code}", "") if data else ""
        p.rank_value = data.get(f"rank-{p.code}", "") if data else ""
    return projects


def _receipt_from_cookie(request, budget) -> str:
    # Kept in the voter's browser only: the server never stores which receipt belongs to whom.
    return request.get_signed_cookie(RECEIPT_COOKIE.format(budget.pk), default="", salt="pb-receipt")


BALLOT_POSTS = (5, 10)  # at most 5 ballot posts per 10 seconds per browser session and budget


def _throttled_ballots(view):
    """Answers a flood of ballot posts from one session with 429 before any database work: a double
    click passes, a script sending its ballot fifty times at once mostly does not."""

    @wraps(view)
    def wrapper(request, city, budget_slug, *args, **kwargs):
        session = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        if request.method == "POST" and session:
            digest = hashlib.sha256(f"{city.pk}:{budget_slug}:{session}".encode()).hexdigest()
            try:
                ratelimit.check(f"ballot:{digest}", *BALLOT_POSTS)
            except ratelimit.RateLimited as exc:
                context = {"retry_after": exc.retry_after, "back": request.path}
                response = render(request, "budgeting/too_many.html", context, status=429)
                response["Retry-After"] = str(exc.retry_after)
                return response
        return view(request, city, budget_slug, *args, **kwargs)

    return wrapper


@city_view
@_throttled_ballots
@login_required
@require_http_methods(["GET", "POST"])
def vote(request, city, budget_slug):
    if request.method == "POST":
        budget, options = get_voting_budget_for(request, city, budget_slug)
    else:
        budget, options = get_budget_for(request, city, budget_slug), None
    if not budget.voting_is_open():
        return render(request, "budgeting/vote_closed.html", {"city": city, "budget": budget}, status=403)
    errors: list[str] = []
    receipt = (request.POST.get("receipt") or "").strip() or _receipt_from_cookie(request, budget)
    if request.method == "POST":
        # The busy path of a vote: the action checks everything, and the page is built only on refusal.
        try:
            raw = request.POST.get("district", "")
            options = options or ballot_options(budget)
            district = next((d for d in options.districts if str(d.pk) == raw), None)
            choice = read_ballot(request.POST, budget, district)
            new_receipt = actions.do_cast_ballot(
                budget, request.user, choice, receipt=receipt, options=options
            )
        except actions.AlreadyVoted as exc:
            if not budget.allow_vote_change or request.POST.get("receipt") is None:
                # A double click, or a second device: say so plainly, without building the ballot again.
                context = {"city": city, "budget": budget, "message": exc.messages[0]}
                return render(request, "budgeting/already_voted.html", context, status=409)
            errors = exc.messages
        except ValidationError as exc:
            errors = exc.messages
        else:
            return _receipt_redirect(request, city, budget, new_receipt)
    verification = Verification.objects.filter(budget=budget, user=request.user).first()
    if verification is None:
        return _verify_page(request, city, budget)
    districts = list(budget.districts.all())
    data = request.POST if request.method == "POST" else request.GET
    if budget.residency == "district" and districts:
        district = next((d for d in districts if d.name == verification.district), None)
    else:
        try:
            district = read_district(data, districts)
        except ValidationError:
            district = None
    paper = ballot_paper(budget, district) if (district or not districts) else {}
    return render(
        request,
        "budgeting/vote.html",
        {
            "city": city,
            "budget": budget,
            "districts": districts,
            "district": district,
            "choose_district": bool(districts) and budget.residency != "district",
            "projects": _marked(paper, request),
            "limit": district.amount if district else budget.amount,
            "has_voted": hasattr(verification, "participation"),
            "receipt": receipt,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


def _receipt_redirect(request, city, budget, receipt: str):
    response = redirect("budgeting:receipt", city_slug=city.slug, budget_slug=budget.slug)
    response.set_signed_cookie(
        RECEIPT_COOKIE.format(budget.pk),
        receipt,
        salt="pb-receipt",
        max_age=max(60, int((budget.voting_closes_at - timezone.now()).total_seconds()) + 86400 * 90),
        path=reverse("budgeting:detail", kwargs={"city_slug": city.slug, "budget_slug": budget.slug}),
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )
    return response


def _verify_page(request, city, budget, census_form=None, letter_form=None, status=200):
    return render(
        request,
        "budgeting/verify.html",
        {
            "city": city,
            "budget": budget,
            "census_form": census_form
            or (CensusVerifyForm(prefix="census") if Method.CENSUS in budget.methods else None),
            "letter_form": letter_form
            or (LetterVerifyForm(prefix="letter") if Method.LETTER in budget.methods else None),
            "in_person": Method.IN_PERSON in budget.methods,
        },
        status=status,
    )


@city_view
@login_required
@require_POST
def verify(request, city, budget_slug):
    budget = get_budget_for(request, city, budget_slug)
    method = request.POST.get("method")
    census_form = letter_form = None
    try:
        if method == Method.CENSUS:
            census_form = CensusVerifyForm(request.POST, prefix="census")
            if not census_form.is_valid():
                raise ValidationError(_("Give your identity document number."))
            actions.do_verify_with_census(budget, request.user, census_form.cleaned_data["identifier"])
        elif method == Method.LETTER:
            letter_form = LetterVerifyForm(request.POST, prefix="letter")
            if not letter_form.is_valid():
                raise ValidationError(_("Give the code from your letter."))
            actions.do_verify_with_letter(budget, request.user, letter_form.cleaned_data["code"])
        else:
            raise ValidationError(_("Choose how to prove who you are."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return _verify_page(request, city, budget, census_form, letter_form, status=400)
    messages.success(request, _("Thank you: you may vote in this budget."))
    return redirect("budgeting:vote", city_slug=city.slug, budget_slug=budget.slug)


@city_view
@login_required
def receipt(request, city, budget_slug):
    budget = get_budget_for(request, city, budget_slug)
    code = _receipt_from_cookie(request, budget)
    return render(request, "budgeting/receipt.html", {"city": city, "budget": budget, "receipt": code})


@city_view
@require_http_methods(["GET", "POST"])
def check(request, city, budget_slug):
    """Anyone holding a receipt can see that the ballot is stored (and counted, after the count)."""
    budget = get_budget_for(request, city, budget_slug)
    form = ReceiptForm(posted(request))
    ballot = None
    searched = False
    if request.method == "POST" and form.is_valid():
        searched = True
        ballot = find_ballot(budget, form.cleaned_data["receipt"])
    titles = {p.code: p.title for p in projects_of(budget)} if ballot else {}
    return render(
        request,
        "budgeting/check.html",
        {
            "city": city,
            "budget": budget,
            "form": form,
            "searched": searched,
            "ballot": ballot,
            "ballot_projects": [titles.get(code, code) for code in ballot.projects] if ballot else [],
        },
    )


@city_view
def results(request, city, budget_slug):
    budget = get_budget_for(request, city, budget_slug)
    if not budget.results_published_at:
        raise Http404
    projects = {p.code: p for p in projects_of(budget)}
    outcomes = []
    for outcome in outcomes_of(budget):
        rows = outcome.explanation.get("rows", [])
        top = max((r["votes"] for r in rows), default=0) or 1
        for i, row in enumerate(rows):
            row["title"] = projects[row["project"]].title if row["project"] in projects else row["project"]
            row["bar"] = round(100 * row["votes"] / top, 1)
            row["y"] = 3 * i
        outcomes.append(
            {
                "outcome": outcome,
                "explanation": outcome.explanation,
                "rows": rows,
                "height": max(3 * len(rows), 1),
            }
        )
    return render(
        request,
        "budgeting/results.html",
        {"city": city, "budget": budget, "outcomes": outcomes, "turnout": turnout(budget)},
    )


@city_view
def ballots_file(request, city, budget_slug):
    """The published ballot list in pabulib format, with receipt hashes: anyone can recount it."""
    budget = get_budget_for(request, city, budget_slug)
    if not budget.results_published_at:
        raise Http404
    districts = list(budget.districts.all())
    district = None
    if districts:
        district = next((d for d in districts if str(d.pk) == request.GET.get("district")), None)
        if district is None:
            raise Http404
    election = election_for(budget, district, with_receipts=True)
    response = HttpResponse(pabulib.dumps(election), content_type="text/plain; charset=utf-8")
    name = f"{city.slug}_{budget.slug}" + (f"_{district.pk}" if district else "")
    response["Content-Disposition"] = f'attachment; filename="{name}.pb"'
    return response


# --- Staff ------------------------------------------------------------------------------------


STAFF_TASKS = [
    "change_budget",
    "manage_eligibility",
    "verify_in_person",
    "enter_paper_ballot",
    "review_paper_ballots",
    "count",
]


@staff_view("budgeting.enter_paper_ballot")
def staff_budgets(request, city):
    """Every staff member's way in to the budgets; each sees the tasks their role allows."""
    can = {task: request.user.has_perm(f"budgeting.{task}", city) for task in STAFF_TASKS}
    return render(
        request,
        "budgeting/staff_list.html",
        {
            "city": city,
            "can": can,
            "budgets": list(Budget.objects.for_city(city).order_by("-voting_opens_at", "-pk")),
        },
    )


def _budget_fields(form) -> tuple[dict, list]:
    data = dict(form.cleaned_data)
    districts = data.pop("districts")
    return data, districts


@staff_view("budgeting.add_budget")
@require_http_methods(["GET", "POST"])
def budget_new(request, city):
    form = BudgetForm(posted(request), city=city, initial={"methods": [Method.CENSUS]})
    if request.method == "POST" and form.is_valid():
        fields, districts = _budget_fields(form)
        try:
            budget = actions.do_create_budget(city, request.user, districts=districts, **fields)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The budget is created."))
            return redirect("budgeting:detail", city_slug=city.slug, budget_slug=budget.slug)
    return _staff_form(request, city, None, form, _("New participatory budget"))


@staff_view("budgeting.change_budget")
@require_http_methods(["GET", "POST"])
def budget_edit(request, city, budget_slug):
    budget = get_object_or_404(Budget.objects.for_city(city), slug=budget_slug)
    form = BudgetForm(posted(request), city=city, instance=Budget.objects.get(pk=budget.pk))
    if request.method == "POST" and form.is_valid():
        fields, districts = _budget_fields(form)
        try:
            budget = actions.do_update_budget(budget, request.user, districts=districts, **fields)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The budget is saved."))
            return redirect("budgeting:detail", city_slug=city.slug, budget_slug=budget.slug)
    return _staff_form(request, city, budget, form, _("Edit the budget"))


def _staff_form(request, city, budget, form, title, intro="", submit=None, extra=None, status=None):
    context = {"city": city, "budget": budget, "form": form, "title": title, "intro": intro, "submit": submit}
    context.update(extra or {})
    return render(
        request,
        "budgeting/staff_form.html",
        context,
        status=status or (400 if form is not None and form.is_bound and form.errors else 200),
    )


@staff_view("budgeting.review_project")
@require_http_methods(["GET", "POST"])
def project_review(request, city, budget_slug, project_id):
    budget = get_object_or_404(Budget.objects.for_city(city), slug=budget_slug)
    project = get_project_for(budget, project_id)
    form = ReviewForm(
        posted(request),
        initial={
            "feasible": "no" if project.status == ProjectStatus.UNFEASIBLE else "yes",
            "review_reason": project.review_reason,
            "cost": project.cost,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_review_project(project, request.user, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The review is published and the author is notified."))
            return redirect(
                "budgeting:project", city_slug=city.slug, budget_slug=budget.slug, project_id=project.pk
            )
    return _staff_form(
        request,
        city,
        budget,
        form,
        _("Technical review: %(title)s") % {"title": project.title},
        _("The reason and any note on the cost are public."),
    )


@staff_view("budgeting.manage_eligibility")
@require_http_methods(["GET", "POST"])
def census_upload(request, city, budget_slug):
    budget = get_object_or_404(Budget.objects.for_city(city), slug=budget_slug)
    form = CensusUploadForm(*posted_with_files(request))
    if request.method == "POST" and form.is_valid():
        try:
            rows = actions.do_upload_census(budget, request.user, form.cleaned_data["file"])
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The census list is stored: %(n)s people.") % {"n": rows})
            return redirect("budgeting:staff_list", city_slug=city.slug)
    return _staff_form(
        request,
        city,
        budget,
        form,
        _("Census list: %(title)s") % {"title": budget.title},
        _("Identifiers are stored only as keyed hashes; the file is not kept. People on the list: %(n)s.")
        % {"n": budget.census.count()},
        extra={"multipart": True},
    )


@staff_view("budgeting.manage_eligibility")
@require_http_methods(["GET", "POST"])
def letter_codes(request, city, budget_slug):
    budget = get_object_or_404(Budget.objects.for_city(city), slug=budget_slug)
    form = LetterCodesForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            codes = actions.do_create_letter_codes(budget, request.user, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            # Shown once, as a file for the printer: the codes themselves are never stored.
            response = HttpResponse(content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{budget.slug}-letter-codes.csv"'
            writer = csv.writer(response)
            writer.writerow(["code", "district"])
            writer.writerows([code, form.cleaned_data["district"]] for code in codes)
            return response
    return _staff_form(
        request,
        city,
        budget,
        form,
        _("Letter codes: %(title)s") % {"title": budget.title},
        _(
            "New codes download once as a CSV file for printing; CivicLab keeps only keyed hashes. "
            "Codes so far: %(n)s."
        )
        % {"n": budget.letter_codes.count()},
    )


@staff_view("budgeting.verify_in_person")
@require_http_methods(["GET", "POST"])
def verify_in_person(request, city, budget_slug):
    budget = get_object_or_404(Budget.objects.for_city(city), slug=budget_slug)
    form = InPersonForm(posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = get_user_model().objects.filter(email__iexact=data["email"], erased_at__isnull=True).first()
        try:
            if person is None:
                raise ValidationError({"email": _("No account has this email.")})
            actions.do_verify_in_person(
                budget,
                request.user,
                person,
                identifier=data["identifier"],
                birth_date=data["birth_date"],
                district=data["district"],
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The person may now vote online."))
            return redirect("budgeting:verify_in_person", city_slug=city.slug, budget_slug=budget.slug)
    return _staff_form(
        request,
        city,
        budget,
        form,
        _("Verify a voter in person: %(title)s") % {"title": budget.title},
        _("Check the identity document. Only a keyed hash of its number is stored."),
    )


@staff_view("budgeting.enter_paper_ballot")
@require_http_methods(["GET", "POST"])
def paper_voter(request, city, budget_slug):
    """The polling station's register: before handing out a paper ballot, staff check that the person
    has not voted, online or on paper, and record that they now have."""
    budget = get_object_or_404(Budget.objects.for_city(city), slug=budget_slug)
    form = PaperVoterForm(posted(request), initial={"station": request.GET.get("station", "")})
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_register_paper_voter(budget, request.user, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Recorded. Hand out one paper ballot."))
            url = reverse(
                "budgeting:paper_voter", kwargs={"city_slug": city.slug, "budget_slug": budget.slug}
            )
            return redirect(url + "?" + urlencode({"station": form.cleaned_data["station"]}))
    return _staff_form(
        request,
        city,
        budget,
        form,
        _("Polling station register: %(title)s") % {"title": budget.title},
        _(
            "Check the identity document. CivicLab refuses a person who has already voted, online or "
            "on paper; only a keyed hash of the document number is stored."
        ),
        submit=_("Record and hand out a ballot"),
    )


@staff_view("budgeting.enter_paper_ballot")
@require_http_methods(["GET", "POST"])
def paper_entry(request, city, budget_slug):
    budget = get_object_or_404(Budget.objects.for_city(city), slug=budget_slug)
    districts = list(budget.districts.all())
    data = request.POST if request.method == "POST" else request.GET
    try:
        district = read_district(data, districts)
    except ValidationError:
        district = None
    paper = ballot_paper(budget, district) if (district or not districts) else {}
    sheet_form = PaperSheetForm(posted(request))
    errors: list[str] = []
    if request.method == "POST" and sheet_form.is_valid():
        try:
            choice = read_ballot(request.POST, budget, district)
            entry = actions.do_enter_paper_ballot(
                budget, request.user, choice=choice, **sheet_form.cleaned_data
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(
                request,
                {
                    PaperEntryStatus.WAITING: _("Entered. Another staff member must enter this sheet again."),
                    PaperEntryStatus.MATCHED: _("Both entries agree: the ballot is counted."),
                    PaperEntryStatus.MISMATCH: _("The entries differ: the sheet goes to the review queue."),
                }[entry.status],
            )
            url = reverse("budgeting:paper", kwargs={"city_slug": city.slug, "budget_slug": budget.slug})
            return redirect(url + (f"?district={district.pk}" if district else ""))
    return render(
        request,
        "budgeting/paper.html",
        {
            "city": city,
            "budget": budget,
            "districts": districts,
            "district": district,
            "projects": _marked(paper, request),
            "form": sheet_form,
            "errors": errors,
            "queue": paper_queue(budget).count(),
        },
        status=400 if (errors or sheet_form.errors) else 200,
    )


@staff_view("budgeting.review_paper_ballots")
@require_http_methods(["GET", "POST"])
def paper_review(request, city, budget_slug):
    budget = get_object_or_404(Budget.objects.for_city(city), slug=budget_slug)
    if request.method == "POST":
        entry = get_object_or_404(PaperEntry.objects.filter(budget=budget), pk=request.POST.get("entry") or 0)
        try:
            actions.do_resolve_paper_mismatch(entry, request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The chosen entry is counted."))
        return redirect("budgeting:paper_review", city_slug=city.slug, budget_slug=budget.slug)
    titles = {p.code: p.title for p in projects_of(budget)}
    sheets: dict[tuple[str, str], list] = {}
    for entry in paper_queue(budget):
        entry.titles = [titles.get(code, code) for code in entry.projects]
        sheets.setdefault((entry.station, entry.sheet), []).append(entry)
    return render(
        request,
        "budgeting/paper_review.html",
        {"city": city, "budget": budget, "sheets": [(k[0], k[1], v) for k, v in sheets.items()]},
    )


@staff_view("budgeting.count")
@require_http_methods(["GET", "POST"])
def count(request, city, budget_slug):
    budget = get_object_or_404(Budget.objects.for_city(city), slug=budget_slug)
    if request.method == "POST":
        try:
            actions.do_count(budget, request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return _staff_form(
                request, city, budget, None, _("Count the votes"), submit=_("Count and publish"), status=400
            )
        messages.success(request, _("The votes are counted and the results are published."))
        return redirect("budgeting:results", city_slug=city.slug, budget_slug=budget.slug)
    return _staff_form(
        request,
        city,
        budget,
        None,
        _("Count the votes: %(title)s") % {"title": budget.title},
        _(
            "Counting uses the rule fixed before voting opened, and publishes the results and the "
            "anonymised ballot list."
        ),
        submit=_("Count and publish"),
    )
