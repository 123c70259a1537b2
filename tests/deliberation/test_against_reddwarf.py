"""Our opinion map against red-dwarf's on every Pol.is open-data conversation.

red-dwarf's outcomes are recorded in expected/reddwarf-outcomes.json by scripts/make_polis_expected.py
(rerun it after upgrading red-dwarf). The issue's bar: group assignment ARI >= 0.9, both principal components
with |cosine| >= 0.99, and identical consensus sets. Conversations under 1,000 participants run in the
fast suite; the slow test covers all of them.
"""

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from civiclab.deliberation.opinion_map import OpinionMap, Settings, compute_opinion_map
from civiclab.deliberation.polis_format import read_open_data

from .conftest import reddwarf_outcomes

EXPECTED = reddwarf_outcomes()["conversations"]
RUNNABLE = sorted(name for name, outcome in EXPECTED.items() if "skipped" not in outcome)
SMALL = [name for name in RUNNABLE if EXPECTED[name]["n_participants"] < 1000]
LARGE = [name for name in RUNNABLE if name not in SMALL]
LARGEST = max(RUNNABLE, key=lambda name: EXPECTED[name]["n_participants"])


def adjusted_rand_index(a: list[int], b: list[int]) -> float:
    """Hubert and Arabie's ARI (1 = same partition, ~0 = chance), from scikit-learn."""
    return float(adjusted_rand_score(a, b))


def run(open_data, name: str, settings: Settings | None = None) -> OpinionMap:
    conversation = read_open_data(open_data / name)
    return compute_opinion_map(conversation.votes, conversation.moderated_out, conversation.meta, settings)


def consensus_differences(ours: list[dict], theirs: list[dict]) -> list[str]:
    """Differences between two consensus lists, ignoring swaps among exactly tied statements at the cut-off.

    Pol.is ranks with a stable sort (ties keep statement order), and so do we; red-dwarf uses pandas'
    unstable quicksort, so where two statements have identical counts on the last place it may pick the
    other one. Those are the same statistic, so either choice is right.
    """
    ours_ids, theirs_ids = {s["tid"] for s in ours}, {s["tid"] for s in theirs}
    if ours_ids == theirs_ids:
        return []
    counts = {(s["n-success"], s["n-trials"]) for s in ours + theirs if s["tid"] in ours_ids ^ theirs_ids}
    boundary = {(ours[-1]["n-success"], ours[-1]["n-trials"])} if ours else set()
    if len(ours) == len(theirs) and counts <= boundary:
        return []
    return [f"ours {sorted(ours_ids)} vs red-dwarf {sorted(theirs_ids)}"]


def check_against_reddwarf(result: OpinionMap, expected: dict) -> None:
    groups = result.groups()
    expected_groups = {int(pid): label for pid, label in expected["groups"].items()}
    assert set(groups) == set(expected_groups), "the same participants are placed in groups"
    pids = sorted(expected_groups)
    ari = adjusted_rand_index([groups[p] for p in pids], [expected_groups[p] for p in pids])
    assert ari >= 0.9, f"adjusted Rand index {ari:.3f}"

    columns = {tid: i for i, tid in enumerate(expected["statement_ids"])}
    theirs = np.asarray(expected["components"])[:, [columns[t] for t in result.statement_ids.tolist()]]
    for i in range(2):
        cosine = abs(result.components[i] @ theirs[i]) / np.linalg.norm(result.components[i])
        cosine /= np.linalg.norm(np.asarray(expected["components"][i]))
        assert cosine >= 0.99, f"component {i + 1}: |cosine| {cosine:.4f}"

    for direction in ("agree", "disagree"):
        ours = [s.as_polis() for s in getattr(result.consensus, direction)]
        assert consensus_differences(ours, expected["consensus"][direction]) == [], direction


@pytest.mark.parametrize("name", SMALL)
def test_small_conversations_agree_with_reddwarf(open_data, name):
    check_against_reddwarf(run(open_data, name), EXPECTED[name])


@pytest.mark.slow
@pytest.mark.parametrize("name", RUNNABLE)
def test_every_conversation_agrees_with_reddwarf(open_data, name):
    check_against_reddwarf(run(open_data, name), EXPECTED[name])


def test_sampled_silhouette_keeps_k_on_the_largest_conversation(open_data):
    name = LARGEST
    # Above SILHOUETTE_EXACT_MAX participants k is chosen on a fixed sample. No real conversation is that
    # large, so force a sample of 500 (a third of bowling-green's clustered participants) and compare.
    exact = run(open_data, name)
    sampled = run(open_data, name, Settings(silhouette_limit=500))
    assert sampled.k == exact.k == EXPECTED[name]["k"]


@pytest.mark.slow
@pytest.mark.parametrize("name", LARGE)
def test_sampled_silhouette_keeps_k_on_large_conversations(open_data, name):
    exact = run(open_data, name)
    sampled = run(open_data, name, Settings(silhouette_limit=500))
    assert sampled.k == exact.k


def test_the_expected_file_covers_every_conversation_with_votes(open_data):
    with_votes = {
        p.parent.relative_to(open_data).as_posix()
        for p in open_data.rglob("comments.csv")
        if (p.parent / "votes.csv").exists() or (p.parent / "participants-votes.csv").exists()
    }
    assert with_votes == set(RUNNABLE)
