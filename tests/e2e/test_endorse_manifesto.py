import re

import pytest
from playwright.sync_api import Page, expect

from civiclab.network.models import Endorsement

pytestmark = pytest.mark.e2e


def endorsement_form(page: Page):
    return page.get_by_role("region", name="Endorse this manifesto").locator("form")


def test_an_organisation_endorses_and_appears_among_the_signatories(page, manifesto):
    page.goto(f"/manifestos/{manifesto.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Human Smart Cities Manifesto")

    form = endorsement_form(page)
    form.get_by_label("An organisation").check()
    form.get_by_role("textbox", name="Name").fill("Universiteit Twente")
    form.get_by_label("Type of organisation").select_option(label="University or research")
    form.get_by_label("Country").select_option(label="Netherlands")
    form.get_by_label("Show the name in the list of signatories").check()
    form.get_by_role("button", name="Endorse").click()

    expect(page.get_by_role("status")).to_have_text("Thank you: your endorsement is recorded.")
    signatories = page.get_by_role("region", name="Signatories")
    expect(signatories.locator(".signatories li")).to_have_text(
        ["Universiteit Twente (University or research, Netherlands)"]
    )
    expect(signatories.get_by_role("row", name="University or research")).to_contain_text("1")
    expect(signatories).to_contain_text("1 endorsement in all")
    endorsement = Endorsement.objects.get(manifesto=manifesto)
    assert (endorsement.kind, endorsement.organisation_type, endorsement.country.code) == (
        "organisation",
        "university",
        "NL",
    )


def test_an_organisation_without_a_type_gets_an_error_tied_to_the_field(page, manifesto):
    page.goto(f"/manifestos/{manifesto.slug}/")
    form = endorsement_form(page)
    form.get_by_label("An organisation").check()
    form.get_by_role("textbox", name="Name").fill("Fundació Sense Tipus")
    form.get_by_label("Country").select_option(label="Spain")
    form.get_by_role("button", name="Endorse").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("link")).to_have_text(
        ["Type of organisation: Choose the type of organisation."]
    )
    expect(summary.get_by_role("link")).to_have_attribute("href", "#id_organisation_type")

    field = endorsement_form(page).get_by_label("Type of organisation")
    expect(field).to_have_attribute("aria-invalid", "true")
    described_by = field.get_attribute("aria-describedby").split()
    error_ids = [i for i in described_by if page.locator(f"#{i}.errorlist").count()]
    assert error_ids, f"aria-describedby={described_by} points to no error list"
    expect(page.locator(f"#{error_ids[0]}")).to_have_text("Choose the type of organisation.")
    expect(field).to_have_accessible_description(re.compile("Choose the type of organisation"))
    # What was typed is kept, and nothing was recorded.
    expect(endorsement_form(page).get_by_role("textbox", name="Name")).to_have_value("Fundació Sense Tipus")
    assert not Endorsement.objects.exists()


def test_a_person_endorses_without_javascript(new_context, manifesto):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(f"/manifestos/{manifesto.slug}/")
    # The page's own scripts did not run (Playwright's evaluate still works: it is not the page's script).
    assert page.evaluate("typeof window.htmx") == "undefined"
    form = endorsement_form(page)
    expect(form.get_by_label("A person")).to_be_checked()
    form.get_by_role("textbox", name="Name").fill("Pau Puig")
    form.get_by_label("Country").select_option(label="Spain")
    form.get_by_label("Show the name in the list of signatories").check()
    form.get_by_role("button", name="Endorse").click()

    expect(page.get_by_role("status")).to_have_text("Thank you: your endorsement is recorded.")
    expect(page.get_by_role("region", name="Signatories").locator(".signatories li")).to_have_text(
        ["Pau Puig (Spain)"]
    )
    assert Endorsement.objects.get(manifesto=manifesto).name == "Pau Puig"
