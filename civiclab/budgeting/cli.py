"""`civiclab tally FILE.pb --rule RULE [options] [--json]`: anyone can recount a published ballot list.

Pure Python (no Django), so a recount needs only the file and this package.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import TextIO

from . import pabulib
from .tally import RULES, GreedyResult, MesResult, Result, as_json, number, tally


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="civiclab tally",
        description="Count a participatory budget from a pabulib .pb file.",
    )
    ap.add_argument("file", help="a pabulib .pb file")
    ap.add_argument("--rule", choices=RULES, required=True)
    ap.add_argument("--threshold", type=int, help="greedy-threshold: minimum votes (default: from the file)")
    ap.add_argument("--add1-start", choices=("exact", "integral"), default="exact")
    ap.add_argument("--add1-stop", choices=("exhaustive", "overspend"), default="exhaustive")
    ap.add_argument("--completion", choices=("greedy", "none"), default="greedy")
    ap.add_argument("--json", action="store_true", help="print the outcome as one JSON object")
    return ap


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    started = time.perf_counter()
    try:
        election = pabulib.read(args.file)
        result = tally(
            election,
            args.rule,
            threshold=args.threshold,
            add1_start=args.add1_start,
            add1_stop=args.add1_stop,
            completion=args.completion,
        )
    except OSError as e:
        print(f"civiclab tally: {e.strerror or e}: {args.file}", file=sys.stderr)
        return 2
    except ValueError as e:  # PabulibError included
        print(f"civiclab tally: {e}", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - started
    if args.json:
        print(json.dumps({**as_json(result), "seconds": round(seconds, 3)}))
    else:
        try:
            explain(result, sys.stdout)
        except BrokenPipeError:  # `civiclab tally ... | head`
            sys.stderr.close()
    return 0


def explain(result: Result, out: TextIO) -> None:
    """A plain-text account of the count, step by step."""
    w = out.write
    w(f"rule: {result.rule}\nbudget: {number(result.budget)}\n")
    if isinstance(result, GreedyResult):
        if result.threshold:
            w(f"minimum votes: {result.threshold}\n")
        w("order (most votes first), decision, budget left after it:\n")
        for s in result.steps:
            left = number(s.budget_left)
            w(f"  {s.project:>12}  {s.votes:>7} votes  cost {number(s.cost):>12}  {s.why:<16} {left}\n")
    elif isinstance(result, MesResult):
        w(f"budget per voter: {float(result.budget_per_voter):.4f}")
        if result.rule == "mes-add1":
            w(f" (raised {result.increments} times by 1; stopped: {result.stopped_because})")
        w("\nfunded by equal shares, in order (rho = share per unit of cost):\n")
        for m in result.steps:
            tie = f"  won a tie with {', '.join(m.tied_with)}" if m.tied_with else ""
            w(
                f"  {m.project:>12}  cost {number(m.cost):>12}  {m.supporters:>7} supporters"
                f"  share {m.share:.2f}  rho {m.rho:.6g}  {m.full_payers} paid it,"
                f" {m.partial_payers} paid all they had left ({m.partial_paid:.2f}){tie}\n"
            )
        if result.completion:
            w("greedy completion:\n")
            for s in result.completion:
                w(f"  {s.project:>12}  {s.votes:>7} votes  cost {number(s.cost):>12}  {s.why:<16}\n")
        w("not funded by equal shares:\n")
        for r in result.rejected:
            w(f"  {r.project:>12}  cost {number(r.cost):>12}  {r.why}: supporters had {r.money_left:.2f}\n")
    w(f"selected: {', '.join(result.selected)}\ncost: {number(result.cost)}\n")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
