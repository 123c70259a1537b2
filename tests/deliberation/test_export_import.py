import csv
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from civiclab.deliberation import actions
from civiclab.deliberation.models import Conversation, Statement, Vote
from civiclab.deliberation.polis_format import read_open_data

from .factories import SEEDS, conversation
from .test_report import three_camps


@pytest.fixture
def talk(aurora, alice, bob, carol):
    c = conversation(aurora, alice, seeds=SEEDS[:20], participation="link", moderation="pre")
    three_camps(c)
    pending = actions.do_add_statement(
        c, text="A brand new idea, unmoderated", participant=actions.do_join(c, user=carol)
    )
    assert pending.status == "pending"
    actions.do_moderate_statement(
        Statement.objects.get(conversation=c, tid=7), bob, status="rejected", reason="x"
    )
    actions.do_moderate_statement(
        Statement.objects.get(conversation=c, tid=8), bob, status="accepted", is_meta=True
    )
    actions.do_recompute_report(c)
    return c


def unzip(content: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name.split("/")[-1]: archive.read(name).decode() for name in archive.namelist()}


def test_the_export_is_in_the_polis_open_data_format(client, alice, talk, tmp_path):
    client.force_login(alice)
    files = unzip(client.get(reverse("deliberation:export", args=["aurora", talk.slug])).content)
    assert set(files) == {"comments.csv", "votes.csv", "participants-votes.csv", "summary.csv"}
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    polis = read_open_data(tmp_path)  # the same reader that checks us against red-dwarf
    assert len(polis.votes.values) == Vote.objects.filter(conversation=talk).count()
    assert polis.moderated_out == {7} and polis.meta == {8}
    comments = list(csv.DictReader(io.StringIO(files["comments.csv"])))
    assert comments[0]["comment-body"] == SEEDS[0] and comments[0]["author-id"] == ""
    assert (
        int(comments[0]["agrees"])
        == Vote.objects.filter(statement__tid=0, value=1, conversation=talk).count()
    )
    summary = dict(csv.reader(io.StringIO(files["summary.csv"])))
    assert summary["topic"] == talk.topic and summary["groups"] == "3"
    rows = list(csv.DictReader(io.StringIO(files["participants-votes.csv"])))
    assert {r["group-id"] for r in rows} >= {"0", "1", "2"}
    assert "carol" not in "".join(files.values()).lower()  # people appear as numbers only


def test_export_then_import_gives_the_same_conversation(client, alice, talk):
    client.force_login(alice)
    files = unzip(client.get(reverse("deliberation:export", args=["aurora", talk.slug])).content)
    response = client.post(
        reverse("deliberation:import", args=["aurora"]),
        {
            "topic": "Imported",
            "slug": "imported",
            "comments": SimpleUploadedFile("comments.csv", files["comments.csv"].encode()),
            "votes": SimpleUploadedFile("votes.csv", files["votes.csv"].encode()),
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    copy = Conversation.objects.get(slug="imported")
    assert not copy.published

    def votes(c):
        return sorted(
            Vote.objects.filter(conversation=c).values_list("participant__pid", "statement__tid", "value")
        )

    def statements(c):
        return sorted(
            Statement.objects.filter(conversation=c).values_list("tid", "text", "status", "is_meta")
        )

    assert votes(copy) == votes(talk)
    assert statements(copy) == statements(talk)
    assert copy.report.result["group_sizes"] == talk.report.result["group_sizes"]
    assert copy.report.result["consensus"] == talk.report.result["consensus"]
    # New statements and participants continue the numbering of the file.
    talk.refresh_from_db()
    assert actions.do_join(copy, user=alice).pid == talk.next_pid


def test_an_import_with_errors_saves_nothing_and_says_why(client, alice):
    client.force_login(alice)
    comments = "comment-id,author-id,moderated,comment-body\n1,0,1,Fine\n2,0,1,\n"
    votes = "timestamp,comment-id,voter-id,vote\n1,1,0,1\n2,3,0,1\n3,1,1,5\n"
    response = client.post(
        reverse("deliberation:import", args=["aurora"]),
        {
            "topic": "Broken",
            "slug": "broken",
            "comments": SimpleUploadedFile("comments.csv", comments.encode()),
            "votes": SimpleUploadedFile("votes.csv", votes.encode()),
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Comment 2 has no text" in body and "does not list: 3" in body and "not -1, 0 or 1" in body
    assert not Conversation.objects.exists() and not Vote.objects.exists()


def test_an_import_of_a_file_that_is_not_csv_is_refused(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("deliberation:import", args=["aurora"]),
        {
            "topic": "Broken",
            "slug": "broken",
            "comments": SimpleUploadedFile("comments.csv", b"\x89PNG\x00\x00"),
            "participants_votes": SimpleUploadedFile("p.csv", b"participant,0\n1,x\n"),
        },
    )
    assert response.status_code == 400
    assert not Conversation.objects.exists()


def test_the_participants_votes_file_alone_is_enough(client, alice):
    client.force_login(alice)
    comments = "comment-id,author-id,moderated,comment-body\n0,,1,Trees\n1,0,1,Buses\n"
    matrix = (
        "participant,group-id,n-comments,n-votes,n-agree,n-disagree,0,1\n0,,1,2,1,1,1,-1\n1,,0,1,0,0,0,\n"
    )
    response = client.post(
        reverse("deliberation:import", args=["aurora"]),
        {
            "topic": "Small",
            "slug": "small",
            "comments": SimpleUploadedFile("comments.csv", comments.encode()),
            "participants_votes": SimpleUploadedFile("participants-votes.csv", matrix.encode()),
        },
    )
    assert response.status_code == 302
    assert sorted(Vote.objects.values_list("participant__pid", "statement__tid", "value")) == [
        (0, 0, 1),
        (0, 1, -1),
        (1, 0, 0),
    ]
