from datetime import timedelta

import pytest
from django.utils import timezone

from civiclab.events import actions
from civiclab.processes.actions import do_add_component


def make_meeting(process, actor, *, component=None, starts_in=timedelta(days=2), capacity=1, **fields):
    if component is None:
        component = do_add_component(
            process.phases.all()[1], actor, kind="meetings", title="Neighbourhood meetings"
        )
    starts = timezone.now() + starts_in
    values = {
        "title": "Shade in the square",
        "description": "We **design** shade together.",
        "format": "hybrid",
        "online_url": "https://meet.example.org/shade",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=2),
        "address": "Plaza Mayor 1",
        "latitude": "39.46975",
        "longitude": "-0.37739",
        "step_free": True,
        "languages": ["Español", "English"],
        "capacity": capacity,
        **fields,
    }
    return actions.do_create_meeting(component, actor, **values)


@pytest.fixture
def meeting(aurora_process, alice):
    return make_meeting(aurora_process, alice)
