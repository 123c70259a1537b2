"""Participatory budgeting in the browser: a resident votes with the keyboard only and checks the receipt,
two staff members type the same paper ballot, and the results page explains the count and offers the
ballots for a recount. Every page on the way is checked with axe-core in tests/e2e/test_accessibility.py."""

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from civiclab.accounts.actions import do_create_user
from civiclab.budgeting import actions, identity, pabulib, tally
from civiclab.budgeting.actions import BallotChoice
from civiclab.budgeting.models import Ballot, Budget, Outcome, PaperEntry, Participation
from tests.conftest import PASSWORD, make_budget

from .steps import sign_in, sign_in_staff, tab_to

pytestmark = pytest.mark.e2e

CENSUS_NUMBER = "X1234567A"
RECEIPT = re.compile(r"^[A-Z2-9]{4}(-[A-Z2-9]{4}){4}$")


def codes(budget, *titles):
    return [str(p.pk) for p in budget.projects.filter(title__in=titles).order_by("pk")]


@pytest.fixture
def on_the_census(aurora_budget, alice):
    """Aurora's budget (100 EUR: Trees 40, Benches 50, Lights 30), with carol's number on its census."""
    actions.do_upload_census(aurora_budget, alice, f"{CENSUS_NUMBER},1990\n")
    return aurora_budget


def press(page, target, key="Enter"):
    tab_to(page, target)
    page.keyboard.press(key)


def type_into(page, field, text):
    tab_to(page, field)
    page.keyboard.type(text)


def test_a_resident_votes_and_checks_the_receipt_with_the_keyboard_only(page, on_the_census, carol):
    page.goto("/accounts/login/?next=/aurora/budgets/parks/")
    type_into(page, page.get_by_label("Email"), "carol@example.org")
    type_into(page, page.get_by_label("Password"), PASSWORD)
    page.keyboard.press("Enter")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Budget parks")

    press(page, page.get_by_role("link", name="Vote", exact=True))
    expect(heading).to_have_text("Prove that you may vote")
    census = page.get_by_role("group", name="With the census list")
    type_into(page, census.get_by_label("Identity document number"), CENSUS_NUMBER)
    press(page, census.get_by_role("button", name="Check"))
    expect(page.get_by_role("status")).to_have_text("Thank you: you may vote in this budget.")
    expect(heading).to_have_text("Your ballot")

    ballot = page.get_by_role("group", name="Choose projects costing 100 EUR or less in all")
    for title in ("Trees", "Lights"):
        press(page, ballot.get_by_role("checkbox", name=f"{title} ("), "Space")
    expect(ballot.get_by_role("checkbox", checked=True)).to_have_count(2)
    press(page, page.get_by_role("button", name="Cast my ballot"))

    expect(page).to_have_url(re.compile(r"/aurora/budgets/parks/receipt/$"))
    expect(heading).to_have_text("Thank you for voting")
    receipt = page.locator("main .receipt").inner_text()
    assert RECEIPT.match(receipt), receipt
    stored = Ballot.objects.get()
    assert stored.projects == codes(on_the_census, "Trees", "Lights") and stored.channel == "online"
    assert stored.receipt_hash == identity.receipt_hash(receipt)
    assert Participation.objects.get().verification.user == carol  # the register, not the ballot

    press(page, page.get_by_role("link", name="Check your ballot", exact=True))
    expect(heading).to_have_text("Check your ballot")
    type_into(page, page.get_by_label("Receipt code"), receipt.lower())  # as people type what they read
    press(page, page.locator("main").get_by_role("button", name="Check"))
    found = page.get_by_role("status")
    expect(found.get_by_role("heading")).to_have_text("Your ballot is stored")
    expect(found.get_by_role("listitem")).to_have_text(["Trees", "Lights"])


def test_a_ballot_over_the_budget_is_refused_with_the_marks_kept(page, on_the_census, carol):
    actions.do_verify_with_census(on_the_census, carol, CENSUS_NUMBER)
    sign_in(page, "carol@example.org", next_url="/aurora/budgets/parks/vote/")
    ballot = page.get_by_role("group", name="Choose projects costing 100 EUR or less in all")
    for title in ("Trees", "Benches", "Lights"):
        press(page, ballot.get_by_role("checkbox", name=f"{title} ("), "Space")
    press(page, page.get_by_role("button", name="Cast my ballot"))

    summary = page.locator("main .error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_have_attribute("role", "alert")
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(summary.get_by_role("listitem")).to_have_text(
        "The projects you chose cost 120, more than the budget of 100."
    )
    # The summary takes the focus, so the next Tab leads straight back to the marks, all kept.
    expect(summary).to_be_focused()
    page.keyboard.press("Tab")
    expect(ballot.get_by_role("checkbox", name="Trees (")).to_be_focused()
    expect(ballot.get_by_role("checkbox", checked=True)).to_have_count(3)
    assert not Ballot.objects.exists() and not Participation.objects.exists()

    press(page, ballot.get_by_role("checkbox", name="Benches ("), "Space")
    press(page, page.get_by_role("button", name="Cast my ballot"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for voting")
    assert Ballot.objects.get().projects == codes(on_the_census, "Trees", "Lights")


# --- Paper ballots ------------------------------------------------------------------------------


def task_link(task, budget):
    # The staff list names each task link with its budget's title, visible to screen readers only
    # (Chromium puts a space before the hidden part).
    return re.compile(rf"^{task}\s?: {budget}$")


def paper_page(new_context, email):
    """A staff member signed in with the second factor, on the paper ballot page of Aurora's budget."""
    page = new_context().new_page()
    sign_in_staff(page, email, next_url="/aurora/staff/budgets/")
    page.get_by_role("link", name=task_link("Enter paper ballots", "Budget parks")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter paper ballots: Budget parks")
    return page


def enter_sheet(page, sheet, *titles, station="North library"):
    page.get_by_label("Polling station").fill(station)
    page.get_by_label("Ballot sheet number").fill(sheet)
    ballot = page.get_by_role("group", name="Choose projects costing 100 EUR or less in all")
    for title in titles:
        ballot.get_by_role("checkbox", name=f"{title} (").check()
    page.get_by_role("button", name="Enter this sheet").click()


def test_a_paper_ballot_counts_once_two_staff_members_type_it_the_same(
    new_context, aurora_budget, alice, bob
):
    first = paper_page(new_context, "alice@example.org")
    enter_sheet(first, "17", "Trees", "Lights")
    expect(first.get_by_role("status")).to_have_text(
        "Entered. Another staff member must enter this sheet again."
    )
    assert not Ballot.objects.exists()

    second = paper_page(new_context, "bob@example.org")  # a moderator: front-desk work only
    enter_sheet(second, "17", "Lights", "Trees")
    expect(second.get_by_role("status")).to_have_text("Both entries agree: the ballot is counted.")
    ballot = Ballot.objects.get()
    assert ballot.channel == "paper" and sorted(ballot.projects) == codes(aurora_budget, "Trees", "Lights")
    entries = PaperEntry.objects.filter(sheet="17")
    assert {(e.entered_by.email, e.status, e.ballot_id) for e in entries} == {
        ("alice@example.org", "matched", ballot.pk),
        ("bob@example.org", "matched", ballot.pk),
    }


def test_a_differing_second_entry_goes_to_the_review_queue(new_context, aurora_budget, alice, bob):
    first = paper_page(new_context, "alice@example.org")
    enter_sheet(first, "18", "Trees")
    second = paper_page(new_context, "bob@example.org")
    enter_sheet(second, "18", "Benches")
    expect(second.get_by_role("status")).to_have_text(
        "The entries differ: the sheet goes to the review queue."
    )
    assert not Ballot.objects.exists()
    assert set(PaperEntry.objects.values_list("status", flat=True)) == {"mismatch"}

    first.reload()
    first.get_by_role("link", name="2 entries to review").click()
    expect(first.get_by_role("heading", level=1)).to_have_text("Paper ballots to review")
    sheet = first.get_by_role("group", name="Station North library, sheet 18")
    expect(sheet.get_by_role("radio")).to_have_count(2)
    sheet.get_by_role("radio", name="Trees").check()
    sheet.get_by_role("button", name="Count the chosen entry").click()
    expect(first.get_by_role("status")).to_have_text("The chosen entry is counted.")
    expect(first.locator("main")).to_contain_text("Nothing to review.")
    assert Ballot.objects.get().projects == codes(aurora_budget, "Trees")


# --- Results ------------------------------------------------------------------------------------


def voted_and_closed(city, alice, bob, carol) -> tuple[Budget, str]:
    """A budget counted with equal shares: 6 paper ballots for Trees and Benches (typed by two staff
    members), 4 online for Lights (carol's among them); voting has closed. Returns carol's receipt."""
    budget = make_budget(city, slug="squares", rule="mes")
    actions.do_upload_census(budget, alice, f"{CENSUS_NUMBER},1990\n")
    actions.do_verify_with_census(budget, carol, CENSUS_NUMBER)
    receipt = actions.do_cast_ballot(budget, carol, BallotChoice(codes(budget, "Lights")))
    for n in range(3):
        voter = do_create_user(f"voter{n}@example.org", PASSWORD, home_city=city, accept_terms=True)
        actions.do_verify_in_person(budget, alice, voter, identifier=f"V{n}", birth_date=date(1990, 1, 1))
        actions.do_cast_ballot(budget, voter, BallotChoice(codes(budget, "Lights")))
    for sheet in range(6):
        for staff in (alice, bob):
            choice = BallotChoice(codes(budget, "Trees", "Benches"))
            actions.do_enter_paper_ballot(budget, staff, station="Town hall", sheet=str(sheet), choice=choice)
    Budget.objects.filter(pk=budget.pk).update(voting_closes_at=timezone.now() - timedelta(minutes=1))
    return budget, receipt


def test_the_results_page_explains_the_count_and_offers_the_ballots_for_a_recount(
    page, aurora, alice, bob, carol
):
    budget, receipt = voted_and_closed(aurora, alice, bob, carol)
    sign_in_staff(page, "alice@example.org", next_url="/aurora/staff/budgets/")
    page.get_by_role("link", name=task_link("Count the votes", "Budget squares")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Count the votes: Budget squares")
    page.get_by_role("button", name="Count and publish").click()

    expect(page).to_have_url(re.compile(r"/aurora/budgets/squares/results/$"))
    expect(page.get_by_role("status")).to_have_text("The votes are counted and the results are published.")
    main = page.locator("main")
    expect(main).to_contain_text("Ballots: 4 online, 6 on paper.")
    expect(main).to_contain_text("10 ballots. Funded projects cost 70 of 100 EUR; 30 EUR is left.")
    expect(main).to_contain_text("Each voter's equal share was 10 EUR.")

    # The table explains every project, in counting order, in plain words.
    table = page.get_by_role("table", name=re.compile(r"^Every project, in counting order, and why"))
    rows = table.locator("tbody tr")
    expect(rows.locator("th")).to_have_text(["Trees", "Lights", "Benches"])
    expect(rows.locator("td:nth-of-type(1)")).to_have_text(["6", "4", "6"])
    expect(rows.locator("td:nth-of-type(3)")).to_have_text(["yes", "yes", "no"])
    expect(rows.locator("td:nth-of-type(4)")).to_have_text(
        [
            "Funded: its 6 supporters shared the cost, up to 6.67 EUR each.",
            "Funded: its 4 supporters shared the cost, up to 7.5 EUR each.",
            "Not funded: its supporters had only 20 EUR left together, less than its cost.",
        ]
    )
    funded = set(budget.projects.filter(funded=True).values_list("title", flat=True))
    assert funded == {"Trees", "Lights"}

    # The chart is an image with a text alternative that points to the table; funded bars differ in
    # more than colour.
    chart = page.get_by_role("img", name=re.compile(r"^Votes per project"))
    expect(chart).to_have_accessible_name(re.compile(r"The table below gives the same figures\.$"))
    expect(chart.locator("rect.bar-funded")).to_have_count(2)
    expect(chart.locator("rect.bar-other")).to_have_count(1)
    expect(chart.locator("rect.bar-funded").first).to_have_css("fill", "rgb(30, 107, 52)")
    expect(chart.locator("rect.bar-other")).to_have_css("fill", "rgb(255, 255, 255)")  # outlined

    # The anonymised ballot list downloads and recounts to the published outcome.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the anonymised ballot list (pabulib format)").click()
    assert download.value.suggested_filename == "aurora_squares.pb"
    text = Path(download.value.path()).read_text(encoding="utf-8")
    election = pabulib.parse(text)
    assert election.num_voters == 10
    assert list(tally.tally(election, "mes").selected) == Outcome.objects.get(budget=budget).selected
    assert identity.receipt_hash(receipt) in text

    # And carol finds her ballot among the counted ones.
    page.get_by_role("link", name="Check your ballot with your receipt").click()
    page.get_by_label("Receipt code").fill(receipt)
    page.locator("main").get_by_role("button", name="Check").click()
    expect(page.get_by_role("status").get_by_role("heading")).to_have_text("Your ballot was counted")
