import re

import pytest
from playwright.sync_api import expect

from civiclab.surveys import actions as surveys
from tests.conftest import _person
from tests.events.conftest import make_meeting
from tests.surveys.conftest import answers, make_survey, residents

from .steps import sign_in

pytestmark = pytest.mark.e2e


def test_a_resident_answers_a_survey_and_its_results_appear(page, aurora_process, alice, carol, aurora):
    survey = make_survey(aurora_process, alice, anonymous=True, results_while_open=True)
    for person in residents(aurora, 10):  # k stays 10: ten answers before hers
        surveys.do_answer_survey(survey, person, answers(survey))
    c = survey.component
    path = f"/aurora/processes/{aurora_process.slug}/c/{c.pk}/survey/"
    sign_in(page, "carol@example.org", next_url=path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Streets survey")
    page.get_by_label("1. Your street").fill("Calle del Sol")
    page.get_by_role("button", name="Send my answers").click()
    # The required question was skipped: the error is tied to it and nothing typed is lost.
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Question 2: Answer this question.")
    expect(page.get_by_label("1. Your street")).to_have_value("Calle del Sol")
    # The cycling question waits for its condition (without JavaScript it shows with a note instead).
    cycling = page.get_by_label("3. What would make cycling safer?")
    expect(cycling).to_be_hidden()
    travel = page.get_by_role("group", name="2. How do you travel?")
    travel.get_by_label("Bike").check()
    expect(cycling).to_be_visible()
    page.get_by_label("3. What would make cycling safer?").fill("Protected lanes")
    page.get_by_role("group", name="4. What do you want more of?").get_by_label("Shade").check()
    page.get_by_role("group", name="5. How green is your street?").get_by_label("5 (Green)").check()
    ranking = page.get_by_role("group", name="6. Rank these")
    for option, place in (("Parks", "1"), ("Schools", "2"), ("Buses", "3")):
        ranking.get_by_label(option).select_option(place)
    page.get_by_label("By night: Unsafe").check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("status")).to_contain_text("your answers are saved")

    page.get_by_role("link", name="See the results").click()
    expect(page).to_have_url(re.compile(r"/survey/results/$"))
    expect(page.locator("main")).to_contain_text("11 people answered.")
    travel_results = page.get_by_role("region", name="2. How do you travel?")
    expect(travel_results.get_by_role("row", name="Bike")).to_contain_text("11")
    expect(travel_results.get_by_role("row", name="Car")).to_contain_text("fewer than 10")
    expect(travel_results.get_by_role("img")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Protected lanes")  # free text: staff only


def test_a_cancelled_place_goes_to_the_first_on_the_waiting_list(page, aurora_process, alice, carol, aurora):
    meeting = make_meeting(aurora_process, alice, capacity=1)
    _person("dan@example.org", "Dan Resident", aurora)
    c = meeting.component
    path = f"/aurora/processes/{aurora_process.slug}/c/{c.pk}/meetings/{meeting.pk}/"
    sign_in(page, "carol@example.org", next_url=path)
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("status")).to_contain_text("You are registered.")
    expect(page.locator("main")).to_contain_text("meet.example.org/shade")  # hybrid: her link to join

    page.context.clear_cookies()
    sign_in(page, "dan@example.org", next_url=path)
    page.get_by_role("button", name="Join the waiting list").click()
    expect(page.locator("main")).to_contain_text("You are number 1 on the waiting list.")
    expect(page.locator("main")).not_to_contain_text("meet.example.org")

    page.context.clear_cookies()
    sign_in(page, "carol@example.org", next_url=path)
    page.get_by_role("button", name="Cancel my registration").click()
    expect(page.get_by_role("status")).to_contain_text("Your registration is cancelled.")

    page.context.clear_cookies()
    sign_in(page, "dan@example.org", next_url=path)
    expect(page.locator("main")).to_contain_text("You are registered.")
    page.goto("/account/notifications/")
    expect(page.locator("main")).to_contain_text("A place is free for you at “Shade in the square”")
