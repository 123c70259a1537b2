import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from civiclab.processes.models import Process
from tests.conftest import PASSWORD, TOTP_SECRET

from .steps import sign_in

pytestmark = pytest.mark.e2e


def test_a_city_admin_signs_in_with_a_second_factor_and_creates_a_process(page, alice):
    sign_in(page, "alice@example.org", totp_secret=TOTP_SECRET, next_url="/aurora/staff/")
    expect(page).to_have_url(re.compile(r"/aurora/staff/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff area of Aurora")
    expect(page.locator("main")).to_contain_text("No processes yet.")

    page.get_by_role("link", name="New process").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New participatory process")
    process = page.get_by_role("group", name="The process")
    process.get_by_label("Title").fill("Shady schoolyards")
    process.get_by_label("Address").fill("shady-schoolyards")
    process.get_by_label("Summary").fill("Pupils and neighbours redesign schoolyards for hot summers.")
    process.get_by_label("Published").check()
    first = page.get_by_role("group", name="Phase 1", exact=True)
    expect(first.get_by_label("Name")).to_have_value("Diagnosis")
    first.get_by_label("Starts").fill("2027-03-01T09:00")
    first.get_by_label("Ends").fill("2027-03-29T18:00")
    second = page.get_by_role("group", name="Phase 2", exact=True)
    second.get_by_label("Name").fill("Design workshops")
    second.get_by_label("Starts").fill("2027-04-05T09:00")
    second.get_by_label("Ends").fill("2027-05-03T18:00")
    page.get_by_role("button", name="Create the process").click()

    expect(page).to_have_url(re.compile(r"/aurora/processes/shady-schoolyards/$"))
    expect(page.get_by_role("status")).to_have_text("The process is created.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Shady schoolyards")
    phases = page.get_by_role("region", name="Phases").get_by_role("listitem")
    expect(phases).to_have_count(2)
    expect(phases.get_by_role("heading")).to_have_text(["Diagnosis", "Design workshops"])
    expect(phases.nth(1)).to_contain_text("Co-design")
    # Times are entered and shown in the city's time zone (Europe/Madrid: UTC+1 in March, UTC+2 in May).
    expect(phases.nth(0).locator("time").first).to_have_attribute("datetime", "2027-03-01T09:00:00+01:00")
    expect(phases.nth(1).locator("time").last).to_have_attribute("datetime", "2027-05-03T18:00:00+02:00")
    expect(phases.nth(0)).to_contain_text("March 1, 2027")

    created = Process.objects.get(city=alice.home_city, slug="shady-schoolyards")
    assert created.published and created.created_by == alice
    assert [(p.name, p.starts_at) for p in created.phases.all()] == [
        ("Diagnosis", datetime(2027, 3, 1, 8, 0, tzinfo=UTC)),
        ("Design workshops", datetime(2027, 4, 5, 7, 0, tzinfo=UTC)),
    ]


def test_the_staff_area_asks_for_the_second_factor_before_opening(page, alice):
    page.goto("/aurora/staff/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/aurora/staff/"))
    form = page.locator("main form")
    form.get_by_role("textbox", name="Email").fill("alice@example.org")
    form.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    form.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.get_by_label("Code").fill("000000")
    page.locator("main").get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    expect(page.locator("main .errorlist")).to_be_visible()
    page.goto("/aurora/staff/")
    expect(page).to_have_url(re.compile(r"/accounts/(login|2fa/authenticate)/"))
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Staff area of Aurora")


def test_the_skip_link_is_the_first_tab_stop_and_a_keyboard_reaches_the_new_process_form(page, alice):
    sign_in(page, "alice@example.org", totp_secret=TOTP_SECRET, next_url="/aurora/staff/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff area of Aurora")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # hidden off-screen until focused, then shown
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    page.keyboard.press("Tab")
    new_process = page.get_by_role("link", name="New process")
    expect(new_process).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("New participatory process")
