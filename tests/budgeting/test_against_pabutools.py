"""Our counts against pabutools (the field's reference) and against official results, on real elections.

pabutools' outcomes on the 161 pabulib files are stored in expected/pabutools-outcomes.json (made by
scripts/make_pb_expected.py: hours of pabutools); the fast tests check a sample, `-m slow` checks them all.
When pabutools is installed, small random elections are also checked against it live.
"""

import random
from fractions import Fraction

import pytest

from civiclab.budgeting import pabulib
from civiclab.budgeting.pabulib import Election
from civiclab.budgeting.tally import equal_shares, equal_shares_add1, greedy

from .conftest import DATA

RULES = {
    "greedy": lambda e: greedy(e).selected,
    "mes": lambda e: equal_shares(e).selected,
    "mes-add1": lambda e: equal_shares_add1(e).selected,
}

# Every vote type, several countries and sizes; each counts in well under a second.
SAMPLE = [
    "Netherlands_Amsterdam_289.pb",
    "Poland_Gdynia_2023_Babie_Doly__large.pb",
    "Poland_Poznan_2023_13_-_Jezyce_sw.Lazarz.pb",
    "Poland_Warszawa_2017_Zoliborz_Poludniowy-Powazki.pb",
    "Switzerland_Zurich_SN.pb",
    "US_Stanford_Dataset_PB_Greensboro_District_4_2016_vote_approvals.pb",
    "US_Stanford_Dataset_PB_Vallejo_2017_vote_approvals.pb",
    "Poland_Zabrze_2021_Mikulczyce.pb",  # choose-1
    "Poland_Wroclaw_2018_Rejon_nr_5_250.pb",
    "Poland_Czestochowa_2020_Mirow.pb",  # cumulative
    "Poland_Gdansk_2020_Kokoszki.pb",
    "Switzerland_Zurich_D10.pb",
    "Poland_Krakow_2018_Stare_Miasto.pb",  # ordinal
    "US_Stanford_Dataset_PB_Rochester_NY_2019_vote_rankings.pb",
    "Worldwide_Mechanical_Turk_Ranking_value_3.pb",
]


def check(data_dir, expected, name):
    reference = expected["instances"][name]
    election = pabulib.read(data_dir / name)
    for rule, count in RULES.items():
        if reference[rule].get("timeout"):
            continue  # recorded as a pabutools timeout: nothing to compare with
        assert sorted(count(election)) == reference[rule]["selected"], f"{name} {rule}"


def test_the_expected_file_covers_every_election(data_dir, expected):
    assert sorted(expected["instances"]) == sorted(p.name for p in data_dir.glob("*.pb"))
    assert expected["pabutools_version"]


@pytest.mark.parametrize("name", SAMPLE)
def test_a_sample_of_real_elections_is_counted_as_pabutools_does(data_dir, expected, name):
    check(data_dir, expected, name)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(p.name for p in DATA.glob("*.pb")) or ["(no data)"])
def test_every_real_election_is_counted_as_pabutools_does(data_dir, expected, name):
    check(data_dir, expected, name)


def official(election):
    return {p.id for p in election.projects if p.fields["selected"] != "0"}


# Which Add1 variant each city used, found by trying all eight on its file (see docs/budgeting.md):
# Wieliczka needs the overspend stop (with the exhaustive stop, 46 is replaced by 66 and 67), Assen needs
# no completion (greedy completion adds 7), Świecie is reproduced by every variant.
@pytest.mark.parametrize(
    ("name", "matches", "differs"),
    [
        ("Poland_Wieliczka_2023_Green_Budget.pb", {"stop": "overspend"}, {"stop": "exhaustive"}),
        ("Poland_Swiecie_2023.pb", {"stop": "overspend", "completion": "none"}, None),
        ("Netherlands_Assen_2024.pb", {"stop": "overspend", "completion": "none"}, {"completion": "greedy"}),
    ],
)
def test_official_equal_shares_results_are_reproduced(data_dir, name, matches, differs):
    election = pabulib.read(data_dir / name)
    assert election.meta["rule"].startswith("equalshares/add1")
    # Every city is reproduced by one variant: integral start, overspend stop, no completion.
    common = equal_shares_add1(election, start="integral", stop="overspend", completion="none")
    assert set(common.selected) == official(election)
    assert set(equal_shares_add1(election, **matches).selected) == official(election)
    if differs:
        assert set(equal_shares_add1(election, **differs).selected) != official(election)


def random_election(rng):
    """Small, tie-heavy elections: few voters, small and decimal costs, repeated ballots."""
    ids = [str(x) for x in rng.sample(range(1, 30), rng.randint(1, 8))]
    costs = {i: rng.choice(["1", "2", "3", "5", "10", "0.3", "0.1", "0"]) for i in ids}
    kinds = [[i for i in ids if rng.random() < 0.45] for _ in range(rng.randint(1, 6))]
    ballots = [rng.choice(kinds) for _ in range(rng.randint(1, 15))]
    budget = rng.choice(["1", "3", "5", "7", "12", "3.5"])
    return Election.from_ballots({"budget": budget, "vote_type": "approval"}, list(costs.items()), ballots)


def test_small_random_elections_are_counted_as_pabutools_does():
    pytest.importorskip("pabutools")
    from pabutools.election import Cost_Sat
    from pabutools.election.pabulib import parse_pabulib_from_string
    from pabutools.rules import (
        completion_by_rule_combination,
        greedy_utilitarian_welfare,
        method_of_equal_shares,
    )

    rng = random.Random(4)
    for _ in range(150):
        election = random_election(rng)
        instance, profile = parse_pabulib_from_string(pabulib.dumps(election))
        reference = {
            "greedy": greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat),
            "mes": method_of_equal_shares(instance, profile, sat_class=Cost_Sat),
            "mes-add1": completion_by_rule_combination(
                instance,
                profile,
                [method_of_equal_shares, greedy_utilitarian_welfare],
                [{"sat_class": Cost_Sat, "voter_budget_increment": 1}, {"sat_class": Cost_Sat}],
            ),
        }
        for rule, count in RULES.items():
            assert sorted(count(election)) == sorted(p.name for p in reference[rule]), (
                rule,
                pabulib.dumps(election),
            )


def test_budgets_are_split_exactly():
    e = Election.from_ballots({"budget": "10"}, [("x", 1)], [["x"]] * 3)
    assert equal_shares(e).budget_per_voter == Fraction(10, 3)
