import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from civiclab.deliberation import actions
from civiclab.deliberation.models import Statement, Vote
from tests.conftest import TOTP_SECRET
from tests.deliberation.factories import SEEDS, conversation
from tests.deliberation.test_report import three_camps

from .steps import sign_in
from .test_accessibility import AXE_OPTIONS

pytestmark = pytest.mark.e2e
axe = Axe()


def assert_accessible(page, label):
    violations = axe.run(page, options=AXE_OPTIONS).response["violations"]
    assert not violations, f"{label}: " + "; ".join(f"{v['id']}: {v['help']}" for v in violations)


def test_a_resident_votes_on_twenty_statements_with_the_keyboard_only(page, aurora, alice, carol):
    talk = conversation(aurora, alice, seeds=SEEDS[:20])
    sign_in(page, "carol@example.org")
    page.goto(f"/aurora/conversations/{talk.slug}/")
    assert_accessible(page, "conversation page")
    heading = page.locator("#statement-heading")
    heading.focus()  # where the page's own link (#statement-heading) puts a keyboard user
    planned = []
    for n in range(20):
        expect(page.locator("#progress")).to_have_text(f"Statement {n + 1} of 20")
        text = heading.inner_text()
        presses = n % 3 + 1  # Tab once: Agree; twice: Disagree; three times: Pass / unsure
        for _ in range(presses):
            page.keyboard.press("Tab")
        expect(page.locator(".vote-buttons button").nth(presses - 1)).to_be_focused()
        page.keyboard.press("Enter")
        planned.append((text, {1: 1, 2: -1, 3: 0}[presses]))
        # htmx swapped the card in place: focus is on the next statement, and the status region says so.
        expect(page.locator("#vote-announcer")).to_contain_text("Your answer is saved.")
        expect(page.locator("#statement-heading")).to_be_focused()
    expect(heading).to_have_text("You have answered every statement. Thank you!")
    assert page.url.endswith(f"/aurora/conversations/{talk.slug}/")  # no page load on the way
    stored = dict(Vote.objects.filter(participant__user=carol).values_list("statement__text", "value"))
    assert stored == dict(planned)
    assert_accessible(page, "conversation page after voting")


def test_voting_works_without_javascript(new_context, aurora, alice, carol):
    talk = conversation(aurora, alice, seeds=SEEDS[:2])
    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, "carol@example.org")
    page.goto(f"/aurora/conversations/{talk.slug}/")
    page.get_by_role("button", name="Disagree").click()
    expect(page.get_by_role("status").first).to_contain_text("Your answer is saved.")
    expect(page.locator("#progress")).to_have_text("Statement 2 of 2")
    # Change it from the list of one's votes.
    page.get_by_role("group", name=re.compile("Your answer: Disagree")).get_by_role(
        "button", name="Agree"
    ).click()
    assert list(Vote.objects.values_list("value", flat=True)) == [1]


def test_a_statement_is_added_then_accepted_by_a_moderator(page, new_context, aurora, alice, bob, carol):
    talk = conversation(aurora, alice, seeds=SEEDS[:1], moderation="pre")
    sign_in(page, "carol@example.org")
    page.goto(f"/aurora/conversations/{talk.slug}/")
    page.get_by_label("Your statement").fill("Open the school playgrounds on summer evenings")
    page.get_by_role("button", name="Add the statement").click()
    expect(page.get_by_role("status").first).to_contain_text("will appear once a moderator accepts it")
    statement = Statement.objects.get(text="Open the school playgrounds on summer evenings")
    assert statement.status == "pending"

    staff = new_context().new_page()
    sign_in(
        staff,
        "bob@example.org",
        totp_secret=TOTP_SECRET,
        next_url=f"/aurora/staff/conversations/{talk.slug}/moderation/",
    )
    expect(staff.get_by_role("heading", level=2, name="1 statement waiting")).to_be_visible()
    waiting = staff.get_by_role("group", name=re.compile(f"Statement {statement.tid}"))
    waiting.get_by_label("Reject").check()
    waiting.get_by_role("button", name=re.compile("Save the decision")).click()
    expect(staff.locator(".error-summary")).to_contain_text("Give a reason")
    assert_accessible(staff, "moderation page with an error")
    waiting = staff.get_by_role("group", name=re.compile(f"Statement {statement.tid}"))
    waiting.get_by_label("Accept").check()
    waiting.get_by_label("Meta: about the process, not the topic").check()
    waiting.get_by_role("button", name=re.compile("Save the decision")).click()
    expect(staff.get_by_role("status")).to_have_text(f"Statement {statement.tid} is saved.")
    assert_accessible(staff, "moderation page")
    statement.refresh_from_db()
    assert (statement.status, statement.is_meta, statement.moderated_by) == ("accepted", True, bob)


def test_the_report_page_shows_the_map_with_a_text_alternative(page, aurora, alice):
    talk = conversation(aurora, alice, seeds=SEEDS[:20], participation="link")
    three_camps(talk)
    actions.do_recompute_report(talk)
    page.goto(f"/aurora/conversations/{talk.slug}/report/")
    chart = page.get_by_role("img", name="Opinion map")
    expect(chart).to_be_visible()
    expect(chart.locator("desc")).to_contain_text("Group A: 40 participants.")
    expect(page.get_by_role("table", name="Groups of the map").locator("tbody tr")).to_have_count(3)
    expect(page.get_by_role("heading", name="What sets group B apart")).to_be_visible()
    expect(page.get_by_role("table", name="Votes and new participants per day")).to_be_visible()
    assert_accessible(page, "report page")
