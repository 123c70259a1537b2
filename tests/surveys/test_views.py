import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from civiclab.cities.models import Role
from civiclab.surveys import actions
from civiclab.surveys.models import Response
from civiclab.surveys.rules import answer_refusal, may_see_results

from .conftest import answers, make_survey, residents


def url(name, survey, **extra):
    c = survey.component
    return reverse(
        name,
        kwargs={
            "city_slug": c.city.slug,
            "process_slug": c.phase.process.slug,
            "component_id": c.pk,
            **extra,
        },
    )


def test_it_shows_the_form_with_conditional_notes(client, survey, carol):
    client.force_login(carol)
    body = client.get(url("surveys:detail", survey)).content.decode()
    assert f'name="q{survey.q["mode"].pk}"' in body
    assert "Answer only if you answered “Bike” to question 2." in body


def test_a_visitor_is_asked_to_sign_in(client, survey):
    response = client.get(url("surveys:detail", survey))
    assert "Sign in to answer" in response.content.decode()
    assert client.post(url("surveys:detail", survey)).status_code == 302


def test_it_keeps_what_was_typed_and_ties_errors_to_questions(client, survey, carol):
    client.force_login(carol)
    q = survey.q
    data = {f"q{q['name'].pk}": "Calle Luna", f"q{q['rank'].pk}_0": "1", f"q{q['rank'].pk}_1": "1"}
    response = client.post(url("surveys:detail", survey), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'value="Calle Luna"' in body
    assert f'href="#q{q["mode"].pk}"' in body and f'href="#q{q["rank"].pk}"' in body
    assert 'aria-invalid="true"' not in body.split(f'id="q{q["name"].pk}"')[1].split(">")[0]
    assert not Response.objects.exists()


def test_it_saves_an_answer_from_the_form(client, survey, carol):
    client.force_login(carol)
    q = survey.q
    data = {
        f"q{q['mode'].pk}": "0",
        f"q{q['bike'].pk}": "Lanes",
        f"q{q['wish'].pk}": ["1", "2"],
        f"q{q['matrix'].pk}_1": "1",
    }
    response = client.post(url("surveys:detail", survey), data)
    assert response.status_code == 302
    assert Response.objects.get().user == carol
    assert "You have answered" in client.get(url("surveys:detail", survey)).content.decode()


def _fill(survey, n, city, prefix="", **overrides):
    for person in residents(city, n, prefix=f"s{survey.pk}{prefix}-"):
        actions.do_answer_survey(survey, person, answers(survey, **overrides))


def test_results_hide_everything_below_ten_answers(client, anonymous_survey, aurora):
    _fill(anonymous_survey, 9, aurora)
    body = client.get(url("surveys:results", anonymous_survey)).content.decode()
    assert "Fewer than 10 people have answered" in body
    assert "<td>9</td>" not in body


def test_results_show_groups_of_ten_and_hide_the_small_ones(client, anonymous_survey, aurora):
    _fill(anonymous_survey, 12, aurora)
    actions.do_answer_survey(
        anonymous_survey, residents(aurora, 1, "late")[0], answers(anonymous_survey, mode=1)
    )
    response = client.get(url("surveys:results", anonymous_survey))
    body = response.content.decode()
    assert "13 people answered." in body
    mode = next(r for r in response.context["results"] if r.question == anonymous_survey.q["mode"])
    assert [row.count for row in mode.tables[0].rows] == [12, None, None]  # Car (1) hides Bus (0) too
    assert "Wider lanes" not in body  # free text: staff only


def test_staff_see_free_text_answers_and_results_before_they_are_published(client, survey, aurora, erin):
    _fill(survey, 10, aurora)
    assert not may_see_results(type("Anon", (), {"has_perm": lambda *a: False})(), survey)
    client.force_login(erin)
    body = client.get(url("surveys:results", survey)).content.decode()
    assert "Wider lanes" in body


def test_the_public_csv_holds_aggregates_only(client, anonymous_survey, aurora):
    _fill(anonymous_survey, 10, aurora)
    response = client.get(url("surveys:results_csv", anonymous_survey))
    assert response["Content-Disposition"].startswith("attachment")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    bike = next(r for r in rows if r["question"] == "2" and r["choice"] == "Bike")
    assert bike["count"] == "10"
    car = next(r for r in rows if r["question"] == "2" and r["choice"] == "Car")
    assert car["count"] == "" and car["suppressed"] == "yes"
    assert "Wider lanes" not in response.content.decode()


def test_the_staff_csv_of_an_anonymous_survey_has_no_person_columns(
    client, anonymous_survey, aurora, alice, carol
):
    actions.do_answer_survey(anonymous_survey, carol, answers(anonymous_survey))
    client.force_login(alice)
    body = client.get(url("surveys:responses_csv", anonymous_survey)).content.decode()
    header = next(csv.reader(io.StringIO(body)))
    assert "email" not in header and "person" not in header
    assert "carol" not in body.lower() and "Wider lanes" in body


def test_the_staff_csv_of_a_named_survey_names_people(client, survey, alice, carol):
    actions.do_answer_survey(survey, carol, answers(survey))
    client.force_login(alice)
    body = client.get(url("surveys:responses_csv", survey)).content.decode()
    assert "carol@example.org" in body and "Bike" in body and "Schools > Parks > Buses" in body


def test_staff_build_a_survey_through_the_pages(client, aurora_process, alice):
    from civiclab.processes.actions import do_add_component

    component = do_add_component(aurora_process.phases.all()[1], alice, kind="survey", title="New survey")
    client.force_login(alice)
    links = {"city_slug": "aurora", "process_slug": aurora_process.slug, "component_id": component.pk}
    assert client.get(reverse("surveys:edit", kwargs=links)).status_code == 200
    response = client.post(reverse("surveys:edit", kwargs=links), {"intro": "Hello", "anonymous": "on"})
    assert response.status_code == 302
    response = client.post(
        reverse("surveys:question_new", kwargs=links),
        {"kind": "single", "text": "Yes or no?", "options": "Yes"},
    )
    assert response.status_code == 400
    assert "options" in response.context["form"].errors
    response = client.post(
        reverse("surveys:question_new", kwargs=links),
        {"kind": "single", "text": "Yes or no?", "options": "Yes\nNo", "required": "on"},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("surveys:question_new", kwargs=links),
        {"kind": "short_text", "text": "Why not?", "condition": f"{component.survey.questions.get().pk}:1"},
    )
    assert response.status_code == 302
    assert component.survey.questions.last().condition_text == "No"


def test_staff_record_an_offline_answer_through_the_page(client, survey, bob, carol):
    client.force_login(bob)
    q = survey.q
    response = client.post(url("surveys:offline", survey), {"channel": "phone", f"q{q['mode'].pk}": "1"})
    assert response.status_code == 400 and "email" in response.context["form"].errors
    response = client.post(
        url("surveys:offline", survey), {"channel": "phone", "email": carol.email, f"q{q['mode'].pk}": "1"}
    )
    assert response.status_code == 302
    assert Response.objects.get().channel == "phone"


def test_the_results_page_runs_a_constant_number_of_queries(
    client, anonymous_survey, aurora, django_assert_max_num_queries
):
    _fill(anonymous_survey, 10, aurora)
    with django_assert_max_num_queries(12):
        client.get(url("surveys:results", anonymous_survey))
    _fill(anonymous_survey, 15, aurora, prefix="more", mode=1)
    with django_assert_max_num_queries(12):
        client.get(url("surveys:results", anonymous_survey))


# --- Role x phase ---------------------------------------------------------------------------

PHASES = {"before": 2, "open": 1, "after": 0}


@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("who", ["anonymous", "carol", "bob", "erin", "alice", "dave", "nadia"])
def test_who_may_answer_by_role_and_phase(
    rf, aurora_process, alice, bob, erin, carol, dave, nadia, who, phase
):
    from django.contrib.auth.models import AnonymousUser

    survey = make_survey(aurora_process, alice, phase=PHASES[phase])
    user = AnonymousUser() if who == "anonymous" else locals()[who]
    expected = {"before": "closed", "after": "closed"}.get(phase) or (
        "sign_in" if who == "anonymous" else None
    )
    assert answer_refusal(user, survey) == expected


ROLE_PERMS = {
    # perm: roles of Aurora that have it
    "surveys.change_survey": {Role.ADMIN},
    "surveys.view_answers": {Role.ADMIN, Role.MODERATOR, Role.EVALUATOR},
    "surveys.record_offline": {Role.ADMIN, Role.MODERATOR},
}


@pytest.mark.parametrize("perm", ROLE_PERMS)
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
def test_staff_permissions_by_role(aurora, alice, bob, erin, carol, dave, perm, who, role):
    assert locals()[who].has_perm(perm, aurora) == (role in ROLE_PERMS[perm])


@pytest.mark.parametrize("phase,public", [("before", False), ("open", False), ("after", True)])
def test_results_are_public_once_the_phase_ends_unless_shown_while_open(
    aurora_process, alice, carol, phase, public
):
    survey = make_survey(aurora_process, alice, phase=PHASES[phase])
    assert may_see_results(carol, survey) == public
    assert may_see_results(alice, survey)
    actions.do_update_survey(survey, alice, results_while_open=True)
    survey.refresh_from_db()
    assert may_see_results(carol, survey)


def test_a_survey_closes_with_its_phase(survey, carol):
    assert answer_refusal(carol, survey) is None
    assert answer_refusal(carol, survey, now=timezone.now() + timedelta(weeks=8)) == "closed"


def test_the_answer_form_runs_a_constant_number_of_queries(
    client, anonymous_survey, alice, carol, django_assert_max_num_queries
):
    client.force_login(carol)
    with django_assert_max_num_queries(14):
        client.get(url("surveys:detail", anonymous_survey))
    for i in range(10):
        actions.do_add_question(anonymous_survey, alice, kind="single", text=f"Extra {i}", options=["A", "B"])
    with django_assert_max_num_queries(14):
        client.get(url("surveys:detail", anonymous_survey))


def test_staff_edit_a_question_through_its_page(client, survey, alice):
    client.force_login(alice)
    page = url("surveys:question_edit", survey, question_id=survey.q["bike"].pk)
    response = client.get(page)
    assert response.status_code == 200
    assert response.context["form"].initial["condition"] == f"{survey.q['mode'].pk}:0"
    response = client.post(page, {"kind": "long_text", "text": "", "condition": f"{survey.q['mode'].pk}:0"})
    assert response.status_code == 400 and "text" in response.context["form"].errors
    response = client.post(
        page, {"kind": "long_text", "text": "Safer how?", "condition": f"{survey.q['mode'].pk}:0"}
    )
    assert response.status_code == 302
    survey.q["bike"].refresh_from_db()
    assert survey.q["bike"].text == "Safer how?"
