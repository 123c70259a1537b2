"""Paper ballots typed twice, the count with the frozen rule, and the published ballot list."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from civiclab.budgeting import actions, pabulib, selectors, tally
from civiclab.budgeting.actions import BallotChoice
from civiclab.budgeting.models import Ballot, Budget, Outcome, PaperEntryStatus
from civiclab.core.models import AuditEvent
from tests.conftest import make_budget

pytestmark = pytest.mark.django_db


def codes(budget, *titles):
    return [str(p.pk) for p in budget.projects.filter(title__in=titles).order_by("pk")]


def enter(budget, staff, sheet, *titles, station="S1"):
    return actions.do_enter_paper_ballot(
        budget, staff, station=station, sheet=sheet, choice=BallotChoice(codes(budget, *titles))
    )


def test_a_paper_ballot_counts_when_two_staff_type_it_the_same(aurora_budget, alice, bob):
    first = enter(aurora_budget, alice, "001", "Trees", "Lights")
    assert first.status == PaperEntryStatus.WAITING
    assert not Ballot.objects.exists()
    second = enter(aurora_budget, bob, "001", "Lights", "Trees")  # order does not matter on approval
    assert second.status == PaperEntryStatus.MATCHED
    ballot = Ballot.objects.get()
    assert ballot.channel == "paper" and sorted(ballot.projects) == codes(aurora_budget, "Trees", "Lights")
    assert AuditEvent.objects.filter(action="budget.paper_entered").count() == 2


def test_the_same_staff_member_cannot_type_a_sheet_twice(aurora_budget, alice):
    enter(aurora_budget, alice, "002", "Trees")
    with pytest.raises(ValidationError, match="another staff member"):
        enter(aurora_budget, alice, "002", "Trees")


def test_differing_entries_go_to_review_and_count_once_resolved(aurora_budget, alice, bob, erin):
    enter(aurora_budget, alice, "003", "Trees")
    second = enter(aurora_budget, bob, "003", "Benches")
    assert second.status == PaperEntryStatus.MISMATCH
    assert not Ballot.objects.exists()
    actions.do_resolve_paper_mismatch(second, alice)
    assert Ballot.objects.get().projects == codes(aurora_budget, "Benches")
    with pytest.raises(ValidationError, match="already counted"):
        enter(aurora_budget, erin, "003", "Benches")


def test_a_counted_sheet_is_not_counted_again(aurora_budget, alice, bob, erin):
    enter(aurora_budget, alice, "004", "Trees")
    enter(aurora_budget, bob, "004", "Trees")
    with pytest.raises(ValidationError, match="already counted"):
        enter(aurora_budget, erin, "004", "Trees")
    assert Ballot.objects.count() == 1


def test_paper_ballots_follow_the_ballot_rules(aurora_budget, alice):
    with pytest.raises(ValidationError, match="more than the budget"):
        enter(aurora_budget, alice, "005", "Trees", "Benches", "Lights")


def close(budget):
    Budget.objects.filter(pk=budget.pk).update(
        voting_opens_at=timezone.now() - timedelta(days=8),
        voting_closes_at=timezone.now() - timedelta(minutes=1),
    )
    budget.refresh_from_db()
    return budget


def cast_many(budget, ballots):
    for titles in ballots:
        Ballot.objects.create(
            city=budget.city,
            budget=budget,
            cast_on=timezone.localdate(),
            receipt_hash=f"{Ballot.objects.count():064x}",
            projects=codes(budget, *titles),
        )


def test_counting_waits_for_the_close(aurora_budget, alice):
    with pytest.raises(ValidationError, match="not closed"):
        actions.do_count(aurora_budget, alice)


def test_counting_waits_for_paper_entries(aurora_budget, alice):
    enter(aurora_budget, alice, "006", "Trees")
    with pytest.raises(ValidationError, match="paper"):
        actions.do_count(close(aurora_budget), alice)


def test_mes_stops_a_majority_taking_the_whole_budget(aurora, alice):
    # 6 voters want Trees and Benches (90 of 100); 4 want Lights (30). Greedy gives the majority
    # everything that fits. Equal shares gives each voter 10: the majority's 60 pays for Trees (6.67
    # each), the minority's 40 pays for Lights (7.5 each), and the 20 the majority has left cannot pay
    # for Benches.
    budget = make_budget(aurora, slug="fair", rule="mes")
    cast_many(budget, [("Trees", "Benches")] * 6 + [("Lights",)] * 4)
    [outcome] = actions.do_count(close(budget), alice)
    assert set(outcome.selected) == set(codes(budget, "Lights", "Trees"))
    funded = set(budget.projects.filter(funded=True).values_list("title", flat=True))
    assert funded == {"Lights", "Trees"}
    rows = {r["project"]: r for r in outcome.explanation["rows"]}
    lights = rows[codes(budget, "Lights")[0]]
    assert lights["funded"] and lights["supporters"] == 4 and lights["share"] == 7.5
    benches = rows[codes(budget, "Benches")[0]]
    assert benches["why"] == "unaffordable" and benches["money_left"] == 20
    assert outcome.explanation["per_voter"] == 10

    greedy = make_budget(aurora, slug="greedy", rule="greedy")
    cast_many(greedy, [("Trees", "Benches")] * 6 + [("Lights",)] * 4)
    [g] = actions.do_count(close(greedy), alice)
    assert set(g.selected) == set(codes(greedy, "Trees", "Benches"))
    assert {r["why"] for r in g.explanation["rows"] if not r["funded"]} == {"does_not_fit"}


def test_counting_again_gives_the_same_outcome(aurora_budget, alice):
    cast_many(aurora_budget, [("Trees",), ("Lights", "Benches"), ("Trees", "Lights")])
    close(aurora_budget)
    first = actions.do_count(aurora_budget, alice)[0].selected
    second = actions.do_count(aurora_budget, alice)[0].selected
    assert first == second and Outcome.objects.count() == 1


def test_the_published_ballot_list_recounts_to_the_published_outcome(aurora_budget, alice, carol):
    actions.do_upload_census(aurora_budget, alice, "X1234567A,1990\n")
    actions.do_verify_with_census(aurora_budget, carol, "X1234567A")
    receipt = actions.do_cast_ballot(aurora_budget, carol, BallotChoice(codes(aurora_budget, "Benches")))
    cast_many(aurora_budget, [("Trees",), ("Lights", "Benches"), ("Trees", "Lights")] * 3)
    [outcome] = actions.do_count(close(aurora_budget), alice)
    text = pabulib.dumps(selectors.election_for(aurora_budget, None, with_receipts=True))
    election = pabulib.parse(text)
    assert election.num_voters == 10
    recount = tally.tally(election, aurora_budget.rule)
    assert list(recount.selected) == outcome.selected
    # The voter finds their ballot by the hash of their receipt, and nothing else identifies it.
    from civiclab.budgeting.identity import receipt_hash

    hashes = list(election.voter_fields["receipt_hash"].values)
    assert receipt_hash(receipt) in hashes
    assert "carol" not in text.lower() and str(carol.pk) not in election.voter_ids[:0]


def test_no_paper_ballot_is_entered_after_the_count(aurora_budget, alice, bob):
    close(aurora_budget)
    actions.do_count(aurora_budget, alice)
    with pytest.raises(ValidationError, match="published"):
        enter(aurora_budget, bob, "007", "Trees")


def born(years: int):
    return timezone.localdate() - timedelta(days=365 * years + 10)


def test_the_polling_station_register_stops_voting_on_paper_and_online(aurora_budget, alice, bob, carol):
    actions.do_upload_census(aurora_budget, alice, "X1234567A,1990\n")
    actions.do_register_paper_voter(
        aurora_budget, bob, station="S1", identifier="x1234567a", birth_date=born(36)
    )
    with pytest.raises(ValidationError, match="already voted"):
        actions.do_register_paper_voter(
            aurora_budget, bob, station="S2", identifier="X1234567A", birth_date=born(36)
        )
    # Proving the same identity online still works (the census knows her), but the register says she voted.
    with pytest.raises(ValidationError, match="already been used"):
        actions.do_verify_with_census(aurora_budget, carol, "X1234567A")


def test_an_online_voter_gets_no_paper_ballot(aurora_budget, alice, bob, carol):
    actions.do_upload_census(aurora_budget, alice, "X1234567A,1990\n")
    actions.do_verify_with_census(aurora_budget, carol, "X1234567A")
    actions.do_cast_ballot(aurora_budget, carol, BallotChoice(codes(aurora_budget, "Trees")))
    with pytest.raises(ValidationError, match="already voted"):
        actions.do_register_paper_voter(
            aurora_budget, bob, station="S1", identifier="X1234567A", birth_date=born(36)
        )


def test_a_verified_person_who_has_not_voted_online_may_vote_on_paper_and_then_not_online(
    aurora_budget, alice, bob, carol
):
    actions.do_upload_census(aurora_budget, alice, "X1234567A,1990\n")
    actions.do_verify_with_census(aurora_budget, carol, "X1234567A")
    actions.do_register_paper_voter(
        aurora_budget, bob, station="S1", identifier="X1234567A", birth_date=born(36)
    )
    with pytest.raises(ValidationError, match="already voted"):
        actions.do_cast_ballot(aurora_budget, carol, BallotChoice(codes(aurora_budget, "Trees")))


def test_the_register_applies_the_minimum_age(aurora_budget, bob):
    with pytest.raises(ValidationError, match="minimum age"):
        actions.do_register_paper_voter(
            aurora_budget, bob, station="S1", identifier="K1", birth_date=born(10)
        )
