from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from civiclab.events import actions
from civiclab.events.models import Registration, Status
from civiclab.events.selectors import waiting_place
from civiclab.notifications.models import Notification

from .conftest import make_meeting


def test_the_first_person_gets_the_place_and_the_next_waits(meeting, carol, bob, erin):
    assert actions.do_register(meeting, carol).status == Status.REGISTERED
    assert actions.do_register(meeting, bob).status == Status.WAITING
    third = actions.do_register(meeting, erin)
    assert third.status == Status.WAITING and waiting_place(third) == 2


def test_a_cancellation_promotes_the_first_waiting_and_tells_them(
    meeting, carol, bob, erin, django_capture_on_commit_callbacks
):
    actions.do_register(meeting, carol)
    actions.do_register(meeting, bob)
    actions.do_register(meeting, erin)
    with django_capture_on_commit_callbacks(execute=True):
        promoted = actions.do_cancel_registration(meeting, carol)
    assert promoted.user == bob
    statuses = dict(Registration.objects.values_list("user__email", "status"))
    assert statuses == {
        "carol@example.org": "cancelled",
        "bob@example.org": "registered",
        "erin@example.org": "waiting",
    }
    [note] = Notification.objects.filter(user=bob)
    assert note.kind == "events.promoted"


def test_a_cancelled_person_may_register_again_at_the_end_of_the_list(meeting, carol, bob):
    actions.do_register(meeting, carol)
    actions.do_register(meeting, bob)
    actions.do_cancel_registration(meeting, carol)
    again = actions.do_register(meeting, carol)
    assert again.status == Status.WAITING and waiting_place(again) == 1


def test_a_person_registers_once(meeting, carol):
    actions.do_register(meeting, carol)
    with pytest.raises(ValidationError, match="already registered"):
        actions.do_register(meeting, carol)
    assert Registration.objects.count() == 1


def test_registration_closes_at_the_start(aurora_process, alice, carol):
    started = make_meeting(aurora_process, alice, starts_in=timedelta(minutes=-5))
    with pytest.raises(ValidationError, match="closed"):
        actions.do_register(started, carol)


def test_a_meeting_without_places_needs_no_registration(aurora_process, alice, carol):
    meeting = make_meeting(aurora_process, alice, capacity=None)
    with pytest.raises(ValidationError, match="no registration"):
        actions.do_register(meeting, carol)


def test_more_places_promote_people_waiting(meeting, alice, carol, bob):
    actions.do_register(meeting, carol)
    actions.do_register(meeting, bob)
    actions.do_update_meeting(meeting, alice, capacity=2)
    assert Registration.objects.get(user=bob).status == Status.REGISTERED


def test_places_cannot_drop_below_the_people_registered(meeting, alice, carol):
    actions.do_update_meeting(meeting, alice, capacity=3)
    actions.do_register(meeting, carol)
    with pytest.raises(ValidationError) as caught:
        actions.do_update_meeting(meeting, alice, capacity=None)
    assert "capacity" in caught.value.message_dict


def test_a_meeting_needs_its_place_or_link_and_sane_times(aurora_process, alice):
    with pytest.raises(ValidationError) as caught:
        make_meeting(aurora_process, alice, format="online", online_url="")
    assert "online_url" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        make_meeting(aurora_process, alice, address="")
    assert "address" in caught.value.message_dict
    start = timezone.now() + timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        make_meeting(aurora_process, alice, starts_at=start, ends_at=start - timedelta(hours=1))
    assert "ends_at" in caught.value.message_dict


def test_erasure_keeps_the_place_taken_without_the_person(meeting, carol, bob):
    actions.do_register(meeting, carol)
    actions.anonymise_registrations_of(carol)
    assert Registration.objects.get().user is None
    assert actions.do_register(meeting, bob).status == Status.WAITING


def test_registered_people_and_followers_hear_of_a_new_time(
    meeting, alice, carol, erin, django_capture_on_commit_callbacks
):
    from civiclab.notifications.actions import do_follow

    actions.do_register(meeting, carol)
    do_follow(erin, meeting)
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_update_meeting(
            meeting,
            alice,
            starts_at=meeting.starts_at + timedelta(hours=1),
            ends_at=meeting.ends_at + timedelta(hours=1),
        )
    assert set(Notification.objects.filter(kind="events.changed").values_list("user__email", flat=True)) == {
        "carol@example.org",
        "erin@example.org",
    }
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_update_meeting(
            meeting, alice, title="Shade, again"
        )  # not the time or place: nobody is told
    assert Notification.objects.filter(kind="events.changed").count() == 2


def test_followers_hear_when_the_minutes_are_published(
    aurora_process, alice, erin, django_capture_on_commit_callbacks
):
    from civiclab.notifications.actions import do_follow

    past = make_meeting(aurora_process, alice, starts_in=timedelta(days=-1))
    do_follow(erin, past)
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_report_meeting(past, alice, minutes="We met.")
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_report_meeting(
            past, alice, minutes="We met, and agreed."
        )  # a correction: no second notice
    assert list(
        Notification.objects.filter(kind="events.reported").values_list("user__email", flat=True)
    ) == ["erin@example.org"]
