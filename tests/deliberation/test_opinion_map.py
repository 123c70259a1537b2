"""Unit tests of the opinion-map math on small, hand-made or planted conversations (no real data needed)."""

import csv
import json
import subprocess
import sys

import numpy as np
import pytest

from civiclab.deliberation import cli
from civiclab.deliberation.clustering import first_distinct_points, kmeans, silhouette_scores
from civiclab.deliberation.matrix import Votes, build_vote_matrix
from civiclab.deliberation.opinion_map import Settings, clustered_rows, compute_opinion_map
from civiclab.deliberation.pca import polis_pca
from civiclab.deliberation.polis_format import read_open_data, read_votes_csv
from civiclab.deliberation.repness import one_prop_test, probability, two_prop_test


def planted(groups=3, per_group=60, statements=40, answered=0.7, seed=0) -> Votes:
    """Groups that agree with their own block of statements and disagree with the others'."""
    rng = np.random.default_rng(seed)
    pids, tids, values = [], [], []
    for g in range(groups):
        for i in range(per_group):
            pid = g * per_group + i
            for t in range(statements):
                if rng.random() > answered:
                    continue
                agree = (t % groups == g) == (rng.random() < 0.9)
                pids.append(pid)
                tids.append(t)
                values.append(1 if agree else (-1 if rng.random() < 0.8 else 0))
    return Votes.from_lists(pids, tids, values)


def dense(votes: Votes) -> np.ndarray:
    matrix = build_vote_matrix(votes)
    out = np.full(matrix.shape, np.nan)
    out[matrix.row_of_each_vote, matrix.indices] = matrix.values
    return out


def test_the_vote_matrix_keeps_passes_and_orders_ids():
    votes = Votes.from_lists([30, 10, 10, 20], [7, 7, 3, 3], [0, 1, -1, 0])
    matrix = build_vote_matrix(votes)
    assert matrix.participant_ids.tolist() == [10, 20, 30]
    assert matrix.statement_ids.tolist() == [3, 7]
    assert matrix.row_counts().tolist() == [2, 1, 1]  # a pass is an answer
    np.testing.assert_array_equal(dense(votes), [[-1, 1], [0, np.nan], [np.nan, 0]])


def test_a_repeated_vote_is_an_error():
    with pytest.raises(ValueError, match="more than one vote"):
        build_vote_matrix(Votes.from_lists([1, 1], [2, 2], [1, -1]))


def test_votes_must_be_agree_disagree_or_pass():
    with pytest.raises(ValueError, match="-1, 0 or"):
        build_vote_matrix(Votes.from_lists([1], [2], [2]))


def test_sparse_ids_are_mapped_too():
    votes = Votes.from_lists([10**12, 5], [10**10, 10**10], [1, -1])
    assert build_vote_matrix(votes).participant_ids.tolist() == [5, 10**12]


@pytest.mark.parametrize(
    ("per_group", "statements"),
    [(60, 30), (60, 120), (10, 120)],  # dense X^T X, Lanczos, dense X X^T (few participants)
)
def test_pca_is_mean_imputed_pca_with_sparsity_scaling(per_group, statements):
    votes = planted(per_group=per_group, statements=statements, answered=0.5, seed=statements)
    x = dense(votes)
    matrix = build_vote_matrix(votes)
    result = polis_pca(matrix, np.ones(matrix.shape[1], dtype=bool))

    mean = np.nanmean(x, axis=0)
    centred = np.where(np.isnan(x), 0.0, x - mean)  # mean imputation, then centring
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    np.testing.assert_allclose(result.mean, mean, atol=1e-12)
    for i in range(2):
        assert abs(result.components[i] @ vt[i]) == pytest.approx(1.0, abs=1e-9)
        assert result.components[i][np.argmax(np.abs(result.components[i]))] > 0  # scikit-learn's sign
    answered = (~np.isnan(x)).sum(axis=1)
    expected = centred @ result.components.T * np.sqrt(statements / answered)[:, None]
    np.testing.assert_allclose(result.projections, expected, atol=1e-9)


def test_moderated_out_statements_carry_no_weight_but_count_as_answered():
    votes = planted(statements=20)
    matrix = build_vote_matrix(votes)
    active = np.ones(20, dtype=bool)
    active[[3, 4]] = False
    result = polis_pca(matrix, active)
    assert np.all(result.components[:, ~active] == 0)
    assert np.all(result.mean[~active] == 0)
    answered_active = np.bincount(matrix.row_of_each_vote, weights=active[matrix.indices])
    np.testing.assert_allclose(result.n_votes_counted, answered_active + 2)  # as Pol.is and red-dwarf do


def test_kmeans_is_scikit_learns_lloyd():
    cluster = pytest.importorskip("sklearn.cluster")
    rng = np.random.default_rng(1)
    points = np.vstack([rng.normal((x, y), 0.7, (80, 2)) for x, y in [(0, 0), (3, 1), (1, 4), (4, 4)]])
    for k in (2, 3, 4, 5):
        init = first_distinct_points(points, k)
        ours = kmeans(points, init)
        theirs = cluster.KMeans(n_clusters=k, init=init, n_init=1).fit(points)
        np.testing.assert_array_equal(ours.labels, theirs.labels_)
        np.testing.assert_allclose(ours.centers, theirs.cluster_centers_, atol=1e-12)


def test_the_polis_start_is_the_first_distinct_points():
    points = np.array([[1.0, 2.0], [0.0, 5.0], [0.0, 5.0], [0.0, 1.0], [2.0, 0.0]])
    np.testing.assert_array_equal(first_distinct_points(points, 3), [[0, 1], [0, 5], [1, 2]])


def test_silhouette_is_scikit_learns():
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(2)
    points = rng.normal(size=(300, 2))
    labelings = [rng.integers(0, k, 300) for k in (2, 3, 5)]
    labelings[0][0] = 9  # a cluster of one scores 0
    expected = [metrics.silhouette_score(points, labels) for labels in labelings]
    assert silhouette_scores(points, labelings) == pytest.approx(expected, abs=1e-12)


def test_planted_groups_are_found():
    votes = planted(groups=3)
    result = compute_opinion_map(votes)
    assert result.k == 3
    groups = result.groups()
    for g in range(3):
        assert len({groups[pid] for pid in range(g * 60, (g + 1) * 60)}) == 1
    assert sorted(result.group_sizes) == [60, 60, 60]
    for picked in result.repness.values():
        assert picked and picked[0].repful_for == "agree"


def test_a_recompute_gives_the_same_result():
    votes = planted(groups=4, per_group=40, statements=90, answered=0.4)
    first, second = compute_opinion_map(votes), compute_opinion_map(votes)
    assert json.dumps(first.to_json()) == json.dumps(second.to_json())
    np.testing.assert_array_equal(first.projections, second.projections)


def test_who_is_placed_in_a_group():
    # Participant p answered p + 1 statements (of 10).
    pids = [p for p in range(20) for _ in range(min(p + 1, 10))]
    tids = [t for p in range(20) for t in range(min(p + 1, 10))]
    matrix = build_vote_matrix(Votes.from_lists(pids, tids, [1] * len(pids)))
    plain = clustered_rows(matrix, Settings(greedy_min_participants=0))
    assert matrix.participant_ids[plain].tolist() == list(range(6, 20))  # at least 7 votes
    topped_up = clustered_rows(matrix, Settings())
    assert matrix.participant_ids[topped_up].tolist() == [5, *range(6, 20)]  # Pol.is fills up to 15
    forced = clustered_rows(matrix, Settings(greedy_min_participants=0, keep_participant_ids=(0,)))
    assert matrix.participant_ids[forced].tolist() == [0, *range(6, 20)]
    few_statements = build_vote_matrix(Votes.from_lists([1, 1, 2], [1, 2, 1], [1, 1, 1]))
    assert clustered_rows(few_statements, Settings(greedy_min_participants=0)).tolist() == [True, False]


@pytest.mark.parametrize(
    "votes",
    [
        Votes.from_lists([], [], []),
        Votes.from_lists([1], [1], [1]),
        Votes.from_lists([1, 2, 1, 2], [1, 1, 2, 2], [1, 1, -1, -1]),  # two identical participants
        Votes.from_lists([p for p in range(60) for _ in range(100)], list(range(100)) * 60, [1] * 6000),
    ],
    ids=["nobody", "one vote", "two alike", "sixty alike"],
)
def test_tiny_conversations_still_give_a_result(votes):
    result = compute_opinion_map(votes)
    assert result.k <= 1
    json.dumps(result.to_json())


def test_consensus_is_what_most_people_agree_with():
    rng = np.random.default_rng(5)
    pids, tids, values = [], [], []
    for p in range(100):
        for t in range(12):
            pids.append(p)
            tids.append(t)
            if t == 0:
                values.append(1 if rng.random() < 0.95 else -1)  # nearly everyone agrees
            elif t == 1:
                values.append(-1 if rng.random() < 0.9 else 1)  # nearly everyone disagrees
            else:
                values.append(int(rng.choice([-1, 0, 1])))
    result = compute_opinion_map(Votes.from_lists(pids, tids, values), moderated_out=[2], meta=[3])
    assert result.consensus.agree[0].tid == 0
    assert result.consensus.disagree[0].tid == 1
    chosen = {s.tid for s in result.consensus.agree + result.consensus.disagree}
    assert not chosen & {2, 3}
    assert 2 not in result.statement_ids.tolist() and 3 not in result.statement_ids.tolist()


def test_statistics_follow_the_polis_formulas():
    # 8 of 10 agree: Laplace-smoothed p = 9/12; z = 2 sqrt(11) (9/11 - 1/2).
    assert probability(np.array(8), np.array(10)) == pytest.approx(0.75)
    assert one_prop_test(np.array(8), np.array(10)) == pytest.approx(2 * np.sqrt(11) * (9 / 11 - 0.5))
    pi1, pi2, pooled = 9 / 11, 3 / 11, 12 / 22
    z = (pi1 - pi2) / np.sqrt(pooled * (1 - pooled) * (2 / 11))
    assert two_prop_test(np.array(8), np.array(2), np.array(10), np.array(10)) == pytest.approx(z)
    assert two_prop_test(np.array(5), np.array(5), np.array(5), np.array(5)) == 0.0  # everyone agreed


def test_group_aware_consensus_multiplies_the_groups_agreement():
    result = compute_opinion_map(planted(groups=2, per_group=30, statements=10))
    rows = np.flatnonzero(result.clustered)
    x = dense(planted(groups=2, per_group=30, statements=10))
    expected = np.ones(10)
    for g in range(result.k):
        members = x[rows[result.labels[rows] == g]]
        expected *= (1 + (members == 1).sum(0)) / (2 + (~np.isnan(members)).sum(0))
    np.testing.assert_allclose(result.group_consensus_agree, expected)


def write_export(directory, votes_rows, with_votes_csv=True):
    with (directory / "comments.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "timestamp",
                "datetime",
                "comment-id",
                "author-id",
                "agrees",
                "disagrees",
                "moderated",
                "comment-body",
            ]
        )
        for tid in sorted({t for _, t, _, _ in votes_rows}):
            w.writerow([0, "", tid, 0, 0, 0, -1 if tid == 39 else 1, f"statement {tid}"])
    latest = {}
    for pid, tid, vote, _ts in sorted(votes_rows, key=lambda row: row[3]):
        latest[(pid, tid)] = vote
    if with_votes_csv:
        with (directory / "votes.csv").open("w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["timestamp", "datetime", "comment-id", "voter-id", "vote"])
            for pid, tid, vote, ts in votes_rows:
                w.writerow([ts, "", tid, pid, vote])
    tids = sorted({t for _, t in latest})
    with (directory / "participants-votes.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree", *tids])
        for pid in sorted({p for p, _ in latest}):
            w.writerow([pid, "", 0, 0, 0, 0, *[latest.get((pid, t), "") for t in tids]])


def planted_rows():
    votes = planted(groups=2, per_group=30)
    columns = zip(
        votes.participant_ids.tolist(), votes.statement_ids.tolist(), votes.values.tolist(), strict=True
    )
    rows = [(p, t, v, 1000 + i) for i, (p, t, v) in enumerate(columns)]
    pid, tid, vote, _ = rows[0]
    # An earlier answer, replaced by the later one, must not count.
    return [(pid, tid, -1 if vote == 1 else 1, 10), *rows]


def test_votes_csv_keeps_each_participants_latest_vote(tmp_path):
    write_export(tmp_path, [(1, 1, 1, 100), (1, 1, -1, 300), (1, 1, 0, 200), (2, 1, 1, 5)])
    votes = read_votes_csv(tmp_path / "votes.csv")
    assert sorted(zip(votes.participant_ids.tolist(), votes.values.tolist(), strict=True)) == [
        (1, -1),
        (2, 1),
    ]


def test_participants_votes_csv_gives_the_same_map_as_votes_csv(tmp_path):
    full, final_only = tmp_path / "full", tmp_path / "final"
    full.mkdir()
    final_only.mkdir()
    rows = planted_rows()
    write_export(full, rows)
    write_export(final_only, rows, with_votes_csv=False)
    a, b = read_open_data(full), read_open_data(final_only)
    assert a.moderated_out == b.moderated_out == {39}
    assert json.dumps(compute_opinion_map(a.votes, a.moderated_out).to_json()) == json.dumps(
        compute_opinion_map(b.votes, b.moderated_out).to_json()
    )


def test_the_command_prints_the_documented_json(tmp_path, capsys):
    write_export(tmp_path, planted_rows())
    assert cli.main(["opinion-map", str(tmp_path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"k", "groups", "components", "statement_ids", "consensus", "repness", "seconds"}
    assert out["k"] == 2
    assert len(out["groups"]) == 60 and set(out["groups"].values()) == {0, 1}
    assert len(out["components"]) == 2 and len(out["components"][0]) == len(out["statement_ids"])
    assert 39 not in out["statement_ids"]
    assert set(out["consensus"]) == {"agree", "disagree"}
    assert set(out["repness"]) == {"0", "1"}
    assert {"tid", "repful-for", "repness-test"} <= set(out["repness"]["0"][0])
    assert out["seconds"] >= 0


def test_the_command_explains_a_missing_export(tmp_path, capsys):
    assert cli.main([str(tmp_path)]) == 2
    assert "comments.csv" in capsys.readouterr().err


def test_the_command_does_not_need_django():
    code = (
        "import sys, civiclab.deliberation.cli\n"
        "assert not [m for m in sys.modules if m.split('.')[0] in ('django', 'sklearn', 'pandas')]"
    )
    subprocess.run([sys.executable, "-c", code], check=True)  # noqa: S603 (our own interpreter, fixed code)
