"""Results, feedback, KPIs and the practice library in a browser: staff mark a result delivered, a
resident rates it low and the city answers; a KPI shows its chart and table; a city replicates a
practice of another city."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from civiclab.accountability import actions
from civiclab.accountability.models import Kpi
from civiclab.network.actions import do_publish_practice
from civiclab.processes.actions import do_add_component
from civiclab.processes.models import Component, Process
from tests.conftest import TOTP_SECRET

from .steps import sign_in

pytestmark = pytest.mark.e2e


def test_staff_deliver_a_result_a_resident_rates_it_low_and_the_city_answers(
    page, new_context, aurora, alice, carol
):
    result = actions.do_create_result(aurora, alice, title="Shade in Plaza Mayor", department="Parks")
    sign_in(
        page,
        "alice@example.org",
        totp_secret=TOTP_SECRET,
        next_url=f"/aurora/staff/results/{result.pk}/edit/",
    )
    page.get_by_label("Status").select_option(label="Delivered")
    page.get_by_label("Note for the public history").fill("Inaugurated on Monday")
    page.get_by_role("button", name="Save the result").click()
    expect(page.get_by_role("status")).to_have_text("The result is saved.")

    resident = new_context().new_page()
    sign_in(resident, "carol@example.org", next_url=f"/aurora/results/{result.pk}/")
    resident.get_by_role("link", name="Give your feedback").click()
    resident.get_by_role("group", name="Was it delivered as promised?").get_by_label("Partly").check()
    resident.get_by_role("group", name="How well does it work?").get_by_label("1: not at all").check()
    resident.get_by_label("Comment").fill("The awnings are already torn.")
    resident.get_by_role("button", name="Publish my feedback").click()
    expect(resident.get_by_role("status")).to_have_text("Thank you: your feedback is published.")
    history = resident.get_by_role("region", name="Public history of changes")
    expect(history).to_contain_text("Inaugurated on Monday")

    page.goto("/aurora/staff/results/feedback/")
    queue = page.get_by_role("table")
    expect(queue).to_contain_text("The awnings are already torn.")
    queue.get_by_role("link", name=re.compile("^Answer")).click()
    page.get_by_label("Public answer").fill("We replace them this week.")
    page.get_by_role("button", name="Publish the answer").click()
    expect(page.locator("main")).to_contain_text("Every low rating has an answer.")

    resident.reload()
    feedback = resident.get_by_role("region", name="Was it delivered as promised?")
    expect(feedback).to_contain_text("We replace them this week.")
    expect(feedback).to_contain_text("1 person rated it 1.0 out of 5.")


def test_a_kpi_with_a_target_shows_its_chart_and_its_table(page, aurora, alice):
    today = timezone.localdate()
    actions.do_load_catalogue()  # made by a migration, flushed by the browser tests before this one
    adoption = actions.do_adopt_kpi(
        aurora,
        alice,
        Kpi.objects.get(city__isnull=True, code="sdg-11-7-1"),
        baseline_value=20,
        baseline_date=today - timedelta(days=3 * 365),
        target_value=30,
        target_date=today + timedelta(days=2 * 365),
    )
    for years, value in ((2, "21.5"), (1, "23"), (0, "25.5")):
        actions.do_record_measurement(
            adoption, alice, date=today - timedelta(days=365 * years), value=value, source="GIS"
        )
    page.goto("/aurora/kpis/")
    page.get_by_role("link", name="Open public space").click()
    chart = page.get_by_role("img", name=re.compile("Trend of “Open public space” against its target"))
    expect(chart).to_be_visible()
    expect(chart.locator("polyline")).to_have_count(2)  # the values and the path to the target
    table = page.get_by_role("table", name="Measurements")
    expect(table.get_by_role("row")).to_have_count(1 + 1 + 3 + 1)  # header, baseline, values, target
    expect(table).to_contain_text("25.5")
    expect(page.locator("main")).to_contain_text("On track")


def test_a_city_admin_replicates_a_practice_of_another_city(
    page, aurora, alice, borealis, dave, aurora_process
):
    do_add_component(aurora_process.phases.get(position=1), alice, kind="proposals", title="Ideas for shade")
    do_publish_practice(
        aurora,
        alice,
        slug="shade-labs",
        title="Shade labs",
        summary="Neighbours co-design shade.",
        problem="Hot squares.",
        topic="climate",
        source_process=aurora_process,
    )
    sign_in(page, "dave@example.org", totp_secret=TOTP_SECRET, next_url="/network/practices/")
    page.get_by_label("Topic").select_option("climate")
    page.get_by_role("button", name="Show").click()
    page.get_by_role("link", name="Shade labs").click()
    replications = page.locator("dt:text-is('Replications') + dd")
    expect(replications).to_have_text("0")
    page.get_by_role("button", name="Replicate in Borealis").click()
    expect(page).to_have_url(re.compile(r"/borealis/staff/processes/shade-labs/edit/$"))
    copy = Process.objects.get(city=borealis, slug="shade-labs")
    assert not copy.published
    assert Component.objects.filter(phase__process=copy, title="Ideas for shade").exists()
    page.goto("/borealis/processes/shade-labs/")
    page.get_by_role("link", name="Shade labs").click()
    expect(replications).to_have_text("1")
