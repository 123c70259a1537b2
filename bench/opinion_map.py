"""Opinion-map benchmark: our recompute against red-dwarf's on real data, and at city scale.

    .venv/bin/python bench/opinion_map.py [--repeats 5] [--sweep] [--skip-synthetic]

1. american-assembly.bowling-green (the largest Pol.is open-data conversation: 2,031 participants,
   896 statements): the full recompute (vote matrix, PCA, k-means for k = 2..5 with silhouette, repness,
   consensus) with civiclab.deliberation and with red-dwarf's `run_pipeline`, interleaved in the same run
   from the same votes (already in memory: file parsing is not timed for either). red-dwarf is timed with
   its default threads and with one thread (BLAS and OpenMP), and we compare with its faster setting.
   The issue's bar: at least 10x faster, under 0.07 s.
2. A synthetic conversation of 100,000 participants x 2,000 statements x 10,000,000 votes (three planted
   opinion groups, each participant answering 100 statements drawn with a popularity skew): time, stage
   times, and peak memory. The bar: under 10 s and 4 GB. Memory is measured two ways: tracemalloc's peak of
   the allocations made by the recompute, and the process's peak resident set during the recompute
   (Linux VmHWM after resetting it through /proc/self/clear_refs, so input data counts but generating it
   does not).
3. With --sweep, the same synthetic recompute at other sizes, to show how cost grows.

Writes bench/results/opinion-map.json and prints a summary. Needs red-dwarf (a dev dependency) for part 1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
import warnings
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from civiclab.deliberation import clustering, matrix, opinion_map, pca, repness  # noqa: E402
from civiclab.deliberation.polis_format import read_open_data  # noqa: E402

DATA = Path(os.environ.get("CIVICLAB_POLIS_DATA", ROOT.parent / "shared" / "data" / "polis")) / "opendata"
RESULTS = ROOT / "bench" / "results" / "opinion-map.json"
LARGEST = "american-assembly.bowling-green"


def package_version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def adjusted_rand_index(a: list[int], b: list[int]) -> float:
    """Hubert and Arabie's ARI (1 = same partition, ~0 = chance), from scikit-learn."""
    return float(adjusted_rand_score(a, b))


def summary(times: list[float]) -> dict[str, float]:
    return {"min_s": round(min(times), 4), "median_s": round(statistics.median(times), 4), "runs": len(times)}


def bench_real(repeats: int) -> dict[str, object]:
    from reddwarf.implementations.polis import run_pipeline
    from threadpoolctl import threadpool_limits

    conversation = read_open_data(DATA / LARGEST)
    votes = conversation.votes
    mod_out, meta = sorted(conversation.moderated_out), sorted(conversation.meta)
    reddwarf_votes = [
        {"participant_id": p, "statement_id": s, "vote": v, "modified": 0}
        for p, s, v in zip(
            votes.participant_ids.tolist(), votes.statement_ids.tolist(), votes.values.tolist(), strict=True
        )
    ]

    def ours() -> opinion_map.OpinionMap:
        return opinion_map.compute_opinion_map(votes, mod_out, meta)

    def theirs() -> object:
        return run_pipeline(votes=reddwarf_votes, mod_out_statement_ids=mod_out, meta_statement_ids=meta)

    def theirs_one_thread() -> object:
        # scikit-learn's k-means uses OpenMP threads as well as BLAS: limit both.
        with threadpool_limits(limits=1):
            return theirs()

    ours()
    theirs()  # warm both (imports, first-call allocations)
    times: dict[str, list[float]] = {"ours": [], "reddwarf": [], "reddwarf_1_thread": []}
    for _ in range(repeats):
        for label, fn in (
            ("ours", ours),
            ("reddwarf", theirs),
            ("reddwarf_1_thread", theirs_one_thread),
        ):
            start = time.perf_counter()
            fn()
            times[label].append(time.perf_counter() - start)

    mine, reference = ours(), theirs()
    clustered = reference.participants_df[reference.participants_df["to_cluster"]]
    groups = mine.groups()
    pids = [int(p) for p in clustered.index]
    ari = adjusted_rand_index([groups[p] for p in pids], [int(x) for x in clustered["cluster_id"]])
    best_reddwarf = min(min(times["reddwarf"]), min(times["reddwarf_1_thread"]))
    best_reddwarf_median = min(
        statistics.median(times["reddwarf"]), statistics.median(times["reddwarf_1_thread"])
    )
    matrix_shape = matrix.build_vote_matrix(votes).shape
    return {
        "conversation": LARGEST,
        "participants": matrix_shape[0],
        "statements": matrix_shape[1],
        "votes": len(votes.values),
        "ours": summary(times["ours"]),
        "reddwarf": summary(times["reddwarf"]),
        "reddwarf_1_thread": summary(times["reddwarf_1_thread"]),
        "speedup_min": round(best_reddwarf / min(times["ours"]), 1),
        "speedup_median": round(best_reddwarf_median / statistics.median(times["ours"]), 1),
        "agreement": {"k_ours": mine.k, "k_reddwarf": int(reference.clusterer.n_clusters), "ari": ari},
    }


def synthetic(
    participants: int, statements: int, votes_each: int, groups: int = 3, seed: int = 1
) -> matrix.Votes:
    """Planted groups; each participant answers `votes_each` distinct statements, popular ones more often.

    Weighted sampling without replacement by the Gumbel-top-k trick, a block of participants at a time.
    """
    rng = np.random.default_rng(seed)
    popularity = np.log(1.0 / (1.0 + np.arange(statements) / (statements / 10)))
    agree_p = rng.uniform(0.1, 0.9, (groups, statements))
    group = rng.integers(0, groups, participants)
    pids, tids = [], []
    block = max(1, 20_000_000 // statements)
    for start in range(0, participants, block):
        stop = min(participants, start + block)
        keys = popularity - np.log(-np.log(rng.random((stop - start, statements))))
        chosen = np.argpartition(keys, -votes_each, axis=1)[:, -votes_each:]
        pids.append(np.repeat(np.arange(start, stop), votes_each))
        tids.append(chosen.reshape(-1))
    pid = np.concatenate(pids).astype(np.int64)
    tid = np.concatenate(tids).astype(np.int64)
    u = rng.random(len(pid))
    p_agree = agree_p[group[pid], tid] * 0.85
    values = np.where(u < p_agree, 1, np.where(u < p_agree + 0.15, 0, -1)).astype(np.int8)
    return matrix.Votes(pid, tid, values)


def reset_peak_rss() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def peak_rss_mb() -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def stage_times(votes: matrix.Votes) -> dict[str, float]:
    """Where the time goes, stage by stage (one run, BLAS limited as in compute_opinion_map)."""
    out: dict[str, float] = {}
    with opinion_map._threadpools().limit(limits=1, user_api="blas"):
        start = time.perf_counter()
        vm = matrix.build_vote_matrix(votes)
        out["vote_matrix_s"] = time.perf_counter() - start
        active = np.ones(vm.shape[1], dtype=bool)
        start = time.perf_counter()
        result = pca.polis_pca(vm, active)
        out["pca_s"] = time.perf_counter() - start
        rows = opinion_map.clustered_rows(vm, opinion_map.Settings())
        start = time.perf_counter()
        groups = clustering.cluster_participants(result.projections[rows])
        out["kmeans_and_silhouette_s"] = time.perf_counter() - start
        start = time.perf_counter()
        labels = np.where(rows, -1, groups.k)
        labels[rows] = groups.labels
        counts = repness.count_votes(vm, labels, groups.k + 1)
        stats = repness.group_stats(counts.first(groups.k))
        repness.select_representative(stats, vm.statement_ids, active)
        repness.select_consensus(counts.total(), vm.statement_ids, active)
        out["repness_and_consensus_s"] = time.perf_counter() - start
    return {k: round(v, 3) for k, v in out.items()}


def bench_synthetic(participants: int, statements: int, votes_each: int, repeats: int) -> dict[str, object]:
    start = time.perf_counter()
    votes = synthetic(participants, statements, votes_each)
    generated = time.perf_counter() - start
    times = []
    result = None
    for _ in range(repeats):
        start = time.perf_counter()
        result = opinion_map.compute_opinion_map(votes)
        times.append(time.perf_counter() - start)
    assert result is not None
    reset = reset_peak_rss()
    tracemalloc.start()
    opinion_map.compute_opinion_map(votes)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "participants": participants,
        "statements": statements,
        "votes": len(votes.values),
        "generate_s": round(generated, 1),
        "recompute": summary(times),
        "stages": stage_times(votes),
        "peak_traced_mb": round(traced_peak / 2**20, 1),
        "peak_rss_during_recompute_mb": peak_rss_mb() if reset else None,
        "process_max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "k": result.k,
        "group_sizes": result.group_sizes,
        "silhouettes": {str(k): round(v, 4) for k, v in result.silhouettes.items()},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs on bowling-green, per library")
    parser.add_argument("--sweep", action="store_true", help="also time other synthetic sizes")
    parser.add_argument("--skip-synthetic", action="store_true")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")  # pydantic and pandas chatter from red-dwarf
    load_before = os.getloadavg()[0]
    report: dict[str, object] = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "git_commit": git("rev-parse", "--short", "HEAD"),
        "machine": {
            "nproc": os.cpu_count(),
            "python": platform.python_version(),
            "numpy": package_version("numpy"),
            "scipy": package_version("scipy"),
            "red_dwarf": package_version("red-dwarf"),
            "scikit_learn": package_version("scikit-learn"),
            "loadavg_before": round(load_before, 2),
        },
    }
    if (DATA / LARGEST).is_dir():
        real = bench_real(args.repeats)
        report["real"] = real
        print(
            f"{LARGEST}: ours {real['ours']['min_s']:.4f} s (median {real['ours']['median_s']:.4f}), "
            f"red-dwarf {real['reddwarf']['min_s']:.3f} s / one thread "
            f"{real['reddwarf_1_thread']['min_s']:.3f} s: {real['speedup_min']}x faster "
            f"(medians: {real['speedup_median']}x); agreement {real['agreement']}"
        )
    else:
        print(f"skipping the real conversation: no data at {DATA}")
    if not args.skip_synthetic:
        scale = bench_synthetic(100_000, 2_000, 100, repeats=2)
        report["synthetic"] = scale
        print(
            f"synthetic 100,000 x 2,000 x {scale['votes']:,} votes: {scale['recompute']['min_s']} s, "
            f"peak traced {scale['peak_traced_mb']} MB, peak RSS {scale['peak_rss_during_recompute_mb']} MB; "
            f"stages {scale['stages']}"
        )
        if args.sweep:
            sweep = []
            for participants, statements in [
                (25_000, 2_000),
                (50_000, 2_000),
                (100_000, 500),
                (100_000, 1_000),
            ]:
                row = bench_synthetic(participants, statements, 100, repeats=1)
                sweep.append(row)
                print(
                    f"  {participants:,} x {statements:,}: {row['recompute']['min_s']} s, "
                    f"{row['peak_traced_mb']} MB, stages {row['stages']}"
                )
            report["sweep"] = sweep
    report["machine"]["loadavg_after"] = round(os.getloadavg()[0], 2)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
