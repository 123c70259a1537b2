"""Staff reorder a survey's questions with Move up / Move down buttons (no JavaScript)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.urls import reverse

from civiclab.core.models import AuditEvent
from civiclab.surveys import actions
from civiclab.surveys.models import Question

from .conftest import answers, make_survey


def move_url(survey, question):
    c = survey.component
    kwargs = {
        "city_slug": c.city.slug,
        "process_slug": c.phase.process.slug,
        "component_id": c.pk,
        "question_id": question.pk,
    }
    return reverse("surveys:question_move", kwargs=kwargs)


def edit_url(survey):
    c = survey.component
    return reverse(
        "surveys:edit",
        kwargs={"city_slug": c.city.slug, "process_slug": c.phase.process.slug, "component_id": c.pk},
    )


def order(survey) -> list[str]:
    return list(Question.objects.filter(survey=survey).order_by("position").values_list("text", flat=True))


START = [
    "Your street",
    "How do you travel?",
    "What would make cycling safer?",  # shown only to people who travel by bike (question 2)
    "What do you want more of?",
    "How green is your street?",
    "Rank these",
    "How safe is it?",
]


def test_staff_move_a_question_up_and_come_back_to_it(client, survey, alice):
    client.force_login(alice)
    wish = survey.q["wish"]
    response = client.post(move_url(survey, wish), {"direction": "up"})
    assert response.status_code == 302
    # Back at the button just pressed: the fragment gives it the focus, so the move can be repeated.
    assert response.url == f"{edit_url(survey)}#question-{wish.pk}-up"
    assert order(survey) == [START[0], START[1], START[3], START[2], *START[4:]]
    assert sorted(Question.objects.filter(survey=survey).values_list("position", flat=True)) == list(range(7))
    body = client.get(response.url).content.decode()
    assert "“What do you want more of?” is now question 3." in body
    item = body.split(f'<li id="question-{wish.pk}"')[1].split("</li>")[0]
    assert (
        f'id="question-{wish.pk}-up" aria-label="Move question 3 up: “What do you want more of?”">'
        "Move question 3 up</button>" in item
    )
    event = AuditEvent.objects.filter(action="survey.question_moved").get()
    assert event.actor == alice and event.data["direction"] == "up" and event.data["position"] == 2


def test_moving_down_swaps_with_the_next_question(client, survey, alice):
    client.force_login(alice)
    response = client.post(move_url(survey, survey.q["name"]), {"direction": "down"})
    assert response.status_code == 302
    assert order(survey) == [START[1], START[0], *START[2:]]
    # The condition note follows the new numbers.
    body = client.get(edit_url(survey)).content.decode()
    assert "Only for people who answered “Bike” to question 1." in body


@pytest.mark.parametrize(
    "key,direction,anchor",
    [
        ("mode", "up", "down"),  # now first: no up button, the down one takes the focus
        ("rank", "down", "up"),  # now last
        ("bike", "up", "up"),  # refused (its condition): the same button again
    ],
)
def test_the_focus_goes_to_a_button_that_is_there(client, survey, alice, key, direction, anchor):
    client.force_login(alice)
    question = survey.q[key]
    response = client.post(move_url(survey, question), {"direction": direction})
    assert response.url == f"{edit_url(survey)}#question-{question.pk}-{anchor}"
    assert f'id="question-{question.pk}-{anchor}"' in client.get(response.url).content.decode()


def test_without_buttons_the_focus_goes_to_the_question(client, survey, alice, carol):
    actions.do_answer_survey(survey, carol, answers(survey))
    client.force_login(alice)
    wish = survey.q["wish"]
    response = client.post(move_url(survey, wish), {"direction": "up"})
    assert response.url == f"{edit_url(survey)}#question-{wish.pk}"
    assert f'<li id="question-{wish.pk}" tabindex="-1">' in client.get(response.url).content.decode()


def test_the_page_names_each_button_with_its_question_and_offers_only_possible_moves(client, survey, alice):
    client.force_login(alice)
    body = client.get(edit_url(survey)).content.decode()
    assert "Move question 1 up" not in body and "Move question 7 down" not in body
    # The name starts with the visible words (WCAG 2.5.3) and adds the question.
    assert 'aria-label="Move question 4 up: “What do you want more of?”">Move question 4 up</button>' in body
    assert (
        'aria-label="Move question 4 down: “What do you want more of?”">Move question 4 down</button>' in body
    )
    assert body.count('name="direction" value="up"') == 6
    assert body.count('name="direction" value="down"') == 6
    assert body.count('name="csrfmiddlewaretoken"') >= 12


@pytest.mark.parametrize(
    "key,direction,message",
    [
        ("name", "up", "“Your street” is already the first question."),
        ("matrix", "down", "“How safe is it?” is already the last question."),
        ("wish", "sideways", "Move a question up or down."),
    ],
)
def test_moves_past_the_ends_or_elsewhere_are_refused(client, survey, alice, key, direction, message):
    client.force_login(alice)
    response = client.post(move_url(survey, survey.q[key]), {"direction": direction}, follow=True)
    assert message in response.content.decode()
    assert order(survey) == START
    assert not AuditEvent.objects.filter(action="survey.question_moved").exists()


@pytest.mark.parametrize("key,direction", [("bike", "up"), ("mode", "down")])
def test_a_conditional_question_stays_after_the_question_it_depends_on(client, survey, alice, key, direction):
    client.force_login(alice)
    response = client.post(move_url(survey, survey.q[key]), {"direction": direction}, follow=True)
    assert (
        "“What would make cycling safer?” is shown depending on the answer to “How do you travel?”, "
        "so it must stay after it." in response.content.decode()
    )
    assert order(survey) == START


def test_a_conditional_question_moves_freely_while_it_stays_after_its_question(survey, alice):
    actions.do_move_question(survey.q["bike"], alice, "down")
    assert order(survey) == [*START[:2], START[3], START[2], *START[4:]]
    actions.do_move_question(survey.q["name"], alice, "down")
    actions.do_move_question(survey.q["name"], alice, "down")  # now after the question it was before
    assert order(survey)[:3] == [START[1], START[3], START[0]]
    actions.do_move_question(survey.q["bike"], alice, "up")
    actions.do_move_question(survey.q["bike"], alice, "up")
    assert order(survey)[:3] == [START[1], START[2], START[3]]
    with pytest.raises(ValidationError):
        actions.do_move_question(survey.q["bike"], alice, "up")


def test_order_is_frozen_once_the_survey_has_answers(client, survey, alice, carol):
    actions.do_answer_survey(survey, carol, answers(survey))
    client.force_login(alice)
    response = client.post(move_url(survey, survey.q["wish"]), {"direction": "up"}, follow=True)
    body = response.content.decode()
    assert "The survey has answers, so its questions and its privacy settings can no longer change." in body
    assert "Move question" not in body  # no buttons on a frozen survey
    assert order(survey) == START
    with pytest.raises(ValidationError):
        actions.do_move_question(survey.q["wish"], alice, "up")


@pytest.mark.parametrize("who", ["bob", "erin", "carol", "dave", "eve"])
def test_only_the_citys_admins_reorder(client, survey, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.post(move_url(survey, survey.q["wish"]), {"direction": "up"})
    assert response.status_code == 403
    assert order(survey) == START


def test_visitors_are_sent_to_sign_in(client, survey):
    response = client.post(move_url(survey, survey.q["wish"]), {"direction": "up"})
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    assert order(survey) == START


def test_it_is_a_post_only_route(client, survey, alice):
    client.force_login(alice)
    assert client.get(move_url(survey, survey.q["wish"])).status_code == 405
    assert order(survey) == START


def test_another_surveys_question_is_404_under_this_survey(client, survey, alice, aurora_process):
    other = make_survey(aurora_process, alice, title="Other survey")
    client.force_login(alice)
    c = survey.component
    url = reverse(
        "surveys:question_move",
        kwargs={
            "city_slug": "aurora",
            "process_slug": c.phase.process.slug,
            "component_id": c.pk,
            "question_id": other.q["wish"].pk,
        },
    )
    assert client.post(url, {"direction": "up"}).status_code == 404
    assert order(other) == START


def test_another_citys_question_is_404_for_its_own_staff_under_this_citys_address(
    client, survey, dave, borealis_process
):
    theirs = make_survey(borealis_process, dave)
    client.force_login(dave)
    c = theirs.component
    url = reverse(
        "surveys:question_move",
        kwargs={
            "city_slug": "borealis",
            "process_slug": c.phase.process.slug,
            "component_id": c.pk,
            "question_id": survey.q["wish"].pk,
        },
    )
    assert client.post(url, {"direction": "up"}).status_code == 404
    assert order(survey) == START


def test_a_question_with_quotes_keeps_its_button_name_whole(client, survey, alice):
    actions.do_update_question(
        survey.q["scale"],
        alice,
        kind="scale",
        text='Is the "green" <b>street</b> nice?',
        scale_min=1,
        scale_max=5,
    )
    client.force_login(alice)
    body = client.get(edit_url(survey)).content.decode()
    assert (
        'aria-label="Move question 5 up: “Is the &quot;green&quot; &lt;b&gt;street&lt;/b&gt; nice?”"' in body
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_moves_keep_every_position_once(aurora_process, alice):
    """Six staff pressing buttons at the same moment: each move is a whole swap, none is lost."""
    survey = make_survey(aurora_process, alice)
    moves = [
        ("wish", "up"),
        ("scale", "up"),
        ("rank", "down"),
        ("name", "down"),
        ("matrix", "up"),
        ("wish", "down"),
    ]
    barrier = threading.Barrier(len(moves))
    errors = []

    def move(key, direction):
        try:
            barrier.wait()
            actions.do_move_question(survey.q[key], alice, direction)
        except ValidationError:
            pass  # a refusal (a condition) is a clean answer, not a failure
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=move, args=m) for m in moves]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    positions = sorted(Question.objects.filter(survey=survey).values_list("position", flat=True))
    assert positions == list(range(7))
    moved = AuditEvent.objects.filter(action="survey.question_moved").count()
    assert 1 <= moved <= len(moves)
