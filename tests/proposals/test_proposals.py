import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from civiclab.core.models import AuditEvent
from civiclab.proposals import actions, selectors
from civiclab.proposals.models import Amendment, Attachment, Proposal, ProposalVersion, Support

from .conftest import add_component, make_proposal, past_phase, url


def png_bytes():
    out = io.BytesIO()
    Image.new("RGB", (10, 10), "green").save(out, "PNG")
    return out.getvalue()


def test_it_publishes_a_proposal_with_a_place_and_an_audit_event(ideas, carol):
    proposal = make_proposal(
        ideas, carol, category="Green", district="North", latitude="39.46975", longitude="-0.37739"
    )
    assert proposal.city_id == ideas.city_id and proposal.author == carol
    assert AuditEvent.objects.filter(action="proposal.submitted", target_id=str(proposal.pk)).exists()


def test_it_refuses_a_category_that_is_not_in_the_settings_with_a_field_error(ideas, carol):
    with pytest.raises(ValidationError) as exc:
        make_proposal(ideas, carol, category="Weather")
    assert "category" in exc.value.error_dict


def test_it_refuses_half_a_place(ideas, carol):
    with pytest.raises(ValidationError) as exc:
        make_proposal(ideas, carol, latitude="39.4")
    assert "longitude" in exc.value.error_dict


def test_it_refuses_proposals_outside_the_open_phase(aurora_process, carol):
    closed = add_component(aurora_process, phase=past_phase(aurora_process))
    with pytest.raises(ValidationError, match="not open"):
        make_proposal(closed, carol)


def test_it_keeps_pdfs_and_re_encodes_images_and_refuses_other_files(ideas, carol):
    pdf = SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n...", content_type="application/pdf")
    png = SimpleUploadedFile("photo.jpg", png_bytes(), content_type="image/jpeg")
    proposal = make_proposal(ideas, carol, files=[pdf, png], files_description="The plan and a photo")
    kinds = sorted(Attachment.objects.filter(proposal=proposal).values_list("content_type", flat=True))
    assert kinds == ["application/pdf", "image/png"]
    html = SimpleUploadedFile("evil.pdf", b"<html><script>alert(1)</script>", content_type="application/pdf")
    with pytest.raises(ValidationError) as exc:
        make_proposal(ideas, carol, title="Other", files=[html], files_description="x")
    assert "files" in exc.value.error_dict


def test_files_are_served_as_downloads_with_their_type_and_nosniff(client, ideas, carol, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    pdf = SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n...", content_type="text/html")
    proposal = make_proposal(ideas, carol, files=[pdf], files_description="The plan")
    item = proposal.attachments.get()
    response = client.get(url("attachment", ideas, proposal_id=proposal.pk, attachment_id=item.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_person_supports_once_and_the_counter_follows(proposal, alice, erin):
    actions.do_support(proposal, alice)
    with pytest.raises(ValidationError, match="already"):
        actions.do_support(proposal, alice)
    actions.do_support(proposal, erin)
    proposal.refresh_from_db()
    assert proposal.supports_count == 2 == Support.objects.filter(proposal=proposal).count()


def test_a_proposal_over_the_threshold_waits_in_the_must_answer_queue_until_answered(
    proposal, alice, erin, aurora
):
    actions.do_support(proposal, alice)
    assert selectors.must_answer(aurora) == []
    actions.do_support(proposal, erin)
    assert [p.pk for p in selectors.must_answer(aurora)] == [proposal.pk]
    actions.do_answer(proposal, erin, state="evaluating", reason="We are costing it.")
    assert selectors.must_answer(aurora) == []


def test_an_answer_needs_a_reason_and_a_merge_needs_another_proposal(proposal, erin):
    with pytest.raises(ValidationError) as exc:
        actions.do_answer(proposal, erin, state="merged", reason="")
    assert {"reason", "merged_into"} <= set(exc.value.error_dict)
    other = make_proposal(proposal.component, erin, title="Bigger park")
    answered = actions.do_answer(proposal, erin, state="merged", reason="Same idea.", merged_into=other)
    assert answered.merged_into == other


def test_paper_supports_count_once_per_identity_number(proposal, bob):
    actions.do_record_offline_support(
        proposal, bob, channel="paper", name="Marta Ruiz", identity_number="12345678Z"
    )
    with pytest.raises(ValidationError, match="already"):
        actions.do_record_offline_support(
            proposal, bob, channel="paper", name="M. Ruiz", identity_number="12345678-z"
        )
    support = Support.objects.get(proposal=proposal)
    assert (
        support.channel == "paper" and support.recorded_by == bob and "12345678" not in support.identity_hash
    )
    assert AuditEvent.objects.filter(action="proposal.support_recorded", actor=bob).exists()


def test_a_paper_support_by_email_and_an_online_one_are_the_same_person(proposal, bob, alice):
    actions.do_support(proposal, alice)
    with pytest.raises(ValidationError, match="already"):
        actions.do_record_offline_support(proposal, bob, channel="phone", email="ALICE@example.org")


def test_staff_record_a_paper_proposal_for_a_resident(ideas, bob, carol):
    proposal = actions.do_submit_proposal(
        ideas, carol, title="Benches", body="Benches in the shade, please.", channel="paper", recorded_by=bob
    )
    assert proposal.channel == "paper" and proposal.author == carol
    assert AuditEvent.objects.get(action="proposal.submitted").actor == bob


def test_an_accepted_amendment_replaces_the_text_and_keeps_the_old_version(proposal, carol, alice):
    amendment = actions.do_propose_amendment(proposal, alice, body="Plant twenty trees on the square.")
    with pytest.raises(ValidationError):
        actions.do_decide_amendment(amendment, alice, accept=True)  # only the author decides
    actions.do_decide_amendment(amendment, carol, accept=True)
    proposal.refresh_from_db()
    assert proposal.body == "Plant twenty trees on the square." and proposal.version == 2
    assert ProposalVersion.objects.get(proposal=proposal).body == "Plant ten trees on the square."
    assert Amendment.objects.get().state == "accepted"


def test_the_amendment_page_shows_the_difference_with_text_labels(client, proposal, alice):
    amendment = actions.do_propose_amendment(proposal, alice, body="Plant twenty trees on the square.")
    response = client.get(
        url("amendment", proposal.component, proposal_id=proposal.pk, amendment_id=amendment.pk)
    )
    html = response.content.decode()
    assert "<del>" in html and "ten</del>" in html and "twenty</ins>" in html and "removed:" in html


def test_co_authors_are_invited_by_email_and_accept_and_organisations_are_named(proposal, carol, alice):
    actions.do_invite_coauthor(proposal, carol, email="alice@example.org")
    actions.do_invite_coauthor(
        proposal, carol, organisation_name="Friends of the Square", organisation_type="association"
    )
    with pytest.raises(ValidationError):
        actions.do_invite_coauthor(proposal, alice, email="erin@example.org")  # only the author
    with pytest.raises(ValidationError) as exc:
        actions.do_invite_coauthor(proposal, carol, email="nobody@example.org")
    assert "email" in exc.value.error_dict
    actions.do_accept_coauthorship(proposal, alice)
    assert proposal.coauthors.filter(accepted_at__isnull=False).count() == 2


def test_an_organisation_endorses_once(proposal, alice, erin):
    actions.do_endorse(proposal, alice, "Friends of  the Square")
    with pytest.raises(ValidationError):
        actions.do_endorse(proposal, erin, "Friends of the Square")


def test_search_finds_words_and_prefixes_and_survives_syntax(ideas, carol):
    make_proposal(ideas, carol, title="Árboles en la plaza", body="Más sombra para el verano.")
    make_proposal(ideas, carol, title="Bike lanes", body="Safer cycling to school.")
    found = lambda q: [p.title for p in selectors.proposals_of(ideas, q=q)]  # noqa: E731
    assert found("sombra") == ["Árboles en la plaza"]
    assert found("cycl") == ["Bike lanes"]
    assert found('"AND OR (') == []


def test_an_amended_proposal_is_found_by_its_new_words(proposal, alice, carol):
    amendment = actions.do_propose_amendment(proposal, alice, body="Plant ten oaks on the square.")
    actions.do_decide_amendment(amendment, carol, accept=True)
    assert list(selectors.proposals_of(proposal.component, q="oaks")) == [proposal]


def test_the_random_order_is_stable_for_a_seed(ideas, carol):
    for n in range(8):
        make_proposal(ideas, carol, title=f"Idea {n}")
    first = [p.pk for p in selectors.proposals_of(ideas, sort="random", seed=42)]
    assert first == [p.pk for p in selectors.proposals_of(ideas, sort="random", seed=42)]
    assert sorted(first) == sorted(p.pk for p in Proposal.objects.all())


def test_posting_is_rate_limited_with_a_field_error(ideas, carol, monkeypatch):
    monkeypatch.setattr(actions, "PROPOSAL_LIMIT", (2, 3600))
    make_proposal(ideas, carol, title="One")
    make_proposal(ideas, carol, title="Two")
    with pytest.raises(ValidationError) as exc:
        make_proposal(ideas, carol, title="Three")
    assert "title" in exc.value.error_dict


def test_an_answer_notifies_the_author_the_co_authors_and_the_followers_but_not_the_answerer(
    proposal, carol, alice, bob, erin
):
    from civiclab.notifications.actions import do_follow
    from civiclab.notifications.models import Notification

    actions.do_invite_coauthor(proposal, carol, email="alice@example.org")
    actions.do_accept_coauthorship(proposal, alice)
    do_follow(bob, proposal)
    do_follow(erin, proposal)
    actions.do_answer(proposal, erin, state="rejected", reason="Out of budget.")
    told = set(Notification.objects.filter(kind="proposals.answered").values_list("user__email", flat=True))
    assert told == {"carol@example.org", "alice@example.org", "bob@example.org"}
    assert Notification.objects.filter(kind="proposals.answered").first().params["state"] == "Rejected"


def test_followers_hear_of_amendments_and_of_a_debate_closing(proposal, debates, alice, bob, erin):
    from civiclab.notifications.actions import do_follow
    from civiclab.notifications.models import Notification

    debate = actions.do_create_debate(debates, alice, title="Cars out?")
    do_follow(bob, proposal)
    do_follow(erin, debate)
    actions.do_propose_amendment(proposal, alice, body="Plant twelve trees on the square.")
    actions.do_close_debate(debate, alice, conclusion="A pilot.")
    kinds = set(Notification.objects.values_list("user__email", "kind"))
    assert {
        ("bob@example.org", "proposals.amendment"),
        ("erin@example.org", "proposals.debate_closed"),
    } <= kinds
    assert ("carol@example.org", "proposals.amendment") in kinds  # the author


# --- Removing a support that staff recorded --------------------------------------------------------


def _remove_url(proposal, support):
    return url("offline_support_remove", proposal.component, proposal_id=proposal.pk, support_id=support.pk)


def test_staff_remove_a_mistaken_paper_support_with_a_reason(client, ideas, carol, bob):
    proposal = make_proposal(ideas, carol)
    support = actions.do_record_offline_support(
        proposal, bob, channel="paper", name="Marta Paper", identity_number="1Z"
    )
    client.force_login(bob)
    page = client.get(url("offline_support", ideas, proposal_id=proposal.pk)).content.decode()
    assert "Marta Paper" in page and "Paper" in page
    response = client.post(_remove_url(proposal, support), {"reason": "Typed twice by mistake"})
    assert response.status_code == 302
    assert not Support.objects.filter(pk=support.pk).exists()
    assert Proposal.objects.get(pk=proposal.pk).supports_count == 0
    event = AuditEvent.objects.get(action="proposal.support_removed")
    assert event.actor == bob and event.data == {"channel": "paper", "reason": "Typed twice by mistake"}
    # The same person can be recorded again once the mistake is gone.
    actions.do_record_offline_support(
        proposal, bob, channel="paper", name="Marta Paper", identity_number="1Z"
    )


def test_a_removal_without_a_reason_is_refused_and_keeps_the_support(client, ideas, carol, bob):
    proposal = make_proposal(ideas, carol)
    support = actions.do_record_offline_support(
        proposal, bob, channel="phone", name="Ana", identity_number="2Y"
    )
    client.force_login(bob)
    response = client.post(_remove_url(proposal, support), {"reason": "  "})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    assert Support.objects.filter(pk=support.pk).exists()
    assert Proposal.objects.get(pk=proposal.pk).supports_count == 1


def test_supports_given_online_are_not_staffs_to_remove(client, ideas, carol, bob, alice):
    proposal = make_proposal(ideas, carol)
    online = actions.do_support(proposal, alice)
    client.force_login(bob)
    assert client.post(_remove_url(proposal, online), {"reason": "No"}).status_code == 404
    assert "Alice" not in client.get(url("offline_support", ideas, proposal_id=proposal.pk)).content.decode()
    with pytest.raises(ValidationError):
        actions.do_remove_offline_support(online, bob, reason="No")
    assert Support.objects.filter(pk=online.pk).exists()


def test_a_support_of_another_proposal_is_not_found_under_this_one(client, ideas, carol, bob):
    first, second = make_proposal(ideas, carol), make_proposal(ideas, carol, title="Benches on the square")
    support = actions.do_record_offline_support(
        second, bob, channel="paper", name="Ana", identity_number="3X"
    )
    client.force_login(bob)
    assert client.post(_remove_url(first, support), {"reason": "Wrong one"}).status_code == 404
    assert Support.objects.filter(pk=support.pk).exists()


def test_removing_twice_lowers_the_count_once(ideas, carol, bob):
    proposal = make_proposal(ideas, carol)
    support = actions.do_record_offline_support(
        proposal, bob, channel="paper", name="Ana", identity_number="4W"
    )
    actions.do_remove_offline_support(support, bob, reason="Mistake")
    with pytest.raises(ValidationError):
        actions.do_remove_offline_support(support, bob, reason="Mistake")
    assert Proposal.objects.get(pk=proposal.pk).supports_count == 0
