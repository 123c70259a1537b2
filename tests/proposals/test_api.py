from civiclab.proposals import actions

from .conftest import make_proposal


def test_the_api_lists_public_proposals_without_hidden_ones_or_personal_data(client, proposal, bob, carol):
    hidden = make_proposal(proposal.component, carol, title="Hidden one")
    actions.do_moderate(hidden, bob, decision="hide", reason="Spam")
    actions.do_comment(carol, body="Nice", proposal=proposal)
    data = client.get("/api/v1/cities/aurora/proposals").json()
    assert [p["title"] for p in data["items"]] == ["Shade on the square"]
    item = data["items"][0]
    assert item["author"] == "Carol Resident" and item["comments"] == 1
    assert "carol@example.org" not in str(data)
    assert client.get(f"/api/v1/cities/aurora/proposals/{hidden.pk}").status_code == 404
    assert client.get(f"/api/v1/cities/borealis/proposals/{proposal.pk}").status_code == 404
    comments = client.get("/api/v1/cities/aurora/comments").json()["items"]
    assert [c["body"] for c in comments] == ["Nice"]


def test_the_api_shows_debates_with_arguments_and_conclusion(client, debates, alice, carol):
    debate = actions.do_create_debate(debates, alice, title="Cars out?")
    actions.do_add_argument(debate, carol, side="con", text="Shops suffer.")
    actions.do_close_debate(debate, alice, conclusion="A pilot first.")
    data = client.get(f"/api/v1/cities/aurora/debates/{debate.pk}").json()
    assert data["conclusion"] == "A pilot first." and data["arguments"][0]["side"] == "con"
    assert client.get("/api/v1/cities/aurora/debates").json()["count"] == 1


def test_the_api_list_takes_a_constant_number_of_queries(client, ideas, carol, django_assert_max_num_queries):
    for n in range(30):
        make_proposal(ideas, carol, title=f"Idea {n}")
    with django_assert_max_num_queries(4):
        assert client.get("/api/v1/cities/aurora/proposals?limit=30").status_code == 200
