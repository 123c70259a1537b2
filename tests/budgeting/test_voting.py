"""Eligibility, secret ballots, receipts and changing a vote (the actions)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from civiclab.accounts.actions import do_create_user, do_erase_account
from civiclab.budgeting import actions, identity, selectors
from civiclab.budgeting.actions import AlreadyVoted, BallotChoice
from civiclab.budgeting.models import Ballot, Budget, CensusEntry, Participation, Verification
from tests.conftest import make_budget

pytestmark = pytest.mark.django_db


def codes(budget, *titles):
    return [str(p.pk) for p in budget.projects.filter(title__in=titles).order_by("pk")]


def census(budget, alice, text="X1234567A,1990\nY7654321B,2015\n"):
    return actions.do_upload_census(budget, alice, text)


def test_census_keeps_only_keyed_hashes(aurora_budget, alice):
    census(aurora_budget, alice)
    stored = list(CensusEntry.objects.filter(budget=aurora_budget).values_list("identity_hash", flat=True))
    assert len(stored) == 2
    assert all("1234567" not in h for h in stored)
    assert identity.identity_hash(aurora_budget.city_id, "x-1234567 a") in stored


def test_a_census_with_a_bad_line_is_refused_whole(aurora_budget, alice):
    census(aurora_budget, alice)
    with pytest.raises(ValidationError) as exc:
        actions.do_upload_census(aurora_budget, alice, "A1,1990\nB2,last year\n")
    assert "Line 2" in exc.value.messages[0]
    assert CensusEntry.objects.filter(budget=aurora_budget).count() == 2  # the old list is intact


def test_it_verifies_a_person_on_the_census(aurora_budget, alice, carol):
    census(aurora_budget, alice)
    verification = actions.do_verify_with_census(aurora_budget, carol, " x1234567-a ")
    assert verification.method == "census" and verification.user == carol


def test_it_refuses_a_number_off_the_census(aurora_budget, alice, carol):
    census(aurora_budget, alice)
    with pytest.raises(ValidationError, match="not on the census"):
        actions.do_verify_with_census(aurora_budget, carol, "Z0000000")


def test_it_refuses_people_under_the_minimum_age(aurora_budget, alice, carol):
    census(aurora_budget, alice)
    with pytest.raises(ValidationError, match="minimum age"):
        actions.do_verify_with_census(aurora_budget, carol, "Y7654321B")


def test_a_second_account_cannot_reuse_an_identity(aurora_budget, alice, carol, bob):
    census(aurora_budget, alice)
    actions.do_verify_with_census(aurora_budget, carol, "X1234567A")
    with pytest.raises(ValidationError, match="another account"):
        actions.do_verify_with_census(aurora_budget, bob, "X1234567A")


def test_an_erased_and_registered_again_voter_cannot_vote_twice(aurora_budget, alice, carol):
    census(aurora_budget, alice)
    actions.do_verify_with_census(aurora_budget, carol, "X1234567A")
    actions.do_cast_ballot(aurora_budget, carol, BallotChoice(codes(aurora_budget, "Trees")))
    do_erase_account(carol)
    again = do_create_user(
        "carol.again@example.org", "pw-Secret-123", display_name="Carol", accept_terms=True
    )
    with pytest.raises(ValidationError, match="another account"):
        actions.do_verify_with_census(aurora_budget, again, "X1234567A")
    assert Ballot.objects.filter(budget=aurora_budget).count() == 1


def test_letter_codes_are_single_use(aurora_budget, alice, carol, bob):
    [code] = actions.do_create_letter_codes(aurora_budget, alice, 1)
    actions.do_verify_with_letter(aurora_budget, carol, code.lower())
    with pytest.raises(ValidationError, match="another account"):
        actions.do_verify_with_letter(aurora_budget, bob, code)


def test_in_person_verification_is_audited_and_blocks_the_census_route(
    aurora_budget, alice, bob, carol, erin
):
    census(aurora_budget, alice)
    actions.do_verify_in_person(
        aurora_budget,
        bob,
        carol,
        identifier="X1234567A",
        birth_date=timezone.localdate() - timedelta(days=365 * 30),
    )
    with pytest.raises(ValidationError, match="another account"):
        actions.do_verify_with_census(aurora_budget, erin, "X1234567A")


@pytest.fixture
def voter(aurora_budget, alice, carol):
    census(aurora_budget, alice)
    actions.do_verify_with_census(aurora_budget, carol, "X1234567A")
    return carol


def test_a_ballot_is_stored_apart_from_the_register(aurora_budget, voter):
    receipt = actions.do_cast_ballot(
        aurora_budget, voter, BallotChoice(codes(aurora_budget, "Trees", "Lights"))
    )
    ballot = Ballot.objects.get(budget=aurora_budget)
    assert sorted(ballot.projects) == codes(aurora_budget, "Trees", "Lights")
    assert ballot.receipt_hash == identity.receipt_hash(receipt)
    assert ballot.cast_on == timezone.localdate()
    register = Participation.objects.get(budget=aurora_budget)
    assert register.verification.user == voter
    assert receipt not in (register.receipt_mac, ballot.receipt_hash)
    assert register.receipt_mac != ballot.receipt_hash


def test_a_second_ballot_without_the_receipt_is_refused(aurora_budget, voter):
    actions.do_cast_ballot(aurora_budget, voter, BallotChoice(codes(aurora_budget, "Trees")))
    with pytest.raises(AlreadyVoted):
        actions.do_cast_ballot(aurora_budget, voter, BallotChoice(codes(aurora_budget, "Lights")))
    with pytest.raises(AlreadyVoted):
        actions.do_cast_ballot(
            aurora_budget, voter, BallotChoice(codes(aurora_budget, "Lights")), receipt="AAAA-BBBB"
        )
    assert Ballot.objects.filter(budget=aurora_budget).count() == 1


def test_changing_a_ballot_replaces_it_and_only_the_last_counts(aurora_budget, voter):
    first = actions.do_cast_ballot(aurora_budget, voter, BallotChoice(codes(aurora_budget, "Trees")))
    second = actions.do_cast_ballot(
        aurora_budget, voter, BallotChoice(codes(aurora_budget, "Benches")), receipt=first
    )
    assert Ballot.objects.filter(budget=aurora_budget).count() == 1
    assert selectors.find_ballot(aurora_budget, first) is None
    assert selectors.find_ballot(aurora_budget, second).projects == codes(aurora_budget, "Benches")
    assert Participation.objects.get(budget=aurora_budget).changes == 1
    with pytest.raises(AlreadyVoted):  # the first receipt no longer works
        actions.do_cast_ballot(aurora_budget, voter, BallotChoice([]), receipt=first)


def test_staff_can_switch_off_vote_changes(aurora, alice, carol):
    budget = make_budget(aurora, slug="final", allow_vote_change=False)
    census(budget, alice)
    actions.do_verify_with_census(budget, carol, "X1234567A")
    receipt = actions.do_cast_ballot(budget, carol, BallotChoice(codes(budget, "Trees")))
    with pytest.raises(AlreadyVoted, match="cannot be changed"):
        actions.do_cast_ballot(budget, carol, BallotChoice(codes(budget, "Lights")), receipt=receipt)


def test_it_refuses_a_ballot_before_verification(aurora_budget, carol):
    with pytest.raises(ValidationError, match="Prove"):
        actions.do_cast_ballot(aurora_budget, carol, BallotChoice(codes(aurora_budget, "Trees")))


def test_it_refuses_a_ballot_over_the_budget(aurora_budget, voter):
    with pytest.raises(ValidationError, match="more than the budget"):
        actions.do_cast_ballot(
            aurora_budget, voter, BallotChoice(codes(aurora_budget, "Trees", "Benches", "Lights"))
        )
    assert not Participation.objects.exists()


def test_it_refuses_unknown_and_repeated_projects(aurora_budget, voter):
    with pytest.raises(ValidationError, match="not on the ballot paper"):
        actions.do_cast_ballot(aurora_budget, voter, BallotChoice(["999999"]))
    trees = codes(aurora_budget, "Trees")
    with pytest.raises(ValidationError, match="twice"):
        actions.do_cast_ballot(aurora_budget, voter, BallotChoice(trees + trees))


def test_it_refuses_ballots_outside_the_voting_period(aurora, alice, carol):
    budget = make_budget(aurora, slug="later", opens_in=2, closes_in=9)
    with pytest.raises(ValidationError, match="not open"):
        actions.do_cast_ballot(budget, carol, BallotChoice([]))


@pytest.mark.parametrize(
    ("rules", "choice", "message"),
    [
        ({"ballot_type": "k_approval", "min_choices": 2, "max_choices": 2}, ["Trees"], "at least 2"),
        ({"ballot_type": "k_approval", "min_choices": 1, "max_choices": 1}, ["Trees", "Lights"], "at most 1"),
        ({"ballot_type": "choose_one", "min_choices": 1, "max_choices": 1}, [], "at least 1"),
    ],
)
def test_it_applies_the_ballot_type(aurora, alice, carol, rules, choice, message):
    budget = make_budget(aurora, slug="typed", **rules)
    census(budget, alice)
    actions.do_verify_with_census(budget, carol, "X1234567A")
    with pytest.raises(ValidationError, match=message):
        actions.do_cast_ballot(budget, carol, BallotChoice(codes(budget, *choice)))


def test_cumulative_ballots_keep_the_points_within_the_total(aurora, alice, carol):
    budget = make_budget(aurora, slug="points", ballot_type="cumulative", max_points=5)
    census(budget, alice)
    actions.do_verify_with_census(budget, carol, "X1234567A")
    trees, benches = codes(budget, "Trees", "Benches")
    with pytest.raises(ValidationError, match="5 points"):
        actions.do_cast_ballot(budget, carol, BallotChoice([trees, benches], [4, 2]))
    actions.do_cast_ballot(budget, carol, BallotChoice([trees, benches], [3, 2]))
    assert Ballot.objects.get(budget=budget).points == [3, 2]


def test_district_voters_vote_only_in_their_district(aurora, alice, carol):
    budget = make_budget(aurora, slug="districts", projects=(), residency="district")
    north = budget.districts.create(city=aurora, name="North", amount=100)
    south = budget.districts.create(city=aurora, name="South", amount=80)
    budget.projects.create(
        city=aurora, district=north, title="N", description="-", cost=10, proposed_cost=10, status="feasible"
    )
    s = budget.projects.create(
        city=aurora, district=south, title="S", description="-", cost=10, proposed_cost=10, status="feasible"
    )
    actions.do_upload_census(budget, alice, "X1234567A,1990,North\n")
    actions.do_verify_with_census(budget, carol, "X1234567A")
    with pytest.raises(ValidationError, match="own district"):
        actions.do_cast_ballot(budget, carol, BallotChoice([str(s.pk)], [], south))
    with pytest.raises(ValidationError, match="not on the ballot paper"):
        actions.do_cast_ballot(budget, carol, BallotChoice([str(s.pk)], [], north))


def test_rules_are_frozen_once_voting_opens(aurora_budget, alice):
    with pytest.raises(ValidationError, match="frozen"):
        actions.do_update_budget(aurora_budget, alice, rule="greedy")
    with pytest.raises(ValidationError, match="frozen"):
        actions.do_update_budget(aurora_budget, alice, districts=[("North", 50)])
    actions.do_update_budget(aurora_budget, alice, title="Parks and squares")
    assert Budget.objects.get(pk=aurora_budget.pk).rule == "mes-add1"


def test_rules_can_change_before_voting_opens(aurora, alice):
    budget = make_budget(aurora, slug="soon", opens_in=3, closes_in=10)
    actions.do_update_budget(budget, alice, rule="greedy", districts=[("North", 50), ("South", 50)])
    assert budget.districts.count() == 2


def test_verification_is_unique_per_account_and_identity(aurora_budget, voter):
    assert Verification.objects.filter(budget=aurora_budget).count() == 1
    with pytest.raises(ValidationError, match="already proved"):
        actions.do_verify_with_census(aurora_budget, voter, "X1234567A")
