from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from civiclab.core.models import AuditEvent
from civiclab.processes.actions import PhaseSpec, do_create_process, do_save_phases, do_update_process
from civiclab.processes.models import Phase, Process

NOW = timezone.now()


def spec(kind, start_days, end_days, name=None, id=None):
    return PhaseSpec(
        kind=kind,
        name=name or kind,
        starts_at=NOW + timedelta(days=start_days),
        ends_at=NOW + timedelta(days=end_days),
        id=id,
    )


def test_creating_a_process_records_an_audit_event_in_its_city(aurora, alice):
    process = do_create_process(aurora, alice, title="Parks", slug="parks", phases=[spec("diagnosis", -1, 5)])
    event = AuditEvent.objects.get(action="process.created")
    assert (event.city, event.actor, event.target_id) == (aurora, alice, str(process.pk))
    assert process.active_phase().name == "diagnosis"
    assert process.phases.get().city == aurora


def test_a_slug_is_unique_per_city_but_not_across_cities(aurora, borealis, alice, dave):
    do_create_process(aurora, alice, title="Parks", slug="parks")
    do_create_process(borealis, dave, title="Parks", slug="parks")
    with pytest.raises(ValidationError) as exc:
        do_create_process(aurora, alice, title="Parks again", slug="parks")
    assert "slug" in exc.value.message_dict
    assert Process.objects.filter(city=aurora).count() == 1


@pytest.mark.parametrize(
    "phases, message",
    [
        ([spec("diagnosis", 0, 10), spec("co_design", 5, 15)], "overlap"),
        ([spec("diagnosis", 10, 5)], "must end after it starts"),
        ([spec("co_design", 20, 30), spec("diagnosis", 0, 10)], "order they happen"),
        ([spec("voting", 0, 10)], "Unknown phase kind"),
    ],
)
def test_bad_phases_are_refused_and_nothing_is_written(aurora, alice, phases, message):
    with pytest.raises(ValidationError) as exc:
        do_create_process(aurora, alice, title="Parks", slug="parks", phases=phases)
    assert message in " ".join(exc.value.messages)
    assert not Process.objects.exists()
    assert not AuditEvent.objects.filter(action="process.created").exists()


def test_saving_phases_keeps_ids_reorders_and_removes(aurora, alice):
    process = do_create_process(
        aurora,
        alice,
        title="Parks",
        slug="parks",
        phases=[spec("diagnosis", 0, 10), spec("co_design", 10, 20), spec("decision", 20, 30)],
    )
    first, second, third = process.phases.all()
    saved = do_save_phases(
        process,
        alice,
        [
            spec("diagnosis", 0, 10, name="Listening", id=first.pk),
            spec("decision", 10, 20, id=third.pk),
            spec("evaluation", 30, 40),
        ],
    )
    assert [p.pk for p in saved[:2]] == [first.pk, third.pk]
    assert list(process.phases.values_list("name", "position")) == [
        ("Listening", 0),
        ("decision", 1),
        ("evaluation", 2),
    ]
    assert not Phase.objects.filter(pk=second.pk).exists()


def test_a_phase_of_another_process_cannot_be_taken_over(aurora, alice, borealis_process):
    process = do_create_process(aurora, alice, title="Parks", slug="parks")
    theirs = borealis_process.phases.first()
    with pytest.raises(ValidationError):
        do_save_phases(process, alice, [spec("diagnosis", 0, 10, id=theirs.pk)])
    theirs.refresh_from_db()
    assert theirs.process == borealis_process


def test_updating_records_which_fields_changed(aurora_process, alice):
    do_update_process(aurora_process, alice, title="Greener streets", published=True)
    event = AuditEvent.objects.get(action="process.updated")
    assert event.data == {"fields": ["title"]}
    with pytest.raises(ValueError):
        do_update_process(aurora_process, alice, city=None)
