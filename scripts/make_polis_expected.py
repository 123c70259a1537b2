"""Runs red-dwarf on every Pol.is open-data conversation and records its outcomes for the tests.

    .venv/bin/python scripts/make_polis_expected.py [--data ../shared/data/polis/opendata]

red-dwarf (the community's reimplementation of the Pol.is math, https://github.com/polis-community/red-dwarf)
is the reference for civiclab.deliberation, but it needs pandas and takes about a second per large
conversation, so tests compare against this file instead of rerunning it. The data is read the way
red-dwarf's own Loader reads a CSV export (its pydantic models, then "keep the most recent duplicate vote"),
independently of our reader. Writes tests/deliberation/expected/reddwarf-outcomes.json.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import time
import warnings
from importlib.metadata import version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "polis" / "opendata"
OUTPUT = ROOT / "tests" / "deliberation" / "expected" / "reddwarf-outcomes.json"
# The PCA in red-dwarf uses scikit-learn's randomized solver on larger matrices; fix its seed so that
# rerunning this script reproduces the file.
RANDOM_STATE = 0


def conversation_dirs(root: Path) -> list[Path]:
    """Every directory (nested ones too) holding comments.csv."""
    return sorted(p.parent for p in root.rglob("comments.csv"))


def load_like_reddwarf(directory: Path) -> tuple[list[dict[str, Any]], list[int], list[int]]:
    from reddwarf.data_loader import Loader
    from reddwarf.models import Statement, Vote
    from reddwarf.utils.statements import process_statements

    with (directory / "comments.csv").open(newline="", encoding="utf-8") as f:
        comments = [Statement(**row).model_dump(mode="json") for row in csv.DictReader(f)]
    votes_csv = directory / "votes.csv"
    if votes_csv.exists():
        with votes_csv.open(newline="", encoding="utf-8") as f:
            votes = [Vote(**row).model_dump(mode="json") for row in csv.DictReader(f)]
    else:
        # Only final answers are published: one vote per cell, no timestamps to order them by.
        votes = []
        with (directory / "participants-votes.csv").open(newline="", encoding="utf-8") as f:
            reader = csv.reader(f)
            header = next(reader)
            tids = {i: int(name) for i, name in enumerate(header) if name.strip().lstrip("-").isdigit()}
            for row in reader:
                for i, tid in tids.items():
                    if i < len(row) and row[i] != "":
                        votes.append(
                            Vote(
                                participant_id=int(row[0]),
                                statement_id=tid,
                                vote=int(float(row[i])),
                                modified=0,
                            ).model_dump(mode="json")
                        )
    loader = Loader()
    loader.votes_data = votes
    loader.filter_duplicate_votes(keep="recent")
    _, _, mod_out, meta = process_statements(statement_data=comments)
    return loader.votes_data, [int(t) for t in mod_out], [int(t) for t in meta]


def has_votes(directory: Path) -> bool:
    return (directory / "votes.csv").exists() or (directory / "participants-votes.csv").exists()


def run_one(directory: Path) -> dict[str, Any]:
    from reddwarf.implementations.polis import run_pipeline

    if not has_votes(directory):
        return {"skipped": "the export has comments.csv only (no votes)"}
    votes, mod_out, meta = load_like_reddwarf(directory)
    if not votes:
        return {"skipped": "no votes in this export"}
    start = time.perf_counter()
    result = run_pipeline(
        votes=votes, mod_out_statement_ids=mod_out, meta_statement_ids=meta, random_state=RANDOM_STATE
    )
    seconds = time.perf_counter() - start
    participants = result.participants_df
    clustered = participants[participants["to_cluster"]]
    return {
        "n_participants": len(participants.index),
        "n_statements": len(result.raw_vote_matrix.columns),
        "n_votes": len(votes),
        "moderated_out": sorted(mod_out),
        "meta": sorted(meta),
        "k": int(result.clusterer.n_clusters) if result.clusterer is not None else 0,
        "groups": {str(pid): int(label) for pid, label in clustered["cluster_id"].items()},
        "statement_ids": [int(t) for t in result.raw_vote_matrix.columns],
        "components": [[float(v) for v in row] for row in result.reducer.components_],
        # Full entries, not only ids: a test can then tell an exact tie at the cut-off from a real difference.
        "consensus": {
            direction: [
                {
                    key: (int(v) if key in ("tid", "n-success", "n-trials") else float(v))
                    for key, v in s.items()
                }
                for s in result.consensus[direction]
            ]
            for direction in ("agree", "disagree")
        },
        "repness": {str(g): [int(s["tid"]) for s in picked] for g, picked in result.repness.items()},
        "reddwarf_seconds": round(seconds, 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")  # pydantic and pandas deprecation chatter from red-dwarf
    outcomes: dict[str, Any] = {}
    for directory in conversation_dirs(args.data):
        name = directory.relative_to(args.data).as_posix()
        outcomes[name] = run_one(directory)
        print(name, {k: v for k, v in outcomes[name].items() if k in ("k", "n_participants", "skipped")})
    document = {
        "about": "red-dwarf outcomes on Pol.is open data; made by scripts/make_polis_expected.py",
        "red_dwarf_version": version("red-dwarf"),
        "scikit_learn_version": version("scikit-learn"),
        "numpy_version": version("numpy"),
        "random_state": RANDOM_STATE,
        "generated": dt.date.today().isoformat(),
        "settings": "run_pipeline defaults: min 7 votes, k = 2..5 by silhouette, pick_max 5, confidence 0.9",
        "conversations": outcomes,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
