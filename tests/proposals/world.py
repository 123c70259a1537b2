"""Proposals objects in both cities of the standing cast, for the tenant-isolation walk."""

from django.core.files.uploadedfile import SimpleUploadedFile

from civiclab.proposals import actions

from .conftest import add_component


def proposals_world(process, admin, resident) -> dict:
    ideas = add_component(process, categories=["Green"])
    debates = add_component(process, "debates")
    pdf = SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n", content_type="application/pdf")
    proposal = actions.do_submit_proposal(
        ideas, resident, title="Trees", body="Trees on every street.", files=[pdf], files_description="Plan"
    )
    amendment = actions.do_propose_amendment(proposal, admin, body="Trees on every street, please.")
    comment = actions.do_comment(resident, body="Yes", proposal=proposal)
    debate = actions.do_create_debate(debates, admin, title="Cars out?")
    argument = actions.do_add_argument(debate, resident, side="pro", text="Cleaner air")
    support = actions.do_record_offline_support(
        proposal, admin, channel="paper", name="Marta Paper", identity_number="Z123"
    )
    return {
        "ideas": ideas,
        "debates": debates,
        "proposal": proposal,
        "attachment": proposal.attachments.get(),
        "amendment": amendment,
        "comment": comment,
        "debate": debate,
        "argument": argument,
        "support": support,
    }


def url_kwargs(w: dict, city) -> dict:
    """Route name -> kwargs for every proposals route, pointing at `w`'s objects in `city`."""
    ideas, debates = w["ideas"], w["debates"]
    c = {"city_slug": city.slug, "process_slug": ideas.phase.process.slug, "component_id": ideas.pk}
    dc = {**c, "component_id": debates.pk}
    p = {**c, "proposal_id": w["proposal"].pk}
    d = {**dc, "debate_id": w["debate"].pk}
    api = {"city": city.slug}
    return {
        "proposals:list": c,
        "proposals:new": c,
        "proposals:offline_proposal": c,
        "proposals:detail": p,
        "proposals:support": p,
        "proposals:support_withdraw": p,
        "proposals:edit": p,
        "proposals:withdraw": p,
        "proposals:comment": p,
        "proposals:endorse": p,
        "proposals:coauthors": p,
        "proposals:coauthor_accept": p,
        "proposals:amend": p,
        "proposals:answer": p,
        "proposals:offline_support": p,
        "proposals:offline_support_remove": {**p, "support_id": w["support"].pk},
        "proposals:amendment": {**p, "amendment_id": w["amendment"].pk},
        "proposals:attachment": {**p, "attachment_id": w["attachment"].pk},
        "proposals:must_answer": {"city_slug": city.slug},
        "proposals:debates": dc,
        "proposals:debate_new": dc,
        "proposals:debate": d,
        "proposals:debate_close": d,
        "proposals:argument": d,
        "proposals:argument_comment": {**d, "argument_id": w["argument"].pk},
        "proposals:comment_edit": {"city_slug": city.slug, "comment_id": w["comment"].pk},
        "proposals:comment_vote": {"city_slug": city.slug, "comment_id": w["comment"].pk},
        "proposals:comment_delete": {"city_slug": city.slug, "comment_id": w["comment"].pk},
        "proposals:comment_history": {"city_slug": city.slug, "comment_id": w["comment"].pk},
        "proposals:report": {"city_slug": city.slug, "kind": "comment", "pk": w["comment"].pk},
        "proposals:appeal": {"city_slug": city.slug, "kind": "comment", "pk": w["comment"].pk},
        "proposals:moderation": {"city_slug": city.slug},
        "proposals:moderation_settings": {"city_slug": city.slug},
        "proposals:moderate": {"city_slug": city.slug, "kind": "comment", "pk": w["comment"].pk},
        "api-v1:list_proposals": api,
        "api-v1:get_proposal": {**api, "proposal_id": w["proposal"].pk},
        "api-v1:list_debates": api,
        "api-v1:get_debate": {**api, "debate_id": w["debate"].pk},
        "api-v1:list_comments": api,
    }


def busy_in_proposals(city, person, other) -> None:
    """`person` with something in every proposals table that points at people (for the export test)."""
    from tests.factories import ProcessFactory

    process = ProcessFactory(city=city, slug="busy-proposals")
    w = proposals_world(process, person, other)
    mine = actions.do_submit_proposal(w["ideas"], person, title="Mine", body="My own proposal text.")
    actions.do_answer(w["proposal"], person, state="evaluating", reason="Looking at it.")
    actions.do_invite_coauthor(w["proposal"], other, email=person.email)
    actions.do_support(w["proposal"], person)
    actions.do_record_offline_support(
        w["proposal"], person, channel="paper", name="Someone", identity_number="X1"
    )
    actions.do_endorse(w["proposal"], person, "Friends of the Square")
    actions.do_add_argument(w["debate"], person, side="con", text="Not yet")
    comment = actions.do_comment(person, body="A comment of mine", proposal=mine)
    actions.do_vote_comment(w["comment"], person, 1)
    actions.do_report(person, w["comment"], "Off topic")
    actions.do_moderate(comment, person, decision="block", reason="Testing")
    actions.do_appeal(comment, person, "Please show it")
    actions.do_moderate(w["comment"], person, decision="block", reason="Rude")
