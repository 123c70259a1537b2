"""Surveys and meetings for the tenant-isolation world (tests/cities/test_tenant_isolation.py)."""

from datetime import timedelta

from django.utils import timezone

from civiclab.events.actions import do_create_meeting
from civiclab.processes.actions import do_add_component
from civiclab.surveys.actions import do_add_question, do_create_survey


def engage_world(process, admin) -> dict:
    phase = process.phases.all()[1]  # running now
    survey = do_create_survey(
        do_add_component(phase, admin, kind="survey", title="Survey"), admin, results_while_open=True
    )
    question = do_add_question(survey, admin, kind="single", text="Yes?", options=["Yes", "No"])
    starts = timezone.now() + timedelta(days=3)
    meeting = do_create_meeting(
        do_add_component(phase, admin, kind="meetings", title="Meetings"),
        admin,
        title="Open meeting",
        format="in_person",
        address="Main square",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        capacity=5,
    )
    return {"survey": survey, "question": question, "meeting": meeting, "process": process}


def engage_kwargs(w: dict, city) -> dict:
    s, m = w["survey"], w["meeting"]
    survey = {"city_slug": city.slug, "process_slug": w["process"].slug, "component_id": s.component_id}
    component = {"city_slug": city.slug, "process_slug": w["process"].slug, "component_id": m.component_id}
    meeting = {**component, "meeting_id": m.pk}
    return {
        **{
            f"surveys:{n}": dict(survey) for n in ("detail", "results", "results_csv", "edit", "question_new")
        },
        **{f"surveys:{n}": dict(survey) for n in ("offline", "responses_csv")},
        "surveys:question_edit": {**survey, "question_id": w["question"].pk},
        "surveys:question_delete": {**survey, "question_id": w["question"].pk},
        "surveys:question_move": {**survey, "question_id": w["question"].pk},
        "events:calendar": {"city_slug": city.slug},
        "events:calendar_ics": {"city_slug": city.slug},
        "events:component": dict(component),
        "events:new": dict(component),
        **{f"events:{n}": dict(meeting) for n in ("detail", "meeting_ics", "register", "cancel")},
        **{f"events:{n}": dict(meeting) for n in ("edit", "report", "photo")},
        "api-v1:list_surveys": {"city": city.slug},
        "api-v1:get_survey": {"city": city.slug, "survey_id": s.component_id},
        "api-v1:list_meetings": {"city": city.slug},
        "api-v1:get_meeting": {"city": city.slug, "meeting_id": m.pk},
    }
