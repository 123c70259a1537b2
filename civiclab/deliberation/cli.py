"""`civiclab opinion-map DIR [--json]`: the opinion map of a conversation in the Pol.is open-data format.

DIR holds comments.csv and votes.csv (or participants-votes.csv when votes.csv is absent). With --json it
prints {"k", "groups", "components", "statement_ids", "consensus", "repness", "seconds"}, where "seconds" is
the time of the computation itself (reading the files is not included). Without --json it prints a short
summary. Pure Python and numpy: it needs no database and does not import Django.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from .opinion_map import OpinionMap, Settings, compute_opinion_map
from .polis_format import read_open_data


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="civiclab opinion-map", description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path, help="a Pol.is open-data export directory")
    parser.add_argument("--json", action="store_true", help="print the full result as JSON")
    parser.add_argument(
        "--min-votes", type=int, default=Settings.min_votes, help="votes needed to join a group"
    )
    parser.add_argument("--max-k", type=int, default=Settings.k_range[1], help="most groups to consider")
    parser.add_argument("--force-k", type=int, default=None, help="use exactly this many groups")
    return parser


def _summary(result: OpinionMap, seconds: float) -> str:
    lines = [
        f"{len(result.participant_ids)} participants, {int(result.clustered.sum())} placed in "
        f"{result.k} groups of sizes {result.group_sizes}; {len(result.statement_ids)} statements",
        "consensus agree: " + ", ".join(str(s.tid) for s in result.consensus.agree),
        "consensus disagree: " + ", ".join(str(s.tid) for s in result.consensus.disagree),
    ]
    for group, picked in result.repness.items():
        lines.append(f"group {group}: " + ", ".join(f"{s.tid} ({s.repful_for})" for s in picked))
    lines.append(f"computed in {seconds:.3f} s")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Entry point; `argv` may start with the subcommand name "opinion-map"."""
    if argv[:1] == ["opinion-map"]:
        argv = argv[1:]
    args = _parser().parse_args(argv)
    directory: Path = args.directory
    if not (directory / "comments.csv").is_file():
        print(f"civiclab opinion-map: no comments.csv in {directory}", file=sys.stderr)
        return 2
    if not ((directory / "votes.csv").is_file() or (directory / "participants-votes.csv").is_file()):
        print(f"civiclab opinion-map: no votes.csv or participants-votes.csv in {directory}", file=sys.stderr)
        return 2
    conversation = read_open_data(directory)
    max_k = max(2, args.max_k)
    settings = Settings(min_votes=args.min_votes, k_range=(2, max_k), force_k=args.force_k)
    start = time.perf_counter()
    result = compute_opinion_map(conversation.votes, conversation.moderated_out, conversation.meta, settings)
    seconds = time.perf_counter() - start
    if args.json:
        print(json.dumps(result.to_json(seconds=round(seconds, 6))))
    else:
        print(_summary(result, seconds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
