import difflib
import secrets

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from civiclab.budgeting.selectors import budgets_taking_projects
from civiclab.cities.access import city_view, staff_view
from civiclab.core.forms import attach_errors, posted, posted_with_files
from civiclab.core.pagecache import anonymous_page_cache

from . import actions, selectors
from .forms import (
    AmendmentForm,
    AnswerForm,
    AppealForm,
    ArgumentForm,
    CoAuthorForm,
    CommentEditForm,
    CommentForm,
    ConclusionForm,
    DebateForm,
    EndorseForm,
    ModerateForm,
    ModerationSettingsForm,
    OfflineProposalForm,
    OfflineSupportForm,
    ProposalEditForm,
    ProposalForm,
    RemoveSupportForm,
    ReportForm,
)
from .models import (
    Amendment,
    AmendmentState,
    AnswerState,
    Argument,
    Attachment,
    Channel,
    CoAuthorship,
    ModerationSettings,
    Proposal,
    Support,
    TargetKind,
)
from .rules import author_ids

PER_PAGE = 20
# Rendered comment threads and list pages are kept this long in the shared cache; their keys hold the
# proposals' updated_at (which every change of what they show moves), so a change shows at once, and
# the TTL only bounds how long a changed display name stays in them.
FRAGMENT_TTL = 60


def _flash(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _kw(component, **extra) -> dict:
    return {
        "city_slug": component.phase.process.city.slug,
        "process_slug": component.phase.process.slug,
        "component_id": component.pk,
        **extra,
    }


def _to_proposal(proposal, anchor: str = ""):
    return redirect(
        reverse("proposals:detail", kwargs=_kw(proposal.component, proposal_id=proposal.pk)) + anchor
    )


# --- Proposals ----------------------------------------------------------------------------------


@anonymous_page_cache
@city_view
def proposal_list(request, city, process_slug, component_id):
    component = selectors.proposals_component(request, city, process_slug, component_id)
    settings = actions.settings_of(component)
    sort = request.GET.get("sort", "recent")
    if sort not in selectors.SORTS:
        sort = "recent"
    seed = request.GET.get("seed", "")
    if sort == "random" and not seed.isdigit():
        # The seed goes into the address, so the order holds across pages, reloads and shared links.
        query = request.GET.copy()
        query["seed"] = str(secrets.randbelow(999_999) + 1)
        return redirect(f"{request.path}?{query.urlencode()}")
    filters = {
        "category": request.GET.get("category", "")
        if request.GET.get("category") in settings["categories"]
        else "",
        "district": request.GET.get("district", "")
        if request.GET.get("district") in settings["districts"]
        else "",
        "state": request.GET.get("state", "")
        if request.GET.get("state") in [*AnswerState.values, "unanswered", selectors.WITHDRAWN]
        else "",
        "mine": request.GET.get("mine") == "1",
        "q": request.GET.get("q", "").strip()[:200],
    }
    keep = {k: v for k, v in request.GET.items() if k != "page" and v}
    context = {
        "city": city,
        "component": component,
        "process": component.phase.process,
        "page_query": urlencode(keep),
    }
    # The cards and page links are the same for everyone (except "only mine"): rendered once per change.
    key = None
    if not filters["mine"]:
        version = selectors.list_version(component)
        key = selectors.fragment_key("list", component.pk, version, sorted(request.GET.items()))
    cards = cache.get(key) if key else None
    if cards is None:
        qs = selectors.proposals_of(component, user=request.user, sort=sort, seed=int(seed or 0), **filters)
        page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
        cards = render_to_string(
            "proposals/_cards.html", {**context, "page": page, "proposals": list(page.object_list)}
        )
        if key:
            cache.set(key, cards, FRAGMENT_TTL)
    return render(
        request,
        "proposals/list.html",
        {
            **context,
            "cards": mark_safe(cards),  # our own template output, escaped when it was rendered
            "settings": settings,
            "filters": filters,
            "sort": sort,
            "seed": seed,
            "sorts": [
                ("recent", _("Most recent")),
                ("supported", _("Most supported")),
                ("commented", _("Most commented")),
                ("random", _("Random")),
            ],
            "states": [
                ("unanswered", _("Not answered yet")),
                *AnswerState.choices,
                (selectors.WITHDRAWN, _("Withdrawn by their authors")),
            ],
            "can_submit": request.user.has_perm("proposals.submit_proposal", component),
            "is_open": component.is_open(),
            "can_record": request.user.has_perm("proposals.record_offline", city),
        },
    )


@city_view
@login_required
@require_http_methods(["GET", "POST"])
def proposal_new(request, city, process_slug, component_id):
    component = selectors.proposals_component(request, city, process_slug, component_id)
    if not request.user.has_perm("proposals.submit_proposal", component):
        return render(request, "proposals/closed.html", {"city": city, "component": component}, status=403)
    form = ProposalForm(*posted_with_files(request), component=component)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = actions.do_submit_proposal(component, request.user, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Your proposal is published."))
            return _to_proposal(proposal)
    return render(
        request,
        "proposals/form.html",
        {"city": city, "component": component, "form": form, "offline": False},
        status=400 if form.is_bound else 200,
    )


def _anonymous_thread(request, city, proposal):
    """The comment thread as anonymous visitors see it (no buttons, nothing personal), rendered once per
    change of the proposal (see FRAGMENT_TTL)."""
    key = selectors.fragment_key("thread", proposal.pk, proposal.updated_at.isoformat())
    html = cache.get(key)
    if html is None:
        html = render_to_string(
            "proposals/_comments.html",
            {"city": city, "comments": selectors.comment_thread(proposal=proposal), "user": request.user},
        )
        cache.set(key, html, FRAGMENT_TTL)
    return mark_safe(html)  # our own template output, escaped when it was rendered


def _detail_context(request, city, component, proposal) -> dict:
    user = request.user
    signed_in = user.is_authenticated
    extras = selectors.proposal_extras(proposal)
    coauthors = extras["coauthors"]
    is_author = signed_in and proposal.author_id == user.pk
    # The permission checks below read the authors from here, not from another query.
    proposal.__dict__["_civiclab_author_ids"] = {
        *([proposal.author_id] if proposal.author_id else []),
        *(c.user_id for c in coauthors if c.user_id and c.accepted_at),
    }
    support_channel = (
        Support.objects.filter(proposal=proposal, user=user).values_list("channel", flat=True).first()
        if signed_in
        else None
    )
    return {
        # Its authors can bring it into a participatory budget that takes projects now.
        "budgets_taking_projects": budgets_taking_projects(city) if is_author else [],
        "city": city,
        "component": component,
        "process": component.phase.process,
        "proposal": proposal,
        "settings": actions.settings_of(component),
        "attachments": extras["attachments"],
        "coauthors": [c for c in coauthors if c.accepted_at],
        "invitation": next(
            (c for c in coauthors if signed_in and c.user_id == user.pk and not c.accepted_at), None
        ),
        "endorsements": extras["endorsements"],
        "amendments": extras["amendments"],
        "versions": extras["versions"],
        "comments": selectors.comment_thread(proposal=proposal, user=user) if signed_in else [],
        "thread": None if signed_in else _anonymous_thread(request, city, proposal),
        "supported": support_channel is not None,
        # Supports that staff recorded from paper, phone or in person are not taken back here.
        "can_withdraw_support": support_channel == Channel.ONLINE
        and user.has_perm("proposals.withdraw_support", proposal),
        "is_author": is_author,
        "can_edit": user.has_perm("proposals.edit_proposal", proposal),
        "can_withdraw": user.has_perm("proposals.withdraw_proposal", proposal),
        "can_support": user.has_perm("proposals.support_proposal", proposal),
        "can_comment": user.has_perm("proposals.comment", component),
        "can_amend": user.has_perm("proposals.amend_proposal", proposal),
        "can_endorse": user.has_perm("proposals.endorse_proposal", proposal),
        "can_answer": user.has_perm("proposals.answer_proposal", city),
        "can_record": user.has_perm("proposals.record_offline", city),
        "can_moderate": user.has_perm("proposals.moderate", city),
        "comment_form": CommentForm(),
        "endorse_form": EndorseForm(),
        "threshold": actions.settings_of(component).get("support_threshold") or 0,
        "follow_enabled": apps.is_installed("civiclab.notifications"),
    }


@anonymous_page_cache
@city_view
def proposal_detail(request, city, process_slug, component_id, proposal_id):
    component = selectors.proposals_component(request, city, process_slug, component_id)
    proposal = selectors.get_proposal_for(request, city, component, proposal_id)
    return render(request, "proposals/detail.html", _detail_context(request, city, component, proposal))


def _refused(request, city, component, proposal, *, heading: str, reason: str):
    return render(
        request,
        "proposals/refused.html",
        {"city": city, "component": component, "proposal": proposal, "heading": heading, "reason": reason},
        status=403,
    )


@city_view
@login_required
@require_http_methods(["GET", "POST"])
def proposal_edit(request, city, process_slug, component_id, proposal_id):
    component = selectors.proposals_component(request, city, process_slug, component_id)
    proposal = selectors.get_proposal_for(request, city, component, proposal_id)
    if request.user.pk not in author_ids(proposal):
        raise PermissionDenied
    refusal = actions.edit_refusal(proposal, request.user)
    if refusal:
        return _refused(
            request, city, component, proposal, heading=_("This proposal cannot be edited"), reason=refusal
        )
    form = ProposalEditForm(*posted_with_files(request), proposal=proposal)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_edit_proposal(proposal, request.user, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Your changes are published."))
            return _to_proposal(proposal)
    return render(
        request,
        "proposals/form.html",
        {"city": city, "component": component, "proposal": proposal, "form": form, "editing": True},
        status=400 if form.is_bound else 200,
    )


@city_view
@login_required
@require_http_methods(["GET", "POST"])
def proposal_withdraw(request, city, process_slug, component_id, proposal_id):
    """A confirmation page, and its POST: withdrawing cannot be undone."""
    component = selectors.proposals_component(request, city, process_slug, component_id)
    proposal = selectors.get_proposal_for(request, city, component, proposal_id)
    if proposal.author_id != request.user.pk:
        raise PermissionDenied
    refusal = actions.withdraw_refusal(proposal, request.user)
    if refusal:
        return _refused(
            request, city, component, proposal, heading=_("This proposal cannot be withdrawn"), reason=refusal
        )
    if request.method == "POST":
        try:
            actions.do_withdraw_proposal(proposal, request.user)
        except ValidationError as exc:
            _flash(request, exc)
        else:
            messages.success(request, _("Your proposal is withdrawn."))
        return _to_proposal(proposal)
    return render(
        request,
        "proposals/withdraw.html",
        {"city": city, "component": component, "proposal": proposal},
    )


def _proposal_post(view):
    """A signed-in POST about one proposal: resolves the component and the proposal, then the view."""

    @city_view
    @login_required
    @require_POST
    def wrapper(request, city, process_slug, component_id, proposal_id, **kwargs):
        component = selectors.proposals_component(request, city, process_slug, component_id)
        proposal = selectors.get_proposal_for(request, city, component, proposal_id)
        return view(request, city, component, proposal, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__module__ = view.__module__
    return wrapper


@_proposal_post
def support(request, city, component, proposal):
    try:
        actions.do_support(proposal, request.user)
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("Thank you: you support this proposal."))
    return _to_proposal(proposal, "#supports")


@_proposal_post
def support_withdraw(request, city, component, proposal):
    try:
        actions.do_withdraw_support(proposal, request.user)
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("You no longer support this proposal."))
    return _to_proposal(proposal, "#supports")


@_proposal_post
def comment_new(request, city, component, proposal):
    form = CommentForm(request.POST)
    if form.is_valid():
        parent = None
        if form.cleaned_data.get("parent"):
            parent = get_object_or_404(proposal.comments.all(), pk=form.cleaned_data["parent"])
        try:
            comment = actions.do_comment(
                request.user, body=form.cleaned_data["body"], proposal=proposal, parent=parent
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Your comment is published."))
            return _to_proposal(proposal, f"#comment-{comment.pk}")
    context = _detail_context(request, city, component, proposal)
    context["comment_form"] = form
    return render(request, "proposals/detail.html", context, status=400)


@_proposal_post
def endorse(request, city, component, proposal):
    form = EndorseForm(request.POST)
    if form.is_valid():
        try:
            actions.do_endorse(proposal, request.user, form.cleaned_data["organisation_name"])
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The endorsement is published."))
            return _to_proposal(proposal, "#endorsements")
    context = _detail_context(request, city, component, proposal)
    context["endorse_form"] = form
    return render(request, "proposals/detail.html", context, status=400)


@_proposal_post
def coauthor_accept(request, city, component, proposal):
    try:
        actions.do_accept_coauthorship(proposal, request.user)
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("You are now a co-author of this proposal."))
    return _to_proposal(proposal)


@city_view
@login_required
@require_http_methods(["GET", "POST"])
def coauthors(request, city, process_slug, component_id, proposal_id):
    component = selectors.proposals_component(request, city, process_slug, component_id)
    proposal = selectors.get_proposal_for(request, city, component, proposal_id)
    if proposal.author_id != request.user.pk:
        raise PermissionDenied
    form = CoAuthorForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_invite_coauthor(proposal, request.user, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The invitation is sent."))
            return redirect(request.path)
    return render(
        request,
        "proposals/coauthors.html",
        {
            "city": city,
            "component": component,
            "proposal": proposal,
            "form": form,
            "coauthors": list(CoAuthorship.objects.filter(proposal=proposal).select_related("user")),
        },
        status=400 if form.is_bound else 200,
    )


@city_view
@login_required
@require_http_methods(["GET", "POST"])
def amend(request, city, process_slug, component_id, proposal_id):
    component = selectors.proposals_component(request, city, process_slug, component_id)
    proposal = selectors.get_proposal_for(request, city, component, proposal_id)
    if not request.user.has_perm("proposals.amend_proposal", proposal):
        return render(request, "proposals/closed.html", {"city": city, "component": component}, status=403)
    form = AmendmentForm(posted(request), initial={"body": proposal.body})
    if request.method == "POST" and form.is_valid():
        try:
            amendment = actions.do_propose_amendment(proposal, request.user, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Your amendment is sent to the author."))
            return redirect(
                "proposals:amendment", **_kw(component, proposal_id=proposal.pk, amendment_id=amendment.pk)
            )
    return render(
        request,
        "proposals/amend.html",
        {"city": city, "component": component, "proposal": proposal, "form": form},
        status=400 if form.is_bound else 200,
    )


def diff_lines(old: str, new: str) -> list[tuple[str, str]]:
    """Word-level differences as (kind, text) pairs: kind is "same", "del" or "ins"."""
    a, b = old.split(" "), new.split(" ")
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("same", " ".join(a[i1:i2])))
        if op in ("delete", "replace"):
            out.append(("del", " ".join(a[i1:i2])))
        if op in ("insert", "replace"):
            out.append(("ins", " ".join(b[j1:j2])))
    return out


@city_view
@require_http_methods(["GET", "POST"])
def amendment_detail(request, city, process_slug, component_id, proposal_id, amendment_id):
    component = selectors.proposals_component(request, city, process_slug, component_id)
    proposal = selectors.get_proposal_for(request, city, component, proposal_id)
    amendment = get_object_or_404(
        Amendment.objects.filter(proposal=proposal).select_related("author"), pk=amendment_id
    )
    is_author = request.user.is_authenticated and proposal.author_id == request.user.pk
    if request.method == "POST":
        if not is_author:
            raise PermissionDenied
        try:
            actions.do_decide_amendment(
                amendment, request.user, accept=request.POST.get("decision") == "accept"
            )
        except ValidationError as exc:
            _flash(request, exc)
        else:
            messages.success(request, _("Your decision is saved."))
        return _to_proposal(proposal, "#amendments")
    return render(
        request,
        "proposals/amendment.html",
        {
            "city": city,
            "component": component,
            "proposal": proposal,
            "amendment": amendment,
            "diff": diff_lines(amendment.base_body, amendment.body),
            "can_decide": is_author
            and amendment.state == AmendmentState.PENDING
            and proposal.withdrawn_at is None,
        },
    )


@city_view
def attachment(request, city, process_slug, component_id, proposal_id, attachment_id):
    """Files are always downloads with the type read from their content: never rendered inline."""
    component = selectors.proposals_component(request, city, process_slug, component_id)
    proposal = selectors.get_proposal_for(request, city, component, proposal_id)
    item = get_object_or_404(Attachment.objects.filter(proposal=proposal), pk=attachment_id)
    try:
        with item.file.open("rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise Http404 from None
    # Files are at most 10 MB; a plain response keeps the headers simple and the body countable.
    response = HttpResponse(data, content_type=item.content_type)
    name = item.file.name.rsplit("/", 1)[-1]
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- Staff: answers, offline contributions, the must-answer queue --------------------------------


@staff_view("proposals.answer_proposal")
@require_http_methods(["GET", "POST"])
def answer(request, city, process_slug, component_id, proposal_id):
    component = selectors.proposals_component(request, city, process_slug, component_id)
    proposal = selectors.get_proposal_for(request, city, component, proposal_id)
    initial = {"state": proposal.answer_state, "reason": proposal.answer_reason}
    form = AnswerForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        merged = None
        if form.cleaned_data.get("merged_into"):
            merged = Proposal.objects.filter(component=component, pk=form.cleaned_data["merged_into"]).first()
            if merged is None:
                form.add_error("merged_into", _("There is no proposal with this number here."))
        if not form.errors:
            try:
                actions.do_answer(
                    proposal,
                    request.user,
                    state=form.cleaned_data["state"],
                    reason=form.cleaned_data["reason"],
                    merged_into=merged,
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, _("The answer is published and the author is notified."))
                return _to_proposal(proposal, "#answer")
    return render(
        request,
        "proposals/answer.html",
        {"city": city, "component": component, "proposal": proposal, "form": form},
        status=400 if form.is_bound else 200,
    )


@staff_view("proposals.record_offline")
@require_http_methods(["GET", "POST"])
def offline_proposal(request, city, process_slug, component_id):
    component = selectors.proposals_component(request, city, process_slug, component_id)
    form = OfflineProposalForm(*posted_with_files(request), component=component)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        email = data.pop("author_email", "")
        author = None
        if email:
            from django.contrib.auth import get_user_model

            author = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
            if author is None:
                form.add_error("author_email", _("No account uses this email address."))
        if not form.errors:
            try:
                proposal = actions.do_submit_proposal(component, author, recorded_by=request.user, **data)
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, _("The proposal is recorded."))
                return _to_proposal(proposal)
    return render(
        request,
        "proposals/form.html",
        {"city": city, "component": component, "form": form, "offline": True},
        status=400 if form.is_bound else 200,
    )


@staff_view("proposals.record_offline")
@require_http_methods(["GET", "POST"])
def offline_support(request, city, process_slug, component_id, proposal_id):
    component = selectors.proposals_component(request, city, process_slug, component_id)
    proposal = selectors.get_proposal_for(request, city, component, proposal_id)
    form = OfflineSupportForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_record_offline_support(proposal, request.user, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The support is recorded."))
            return redirect(request.path)
    return _offline_support_page(
        request, city, component, proposal, form, status=400 if form.is_bound else 200
    )


def _offline_support_page(request, city, component, proposal, form, *, status, removal=None, removing=None):
    return render(
        request,
        "proposals/offline_support.html",
        {
            "city": city,
            "component": component,
            "proposal": proposal,
            "form": form,
            "recorded": selectors.recorded_supports(proposal),
            "removal": removal,  # a refused removal's form, shown on its row
            "removing": removing,
        },
        status=status,
    )


@staff_view("proposals.record_offline")
@require_POST
def offline_support_remove(request, city, process_slug, component_id, proposal_id, support_id):
    component = selectors.proposals_component(request, city, process_slug, component_id)
    proposal = selectors.get_proposal_for(request, city, component, proposal_id)
    support = selectors.get_recorded_support(proposal, support_id)
    support.proposal = proposal
    form = RemoveSupportForm(request.POST)
    if form.is_valid():
        try:
            actions.do_remove_offline_support(support, request.user, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The support is removed."))
            return redirect("proposals:offline_support", city.slug, process_slug, component.pk, proposal.pk)
    return _offline_support_page(
        request,
        city,
        component,
        proposal,
        OfflineSupportForm(),
        status=400,
        removal=form,
        removing=support.pk,
    )


@staff_view("proposals.answer_proposal")
def must_answer_queue(request, city):
    return render(
        request, "proposals/must_answer.html", {"city": city, "proposals": selectors.must_answer(city)}
    )


# --- Debates ------------------------------------------------------------------------------------


@anonymous_page_cache
@city_view
def debate_list(request, city, process_slug, component_id):
    component = selectors.debates_component(request, city, process_slug, component_id)
    debates = list(component.debates.filter(hidden_at__isnull=True))
    return render(
        request,
        "proposals/debates.html",
        {
            "city": city,
            "component": component,
            "process": component.phase.process,
            "debates": debates,
            "can_manage": request.user.has_perm("proposals.manage_debates", city),
        },
    )


def _debate_context(request, city, component, debate) -> dict:
    arguments = list(debate.arguments.filter(hidden_at__isnull=True).select_related("author"))
    threads = {}
    if arguments:
        from .models import Comment

        by_argument: dict[int, list] = {}
        for c in (
            Comment.objects.filter(argument__in=arguments)
            .select_related("author")
            .prefetch_related("revisions")
        ):
            by_argument.setdefault(c.argument_id, []).append(c)
        selectors.render_bodies([c for cs in by_argument.values() for c in cs])
        for a in arguments:
            threads[a.pk] = _thread(by_argument.get(a.pk, []))
    for a in arguments:
        a.thread = threads.get(a.pk, [])
    return {
        "city": city,
        "component": component,
        "process": component.phase.process,
        "debate": debate,
        "pros": [a for a in arguments if a.side == "pro"],
        "cons": [a for a in arguments if a.side == "con"],
        "form": ArgumentForm(),
        "can_argue": request.user.has_perm("proposals.add_argument", debate),
        "can_comment": request.user.has_perm("proposals.comment", component)
        and actions.settings_of(component).get("comments_enabled", True),
        "can_manage": request.user.has_perm("proposals.manage_debates", city),
        "can_moderate": request.user.has_perm("proposals.moderate", city),
        "follow_enabled": apps.is_installed("civiclab.notifications"),
    }


def _thread(comments):
    children: dict = {}
    for c in comments:
        c.shown_depth = min(c.depth, actions.MAX_COMMENT_DEPTH)
        children.setdefault(c.parent_id, []).append(c)
    out: list = []

    def walk(parent_id):
        for c in children.get(parent_id, []):
            out.append(c)
            walk(c.pk)

    walk(None)
    return out


@anonymous_page_cache
@city_view
def debate_detail(request, city, process_slug, component_id, debate_id):
    component = selectors.debates_component(request, city, process_slug, component_id)
    debate = selectors.get_debate_for(request, city, component, debate_id)
    return render(request, "proposals/debate.html", _debate_context(request, city, component, debate))


@city_view
@login_required
@require_POST
def argument_new(request, city, process_slug, component_id, debate_id):
    component = selectors.debates_component(request, city, process_slug, component_id)
    debate = selectors.get_debate_for(request, city, component, debate_id)
    form = ArgumentForm(request.POST)
    if form.is_valid():
        try:
            actions.do_add_argument(debate, request.user, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Your argument is published."))
            return redirect("proposals:debate", **_kw(component, debate_id=debate.pk))
    context = _debate_context(request, city, component, debate)
    context["form"] = form
    return render(request, "proposals/debate.html", context, status=400)


@city_view
@login_required
@require_POST
def argument_comment(request, city, process_slug, component_id, debate_id, argument_id):
    component = selectors.debates_component(request, city, process_slug, component_id)
    debate = selectors.get_debate_for(request, city, component, debate_id)
    argument = get_object_or_404(
        Argument.objects.filter(debate=debate, hidden_at__isnull=True), pk=argument_id
    )
    argument.debate = debate
    form = CommentForm(request.POST)
    if form.is_valid():
        parent = None
        if form.cleaned_data.get("parent"):
            parent = get_object_or_404(argument.comments.all(), pk=form.cleaned_data["parent"])
        try:
            actions.do_comment(request.user, body=form.cleaned_data["body"], argument=argument, parent=parent)
        except ValidationError as exc:
            _flash(request, exc)
        else:
            messages.success(request, _("Your comment is published."))
    else:
        messages.error(request, _("Write a comment."))
    return redirect(
        reverse("proposals:debate", kwargs=_kw(component, debate_id=debate.pk)) + f"#argument-{argument.pk}"
    )


@staff_view("proposals.manage_debates")
@require_http_methods(["GET", "POST"])
def debate_new(request, city, process_slug, component_id):
    component = selectors.debates_component(request, city, process_slug, component_id)
    form = DebateForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            debate = actions.do_create_debate(component, request.user, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The debate is open."))
            return redirect("proposals:debate", **_kw(component, debate_id=debate.pk))
    return render(
        request,
        "proposals/debate_form.html",
        {"city": city, "component": component, "form": form},
        status=400 if form.is_bound else 200,
    )


@staff_view("proposals.manage_debates")
@require_http_methods(["GET", "POST"])
def debate_close(request, city, process_slug, component_id, debate_id):
    component = selectors.debates_component(request, city, process_slug, component_id)
    debate = selectors.get_debate_for(request, city, component, debate_id)
    form = ConclusionForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_close_debate(debate, request.user, conclusion=form.cleaned_data["conclusion"])
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The debate is closed."))
            return redirect("proposals:debate", **_kw(component, debate_id=debate.pk))
    return render(
        request,
        "proposals/debate_close.html",
        {"city": city, "component": component, "debate": debate, "form": form},
        status=400 if form.is_bound else 200,
    )


# --- Comments -----------------------------------------------------------------------------------


def _comment_page(comment) -> str:
    if comment.proposal_id:
        p = comment.proposal
        return (
            reverse("proposals:detail", kwargs=_kw(p.component, proposal_id=p.pk)) + f"#comment-{comment.pk}"
        )
    a = comment.argument
    return (
        reverse("proposals:debate", kwargs=_kw(a.debate.component, debate_id=a.debate_id))
        + f"#comment-{comment.pk}"
    )


def _with_city(comment, city):
    target = comment.proposal or comment.argument.debate
    target.component.phase.process.city = city
    return comment


def _visible_comment(request, city, comment_id):
    comment = _with_city(selectors.get_comment_for(city, comment_id), city)
    process = (
        comment.proposal.component if comment.proposal_id else comment.argument.debate.component
    ).phase.process
    if not process.published and not request.user.has_perm("processes.view_unpublished", city):
        raise Http404
    if comment.is_hidden and not request.user.has_perm("proposals.moderate", city):
        raise Http404
    return comment


@city_view
@login_required
@require_http_methods(["GET", "POST"])
def comment_edit(request, city, comment_id):
    comment = _visible_comment(request, city, comment_id)
    if comment.is_removed:
        raise Http404
    if comment.author_id != request.user.pk:
        raise PermissionDenied
    form = CommentEditForm(posted(request), initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_edit_comment(comment, request.user, form.cleaned_data["body"])
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Your comment is saved; its earlier version stays visible."))
            return redirect(_comment_page(comment))
    return render(
        request,
        "proposals/comment_edit.html",
        {"city": city, "comment": comment, "form": form, "back": _comment_page(comment)},
        status=400 if form.is_bound else 200,
    )


@city_view
@login_required
@require_http_methods(["GET", "POST"])
def comment_delete(request, city, comment_id):
    """A confirmation page, and its POST: the author deletes their comment (see do_delete_comment)."""
    comment = _visible_comment(request, city, comment_id)
    if comment.is_removed:
        raise Http404
    if comment.author_id != request.user.pk:
        raise PermissionDenied
    back = _comment_page(comment)
    if request.method == "POST":
        try:
            actions.do_delete_comment(comment, request.user)
        except ValidationError as exc:
            _flash(request, exc)
        else:
            messages.success(request, _("Your comment is deleted."))
        return redirect(back)
    selectors.render_bodies([comment])
    return render(request, "proposals/comment_delete.html", {"city": city, "comment": comment, "back": back})


@city_view
@login_required
@require_POST
def comment_vote(request, city, comment_id):
    comment = _visible_comment(request, city, comment_id)
    try:
        actions.do_vote_comment(comment, request.user, 1 if request.POST.get("value") == "agree" else -1)
    except ValidationError as exc:
        _flash(request, exc)
    return redirect(_comment_page(comment))


@city_view
def comment_history(request, city, comment_id):
    comment = _visible_comment(request, city, comment_id)
    return render(
        request,
        "proposals/comment_history.html",
        {
            "city": city,
            "comment": comment,
            "revisions": list(comment.revisions.all()),
            "back": _comment_page(comment),
        },
    )


# --- Moderation ---------------------------------------------------------------------------------


def _target_page(target, kind) -> str:
    if kind == TargetKind.PROPOSAL:
        return reverse("proposals:detail", kwargs=_kw(target.component, proposal_id=target.pk))
    if kind == TargetKind.ARGUMENT:
        return reverse("proposals:debate", kwargs=_kw(target.debate.component, debate_id=target.debate_id))
    comment = target
    if comment.proposal_id:
        return reverse(
            "proposals:detail", kwargs=_kw(comment.proposal.component, proposal_id=comment.proposal_id)
        )
    return reverse(
        "proposals:debate",
        kwargs=_kw(comment.argument.debate.component, debate_id=comment.argument.debate_id),
    )


def _text_of(target) -> str:
    return getattr(target, "title", None) or getattr(target, "text", None) or target.body


def _bind(target, city):
    if hasattr(target, "component"):
        target.component.phase.process.city = city
    elif hasattr(target, "debate"):
        target.debate.component.phase.process.city = city
    return target


@city_view
@login_required
@require_http_methods(["GET", "POST"])
def report(request, city, kind, pk):
    if kind == TargetKind.COMMENT:
        target = _visible_comment(request, city, pk)
    else:
        target = _bind(selectors.get_target(city, kind, pk), city)
        component = target.component if kind == TargetKind.PROPOSAL else target.debate.component
        may_see_drafts = request.user.has_perm("processes.view_unpublished", city)
        if not may_see_drafts and not (component.enabled and component.phase.process.published):
            raise Http404
    if target.is_hidden or (kind == TargetKind.COMMENT and target.is_removed):
        raise Http404
    form = ReportForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_report(request.user, target, form.cleaned_data["reason"])
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Thank you: the moderators will look at it."))
            return redirect(_target_page(target, kind))
    return render(
        request,
        "proposals/report.html",
        {"city": city, "form": form, "text": _text_of(target), "back": _target_page(target, kind)},
        status=400 if form.is_bound else 200,
    )


@city_view
@login_required
@require_http_methods(["GET", "POST"])
def appeal(request, city, kind, pk):
    target = selectors.get_target(city, kind, pk)
    if target.author_id != request.user.pk:
        raise PermissionDenied
    from .models import Appeal

    existing = Appeal.objects.filter(kind=kind, target_id=target.pk).first()
    form = AppealForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_appeal(target, request.user, form.cleaned_data["text"])
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Your appeal is sent to the moderators."))
            return redirect(request.path)
    return render(
        request,
        "proposals/appeal.html",
        {"city": city, "form": form, "target": target, "text": _text_of(target), "appeal": existing},
        status=400 if form.is_bound else 200,
    )


@staff_view("proposals.moderate")
def moderation_queue(request, city):
    queue = selectors.moderation_queue(city)
    return render(request, "proposals/moderation.html", {"city": city, **queue})


@staff_view("proposals.moderate")
@require_http_methods(["GET", "POST"])
def moderate(request, city, kind, pk):
    target = selectors.get_target(city, kind, pk)
    form = ModerateForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_moderate(target, request.user, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The decision is saved and the author is told."))
            return redirect("proposals:moderation", city_slug=city.slug)
    from .models import Appeal

    return render(
        request,
        "proposals/moderate.html",
        {
            "city": city,
            "form": form,
            "target": target,
            "kind": kind,
            "text": _text_of(target),
            "reports": selectors.reports_of(city, kind, pk),
            "appeal": Appeal.objects.filter(kind=kind, target_id=pk, city=city).first(),
        },
        status=400 if form.is_bound else 200,
    )


@staff_view("proposals.change_moderation_settings")
@require_http_methods(["GET", "POST"])
def moderation_settings(request, city):
    instance = ModerationSettings.objects.filter(city=city).first() or ModerationSettings(city=city)
    form = ModerationSettingsForm(posted(request), instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_moderation_settings(city, request.user, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The moderation settings are saved."))
            return redirect("proposals:moderation", city_slug=city.slug)
    return render(
        request,
        "proposals/moderation_settings.html",
        {"city": city, "form": form},
        status=400 if form.is_bound else 200,
    )
