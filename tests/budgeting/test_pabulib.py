from fractions import Fraction

import numpy as np
import pytest

from civiclab.budgeting import pabulib
from civiclab.budgeting.pabulib import Election, PabulibError, Project

APPROVAL = """META
key;value
description;"Aurora; the green budget"
country;Nowhere
unit;Aurora
instance;2025
num_projects;3
num_votes;4
budget;100000
vote_type;approval
rule;greedy
PROJECTS
project_id;cost;votes;name;selected
1;60000;3;"Trees ""for"" all";1
2;30000,5;2;Benches;1
10;45000;1;Unquoted "quotes" stay;0
VOTES
voter_id;vote;age;sex
a1;1,2;33;F
a2;1,10;47;M
a3;;19;F
a4;2,1;60;M
"""

CUMULATIVE = """META
key;value
num_projects;2
num_votes;3
budget;10
vote_type;cumulative
PROJECTS
project_id;cost
p;4
q;6
VOTES
voter_id;vote;points
1;p,q;3,0
2;q;5
3;;
"""


def ballots(election):
    return [election.ballot(i) for i in range(election.num_voters)]


def same(a: Election, b: Election) -> bool:
    return (
        dict(a.meta) == dict(b.meta)
        and a.projects == b.projects
        and [dict(p.fields) for p in a.projects] == [dict(p.fields) for p in b.projects]
        and a.voter_ids == b.voter_ids
        and np.array_equal(a.indptr, b.indptr)
        and np.array_equal(a.indices, b.indices)
        and (a.points is None) == (b.points is None)
        and (a.points is None or np.array_equal(a.points, b.points))
        and {k: [c[i] for i in range(len(c))] for k, c in a.voter_fields.items()}
        == {k: [c[i] for i in range(len(c))] for k, c in b.voter_fields.items()}
        and a.vote_columns == b.vote_columns
        and a.project_columns == b.project_columns
    )


def test_it_reads_meta_projects_and_ballots():
    e = pabulib.parse(APPROVAL)
    assert e.meta["description"] == "Aurora; the green budget"
    assert e.budget == 100000
    assert e.vote_type == "approval"
    assert [p.id for p in e.projects] == ["1", "2", "10"]
    assert e.projects[1].cost == Fraction("30000.5")  # decimal comma, exact
    assert e.projects[0].name == 'Trees "for" all'
    assert e.projects[2].fields["name"] == 'Unquoted "quotes" stay'  # csv: quotes inside a bare field
    assert ballots(e) == [["1", "2"], ["1", "10"], [], ["2", "1"]]
    assert e.voter_ids == ("a1", "a2", "a3", "a4")
    assert e.voter_fields["sex"][3] == "M"
    assert e.vote_counts.tolist() == [3, 2, 1]
    assert [s.tolist() for s in e.supporters] == [[0, 1, 3], [0, 3], [1]]


def test_it_keeps_empty_ballots_because_they_count_for_the_budget_per_voter():
    e = pabulib.parse(APPROVAL)
    assert e.num_voters == 4
    assert e.ballot(2) == []


def test_it_reads_points_and_counts_a_listed_project_as_approved_even_with_zero_points():
    e = pabulib.parse(CUMULATIVE)
    assert e.ballot_points(0) == [3.0, 0.0]
    assert e.ballot_points(2) == []
    assert [s.tolist() for s in e.supporters] == [[0], [0, 1]]


def test_it_keeps_the_order_of_a_ranking():
    text = CUMULATIVE.replace("cumulative", "ordinal").replace("voter_id;vote;points", "voter_id;vote")
    text = text.replace("1;p,q;3,0", "1;q,p").replace("2;q;5", "2;q").replace("3;;", "3;")
    e = pabulib.parse(text)
    assert e.ballot(0) == ["q", "p"]
    assert e.points is None


def test_it_accepts_a_bom_crlf_line_ends_and_blank_lines():
    text = "\ufeff" + APPROVAL.replace("\n", "\r\n").replace("PROJECTS", "\r\nPROJECTS")
    e = pabulib.parse(text)
    assert ballots(e) == ballots(pabulib.parse(APPROVAL))


def test_it_stores_ballots_as_compact_arrays():
    e = pabulib.parse(APPROVAL)
    assert e.indices.dtype == np.int32
    assert e.indptr.tolist() == [0, 2, 4, 4, 6]
    assert e.voter_fields["sex"].values == ("F", "M")


@pytest.mark.parametrize(
    ("change", "line", "message"),
    [
        (("a2;1,10;47;M", "a2;1,11;47;M"), 20, "unknown project '11'"),
        (("a2;1,10;47;M", "a2;1,1;47;M"), 20, "lists a project twice"),
        (("a2;1,10;47;M", "a2;1,,10;47;M"), 20, "empty project id"),
        (("a2;1,10;47;M", "a2;1,10;47"), 20, "3 fields, the header has 4"),
        (("a3;;19;F", "a1;;19;F"), 21, "voter_id 'a1' appears twice"),
        (("10;45000", "2;45000"), 16, "project_id '2' appears twice"),
        (("10;45000", "10;lots"), 16, "cost: not a number"),
        (("10;45000", "10;-5"), 16, "cost is negative"),
        (("budget;100000", "budget;much"), 9, "budget: not a number"),
        (("num_votes;4", "num_votes;5"), 8, "num_votes is 5 but VOTES has 4 rows"),
        (("num_projects;3", "num_projects;2"), 7, "num_projects is 2 but PROJECTS has 3 rows"),
        (("vote_type;approval", "vote_type;quadratic"), 10, "unknown vote_type 'quadratic'"),
        (("rule;greedy", "rule;greedy;x"), 11, "a META row has 2 fields"),
        (("1;60000;3;", '1;60000;3;"open'), None, "bad quoting"),
    ],
)
def test_it_rejects_bad_input_with_the_line_at_fault(change, line, message):
    text = APPROVAL.replace(*change)
    with pytest.raises(PabulibError) as err:
        pabulib.parse(text, source="aurora.pb")
    assert message in str(err.value)
    if line is not None:
        assert err.value.line == line
        assert str(err.value).startswith(f"aurora.pb:{line}: ")


def test_it_rejects_a_file_without_votes_or_with_sections_out_of_order():
    with pytest.raises(PabulibError, match="missing section"):
        pabulib.parse(APPROVAL.split("VOTES")[0])
    meta, rest = APPROVAL.split("PROJECTS\n")
    projects, votes = rest.split("VOTES\n")
    with pytest.raises(PabulibError, match="out of order"):
        pabulib.parse(meta + "VOTES\n" + votes + "PROJECTS\n" + projects)
    with pytest.raises(PabulibError, match="must start with META"):
        pabulib.parse("key;value\nbudget;3\n")


def test_it_checks_points_and_choose_1_ballots():
    with pytest.raises(PabulibError, match="2 projects but 1 points") as err:
        pabulib.parse(CUMULATIVE.replace("1;p,q;3,0", "1;p,q;3"))
    assert err.value.line == 13
    with pytest.raises(PabulibError, match="points: not a number"):
        pabulib.parse(CUMULATIVE.replace("1;p,q;3,0", "1;p,q;3,x"))
    with pytest.raises(PabulibError, match="a choose-1 ballot lists 2 projects"):
        pabulib.parse(APPROVAL.replace("vote_type;approval", "vote_type;choose-1"))


@pytest.mark.parametrize("text", [APPROVAL, CUMULATIVE])
def test_writing_and_reading_back_gives_the_same_election(text):
    e = pabulib.parse(text)
    again = pabulib.parse(pabulib.dumps(e))
    assert same(e, again)
    assert pabulib.dumps(again) == pabulib.dumps(e)


def test_it_writes_a_file_that_reads_back(tmp_path):
    e = pabulib.parse(APPROVAL)
    pabulib.write(e, tmp_path / "aurora.pb")
    assert same(pabulib.read(tmp_path / "aurora.pb"), e)


def test_an_election_built_from_ballots_exports_like_a_file():
    e = Election.from_ballots(
        {"description": "demo", "budget": "10"},
        [("x", 4), ("y", "6.5"), Project("z", Fraction(1), {"project_id": "z", "cost": "1"})],
        [["x", "y"], [], ["z"]],
        voter_ids=["r1", "r2", "r3"],
        voter_fields={"receipt": ["h1", "h2", "h3"]},
    )
    text = pabulib.dumps(e)
    assert "num_votes;3" in text
    assert "r1;x,y;h1" in text
    assert same(pabulib.parse(text), e)
    with pytest.raises(PabulibError, match="unknown project 'w'"):
        Election.from_ballots({"budget": "1"}, [("x", 1)], [["w"]])


def test_real_files_round_trip(data_dir):
    for name in ["Netherlands_Assen_2024.pb", "Poland_Swiecie_2023.pb", "Switzerland_Zurich_S5D10.pb"]:
        e = pabulib.read(data_dir / name)
        assert same(pabulib.parse(pabulib.dumps(e)), e), name


def test_quoted_votes_are_read_too_and_errors_still_name_the_line():
    text = APPROVAL.replace("a2;1,10;47;M", 'a2;"1,10";47;"M"')
    assert ballots(pabulib.parse(text)) == ballots(pabulib.parse(APPROVAL))
    with pytest.raises(PabulibError, match="unknown project '7'") as err:
        pabulib.parse(text.replace("a4;2,1;60;M", 'a4;"7";60;M'))
    assert err.value.line == 22
    with pytest.raises(PabulibError, match="3 fields") as err:
        pabulib.parse(text.replace("a3;;19;F", "a3;;19"))
    assert err.value.line == 21
