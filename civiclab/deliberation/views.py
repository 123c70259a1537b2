import hashlib
import math
import secrets
from datetime import date

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civiclab.cities.access import city_view, staff_view
from civiclab.core.forms import posted, posted_with_files
from civiclab.core.ratelimit import RateLimited

from . import actions, exports, selectors
from .forms import ConversationForm, ImportForm, ModerationForm, StatementForm, parse_vote
from .models import Statement, StatementStatus, VoteValue
from .rules import participation_refusal

# Visitors of "anyone with the link" conversations are known by a random token in a signed cookie; the
# database keeps only its hash. Never an IP address.
ANON_COOKIE = "civiclab_participant"
ANON_SALT = "civiclab.deliberation.participant"
ANON_MAX_AGE = 365 * 24 * 3600
GROUP_LETTERS = "ABCDEFGH"


def _anon_token(request) -> str | None:
    return request.get_signed_cookie(ANON_COOKIE, default=None, salt=ANON_SALT)


def _anon_key(token: str | None) -> str | None:
    return hashlib.sha256(token.encode()).hexdigest() if token else None


def _remember(response, token: str | None, fresh: bool):
    if fresh and token:
        response.set_signed_cookie(
            ANON_COOKIE,
            token,
            salt=ANON_SALT,
            max_age=ANON_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


def _participant(request, conversation):
    if request.user.is_authenticated:
        return actions.get_participant(conversation, user=request.user)
    return actions.get_participant(conversation, anon_key=_anon_key(_anon_token(request)))


def _join(request, conversation):
    """(participant, token, fresh): joins on the first contribution, making a token for anonymous visitors."""
    token, fresh = None, False
    if not request.user.is_authenticated:
        token = _anon_token(request)
        if token is None:
            token, fresh = secrets.token_urlsafe(32), True
    participant = actions.do_join(conversation, user=request.user, anon_key=_anon_key(token))
    return participant, token, fresh


REFUSALS = {
    "sign_in": _("Sign in to take part in this conversation."),
    "not_resident": _("This conversation is open to the residents of this city."),
    "not_verified": _("Confirm your email address to take part in this conversation."),
}


def _voting_context(request, city, conversation, participant, with_votes=True, answered_ids=None):
    statement, answered, total = selectors.next_statement(conversation, participant, answered_ids)
    refusal = participation_refusal(request.user, conversation)
    return {
        "city": city,
        "conversation": conversation,
        "statement": statement,
        "answered": answered,
        "total": total,
        "is_open": conversation.is_open(),
        "refusal": REFUSALS.get(refusal) if refusal else None,
        "my_votes": list(selectors.votes_of(participant)) if with_votes else [],
        "vote_choices": VoteValue.choices,
    }


@city_view
@require_GET
def conversation_detail(request, city, conversation_slug):
    conversation = selectors.get_conversation_for(request, city, conversation_slug)
    participant = _participant(request, conversation)
    context = _voting_context(request, city, conversation, participant)
    context["statement_form"] = StatementForm()
    context["can_moderate"] = request.user.has_perm("deliberation.moderate_conversation", city)
    return render(request, "deliberation/detail.html", context)


@city_view
@require_POST
def vote(request, city, conversation_slug):
    conversation = selectors.get_conversation_for_vote(request, city, conversation_slug)
    posted_vote = parse_vote(request.POST)
    status, problem = 200, None
    token, fresh = None, False
    answered_ids = None
    participant = _participant(request, conversation)
    if posted_vote is None:
        status, problem = 400, _("Choose agree, disagree or pass.")
    elif (refusal := participation_refusal(request.user, conversation)) is not None:
        status, problem = 403, REFUSALS[refusal]
    else:
        try:
            if participant is None:
                participant, token, fresh = _join(request, conversation)
            answered_ids = actions.do_vote(
                conversation,
                participant,
                *posted_vote,
                user=request.user,
            )
        except RateLimited as exc:
            status, problem = (
                429,
                _("You are voting very fast. Wait %(n)d seconds and try again.") % {"n": exc.retry_after},
            )
        except ValidationError as exc:
            status, problem = 400, " ".join(exc.messages)
    if request.htmx:
        # Only the next card: re-rendering the list of one's votes made each answer 4 times slower. The
        # list is complete again on the next page load.
        context = _voting_context(
            request, city, conversation, participant, with_votes=False, answered_ids=answered_ids
        )
        context["problem"] = problem
        context["announcement"] = problem or _("Your answer is saved.")
        # What the card uses of the context processors, given directly: running them all cost more than
        # the card itself.
        context.update(request=request, user=request.user, csrf_token=get_token(request))
        html = render_to_string("deliberation/_vote_response.html", context)
        return _remember(HttpResponse(html, status=status), token, fresh)
    if problem:
        # The page again, with the problem on it and the status that says what went wrong.
        context = _voting_context(request, city, conversation, participant)
        context["problem"] = problem
        context["statement_form"] = StatementForm()
        response = render(request, "deliberation/detail.html", context, status=status)
        return _remember(response, token, fresh)
    messages.success(request, _("Your answer is saved."))
    anchor = "#your-votes" if request.POST.get("from") == "list" else "#statement-heading"
    url = reverse("deliberation:detail", args=[city.slug, conversation.slug]) + anchor
    return _remember(redirect(url), token, fresh)


@city_view
@require_http_methods(["GET", "POST"])
def statement_new(request, city, conversation_slug):
    conversation = selectors.get_conversation_for(request, city, conversation_slug)
    form = StatementForm(posted(request))
    refusal = participation_refusal(request.user, conversation)
    status = 200
    duplicate = None
    if request.method == "POST":
        status = 400
        if refusal is not None or not conversation.is_open():
            status = 403
        elif form.is_valid():
            token, fresh = None, False
            try:
                participant = _participant(request, conversation)
                if participant is None:
                    participant, token, fresh = _join(request, conversation)
                statement = actions.do_add_statement(
                    conversation,
                    text=form.cleaned_data["text"],
                    author=request.user,
                    participant=participant,
                    confirmed=form.cleaned_data["confirm"],
                )
            except actions.NearDuplicate as exc:
                duplicate = exc.existing
                form.add_error(
                    "text",
                    _(
                        "A very similar statement exists already. Vote on it instead, or tick the box "
                        "below if yours says something different."
                    ),
                )
            except RateLimited as exc:
                status = 429
                form.add_error(
                    None,
                    _("You have added many statements in a short time. Try again in %(n)d minutes.")
                    % {"n": math.ceil(exc.retry_after / 60)},
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if statement.status == StatementStatus.PENDING:
                    messages.success(
                        request, _("Thank you. Your statement will appear once a moderator accepts it.")
                    )
                else:
                    messages.success(request, _("Thank you. Your statement is published."))
                response = redirect(
                    "deliberation:detail", city_slug=city.slug, conversation_slug=conversation.slug
                )
                return _remember(response, token, fresh)
    return render(
        request,
        "deliberation/statement_form.html",
        {
            "city": city,
            "conversation": conversation,
            "form": form,
            "duplicate": duplicate,
            "refusal": REFUSALS.get(refusal) if refusal else None,
            "is_open": conversation.is_open(),
        },
        status=status,
    )


# --- The report ---------------------------------------------------------------------------------------

MAP_W, MAP_H, MAP_PAD = 480, 320, 24
MAP_BINS = 48  # the map draws one dot per occupied cell and group: bounded size, and no single person


def _map(result: dict) -> dict:
    points = result.get("participants", {}).values()
    points = [(g, x, y) for g, x, y in points]
    if not points:
        return {"dots": [], "labels": []}
    xs = [p[1] for p in points]
    ys = [p[2] for p in points]
    x0, x1 = min(xs), max(xs)
    y0, y1 = min(ys), max(ys)
    span_x, span_y = (x1 - x0) or 1.0, (y1 - y0) or 1.0

    def sx(x):
        return MAP_PAD + (x - x0) / span_x * (MAP_W - 2 * MAP_PAD)

    def sy(y):
        return MAP_H - MAP_PAD - (y - y0) / span_y * (MAP_H - 2 * MAP_PAD)

    cells: dict[tuple[int, int, int], int] = {}
    for g, x, y in points:
        key = (g, int((x - x0) / span_x * (MAP_BINS - 1)), int((y - y0) / span_y * (MAP_BINS - 1)))
        cells[key] = cells.get(key, 0) + 1
    dots = []
    for (g, bx, by), n in sorted(cells.items()):
        cx = x0 + (bx + 0.5) / (MAP_BINS - 1) * span_x if MAP_BINS > 1 else x0
        cy = y0 + (by + 0.5) / (MAP_BINS - 1) * span_y if MAP_BINS > 1 else y0
        dots.append(
            {
                "x": round(sx(min(cx, x1)), 1),
                "y": round(sy(min(cy, y1)), 1),
                "r": round(2.5 + math.sqrt(n), 1),
                "group": g,
                "css": f"g{g}" if g >= 0 else "gnone",
            }
        )
    labels = []
    for g, (cx, cy) in enumerate(result.get("centers", [])):
        labels.append(
            {"x": round(sx(cx), 1), "y": round(sy(cy), 1), "letter": GROUP_LETTERS[g % 8], "css": f"g{g}"}
        )
    return {"dots": dots, "labels": labels}


def _participation(result: dict) -> dict:
    days = result.get("participation", [])
    if not days:
        return {"days": [], "bars": []}
    top = max(d["votes"] for d in days) or 1
    width = (MAP_W - 2 * MAP_PAD) / len(days)
    bars = []
    for i, d in enumerate(days):
        h = d["votes"] / top * (160 - 30)
        bars.append(
            {
                "x": round(MAP_PAD + i * width + width * 0.1, 1),
                "y": round(160 - 20 - h, 1),
                "w": round(max(width * 0.8, 1), 1),
                "h": round(h, 1),
            }
        )
    return {
        "days": [{**d, "date": date.fromisoformat(d["day"])} for d in days],
        "bars": bars,
        "top": top,
    }


def _pct(n, total) -> int:
    return round(100 * n / total) if total else 0


def report_context(conversation, report) -> dict:
    if report is None:
        return {"report": None}
    result = report.result
    statements = selectors.statement_texts(conversation)
    group_votes = result.get("group_votes", {})
    k = result.get("k", 0)

    def text(tid):
        s = statements.get(tid)
        return s.text if s else ""

    groups = []
    for g in range(k):
        reps = []
        for r in result.get("repness", {}).get(str(g), []):
            reps.append(
                {
                    "tid": r["tid"],
                    "text": text(r["tid"]),
                    "agree": r["repful-for"] == "agree",
                    "n": r["n-success"],
                    "of": r["n-trials"],
                    "pct": _pct(r["n-success"], r["n-trials"]),
                }
            )
        groups.append(
            {
                "index": g,
                "letter": GROUP_LETTERS[g % 8],
                "size": result["group_sizes"][g] if g < len(result.get("group_sizes", [])) else 0,
                "center": result["centers"][g] if g < len(result.get("centers", [])) else None,
                "repness": reps,
            }
        )

    def by_group(tid):
        rows = group_votes.get(str(tid), [])
        return [
            {"letter": GROUP_LETTERS[g % 8], "agree": _pct(a, s), "disagree": _pct(d, s), "seen": s}
            for g, (a, d, s) in enumerate(rows)
        ]

    consensus = {
        side: [
            {
                "tid": c["tid"],
                "text": text(c["tid"]),
                "pct": _pct(c["n-success"], c["n-trials"]),
                "of": c["n-trials"],
            }
            for c in result.get("consensus", {}).get(side, [])
        ]
        for side in ("agree", "disagree")
    }
    group_consensus = [
        {"tid": c["tid"], "text": text(c["tid"]), "groups": by_group(c["tid"])}
        for c in result.get("group_consensus", [])
    ]
    divisive = [
        {"tid": d["tid"], "text": text(d["tid"]), "groups": by_group(d["tid"])}
        for d in result.get("divisive", [])
    ]
    unplaced = sum(1 for g, _x, _y in result.get("participants", {}).values() if g < 0)
    return {
        "report": report,
        "result": result,
        "groups": groups,
        "consensus": consensus,
        "group_consensus": group_consensus,
        "divisive": divisive,
        "map": _map(result),
        "map_size": {"w": MAP_W, "h": MAP_H},
        "participation": _participation(result),
        "unplaced": unplaced,
        "placed": sum(g["size"] for g in groups),
    }


@city_view
@require_GET
def conversation_report(request, city, conversation_slug):
    conversation = selectors.get_conversation_for(request, city, conversation_slug)
    report = getattr(conversation, "report", None) if _has_report(conversation) else None
    context = {
        "city": city,
        "conversation": conversation,
        "export_names": exports.EXPORT_FILES,
        **report_context(conversation, report),
    }
    return render(request, "deliberation/report.html", context)


def _has_report(conversation) -> bool:
    from .models import OpinionReport

    try:
        conversation.report  # noqa: B018 (loads the one-to-one)
    except OpinionReport.DoesNotExist:
        return False
    return True


# --- Staff ------------------------------------------------------------------------------------------


@staff_view("deliberation.view_conversations")
@require_GET
def staff_conversations(request, city):
    return render(
        request,
        "deliberation/staff_list.html",
        {
            "city": city,
            "conversations": selectors.all_conversations(city),
            "can_add": request.user.has_perm("deliberation.add_conversation", city),
            "can_change": request.user.has_perm("deliberation.change_conversation", city),
            "can_moderate": request.user.has_perm("deliberation.moderate_conversation", city),
            "can_export": request.user.has_perm("deliberation.export_conversation", city),
        },
    )


@staff_view("deliberation.add_conversation")
@require_http_methods(["GET", "POST"])
def conversation_new(request, city):
    form = ConversationForm(posted(request), city=city)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        seeds = data.pop("seeds")
        try:
            conversation = actions.do_create_conversation(city, request.user, seeds=seeds, **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The conversation is created."))
            return redirect("deliberation:detail", city_slug=city.slug, conversation_slug=conversation.slug)
    return render(
        request,
        "deliberation/conversation_form.html",
        {"city": city, "form": form, "conversation": None},
        status=400 if form.is_bound else 200,
    )


@staff_view("deliberation.change_conversation")
@require_http_methods(["GET", "POST"])
def conversation_edit(request, city, conversation_slug):
    conversation = selectors.get_staff_conversation(city, conversation_slug)
    form = ConversationForm(posted(request), instance=conversation, city=city, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            conversation = actions.do_update_conversation(conversation, request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The conversation is saved."))
            return redirect("deliberation:detail", city_slug=city.slug, conversation_slug=conversation.slug)
    return render(
        request,
        "deliberation/conversation_form.html",
        {"city": city, "form": form, "conversation": conversation},
        status=400 if form.is_bound else 200,
    )


@staff_view("deliberation.moderate_conversation")
@require_http_methods(["GET", "POST"])
def moderation(request, city, conversation_slug):
    conversation = selectors.get_staff_conversation(city, conversation_slug)
    form = ModerationForm(posted(request))
    failed_tid = None
    if request.method == "POST":
        if form.is_valid():
            statement = get_object_or_404(
                Statement, conversation=conversation, tid=form.cleaned_data["statement"]
            )
            try:
                actions.do_moderate_statement(
                    statement,
                    request.user,
                    status=form.cleaned_data["decision"],
                    reason=form.cleaned_data["reason"],
                    is_meta=form.cleaned_data["is_meta"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Statement %(tid)d is saved.") % {"tid": statement.tid})
                return redirect(
                    "deliberation:moderation", city_slug=city.slug, conversation_slug=conversation.slug
                )
        failed_tid = form.data.get("statement")
    statements = list(selectors.moderation_queue(conversation))
    return render(
        request,
        "deliberation/moderation.html",
        {
            "city": city,
            "conversation": conversation,
            "pending": [s for s in statements if s.status == StatementStatus.PENDING],
            "decided": [s for s in statements if s.status != StatementStatus.PENDING],
            "form": form,
            "failed_tid": str(failed_tid) if failed_tid is not None else None,
        },
        status=400 if form.is_bound else 200,
    )


@staff_view("deliberation.export_conversation")
@require_GET
def export(request, city, conversation_slug):
    conversation = selectors.get_staff_conversation(city, conversation_slug)
    response = HttpResponse(exports.export_zip(conversation, public=False), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{conversation.slug}-polis.zip"'
    return response


@staff_view("deliberation.add_conversation")
@require_http_methods(["GET", "POST"])
def import_conversation(request, city):
    form = ImportForm(*posted_with_files(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            conversation = actions.do_import_conversation(
                city,
                request.user,
                topic=data["topic"],
                slug=data["slug"],
                statements=data["statements"],
                votes=data["vote_rows"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            actions.do_recompute_report(conversation)
            messages.success(
                request, _("The conversation is imported. It is unpublished: check it, then publish it.")
            )
            return redirect("deliberation:report", city_slug=city.slug, conversation_slug=conversation.slug)
    return render(
        request,
        "deliberation/import.html",
        {"city": city, "form": form},
        status=400 if form.is_bound else 200,
    )
