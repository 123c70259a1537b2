from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from civiclab.cities.access import city_view, staff_view
from civiclab.core import ratelimit
from civiclab.core.forms import attach_errors, posted, posted_with_files

from . import actions, ical
from .forms import MeetingForm, PhotoForm, ReportForm
from .models import Photo, Status
from .rules import registration_refusal
from .selectors import (
    city_meetings,
    get_meeting_for,
    get_meetings_component_for,
    meetings_of,
    proposals_from,
    published_attendance,
    registration_of,
    registrations_of,
    url_of,
    waiting_place,
)

REGISTER_LIMIT = (20, 60)


def _links(city, component, meeting=None) -> dict:
    links = {
        "city_slug": city.slug,
        "process_slug": component.phase.process.slug,
        "component_id": component.pk,
    }
    if meeting is not None:
        links["meeting_id"] = meeting.pk
    return links


def _split(meetings, now):
    upcoming = [m for m in meetings if m.ends_at > now]
    past = [m for m in meetings if m.ends_at <= now][::-1]
    return upcoming, past


@city_view
def component_page(request, city, process_slug, component_id):
    component = get_meetings_component_for(request, city, process_slug, component_id)
    upcoming, past = _split(list(meetings_of(component)), timezone.now())
    return render(
        request,
        "events/component.html",
        {
            "city": city,
            "component": component,
            "process": component.phase.process,
            "upcoming": upcoming,
            "past": past,
            "can_change": request.user.has_perm("events.change_meeting", city),
        },
    )


@city_view
def calendar(request, city):
    upcoming, past = _split(list(city_meetings(city)), timezone.now())
    return render(request, "events/calendar.html", {"city": city, "upcoming": upcoming, "past": past[:20]})


def _ics(filename: str, body: bytes) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@city_view
def calendar_ics(request, city):
    meetings = [(m, request.build_absolute_uri(url_of(m))) for m in city_meetings(city)]
    return _ics(f"{city.slug}-meetings.ics", ical.calendar_of(meetings, str(city.name)))


@city_view
def meeting_detail(request, city, process_slug, component_id, meeting_id):
    component = get_meetings_component_for(request, city, process_slug, component_id)
    meeting = get_meeting_for(component, meeting_id)
    registration = registration_of(meeting, request.user)
    return render(
        request,
        "events/detail.html",
        {
            "city": city,
            "component": component,
            "process": component.phase.process,
            "meeting": meeting,
            "registration": registration,
            "place": waiting_place(registration)
            if registration and registration.status == Status.WAITING
            else None,
            "refusal": registration_refusal(request.user, meeting),
            "photos": list(meeting.photos.all()),
            "attendance": published_attendance(meeting),
            "proposals": proposals_from(meeting),
            "can_change": request.user.has_perm("events.change_meeting", city),
            "can_report": request.user.has_perm("events.report_meeting", city),
        },
    )


@city_view
def meeting_ics(request, city, process_slug, component_id, meeting_id):
    component = get_meetings_component_for(request, city, process_slug, component_id)
    meeting = get_meeting_for(component, meeting_id)
    body = ical.calendar_of([(meeting, request.build_absolute_uri(url_of(meeting)))], meeting.title)
    return _ics(f"meeting-{meeting.pk}.ics", body)


@city_view
@require_POST
def register(request, city, process_slug, component_id, meeting_id):
    component = get_meetings_component_for(request, city, process_slug, component_id)
    meeting = get_meeting_for(component, meeting_id)
    if not request.user.is_authenticated:
        return redirect_to_login(url_of(meeting))
    try:
        ratelimit.check(f"meeting-register:{request.user.pk}", *REGISTER_LIMIT)
        registration = actions.do_register(meeting, request.user)
    except ratelimit.RateLimited:
        messages.error(request, _("Too many requests in a short time. Wait a minute and try again."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if registration.status == Status.REGISTERED:
            messages.success(request, _("You are registered. See you there!"))
        else:
            messages.success(
                request,
                _("The meeting is full: you are on the waiting list. We will tell you if a place frees up."),
            )
    return redirect("events:detail", **_links(city, component, meeting))


@city_view
@require_POST
def cancel(request, city, process_slug, component_id, meeting_id):
    component = get_meetings_component_for(request, city, process_slug, component_id)
    meeting = get_meeting_for(component, meeting_id)
    if not request.user.is_authenticated:
        return redirect_to_login(url_of(meeting))
    try:
        actions.do_cancel_registration(meeting, request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your registration is cancelled."))
    return redirect("events:detail", **_links(city, component, meeting))


# --- Staff ------------------------------------------------------------------------------------


def _meeting_initial(meeting) -> dict:
    initial = {name: getattr(meeting, name) for name in actions.EDITABLE}
    initial["languages"] = ", ".join(meeting.languages)
    initial["starts_at"] = timezone.localtime(meeting.starts_at)
    initial["ends_at"] = timezone.localtime(meeting.ends_at)
    return initial


@staff_view("events.change_meeting")
@require_http_methods(["GET", "POST"])
def meeting_new(request, city, process_slug, component_id):
    component = get_meetings_component_for(request, city, process_slug, component_id)
    form = MeetingForm(posted(request), initial={"format": "in_person"})
    if request.method == "POST" and form.is_valid():
        try:
            meeting = actions.do_create_meeting(component, request.user, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The meeting is published."))
            return redirect("events:detail", **_links(city, component, meeting))
    return render(
        request,
        "events/meeting_form.html",
        {
            "city": city,
            "component": component,
            "process": component.phase.process,
            "form": form,
            "meeting": None,
        },
        status=400 if form.is_bound else 200,
    )


@staff_view("events.change_meeting")
@require_http_methods(["GET", "POST"])
def meeting_edit(request, city, process_slug, component_id, meeting_id):
    component = get_meetings_component_for(request, city, process_slug, component_id)
    meeting = get_meeting_for(component, meeting_id)
    form = MeetingForm(posted(request), initial=_meeting_initial(meeting))
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_meeting(meeting, request.user, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The meeting is saved."))
            return redirect("events:detail", **_links(city, component, meeting))
    return render(
        request,
        "events/meeting_form.html",
        {
            "city": city,
            "component": component,
            "process": component.phase.process,
            "form": form,
            "meeting": meeting,
        },
        status=400 if form.is_bound else 200,
    )


@staff_view("events.report_meeting")
@require_http_methods(["GET", "POST"])
def meeting_report(request, city, process_slug, component_id, meeting_id):
    component = get_meetings_component_for(request, city, process_slug, component_id)
    meeting = get_meeting_for(component, meeting_id)
    form = ReportForm(posted(request), initial=_report_initial(meeting), meeting=meeting)
    photo_form = PhotoForm()
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_report_meeting(meeting, request.user, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The report is saved."))
            return redirect("events:detail", **_links(city, component, meeting))
    return _report_page(request, city, component, meeting, form, photo_form)


def _report_initial(meeting) -> dict:
    return {
        "minutes": meeting.minutes,
        "proposals": list(meeting.proposal_links.values_list("proposal_id", flat=True)),
        "outcomes": "\n".join(f"{o['title']} | {o['url']}" for o in meeting.outcomes),
        "attendance": meeting.attendance,
        **{
            f"{group}__{value}": n
            for group, counts in meeting.attendance_demographics.items()
            for value, n in counts.items()
        },
    }


def _report_page(request, city, component, meeting, form, photo_form):
    return render(
        request,
        "events/report.html",
        {
            "city": city,
            "component": component,
            "process": component.phase.process,
            "meeting": meeting,
            "form": form,
            "photo_form": photo_form,
            "photos": list(meeting.photos.all()),
            "registrations": list(registrations_of(meeting)),
        },
        status=400 if form.is_bound or photo_form.is_bound else 200,
    )


@staff_view("events.report_meeting")
@require_POST
def meeting_photo(request, city, process_slug, component_id, meeting_id):
    component = get_meetings_component_for(request, city, process_slug, component_id)
    meeting = get_meeting_for(component, meeting_id)
    photo_form = PhotoForm(*posted_with_files(request))
    if "remove" in request.POST:
        photo = get_object_or_404(Photo, meeting=meeting, pk=request.POST.get("remove"))
        actions.do_remove_photo(photo, request.user)
        messages.success(request, _("The photo is removed."))
        return redirect("events:report", **_links(city, component, meeting))
    if photo_form.is_valid():
        try:
            actions.do_add_photo(meeting, request.user, **photo_form.cleaned_data)
        except ValidationError as exc:
            attach_errors(photo_form, exc)
        else:
            messages.success(request, _("The photo is added."))
            return redirect("events:report", **_links(city, component, meeting))
    return _report_page(
        request,
        city,
        component,
        meeting,
        ReportForm(initial=_report_initial(meeting), meeting=meeting),
        photo_form,
    )
