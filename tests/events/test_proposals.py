"""Meetings link to the proposals that came out of them: the report form, the meeting page, the API,
the `meetings_for_proposal` tag of proposal pages, erasure."""

from collections import Counter
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.urls import reverse

from civiclab.core.models import AuditEvent
from civiclab.events import actions, selectors
from civiclab.events.models import MeetingProposal
from civiclab.processes.actions import do_update_component
from civiclab.proposals import actions as proposal_actions
from civiclab.proposals.actions import proposal_url
from tests.proposals.conftest import add_component, make_proposal

from .conftest import make_meeting
from .test_views import url


@pytest.fixture(autouse=True)
def _generous_limits(monkeypatch):
    monkeypatch.setattr(proposal_actions, "PROPOSAL_LIMIT", (10_000, 60))


@pytest.fixture
def past(aurora_process, alice):
    return make_meeting(aurora_process, alice, starts_in=timedelta(days=-1), title="Shade walk")


@pytest.fixture
def ideas(aurora_process):
    return add_component(aurora_process)


@pytest.fixture
def trees(ideas, carol):
    return make_proposal(ideas, carol, title="Trees on every street")


@pytest.fixture
def benches(ideas, carol, alice):
    benches = make_proposal(ideas, carol, title="Benches in the shade")
    proposal_actions.do_answer(benches, alice, state="accepted", reason="Yes, this year.")
    return benches


@pytest.fixture
def theirs(borealis_process, eve):
    return make_proposal(add_component(borealis_process), eve, title="Quiet boats")


def linked(meeting) -> set[int]:
    return set(MeetingProposal.objects.filter(meeting=meeting).values_list("proposal_id", flat=True))


# --- The report form --------------------------------------------------------------------------


def test_staff_link_proposals_and_the_meeting_page_lists_them_with_their_state(
    client, past, trees, benches, bob
):
    client.force_login(bob)  # moderators write reports
    response = client.post(
        url("events:report", past),
        {
            "minutes": "Walked.",
            "proposals": [trees.pk, benches.pk],
            "outcomes": "Video | https://v.example.org/1",
        },
    )
    assert response.status_code == 302
    assert linked(past) == {trees.pk, benches.pk}
    link = MeetingProposal.objects.filter(meeting=past).first()
    assert link.city == past.city
    event = AuditEvent.objects.filter(action="meeting.reported").get()
    assert event.data["proposals"] == sorted([trees.pk, benches.pk])
    client.logout()
    body = client.get(url("events:detail", past)).content.decode()
    assert "Proposals that came out of it" in body
    assert f'<a href="{proposal_url(trees)}">Trees on every street</a> · Not answered yet' in body
    assert f'<a href="{proposal_url(benches)}">Benches in the shade</a> · <strong>Accepted</strong>' in body
    assert "Other outcomes" in body and "https://v.example.org/1" in body


def test_unticking_a_proposal_unlinks_it_and_free_links_stay(client, past, trees, benches, alice):
    actions.do_report_meeting(
        past, alice, proposals=[trees, benches], outcomes="Video | https://v.example.org/1"
    )
    client.force_login(alice)
    page = client.get(url("events:report", past)).content.decode()
    assert f'value="{trees.pk}" id="id_proposals_' in page and page.count("checked") == 2
    assert "Video | https://v.example.org/1" in page
    response = client.post(
        url("events:report", past), {"proposals": [benches.pk], "outcomes": "Video | https://v.example.org/1"}
    )
    assert response.status_code == 302
    assert linked(past) == {benches.pk}
    past.refresh_from_db()
    assert past.outcomes == [{"title": "Video", "url": "https://v.example.org/1"}]


def test_the_form_offers_the_citys_recent_proposals_newest_first_in_a_labelled_group(
    client, past, trees, benches, theirs, alice
):
    client.force_login(alice)
    body = client.get(url("events:report", past)).content.decode()
    assert "<legend" in body and "Proposals that came out of the meeting" in body
    assert "Other outcomes (links)" in body
    assert f"Benches in the shade (Green streets, number {benches.pk})" in body
    assert body.index("Benches in the shade") < body.index("Trees on every street")
    assert "Quiet boats" not in body and f'value="{theirs.pk}"' not in body


def test_older_proposals_go_by_number_or_address_and_stay_ticked_after(
    client, past, trees, benches, alice, monkeypatch
):
    monkeypatch.setattr(selectors, "PROPOSAL_CHOICES", 1)  # only the newest is listed
    client.force_login(alice)
    body = client.get(url("events:report", past)).content.decode()
    assert "Benches in the shade" in body and "Trees on every street" not in body
    response = client.post(
        url("events:report", past), {"proposal_numbers": f"http://testserver{proposal_url(trees)}"}
    )
    assert response.status_code == 302 and linked(past) == {trees.pk}
    body = client.get(url("events:report", past)).content.decode()
    assert "Trees on every street" in body  # linked ones are always listed, ticked
    assert f'value="{trees.pk}" id="id_proposals_1" checked' in body
    response = client.post(
        url("events:report", past), {"proposals": [trees.pk], "proposal_numbers": f"{benches.pk},"}
    )
    assert response.status_code == 302 and linked(past) == {trees.pk, benches.pk}


@pytest.mark.parametrize(
    "data,field,message",
    [
        ({"proposals": ["{theirs}"]}, "proposals", "Proposal {theirs} is not a proposal of this city."),
        ({"proposals": ["99999999999999999999"]}, "proposals", "Proposal 99999999999999999999 is not a"),
        ({"proposals": ["two"]}, "proposals", "“two” is not a valid value."),
        ({"proposal_numbers": "9999999999999999999999"}, "proposal_numbers", "is not a proposal number"),
        (
            {"proposal_numbers": "{theirs}"},
            "proposal_numbers",
            "No proposal of this city has the number {theirs}.",
        ),
        (
            {"proposal_numbers": "999999 {theirs}"},
            "proposal_numbers",
            "No proposals of this city have the numbers",
        ),
        (
            {"proposal_numbers": "https://example.org/news"},
            "proposal_numbers",
            "“https://example.org/news” is not a proposal number or the address of a proposal.",
        ),
    ],
)
def test_another_citys_proposal_is_refused_with_a_clear_error(
    client, past, trees, theirs, alice, data, field, message
):
    client.force_login(alice)
    data = {
        k: [v.format(theirs=theirs.pk) for v in vs] if isinstance(vs, list) else vs.format(theirs=theirs.pk)
        for k, vs in data.items()
    }
    response = client.post(url("events:report", past), {"minutes": "Kept?", **data})
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors[field])
    assert message.format(theirs=theirs.pk) in errors
    assert not linked(past)
    past.refresh_from_db()
    assert past.minutes == ""


def test_the_action_refuses_another_citys_proposal_too(past, trees, theirs, alice):
    with pytest.raises(ValidationError) as refused:
        actions.do_report_meeting(past, alice, proposals=[trees, theirs.pk])
    assert refused.value.message_dict["proposals"] == [
        f"Proposal {theirs.pk} is not a proposal of this city."
    ]
    assert not linked(past)
    with pytest.raises(ValidationError):
        actions.do_report_meeting(past, alice, proposals=["twelve"])
    with pytest.raises(ValidationError) as refused:
        actions.do_report_meeting(past, alice, proposals=[2**70])
    assert refused.value.message_dict["proposals"] == [f"Proposal {2**70} is not a proposal of this city."]
    # Without `proposals`, a report keeps the links as they are.
    actions.do_report_meeting(past, alice, proposals=[trees])
    actions.do_report_meeting(past, alice, minutes="Later")
    assert linked(past) == {trees.pk}


@pytest.mark.parametrize("who", ["carol", "erin", "dave", "eve"])
def test_only_the_citys_admins_and_moderators_link_proposals(client, past, trees, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.post(url("events:report", past), {"proposals": [trees.pk]}).status_code == 403
    assert not linked(past)


def test_visitors_are_sent_to_sign_in(client, past, trees):
    response = client.post(url("events:report", past), {"proposals": [trees.pk]})
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    assert not linked(past)


# --- What readers see -------------------------------------------------------------------------


def test_hidden_proposals_and_unpublished_ones_are_left_out_of_the_page_and_the_api(
    client, past, trees, benches, aurora_process, carol, alice, bob
):
    switched_off = add_component(aurora_process)
    secret = make_proposal(switched_off, carol, title="Secret plan")
    do_update_component(switched_off, alice, enabled=False)
    actions.do_report_meeting(past, alice, proposals=[trees, benches, secret])
    proposal_actions.do_moderate(trees, bob, decision="hide", reason="Spam")
    for who in (None, bob):  # moderators too: the meeting page is a public page
        if who:
            client.force_login(who)
        body = client.get(url("events:detail", past)).content.decode()
        assert "Benches in the shade" in body
        assert "Trees on every street" not in body and "Secret plan" not in body
    detail = client.get(f"/api/v1/cities/aurora/meetings/{past.pk}").json()
    assert detail["proposals"] == [benches.pk]
    listing = client.get("/api/v1/cities/aurora/meetings").json()
    assert [m["proposals"] for m in listing["items"] if m["id"] == past.pk] == [[benches.pk]]
    # The links stay: the form keeps a hidden proposal ticked, so saving it loses nothing.
    assert linked(past) == {trees.pk, benches.pk, secret.pk}


def test_the_api_lists_proposal_ids_in_a_constant_number_of_queries(
    client, past, trees, benches, aurora_process, alice, django_assert_max_num_queries
):
    for i in range(4):
        m = make_meeting(aurora_process, alice, component=past.component, title=f"Meeting {i}")
        actions.do_report_meeting(m, alice, proposals=[trees, benches])
    with django_assert_max_num_queries(6):
        items = client.get("/api/v1/cities/aurora/meetings").json()["items"]
    assert sorted(len(m["proposals"]) for m in items) == [0, 2, 2, 2, 2]


def test_the_meeting_page_reads_its_proposals_in_one_query(
    client, past, ideas, carol, alice, django_assert_max_num_queries
):
    actions.do_report_meeting(
        past, alice, proposals=[make_proposal(ideas, carol, title=f"P{i}") for i in range(2)]
    )
    with django_assert_max_num_queries(40) as few:
        client.get(url("events:detail", past))
    actions.do_report_meeting(
        past, alice, proposals=[make_proposal(ideas, carol, title=f"Q{i}") for i in range(6)]
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get(url("events:detail", past)).content.decode()
    assert all(f">Q{i}</a>" in body for i in range(6))


# --- The tag of proposal pages ----------------------------------------------------------------


def render_tag(proposal) -> str:
    return Template("{% load events_tags %}{% meetings_for_proposal proposal %}").render(
        Context({"proposal": proposal})
    )


def test_the_tag_lists_the_published_meetings_a_proposal_came_out_of(
    past, trees, aurora_process, aurora_draft, alice, django_assert_num_queries
):
    later = make_meeting(aurora_process, alice, starts_in=timedelta(days=-1, hours=3), title="Second walk")
    draft = make_meeting(aurora_draft, alice, starts_in=timedelta(days=-2), title="Draft meeting")
    off = make_meeting(aurora_process, alice, starts_in=timedelta(days=-2), title="Switched-off meeting")
    do_update_component(off.component, alice, enabled=False)
    for meeting in (past, later, draft, off):
        actions.do_report_meeting(meeting, alice, proposals=[trees])
    with django_assert_num_queries(1):
        html = render_tag(trees)
    assert '<h2 id="meetings-heading">The meetings it came out of</h2>' in html
    assert f'<a href="{selectors.url_of(past)}">Came out of the meeting “Shade walk”</a>' in html
    assert f'<a href="{selectors.url_of(later)}">Came out of the meeting “Second walk”</a>' in html
    assert html.index("Shade walk") < html.index("Second walk")
    assert "Draft meeting" not in html and "Switched-off meeting" not in html


def test_the_tag_says_nothing_without_meetings(trees, benches, past, alice):
    actions.do_report_meeting(past, alice, proposals=[benches])
    assert render_tag(trees).strip() == ""
    assert render_tag(None).strip() == ""
    assert "The meeting it came out of" in render_tag(benches)


def test_the_tag_never_shows_another_citys_meeting(trees, theirs, borealis_process, dave):
    meeting = make_meeting(borealis_process, dave, starts_in=timedelta(days=-1), title="Canal walk")
    with pytest.raises(ValidationError):
        actions.do_report_meeting(meeting, dave, proposals=[trees])
    actions.do_report_meeting(meeting, dave, proposals=[theirs])
    assert "Canal walk" in render_tag(theirs) and render_tag(trees).strip() == ""


# --- Personal data ----------------------------------------------------------------------------


def test_erasing_the_author_keeps_the_link_and_exports_stay_as_they_were(client, past, trees, carol, bob):
    from civiclab.accounts.actions import do_erase_account
    from civiclab.accounts.selectors import personal_data

    before = personal_data(bob)
    actions.do_report_meeting(past, bob, proposals=[trees])
    after = personal_data(bob)
    # A link is no one's personal data: only the audit trail of what bob did grows.
    grew = Counter(a["action"] for a in after.pop("activity")) - Counter(
        a["action"] for a in before.pop("activity")
    )
    assert grew == Counter(["meeting.reported"])
    assert after == before
    do_erase_account(carol)
    assert linked(past) == {trees.pk}
    body = client.get(url("events:detail", past)).content.decode()
    assert "Trees on every street" in body and "Carol" not in body
