import pytest
from django.urls import reverse

from civiclab.core.models import AuditEvent
from civiclab.deliberation import actions
from civiclab.deliberation.models import Conversation, Statement

from .factories import SEEDS, conversation


def test_a_city_admin_creates_a_conversation_in_a_phase_with_seeds(client, alice, aurora_process):
    client.force_login(alice)
    phase = aurora_process.phases.first()
    response = client.post(
        reverse("deliberation:new", args=["aurora"]),
        {
            "topic": "Cooler schools",
            "slug": "cooler-schools",
            "description": "Shade **and** water",
            "phase": phase.pk,
            "moderation": "pre",
            "participation": "link",
            "published": "on",
            "seeds": "Plant trees in schoolyards\n\nOpen schoolyards in summer\n",
        },
    )
    assert response.status_code == 302
    c = Conversation.objects.get(slug="cooler-schools")
    assert (c.process, c.phase, c.moderation, c.participation) == (aurora_process, phase, "pre", "link")
    assert list(c.statements.values_list("text", flat=True)) == [
        "Plant trees in schoolyards",
        "Open schoolyards in summer",
    ]
    page = client.get(reverse("processes:detail", args=["aurora", aurora_process.slug])).content.decode()
    assert reverse("deliberation:detail", args=["aurora", "cooler-schools"]) in page
    home = client.get(reverse("cities:home", args=["aurora"])).content.decode()
    assert "Cooler schools" in home


def test_a_form_with_errors_answers_400_and_creates_nothing(client, alice):
    client.force_login(alice)
    response = client.post(reverse("deliberation:new", args=["aurora"]), {"topic": "", "seeds": "x" * 300})
    assert response.status_code == 400
    assert {"topic", "slug", "seeds"} <= set(response.context["form"].errors)
    assert not Conversation.objects.exists()


def test_a_process_of_another_city_cannot_be_chosen(client, alice, borealis_process):
    client.force_login(alice)
    response = client.post(
        reverse("deliberation:new", args=["aurora"]),
        {
            "topic": "X",
            "slug": "x",
            "process": borealis_process.pk,
            "moderation": "post",
            "participation": "link",
        },
    )
    assert response.status_code == 400 and "process" in response.context["form"].errors


def test_an_admin_edits_a_conversation(client, alice, aurora):
    c = conversation(aurora, alice, published=False)
    client.force_login(alice)
    response = client.post(
        reverse("deliberation:edit", args=["aurora", c.slug]),
        {
            "topic": "Cooler avenues",
            "slug": c.slug,
            "moderation": "post",
            "participation": "verified",
            "published": "on",
        },
    )
    assert response.status_code == 302
    c.refresh_from_db()
    assert (c.topic, c.participation, c.published) == ("Cooler avenues", "verified", True)


@pytest.mark.parametrize(
    ("who", "status"), [("alice", 302), ("bob", 302), ("erin", 403), ("carol", 403), ("dave", 403)]
)
def test_admins_and_moderators_moderate_others_do_not(
    client, aurora, alice, bob, erin, carol, dave, who, status
):
    c = conversation(aurora, alice, moderation="pre")
    s = actions.do_add_statement(c, text="Paint murals", participant=actions.do_join(c, user=carol))
    client.force_login({"alice": alice, "bob": bob, "erin": erin, "carol": carol, "dave": dave}[who])
    response = client.post(
        reverse("deliberation:moderation", args=["aurora", c.slug]),
        {"statement": s.tid, "decision": "accepted", "reason": ""},
    )
    assert response.status_code == status
    s.refresh_from_db()
    assert s.status == ("accepted" if status == 302 else "pending")


def test_rejecting_without_a_reason_shows_the_error(client, aurora, alice, bob):
    c = conversation(aurora, alice, seeds=["Ban cars"])
    client.force_login(bob)
    response = client.post(
        reverse("deliberation:moderation", args=["aurora", c.slug]), {"statement": 0, "decision": "rejected"}
    )
    assert response.status_code == 400
    assert "Give a reason" in response.content.decode()
    assert Statement.objects.get().status == "accepted"


def test_a_moderator_cannot_reach_a_statement_of_another_conversation(
    client, aurora, alice, bob, borealis_conversation
):
    conversation(aurora, alice, seeds=["Ban cars"])
    client.force_login(bob)
    response = client.post(
        reverse("deliberation:moderation", args=["aurora", "cooler-streets"]),
        {"statement": 5, "decision": "rejected", "reason": "x"},
    )
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="statement.moderated").exists()


@pytest.mark.parametrize(("who", "status"), [("alice", 200), ("bob", 200), ("erin", 200), ("carol", 403)])
def test_staff_download_the_export(client, aurora, alice, bob, erin, carol, who, status):
    c = conversation(aurora, alice, seeds=SEEDS[:2])
    client.force_login({"alice": alice, "bob": bob, "erin": erin, "carol": carol}[who])
    response = client.get(reverse("deliberation:export", args=["aurora", c.slug]))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/zip"


@pytest.mark.parametrize(("who", "status"), [("alice", 200), ("bob", 403), ("carol", 403)])
def test_only_admins_create_and_import(client, alice, bob, carol, who, status):
    client.force_login({"alice": alice, "bob": bob, "carol": carol}[who])
    for name in ["deliberation:new", "deliberation:import"]:
        assert client.get(reverse(name, args=["aurora"])).status_code == status
