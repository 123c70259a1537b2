"""The counting rules on small elections whose outcome can be worked out by hand."""

import json
from fractions import Fraction

import pytest

from civiclab.budgeting import cli, pabulib
from civiclab.budgeting.pabulib import Election
from civiclab.budgeting.tally import (
    AddStart,
    Rejection,
    Why,
    as_json,
    equal_shares,
    equal_shares_add1,
    greedy,
    tally,
)


def election(budget, costs, ballots, vote_type="approval", points=None):
    return Election.from_ballots(
        {"budget": str(budget), "vote_type": vote_type}, list(costs.items()), ballots, points=points
    )


def majority_and_minority():
    """6 voters want the A projects, 4 want the B projects; every project costs 1, the budget is 3."""
    return election(
        3,
        {"A1": 1, "A2": 1, "A3": 1, "B1": 1, "B2": 1, "B3": 1},
        [["A1", "A2", "A3"]] * 6 + [["B1", "B2", "B3"]] * 4,
    )


def test_greedy_gives_the_whole_budget_to_the_majority():
    assert greedy(majority_and_minority()).selected == ("A1", "A2", "A3")


def test_under_equal_shares_a_majority_cannot_take_the_whole_budget():
    result = equal_shares(majority_and_minority())
    assert result.selected == ("A1", "B1")
    assert result.budget_per_voter == Fraction(3, 10)
    a1, b1 = result.steps
    assert (a1.share, a1.supporters, a1.full_payers) == (pytest.approx(1 / 6), 6, 6)
    assert a1.tied_with == ("A2", "A3")
    assert (b1.share, b1.rho, b1.supporters) == (pytest.approx(1 / 4), pytest.approx(1 / 4), 4)


def test_equal_shares_says_why_a_project_was_not_funded():
    rejected = {r.project: r for r in equal_shares(majority_and_minority()).rejected}
    assert set(rejected) == {"A2", "A3", "B2", "B3"}
    assert rejected["A2"].why == Rejection.UNAFFORDABLE
    assert rejected["A2"].money_left == pytest.approx(6 * (0.3 - 1 / 6))  # less than its cost of 1
    assert rejected["B2"].money_left == pytest.approx(4 * 0.05)


def test_add1_raises_the_budget_per_voter_until_it_would_overspend_then_completes_greedily():
    result = equal_shares_add1(majority_and_minority())
    # With 1.3 per voter MES would fund all six projects (cost 6 > 3), so the first outcome is kept.
    assert (result.increments, result.stopped_because) == (0, "overspend")
    assert result.selected == ("A1", "B1", "A2")  # 2 : 1, as 6 : 4 voters
    assert [s.why for s in result.completion][:2] == [Why.FUNDED, Why.DOES_NOT_FIT]
    assert result.cost == 3
    without = equal_shares_add1(majority_and_minority(), completion="none")
    assert without.selected == ("A1", "B1")


def test_add1_integral_start_continues_from_a_whole_budget_per_voter():
    e = election(7, {"x": 6, "y": 1}, [["x"], ["x", "y"], ["y"]])  # 7/3 per voter, x needs 3 each
    exact = equal_shares_add1(e, completion="none")
    integral = equal_shares_add1(e, start=AddStart.INTEGRAL, completion="none")
    assert exact.budget_per_voter == Fraction(7, 3) + 1
    assert integral.budget_per_voter == 3  # floor(7/3) + 1
    assert set(exact.selected) == set(integral.selected) == {"x", "y"}


def test_ties_go_to_the_smaller_id_compared_as_text():
    e = election(5, {"9": 5, "10": 5}, [["9", "10"]] * 3)
    assert greedy(e).selected == ("10",)
    result = equal_shares(e)
    assert result.selected == ("10",)
    assert result.steps[0].tied_with == ("9",)


def test_exact_ties_are_found_even_when_floats_disagree():
    # rho is 1/3 for both; in floats 0.3 / (0.3 * 3) is one unit above 3 / (3 * 3). The tie goes to "a",
    # after which the voters cannot pay for "b" any more (1.05 - 0.1 < 1).
    e = election("3.15", {"a": "0.3", "b": 3}, [["a", "b"]] * 3)
    result = equal_shares(e)
    assert result.selected == ("a",)
    assert result.steps[0].tied_with == ("b",)


def test_equal_shares_shows_who_paid_all_they_had_left():
    # 5 voters with 1 each. P (2.4) and Q (2.0) both start at rho 1/4; P wins the tie by id. Then Q's
    # supporters v1-v3 have 0.4 left and pay it all; v5 pays the rest, 0.8.
    e = election(5, {"P": "2.4", "Q": 2}, [["P", "Q"], ["P", "Q"], ["P", "Q"], ["P"], ["Q"]])
    p, q = equal_shares(e).steps
    assert (p.project, p.share, p.rho, p.tied_with) == ("P", pytest.approx(0.6), pytest.approx(0.25), ("Q",))
    assert (q.project, q.share, q.rho) == ("Q", pytest.approx(0.8), pytest.approx(0.4))
    assert (q.full_payers, q.partial_payers, q.partial_paid) == (1, 3, pytest.approx(1.2))


def greedy_case():
    votes = [["a", "b", "c", "d"], ["a", "b", "c"], ["a", "b", "c"], ["a", "b"], ["a"]]
    return election(10, {"a": 6, "b": 5, "c": 3, "d": 2}, votes)


def test_greedy_explains_the_order_and_the_budget_left():
    result = greedy(greedy_case())
    assert [(s.project, s.votes, s.why, s.budget_left) for s in result.steps] == [
        ("a", 5, Why.FUNDED, 4),
        ("b", 4, Why.DOES_NOT_FIT, 4),
        ("c", 3, Why.FUNDED, 1),
        ("d", 1, Why.DOES_NOT_FIT, 1),
    ]
    assert (result.selected, result.cost) == (("a", "c"), 9)


def test_greedy_without_skipping_stops_at_the_first_project_that_does_not_fit():
    result = tally(greedy_case(), "greedy-noskip")
    assert result.selected == ("a",)
    assert [s.why for s in result.steps] == [Why.FUNDED, Why.DOES_NOT_FIT, Why.NOT_REACHED, Why.NOT_REACHED]


def test_greedy_with_a_threshold_leaves_out_projects_with_too_few_votes():
    e = greedy_case()
    result = tally(e, "greedy-threshold", threshold=4)
    assert result.selected == ("a",)
    assert [s.why for s in result.steps][2:] == [Why.BELOW_THRESHOLD, Why.BELOW_THRESHOLD]
    with pytest.raises(ValueError, match="needs a threshold"):
        tally(e, "greedy-threshold")
    with_meta = Election.from_ballots(
        {**e.meta, "min_project_score_threshold": "2"}, e.projects, [e.ballot(i) for i in range(5)]
    )
    assert tally(with_meta, "greedy-threshold").selected == ("a", "c")


def test_ranked_and_cumulative_ballots_count_a_listed_project_as_approved():
    ballots = [["A1", "A2", "A3"]] * 6 + [["B1", "B2", "B3"]] * 4
    costs = dict.fromkeys(["A1", "A2", "A3", "B1", "B2", "B3"], 1)
    ranked = election(3, costs, [list(reversed(b)) for b in ballots], vote_type="ordinal")
    points = election(3, costs, ballots, vote_type="cumulative", points=[[5, 0, 0]] * 10)
    for e in (ranked, points):
        assert equal_shares(e).selected == ("A1", "B1")
        assert greedy(e).selected == ("A1", "A2", "A3")


def test_empty_ballots_share_the_budget_too():
    e = election(4, {"x": 2}, [["x"], [], [], []])  # 1 per voter: x's only supporter cannot pay 2
    assert equal_shares(e).selected == ()
    assert greedy(e).selected == ("x",)


def test_a_free_project_gives_no_cost_satisfaction_so_only_the_completion_funds_it():
    e = election(2, {"x": 2, "gift": 0}, [["x", "gift"], ["x", "gift"]])
    result = equal_shares(e)
    assert result.selected == ("x",)
    assert {r.project: r.why for r in result.rejected} == {"gift": Rejection.FREE}
    assert equal_shares_add1(e).selected == ("x", "gift")


def test_an_election_without_voters_funds_nothing_by_equal_shares():
    e = election(5, {"x": 2, "y": 3}, [])
    assert equal_shares(e).selected == ()
    assert equal_shares_add1(e, completion="none").selected == ()
    assert greedy(e).selected == ("x", "y")


def test_add1_overspend_stop_goes_on_past_an_exhaustive_outcome():
    # With 1 per voter, x (4) is out of reach and MES funds y (2): exhaustive, as x no longer fits. With 2 per
    # voter, x comes first and y's supporters cannot pay for it any more: {x} spends the whole budget.
    e = election(4, {"x": 4, "y": 2}, [["x"], ["x", "y"], ["x", "y"], []])
    assert equal_shares_add1(e, completion="none").selected == ("y",)
    overspend = equal_shares_add1(e, stop="overspend", completion="none")
    assert overspend.selected == ("x",)
    assert (overspend.increments, overspend.stopped_because) == (1, "overspend")


def test_tally_rejects_unknown_rules_and_options():
    with pytest.raises(ValueError, match="unknown rule"):
        tally(greedy_case(), "borda")
    with pytest.raises(ValueError):
        tally(greedy_case(), "mes-add1", add1_stop="never")


def test_the_json_summary():
    assert as_json(greedy(greedy_case())) == {"selected": ["a", "c"], "cost": 9, "rule": "greedy"}
    assert as_json(equal_shares(election(1, {"x": "0.5"}, [["x"]])))["cost"] == 0.5


def test_civiclab_tally_prints_the_outcome(tmp_path, capsys):
    path = tmp_path / "demo.pb"
    pabulib.write(majority_and_minority(), path)
    assert cli.main([str(path), "--rule", "mes-add1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["selected"] == ["A1", "B1", "A2"]
    assert (out["cost"], out["rule"]) == (3, "mes-add1")
    assert out["seconds"] >= 0
    for rule in ("greedy", "greedy-noskip", "mes", "mes-add1"):
        assert cli.main([str(path), "--rule", rule]) == 0
        assert "selected:" in capsys.readouterr().out


def test_civiclab_tally_reports_a_bad_file_with_its_line(tmp_path, capsys):
    path = tmp_path / "bad.pb"
    path.write_text(pabulib.dumps(majority_and_minority()).replace("A1,A2,A3", "A1,A9"))
    assert cli.main([str(path), "--rule", "mes", "--json"]) == 2
    err = capsys.readouterr().err
    assert "bad.pb:" in err
    assert "unknown project 'A9'" in err
    assert cli.main([str(tmp_path / "missing.pb"), "--rule", "mes"]) == 2
