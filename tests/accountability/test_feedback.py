import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from civiclab.accountability import actions
from civiclab.accountability.models import Feedback, ResultChange
from civiclab.accounts.actions import do_create_user
from civiclab.notifications.actions import do_follow
from civiclab.notifications.models import Notification

from .conftest import status


def person(n: int):
    return do_create_user(
        f"p{n}@example.org", "correct horse battery", display_name=f"P{n}", accept_terms=True
    )


def test_feedback_opens_only_once_the_result_is_delivered(result, carol):
    with pytest.raises(ValidationError):
        actions.do_give_feedback(result, carol, delivered="yes", rating=4)


def test_one_feedback_per_person_which_they_can_change(delivered, carol):
    actions.do_give_feedback(delivered, carol, delivered="partly", rating=3, comment="Only half")
    actions.do_give_feedback(delivered, carol, delivered="yes", rating=5)
    [feedback] = Feedback.objects.filter(result=delivered)
    assert (feedback.delivered, feedback.rating) == ("yes", 5)


@pytest.mark.parametrize("rating", [0, 6])
def test_it_refuses_a_rating_outside_1_to_5(delivered, carol, rating):
    with pytest.raises(ValidationError) as exc:
        actions.do_give_feedback(delivered, carol, delivered="yes", rating=rating)
    assert "rating" in exc.value.message_dict


def test_enough_not_delivered_reports_reopen_the_result_with_a_public_note(delivered, aurora, alice):
    actions.do_set_reopen_threshold(aurora, alice, 3)
    for n in range(2):
        actions.do_give_feedback(delivered, person(n), delivered="no", rating=1)
    delivered.refresh_from_db()
    assert delivered.status.code == "delivered"
    actions.do_give_feedback(delivered, person(3), delivered="no", rating=2)
    delivered.refresh_from_db()
    assert delivered.status.code == "in-progress"
    note = ResultChange.objects.get(result=delivered, field="status", new="In progress").note
    assert "3 people reported" in note


def test_partly_delivered_does_not_count_towards_reopening(delivered, aurora, alice):
    actions.do_set_reopen_threshold(aurora, alice, 2)
    for n in range(3):
        actions.do_give_feedback(delivered, person(n), delivered="partly", rating=2)
    delivered.refresh_from_db()
    assert delivered.status.code == "delivered"


def test_followers_and_the_project_author_are_asked_when_it_is_delivered(
    counted_budget, aurora, alice, carol, bob, django_capture_on_commit_callbacks
):
    project = counted_budget.projects.filter(funded=True).first()
    project.author = carol
    project.save()
    [result, *_] = [
        r
        for r in actions.do_create_results_from_budget(counted_budget, alice)
        if r.origin_project_id == project.pk
    ]
    do_follow(bob, result)
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_update_result(result, alice, status=status(aurora, "delivered"))
    sent = Notification.objects.filter(kind="accountability.delivered")
    assert {n.user_id for n in sent} == {carol.pk, bob.pk}
    assert sent[0].params == {"title": result.title}


def test_the_author_is_told_when_the_city_answers(
    delivered, carol, alice, django_capture_on_commit_callbacks
):
    feedback = actions.do_give_feedback(delivered, carol, delivered="no", rating=1)
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_answer_feedback(feedback, alice, answer="Sorry, fixing it.")
    assert Notification.objects.filter(user=carol, kind="accountability.answered").exists()


def test_low_ratings_wait_in_the_staff_queue_until_answered_publicly(client, delivered, carol, erin):
    feedback = actions.do_give_feedback(
        delivered, carol, delivered="partly", rating=2, comment="Broken already"
    )
    actions.do_give_feedback(delivered, erin, delivered="yes", rating=5)
    client.force_login(erin)
    queue = client.get(reverse("accountability:feedback_queue", args=["aurora"]))
    assert [f.pk for f in queue.context["waiting"]] == [feedback.pk]
    url = reverse("accountability:feedback_answer", args=["aurora", feedback.pk])
    assert client.post(url, {"answer": ""}).status_code == 400
    assert client.post(url, {"answer": "We will repair it this week."}).status_code == 302
    assert list(client.get(queue.request["PATH_INFO"]).context["waiting"]) == []
    page = client.get(reverse("accountability:result", args=["aurora", delivered.pk])).content.decode()
    assert "We will repair it this week." in page and "Broken already" in page


def test_a_resident_gives_feedback_through_the_form(client, delivered, carol):
    client.force_login(carol)
    url = reverse("accountability:feedback", args=["aurora", delivered.pk])
    response = client.post(url, {"delivered": "no", "comment": "Kept"})
    assert response.status_code == 400 and "Kept" in response.content.decode()
    assert client.post(url, {"delivered": "no", "rating": "1", "comment": "Kept"}).status_code == 302
    summary = client.get(reverse("accountability:result", args=["aurora", delivered.pk])).context["summary"]
    assert summary["n"] == 1 and summary["mean"] == 1.0


def test_the_feedback_page_is_404_before_delivery(client, result, carol):
    client.force_login(carol)
    assert client.get(reverse("accountability:feedback", args=["aurora", result.pk])).status_code == 404


def test_another_citys_feedback_cannot_be_answered_here(client, delivered, carol, dave, borealis):
    feedback = actions.do_give_feedback(delivered, carol, delivered="no", rating=1)
    client.force_login(dave)
    assert (
        client.get(reverse("accountability:feedback_answer", args=["borealis", feedback.pk])).status_code
        == 404
    )


def test_residents_follow_a_result_with_the_generic_follow_button(client, result, carol):
    client.force_login(carol)
    page = client.get(reverse("accountability:result", args=["aurora", result.pk])).content.decode()
    assert 'name="target" value="accountability.result"' in page
    data = {"target": "accountability.result", "pk": result.pk, "next": f"/aurora/results/{result.pk}/"}
    assert client.post(reverse("notifications:follow", args=["aurora"]), data).status_code == 302
    from civiclab.notifications.selectors import followers_of

    assert list(followers_of(result)) == [carol]
