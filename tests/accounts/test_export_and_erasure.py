import json

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.urls import reverse

from civiclab.accounts import actions
from civiclab.accounts.models import User
from civiclab.deliberation.actions import do_create_conversation, do_join, do_vote
from civiclab.deliberation.models import Participant, Vote
from civiclab.network.actions import do_endorse
from civiclab.network.models import Endorsement
from civiclab.notifications.actions import do_follow, do_notify, do_set_digest
from civiclab.notifications.kinds import register_kind
from civiclab.processes.actions import do_create_process
from tests.conftest import make_budget
from tests.proposals.world import busy_in_proposals  # proposals

# Every model that points at a person, and where the export shows it. A new model with a link to
# User fails test_the_export_covers_every_model_that_points_at_a_person until it is added here.
EXPORTED = {
    "account.emailaddress": "email_addresses",
    "mfa.authenticator": "second_factors",
    "accounts.consent": "consents",
    "cities.membership": "staff_roles",
    "network.endorsement": "endorsements",
    "processes.process": "processes_created",
    "core.auditevent": "activity",
    "budgeting.project": "budget_projects",
    "budgeting.verification": "budget_eligibility",
    "budgeting.budget": "budgets_created",
    "budgeting.paperentry": "paper_ballots_entered",
    "deliberation.conversation": "conversations_created",
    "deliberation.statement": "statements",
    "deliberation.participant": "conversation_participation",
    "notifications.follow": "follows",
    "notifications.notification": "notifications",
    "notifications.digestpreference": "email_digest",
    # surveys and meetings
    "surveys.survey": "surveys_created",
    "surveys.response": "survey_answers",
    "surveys.participation": "survey_participation",
    "events.meeting": "meetings_created",
    "events.registration": "meeting_registrations",
    # proposals
    "proposals.proposal": "proposals",
    "proposals.coauthorship": "proposal_coauthorships",
    "proposals.support": "proposal_supports",
    "proposals.endorsement": "proposal_endorsements",
    "proposals.amendment": "amendments",
    "proposals.debate": "debates_created",
    "proposals.argument": "debate_arguments",
    "proposals.comment": "comments",
    "proposals.commentvote": "comment_votes",
    "proposals.report": "reports",
    "proposals.appeal": "appeals",
    "proposals.block": "posting_blocks",
    # accountability (issue 6)
    "accountability.result": "results_created",
    "accountability.resultupdate": "result_updates_written",
    "accountability.feedback": "result_feedback",
    "accountability.measurement": "kpi_measurements_entered",
    "accountability.apitoken": "api_tokens_created",
    "network.practicecomment": "practice_comments",
    "network.replication": "practice_replications",
}
# Links that hold no personal data of their own (Django's permission tables, sign-in tokens).
NOT_PERSONAL = {
    "auth.group",
    "auth.permission",
    "admin.logentry",
    "sessions.session",
    "account.emailconfirmation",
}


def models_pointing_at_people():
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields():
            if (
                isinstance(field, models.ForeignKey | models.OneToOneField | models.ManyToManyField)
                and (
                    field.related_model is not None
                    and field.related_model._meta.label == settings.AUTH_USER_MODEL
                )
                and model._meta.label != settings.AUTH_USER_MODEL
            ):
                yield model._meta.label_lower


def test_the_export_covers_every_model_that_points_at_a_person():
    missing = {label for label in models_pointing_at_people() if not label.startswith("accounts.user_")}
    missing -= set(EXPORTED) | NOT_PERSONAL
    assert not missing, f"Add these to accounts.selectors.personal_data and to EXPORTED: {sorted(missing)}"


@pytest.fixture
def busy_alice(alice, sam, aurora, manifesto):
    """Alice with something in every place that holds personal data (sam is Aurora's other admin)."""
    _alice_in_accountability(aurora, alice)  # accountability (issue 6): first, so her own process is newest
    actions.do_give_consent(alice, "newsletter")
    do_endorse(manifesto, kind="person", name="Alice Admin", country="ES", show_name=True, user=alice)
    do_create_process(aurora, alice, title="Alice's process", slug="alices-process")
    _alice_in_a_budget(aurora, alice)
    conversation = do_create_conversation(
        aurora, alice, topic="Alice's question", slug="alices-question", published=True, seeds=["Shade first"]
    )
    do_vote(conversation, do_join(conversation, user=alice), 0, 1, user=alice)
    do_follow(alice, conversation)
    register_kind("tests.hello", "Hello %(name)s")
    do_notify([alice], city=aurora, kind="tests.hello", params={"name": "Alice"}, url="/aurora/")
    do_set_digest(alice, "weekly")
    _alice_in_surveys_and_meetings(alice)  # surveys and meetings
    busy_in_proposals(aurora, alice, sam)  # proposals
    return alice


def _alice_in_a_budget(aurora, alice):
    from datetime import timedelta

    from django.utils import timezone

    from civiclab.budgeting import actions as pb

    now = timezone.now()
    ideas = pb.do_create_budget(
        aurora,
        alice,
        title="Ideas",
        slug="ideas",
        amount=100,
        methods=["census"],
        voting_opens_at=now + timedelta(days=1),
        voting_closes_at=now + timedelta(days=9),
    )
    pb.do_submit_project(ideas, alice, title="Alice's swings", description="Swings", cost=10)
    budget = make_budget(aurora, slug="open")
    pb.do_upload_census(budget, alice, "A1,1980\n")
    pb.do_verify_with_census(budget, alice, "A1")
    pb.do_cast_ballot(budget, alice, pb.BallotChoice([]))
    pb.do_enter_paper_ballot(budget, alice, station="S", sheet="1", choice=pb.BallotChoice([]))


def test_the_export_holds_everything_about_the_person(client, busy_alice):
    client.force_login(busy_alice)
    response = client.get(reverse("accounts:export"))
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["account"]["email"] == "alice@example.org"
    assert data["account"]["display_name"] == "Alice Admin"
    for key in EXPORTED.values():
        assert data[key], f"export section {key} is empty"
    assert {c["purpose"] for c in data["consents"]} == {"terms", "newsletter"}
    assert data["staff_roles"] == [
        {"city": "aurora", "role": "admin", "since": data["staff_roles"][0]["since"]}
    ]
    assert data["endorsements"][0]["name"] == "Alice Admin"
    assert data["processes_created"][0]["process"] == "alices-process"
    assert data["second_factors"][0]["type"] == "totp"
    assert data["budget_projects"][0]["title"] == "Alice's swings"
    [voted] = data["budget_eligibility"]
    assert voted["budget"] == "open" and voted["voted_at"] and voted["method"] == "census"
    # The register says that she voted; nothing says how.
    assert "receipt" not in json.dumps(data["budget_eligibility"])
    assert data["statements"][0]["text"] == "Shade first"
    assert data["conversation_participation"][0]["votes"][0]["vote"] == 1


def all_stored_text() -> str:
    """Every value of every row of every table, as one string."""
    chunks = []
    for model in apps.get_models(include_auto_created=True):
        for row in model._base_manager.values_list():
            chunks.append(repr(row))
    return "\n".join(chunks)


def test_after_erasure_no_table_holds_the_persons_email_or_name(client, busy_alice, dave):
    assert "alice@example.org" in all_stored_text()
    client.force_login(busy_alice)
    response = client.post(reverse("accounts:erase"), {"confirm": "on"})
    assert response.status_code == 302
    text = all_stored_text()
    for secret in ("alice@example.org", "Alice Admin"):
        assert secret.lower() not in text.lower(), f"{secret!r} survived erasure"
    assert "dave@example.org" in text  # the check can see other people's data


def test_erasure_keeps_contributions_and_counts(busy_alice, manifesto):
    n_endorsements = Endorsement.objects.filter(manifesto=manifesto).count()
    actions.do_erase_account(busy_alice)
    assert Endorsement.objects.filter(manifesto=manifesto).count() == n_endorsements
    user = User.objects.get(pk=busy_alice.pk)
    assert user.public_name == "deleted participant"
    assert not user.is_active and not user.has_usable_password()
    from civiclab.processes.models import Process

    assert Process.objects.get(slug="alices-process").created_by == user
    # Her vote still counts, under a participant number that no longer leads to her.
    assert Vote.objects.filter(participant__conversation__slug="alices-question").count() == 1
    assert not Participant.objects.filter(user=user).exists()


def test_erasure_ends_the_persons_sessions(client, carol):
    client.force_login(carol)
    assert client.get(reverse("accounts:home")).status_code == 200
    actions.do_erase_account(User.objects.get(pk=carol.pk))
    assert client.get(reverse("accounts:home")).status_code == 302


def test_erasure_needs_the_ticked_confirmation(client, carol):
    client.force_login(carol)
    response = client.post(reverse("accounts:erase"), {})
    assert response.status_code == 400
    assert "confirm" in response.context["form"].errors
    carol.refresh_from_db()
    assert carol.erased_at is None


def test_the_last_admin_of_a_city_must_hand_over_before_erasure(client, alice):
    client.force_login(alice)
    response = client.post(reverse("accounts:erase"), {"confirm": "on"})
    assert response.status_code == 400
    assert "at least one city admin" in response.content.decode()
    alice.refresh_from_db()
    assert alice.erased_at is None and alice.memberships.exists()


# --- Surveys and meetings ----------------------------------------------------------------------


def _alice_in_surveys_and_meetings(alice):
    """Alice builds a named and an anonymous survey, answers both, and registers for a meeting."""
    from civiclab.events.actions import do_register
    from civiclab.surveys.actions import do_answer_survey
    from tests.events.conftest import make_meeting
    from tests.factories import ProcessFactory
    from tests.surveys.conftest import answers, make_survey

    process = ProcessFactory(city=alice.home_city, slug="alices-streets")
    named = make_survey(process, alice, title="Named survey")
    anonymous = make_survey(process, alice, title="Anonymous survey", anonymous=True)
    do_answer_survey(named, alice, answers(named))
    do_answer_survey(anonymous, alice, answers(anonymous))
    do_register(make_meeting(process, alice), alice)


def test_the_export_holds_survey_answers_and_meeting_registrations(client, busy_alice):
    client.force_login(busy_alice)
    data = json.loads(client.get(reverse("accounts:export")).content)
    [named] = data["survey_answers"]  # the anonymous survey's answers are not hers to export: unlinked
    assert named["survey"] == "Named survey" and named["answers"]
    assert {p["survey"]: p["anonymous"] for p in data["survey_participation"]} == {
        "Named survey": False,
        "Anonymous survey": True,
    }
    assert data["meeting_registrations"][0]["status"] == "registered"


def test_erasure_keeps_survey_and_meeting_counts(busy_alice):
    from civiclab.events.models import Registration
    from civiclab.surveys.models import Participation, Response

    counts = (Response.objects.count(), Participation.objects.count(), Registration.objects.count())
    actions.do_erase_account(busy_alice)
    assert (Response.objects.count(), Participation.objects.count(), Registration.objects.count()) == counts
    assert not Response.objects.filter(user=busy_alice).exists()
    assert not Registration.objects.filter(user=busy_alice).exists()


# --- accountability (issue 6) ---------------------------------------------------------------------


def _alice_in_accountability(aurora, alice):
    from django.utils import timezone

    from civiclab.accountability import actions as acc
    from civiclab.accountability.models import Kpi
    from civiclab.network.actions import do_comment_practice, do_publish_practice, do_replicate_practice
    from tests.factories import CityFactory, ProcessFactory

    acc.do_load_catalogue()
    statuses = acc.do_set_up_city(aurora)
    result = acc.do_create_result(aurora, alice, title="Alice's benches", status=statuses[2])
    acc.do_add_update(result, alice, date=timezone.localdate(), text="Installed")
    feedback = acc.do_give_feedback(result, alice, delivered="partly", rating=2, comment="Wobbly")
    acc.do_answer_feedback(feedback, alice, answer="Fixed")
    kpi = Kpi.objects.get(code="sdg-11-7-1")
    adoption = acc.do_adopt_kpi(aurora, alice, kpi, baseline_value=1, baseline_date=timezone.localdate())
    acc.do_record_measurement(adoption, alice, date=timezone.localdate(), value=2, source="GIS")
    acc.do_create_api_token(aurora, alice, name="Sensors", days=5)
    other = CityFactory(slug="other-town", name="Other town")
    practice = do_publish_practice(
        other,
        None,
        slug="theirs",
        title="T",
        summary="S",
        problem="P",
        topic="climate",
        source_process=ProcessFactory(city=other, slug="template"),
    )
    do_comment_practice(practice, aurora, alice, body="Nice")
    do_replicate_practice(practice, aurora, alice)
