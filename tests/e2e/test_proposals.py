"""Proposals in the browser: a resident submits a proposal with a typed place, a second resident supports
and comments it, staff answer it, and the author finds the answer among their notifications. Every page
on the way is checked with axe-core in tests/e2e/test_accessibility.py."""

import re

import pytest
from playwright.sync_api import expect

from civiclab.proposals.models import Proposal
from tests.conftest import PASSWORD, _person
from tests.proposals.conftest import add_component

from .steps import sign_in, sign_in_staff

pytestmark = pytest.mark.e2e


@pytest.fixture
def ideas(aurora_process):
    return add_component(aurora_process, support_threshold=1, categories=["Green", "Mobility"])


def test_a_proposal_is_submitted_supported_commented_answered_and_the_author_is_told(
    new_context, ideas, carol, erin, aurora
):
    frank = _person("frank@example.org", "Frank Resident", aurora)
    base = f"/aurora/processes/{ideas.phase.process.slug}/c/{ideas.pk}/"

    # Carol writes a proposal and types its place.
    author = new_context().new_page()
    sign_in(author, "carol@example.org", next_url=base)
    author.get_by_role("link", name="Write a proposal").click()
    author.get_by_label("Title").fill("Shade for the school square")
    author.get_by_label("Your proposal").fill("Plant **ten trees** and add a drinking fountain.")
    author.get_by_label("Category").select_option("Green")
    author.get_by_label("Latitude").fill("39.46975")
    author.get_by_label("Longitude").fill("-0.37739")
    author.get_by_role("button", name="Publish my proposal").click()
    heading = author.get_by_role("heading", level=1)
    expect(heading).to_have_text("Shade for the school square")
    expect(author.locator("main")).to_contain_text("39.46975, -0.37739")
    proposal = Proposal.objects.get()
    assert str(proposal.latitude) == "39.46975" and proposal.author == carol

    # Frank supports it and comments.
    other = new_context().new_page()
    sign_in(other, frank.email, PASSWORD, next_url=f"{base}{proposal.pk}/")
    other.get_by_role("button", name="Support this proposal").click()
    expect(other.get_by_role("status")).to_contain_text("you support this proposal")
    other.get_by_label("Your comment").fill("Yes, and benches in the shade too.")
    other.get_by_role("button", name="Publish my comment").click()
    expect(other.locator("main article.comment")).to_contain_text("benches in the shade")

    # Erin, an evaluator, answers it from the queue of proposals that reached the threshold.
    staff = new_context().new_page()
    sign_in_staff(staff, erin.email, next_url="/aurora/staff/proposals/must-answer/")
    staff.get_by_role("link", name="Shade for the school square").click()
    staff.get_by_label("Answer").select_option("accepted")
    staff.get_by_label("Reason").fill("The school and the parks service will plant them in autumn.")
    staff.get_by_role("button", name="Publish the answer").click()
    expect(staff.get_by_role("heading", name="Official answer")).to_be_visible()

    # Carol sees the notification in the app.
    author.reload()
    author.get_by_role("link", name=re.compile(r"^Notifications")).click()
    expect(author.locator("main")).to_contain_text(
        "“Shade for the school square” received an answer: Accepted"
    )
    proposal.refresh_from_db()
    assert (proposal.supports_count, proposal.comments_count, proposal.answer_state) == (1, 1, "accepted")
