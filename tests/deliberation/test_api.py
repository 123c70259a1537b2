import pytest
from django.urls import reverse

from civiclab.deliberation import actions

from .factories import SEEDS, conversation
from .test_report import three_camps


@pytest.fixture
def talk(aurora, alice, carol):
    c = conversation(aurora, alice, seeds=SEEDS[:20], participation="link", moderation="pre")
    three_camps(c)
    actions.do_add_statement(
        c, text="Waiting for a moderator", author=carol, participant=actions.do_join(c, user=carol)
    )
    actions.do_recompute_report(c)
    return c


def test_it_lists_only_published_conversations(client, aurora, alice, talk):
    conversation(aurora, alice, slug="draft-talk", published=False)
    data = client.get("/api/v1/cities/aurora/conversations").json()
    assert [c["slug"] for c in data["items"]] == [talk.slug]
    assert data["items"][0]["url"] == reverse("deliberation:detail", args=["aurora", talk.slug])
    assert client.get("/api/v1/cities/aurora/conversations/draft-talk").status_code == 404


def test_statements_are_the_accepted_ones_without_authors(client, talk):
    data = client.get(f"/api/v1/cities/aurora/conversations/{talk.slug}/statements?limit=100").json()
    assert data["count"] == 20
    assert "Waiting for a moderator" not in str(data)
    assert set(data["items"][0]) == {"tid", "text", "is_seed", "is_meta", "created_at"}


def test_the_report_gives_groups_repness_and_consensus_by_number(client, talk):
    data = client.get(f"/api/v1/cities/aurora/conversations/{talk.slug}/report").json()
    assert data["k"] == 3 and sorted(g["size"] for g in data["groups"]) == [40, 40, 40]
    assert data["groups"][0]["repness"][0]["repful_for"] in {"agree", "disagree"}
    assert 0 in [c["tid"] for c in data["consensus"]["agree"]]
    assert len(data["participants"]) == 120


def test_the_report_of_a_new_conversation_is_empty_not_an_error(client, aurora, alice):
    c = conversation(aurora, alice)
    data = client.get(f"/api/v1/cities/aurora/conversations/{c.slug}/report").json()
    assert data["computed_at"] is None and data["k"] == 0


@pytest.mark.parametrize("name", ["comments.csv", "votes.csv", "participants-votes.csv", "summary.csv"])
def test_the_exports_are_csv_without_unmoderated_statements_or_accounts(client, talk, name):
    response = client.get(f"/api/v1/cities/aurora/conversations/{talk.slug}/export/{name}")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = response.content.decode()
    assert "Waiting for a moderator" not in body and "carol" not in body.lower()


def test_another_citys_conversation_is_404_in_the_api(client, talk, borealis):
    assert client.get(f"/api/v1/cities/borealis/conversations/{talk.slug}").status_code == 404
    assert (
        client.get(f"/api/v1/cities/borealis/conversations/{talk.slug}/export/votes.csv").status_code == 404
    )


def test_an_unknown_export_name_is_refused(client, talk):
    assert (
        client.get(f"/api/v1/cities/aurora/conversations/{talk.slug}/export/secrets.csv").status_code == 422
    )
