import pytest
from django.contrib.auth import get_user_model

from civiclab.processes.actions import do_add_component
from civiclab.surveys import actions

from ..conftest import PASSWORD


def make_survey(process, actor, *, phase: int = 1, title="Streets survey", **settings):
    """A survey component on phase `phase` of `process` (ProcessFactory: phase 1 runs now, 0 is over,
    2 is to come), with one question of each type; question 3 shows only to people who chose "Bike"."""
    component = do_add_component(process.phases.all()[phase], actor, kind="survey", title=title)
    survey = actions.do_create_survey(component, actor, **settings)
    q = {}
    q["name"] = actions.do_add_question(survey, actor, kind="short_text", text="Your street")
    q["mode"] = actions.do_add_question(
        survey, actor, kind="single", text="How do you travel?", required=True, options=["Bike", "Car", "Bus"]
    )
    q["bike"] = actions.do_add_question(
        survey,
        actor,
        kind="long_text",
        text="What would make cycling safer?",
        condition_question=q["mode"],
        condition_option=0,
    )
    q["wish"] = actions.do_add_question(
        survey,
        actor,
        kind="multiple",
        text="What do you want more of?",
        options=["Trees", "Benches", "Shade"],
    )
    q["scale"] = actions.do_add_question(
        survey,
        actor,
        kind="scale",
        text="How green is your street?",
        scale_min=1,
        scale_max=5,
        min_label="Grey",
        max_label="Green",
    )
    q["rank"] = actions.do_add_question(
        survey, actor, kind="ranking", text="Rank these", options=["Parks", "Schools", "Buses"]
    )
    q["matrix"] = actions.do_add_question(
        survey,
        actor,
        kind="matrix",
        text="How safe is it?",
        rows=["By day", "By night"],
        options=["Safe", "Unsafe"],
    )
    survey.q = q
    return survey


def answers(survey, mode=0, **overrides):
    q = survey.q
    raw = {
        q["name"].pk: "Calle Mayor",
        q["mode"].pk: str(mode),
        q["bike"].pk: "Wider lanes",
        q["wish"].pk: ["0", "2"],
        q["scale"].pk: "4",
        q["rank"].pk: ["2", "1", "3"],
        q["matrix"].pk: ["0", "1"],
    }
    raw.update({q[k].pk: v for k, v in overrides.items()})
    return raw


def residents(city, n, prefix="r"):
    User = get_user_model()
    return [
        User.objects.create_user(
            f"{prefix}{i}@example.org", PASSWORD, display_name=f"Resident {i}", home_city=city
        )
        for i in range(n)
    ]


@pytest.fixture
def survey(aurora_process, alice):
    return make_survey(aurora_process, alice)


@pytest.fixture
def anonymous_survey(aurora_process, alice):
    return make_survey(
        aurora_process,
        alice,
        title="Anonymous survey",
        anonymous=True,
        ask_demographics=True,
        districts=["North", "South"],
        results_while_open=True,
    )
