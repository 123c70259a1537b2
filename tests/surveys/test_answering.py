import pytest
from django.core.exceptions import ValidationError

from civiclab.accounts.actions import do_give_consent
from civiclab.core.models import AuditEvent
from civiclab.surveys import actions
from civiclab.surveys.models import Answer, DemographicAnswer, Participation, Response

from .conftest import answers, make_survey


def test_it_stores_a_named_answer_and_the_register(survey, carol):
    response = actions.do_answer_survey(survey, carol, answers(survey))
    assert response.user == carol
    stored = {a.question_id: a.value for a in response.answers.all()}
    q = survey.q
    assert stored[q["mode"].pk] == 0
    assert stored[q["wish"].pk] == [0, 2]
    assert stored[q["rank"].pk] == [1, 0, 2]  # Schools first, then Parks, then Buses
    assert stored[q["matrix"].pk] == [0, 1]
    assert stored[q["scale"].pk] == 4
    assert Participation.objects.filter(survey=survey, user=carol).count() == 1


def test_it_accepts_one_response_per_person(survey, carol):
    actions.do_answer_survey(survey, carol, answers(survey))
    with pytest.raises(actions.AlreadyAnswered):
        actions.do_answer_survey(survey, carol, answers(survey))
    assert Response.objects.filter(survey=survey).count() == 1


def test_it_drops_answers_to_questions_whose_condition_is_not_met(survey, carol):
    actions.do_answer_survey(survey, carol, answers(survey, mode=1))  # by car: the cycling question is hidden
    assert not Answer.objects.filter(question=survey.q["bike"]).exists()


def test_it_ties_errors_to_their_questions_and_stores_nothing(survey, carol):
    q = survey.q
    with pytest.raises(ValidationError) as caught:
        actions.do_answer_survey(survey, carol, answers(survey, mode="", rank=["1", "1", ""], scale="9"))
    errors = caught.value.message_dict
    assert set(errors) == {f"q{q['mode'].pk}", f"q{q['rank'].pk}", f"q{q['scale'].pk}"}
    assert not Response.objects.exists() and not Participation.objects.exists()


def test_it_refuses_answers_outside_the_phase(aurora_process, alice, carol):
    for phase in (0, 2):
        survey = make_survey(aurora_process, alice, phase=phase, title=f"Survey {phase}")
        with pytest.raises(ValidationError, match="not open"):
            actions.do_answer_survey(survey, carol, answers(survey))


def test_an_anonymous_answer_has_no_link_to_the_person(anonymous_survey, carol):
    response = actions.do_answer_survey(anonymous_survey, carol, answers(anonymous_survey))
    assert response.user is None
    assert not hasattr(response, "created_at")  # only the day
    assert Participation.objects.filter(survey=anonymous_survey, user=carol).exists()
    with pytest.raises(actions.AlreadyAnswered):
        actions.do_answer_survey(anonymous_survey, carol, answers(anonymous_survey))


def test_the_survey_is_frozen_once_it_has_answers(anonymous_survey, alice, carol):
    actions.do_answer_survey(anonymous_survey, carol, answers(anonymous_survey))
    with pytest.raises(ValidationError, match="can no longer change"):
        actions.do_add_question(anonymous_survey, alice, kind="short_text", text="Late question")
    with pytest.raises(ValidationError) as caught:
        actions.do_update_survey(anonymous_survey, alice, anonymous=False)
    assert "anonymous" in caught.value.message_dict
    with pytest.raises(ValidationError):
        actions.do_delete_question(anonymous_survey.q["name"], alice)
    actions.do_update_survey(anonymous_survey, alice, intro="Thanks to everyone so far.")


def test_demographics_are_asked_only_with_consent_and_stored_apart(anonymous_survey, carol, bob):
    block = {"gender": "woman", "age_band": "30_44", "district": "North", "migrant_background": "prefer_not"}
    actions.do_answer_survey(anonymous_survey, bob, answers(anonymous_survey), demographics=block)
    assert not DemographicAnswer.objects.exists()  # bob has not consented
    do_give_consent(carol, "demographics")
    actions.do_answer_survey(anonymous_survey, carol, answers(anonymous_survey), demographics=block)
    [row] = DemographicAnswer.objects.all()
    assert (row.gender, row.district, row.disability) == ("woman", "North", "")
    assert not any(f.name in {"response", "user", "created_at"} for f in DemographicAnswer._meta.get_fields())


def test_a_demographic_answer_outside_the_list_is_an_error_on_its_field(anonymous_survey, carol):
    do_give_consent(carol, "demographics")
    with pytest.raises(ValidationError) as caught:
        actions.do_answer_survey(
            anonymous_survey, carol, answers(anonymous_survey), demographics={"district": "Mars"}
        )
    assert "district" in caught.value.message_dict


def test_staff_record_an_offline_answer_for_an_account_checked_by_email(survey, bob, carol):
    response = actions.do_record_offline_answer(
        survey, bob, channel="paper", email="CAROL@example.org", raw=answers(survey)
    )
    assert response.user == carol and response.channel == "paper"
    event = AuditEvent.objects.get(action="survey.answer_recorded")
    assert event.actor == bob and event.data == {"channel": "paper", "identified": True}


def test_a_named_survey_refuses_an_offline_answer_without_an_account(survey, bob):
    with pytest.raises(ValidationError) as caught:
        actions.do_record_offline_answer(survey, bob, channel="in_person", raw=answers(survey))
    assert "email" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        actions.do_record_offline_answer(
            survey, bob, channel="in_person", email="nobody@example.org", raw=answers(survey)
        )
    assert "email" in caught.value.message_dict


def test_an_anonymous_survey_counts_a_kiosk_answer_with_its_channel_only(anonymous_survey, bob):
    response = actions.do_record_offline_answer(
        anonymous_survey, bob, channel="in_person", raw=answers(anonymous_survey)
    )
    assert response.user is None and response.channel == "in_person"
    assert not Participation.objects.exists()


def test_a_question_needs_valid_choices_and_a_condition_on_an_earlier_choice_question(survey, alice):
    with pytest.raises(ValidationError) as caught:
        actions.do_add_question(survey, alice, kind="single", text="Only one", options=["Yes"])
    assert "options" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        actions.do_add_question(survey, alice, kind="scale", text="Scale", scale_min=5, scale_max=1)
    assert "scale_max" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        actions.do_add_question(
            survey,
            alice,
            kind="short_text",
            text="If",
            condition_question=survey.q["name"],
            condition_option=0,
        )
    assert "condition_question" in caught.value.message_dict


def test_a_question_others_depend_on_cannot_be_removed(survey, alice):
    with pytest.raises(ValidationError, match="depending on this one"):
        actions.do_delete_question(survey.q["mode"], alice)
    actions.do_delete_question(survey.q["name"], alice)
    assert [q.position for q in survey.questions.all()] == list(range(6))


def test_staff_edit_a_question_before_the_first_answer(survey, alice, carol):
    q = survey.q
    actions.do_update_question(
        q["wish"], alice, kind="multiple", text="What do you want?", options=["Trees", "Water"]
    )
    q["wish"].refresh_from_db()
    assert q["wish"].options == ["Trees", "Water"] and q["wish"].position == 3
    with pytest.raises(ValidationError) as caught:  # question 3 depends on "Bike"
        actions.do_update_question(q["mode"], alice, kind="short_text", text="How do you travel?")
    assert "options" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:  # a condition must come from an earlier question
        actions.do_update_question(
            q["name"],
            alice,
            kind="short_text",
            text="Street",
            condition_question=q["mode"],
            condition_option=0,
        )
    assert "condition_question" in caught.value.message_dict
    actions.do_answer_survey(survey, carol, answers(survey, wish=["1"]))
    with pytest.raises(ValidationError, match="can no longer change"):
        actions.do_update_question(q["wish"], alice, kind="multiple", text="Late", options=["A", "B"])
