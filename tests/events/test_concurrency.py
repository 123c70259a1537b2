"""Two people pressing "Register" for the last place at the same moment: one gets it, one waits.
Needs real row locks, so it runs on PostgreSQL only (DATABASE_URL=postgres://...)."""

import threading

import pytest
from django.db import connection, connections

from civiclab.events import actions
from civiclab.events.models import Registration, Status
from tests.conftest import _person

from .conftest import make_meeting

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_for_the_last_place_never_overbook(aurora_process, alice):
    meeting = make_meeting(aurora_process, alice, capacity=1)
    people = [_person(f"p{i}@example.org", f"P{i}", aurora_process.city) for i in range(6)]
    barrier = threading.Barrier(len(people))
    errors = []

    def register(person):
        try:
            barrier.wait()
            actions.do_register(meeting, person)
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=register, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    statuses = list(Registration.objects.filter(meeting=meeting).values_list("status", flat=True))
    assert statuses.count(Status.REGISTERED) == 1 and statuses.count(Status.WAITING) == 5
