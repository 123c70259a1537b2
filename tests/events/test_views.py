import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from PIL import Image

from civiclab.cities.models import Role
from civiclab.events import actions
from civiclab.events.models import Photo, Registration, Status
from civiclab.events.rules import registration_refusal

from .conftest import make_meeting


def url(name, meeting, **extra):
    c = meeting.component
    kwargs = {"city_slug": c.city.slug, "process_slug": c.phase.process.slug, "component_id": c.pk}
    if name not in {"events:component", "events:new"}:
        kwargs["meeting_id"] = meeting.pk
    return reverse(name, kwargs={**kwargs, **extra})


def test_the_page_shows_place_access_and_map_with_a_text_fallback(client, meeting):
    body = client.get(url("events:detail", meeting)).content.decode()
    assert "Plaza Mayor 1" in body and "data-map-point" in body and 'data-lat="39.46975"' in body
    assert "openstreetmap.org" in body
    assert "<strong>design</strong>" in body
    assert "meet.example.org" not in body  # the online address is for registered people


def test_registered_people_see_the_online_address(client, meeting, carol):
    client.force_login(carol)
    assert client.post(url("events:register", meeting)).status_code == 302
    assert "meet.example.org/shade" in client.get(url("events:detail", meeting)).content.decode()


def test_a_visitor_is_sent_to_sign_in_to_register(client, meeting):
    response = client.post(url("events:register", meeting))
    assert response.status_code == 302 and reverse("account_login") in response.url
    assert not Registration.objects.exists()


def test_the_waiting_list_through_the_pages(client, meeting, carol, bob):
    client.force_login(carol)
    client.post(url("events:register", meeting))
    client.force_login(bob)
    client.post(url("events:register", meeting))
    assert "number 1 on the waiting list" in client.get(url("events:detail", meeting)).content.decode()
    client.force_login(carol)
    client.post(url("events:cancel", meeting))
    client.force_login(bob)
    assert "You are registered." in client.get(url("events:detail", meeting)).content.decode()


def test_the_meeting_calendar_file_parses_and_keeps_the_online_address_private(client, meeting):
    meeting.title = "Shade, heat; and a very long title " + "x" * 80
    meeting.save()
    response = client.get(url("events:meeting_ics", meeting))
    assert response["Content-Type"].startswith("text/calendar")
    assert all(len(line) <= 75 for line in response.content.split(b"\r\n"))  # folded lines
    [event] = Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["SUMMARY"]) == meeting.title
    assert event.decoded("DTSTART") == meeting.starts_at.replace(microsecond=0)
    assert b"meet.example.org" not in response.content


def test_the_city_calendar_lists_every_published_meeting(
    client, meeting, aurora_draft, alice, borealis_process, dave
):
    make_meeting(aurora_draft, alice, title="Secret draft meeting")
    make_meeting(borealis_process, dave, title="Borealis meeting")
    body = client.get(reverse("events:calendar", args=["aurora"])).content.decode()
    assert "Shade in the square" in body
    assert "Secret draft" not in body and "Borealis meeting" not in body
    cal = Calendar.from_ical(client.get(reverse("events:calendar_ics", args=["aurora"])).content)
    assert [str(e["SUMMARY"]) for e in cal.walk("VEVENT")] == ["Shade in the square"]


def test_the_calendar_runs_a_constant_number_of_queries(
    client, meeting, aurora_process, alice, django_assert_max_num_queries
):
    for i in range(5):
        make_meeting(aurora_process, alice, component=meeting.component, title=f"Meeting {i}")
    with django_assert_max_num_queries(4):
        client.get(reverse("events:calendar", args=["aurora"]))
    with django_assert_max_num_queries(6):
        client.get(url("events:component", meeting))


def test_staff_plan_a_meeting_and_errors_keep_the_input(client, meeting, alice):
    client.force_login(alice)
    response = client.post(
        url("events:new", meeting),
        {"title": "Walk", "format": "online", "starts_at": "2030-01-01T10:00", "ends_at": "2030-01-01T12:00"},
    )
    assert response.status_code == 400
    assert "online_url" in response.context["form"].errors
    assert 'value="Walk"' in response.content.decode()
    response = client.post(
        url("events:new", meeting),
        {
            "title": "Walk",
            "format": "online",
            "online_url": "https://meet.example.org/walk",
            "starts_at": "2030-01-01T10:00",
            "ends_at": "2030-01-01T12:00",
            "capacity": "5",
            "languages": "Español, Valencià",
        },
    )
    assert response.status_code == 302
    assert meeting.component.meetings.get(title="Walk").languages == ["Español", "Valencià"]


def _past(aurora_process, alice):
    return make_meeting(aurora_process, alice, starts_in=timedelta(days=-1))


def test_attendance_is_published_with_small_groups_hidden(client, aurora_process, alice, bob):
    past = _past(aurora_process, alice)
    client.force_login(bob)
    data = {
        "minutes": "We agreed on **trees**.",
        "outcomes": "More trees | https://example.org/p/1",
        "attendance": "34",
        "gender__woman": "20",
        "gender__man": "11",
        "gender__prefer_not": "3",
    }
    assert client.post(url("events:report", past), data).status_code == 302
    client.logout()
    response = client.get(url("events:detail", past))
    body = response.content.decode()
    assert (
        "34 people attended." in body
        and "<strong>trees</strong>" in body
        and "https://example.org/p/1" in body
    )
    [group] = response.context["attendance"]["groups"]
    assert dict(group["rows"]) == {"Woman": 20, "Man": None, "Prefer not to say": None}


def test_attendance_counts_cannot_exceed_the_total(client, aurora_process, alice):
    past = _past(aurora_process, alice)
    client.force_login(alice)
    response = client.post(url("events:report", past), {"attendance": "5", "age_band__65_plus": "9"})
    assert response.status_code == 400
    assert "age_band__65_plus" in response.context["form"].errors


def test_a_photo_needs_a_real_image_and_a_description(client, meeting, alice):
    client.force_login(alice)
    fake = io.BytesIO(b"<html>not an image</html>")
    fake.name = "photo.jpg"
    response = client.post(url("events:photo", meeting), {"image": fake, "alt_text": "People"})
    assert response.status_code == 400 and "image" in response.context["photo_form"].errors
    png = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(png, "PNG")
    png.seek(0)
    png.name = "photo.png"
    assert (
        client.post(
            url("events:photo", meeting), {"image": png, "alt_text": "Neighbours around a table"}
        ).status_code
        == 302
    )
    photo = Photo.objects.get()
    assert photo.image.name.endswith(".png") and photo.alt_text == "Neighbours around a table"


def test_the_api_lists_meetings_without_online_addresses_or_people(client, meeting, carol):
    actions.do_register(meeting, carol)
    listing = client.get("/api/v1/cities/aurora/meetings").json()
    assert listing["items"][0]["registered"] == 1
    detail = client.get(f"/api/v1/cities/aurora/meetings/{meeting.pk}").json()
    assert detail["accessibility"]["step_free"] is True and detail["latitude"] == pytest.approx(39.46975)
    assert "meet.example.org" not in str(detail) and "carol" not in str(detail).lower()
    assert client.get(f"/api/v1/cities/borealis/meetings/{meeting.pk}").status_code == 404


# --- Role x phase ---------------------------------------------------------------------------

WHEN = {"before the start": timedelta(days=2), "after the start": timedelta(hours=-1)}


@pytest.mark.parametrize("when", WHEN)
@pytest.mark.parametrize("who", ["anonymous", "carol", "bob", "alice", "dave", "nadia"])
def test_who_may_register_by_role_and_time(aurora_process, alice, bob, carol, dave, nadia, who, when):
    from django.contrib.auth.models import AnonymousUser

    meeting = make_meeting(aurora_process, alice, starts_in=WHEN[when])
    user = AnonymousUser() if who == "anonymous" else locals()[who]
    expected = "closed" if when == "after the start" else ("sign_in" if who == "anonymous" else None)
    assert registration_refusal(user, meeting) == expected


@pytest.mark.parametrize(
    "perm,roles",
    [("events.change_meeting", {Role.ADMIN}), ("events.report_meeting", {Role.ADMIN, Role.MODERATOR})],
)
@pytest.mark.parametrize(
    "who,role",
    [
        ("alice", Role.ADMIN),
        ("bob", Role.MODERATOR),
        ("erin", Role.EVALUATOR),
        ("carol", None),
        ("dave", None),
    ],
)
def test_staff_permissions_by_role(aurora, alice, bob, erin, carol, dave, perm, roles, who, role):
    assert locals()[who].has_perm(perm, aurora) == (role in roles)


def test_a_switched_off_component_hides_its_meetings(client, meeting, alice):
    from civiclab.processes.actions import do_update_component

    do_update_component(meeting.component, alice, enabled=False)
    assert client.get(url("events:detail", meeting)).status_code == 404
    assert client.get("/api/v1/cities/aurora/meetings").json()["count"] == 0
    assert Registration.objects.filter(status=Status.REGISTERED).count() == 0
    assert timezone.now()


def test_a_resident_follows_a_meeting_from_its_page(client, meeting, carol):
    from civiclab.notifications.selectors import is_following

    client.force_login(carol)
    assert (
        'name="target" value="events.meeting"' in client.get(url("events:detail", meeting)).content.decode()
    )
    response = client.post(
        reverse("notifications:follow", args=["aurora"]),
        {"target": "events.meeting", "pk": meeting.pk, "next": url("events:detail", meeting)},
    )
    assert response.status_code == 302 and is_following(carol, meeting)


def test_a_meeting_of_another_city_cannot_be_followed_from_this_one(client, meeting, eve):
    client.force_login(eve)
    response = client.post(
        reverse("notifications:follow", args=["borealis"]), {"target": "events.meeting", "pk": meeting.pk}
    )
    assert response.status_code == 404
