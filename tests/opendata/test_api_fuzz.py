"""Schemathesis explores every API operation in-process against the OpenAPI document: no input may
produce a server error, and every response must match the documented schema."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings

from civiclab.wsgi import application


@pytest.fixture
def keep_test_connection():
    """Like Django's test client: calling the WSGI app must not close the test's open transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def surveys_and_meetings(aurora_process, alice):
    from tests.events.world import engage_world

    return engage_world(aurora_process, alice)


def test_no_input_makes_the_api_fail(
    keep_test_connection,
    aurora_process,
    borealis_process,
    aurora_draft,
    aurora_budget,
    aurora_conversation,
    surveys_and_meetings,
):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.label for op in operations} >= {
        "GET /api/v1/cities",
        "GET /api/v1/cities/{city}",
        "GET /api/v1/cities/{city}/processes",
        "GET /api/v1/cities/{city}/budgets/{budget}/ballots",
        "GET /api/v1/cities/{city}/conversations",
        "GET /api/v1/cities/{city}/conversations/{slug}",
        "GET /api/v1/cities/{city}/conversations/{slug}/statements",
        "GET /api/v1/cities/{city}/conversations/{slug}/report",
        "GET /api/v1/cities/{city}/conversations/{slug}/export/{name}",
        # surveys and meetings
        "GET /api/v1/cities/{city}/surveys",
        "GET /api/v1/cities/{city}/surveys/{survey_id}",
        "GET /api/v1/cities/{city}/meetings",
        "GET /api/v1/cities/{city}/meetings/{meeting_id}",
    }
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case):
            # The test client does not inflate gzip bodies; real clients do.
            case.call_and_validate(headers={"Accept-Encoding": "identity"})

        check()
