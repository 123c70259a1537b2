"""Reference outcomes: pabutools on every pabulib file, written to tests/budgeting/expected/.

pabutools needs minutes on the largest elections, so the tests compare against this file instead of
recomputing. Each file runs in its own process with a time limit; a rule that runs out of time is recorded as
a timeout, never silently dropped. The output is merged, so `--only NAME` refreshes single files.

    .venv/bin/python scripts/make_pb_expected.py [--jobs 1] [--timeout 3600] [--only Poland_Lodz_2022.pb]

Rules, as the issue defines them (all with cost satisfaction and pabutools' lexicographic tie-breaking):
- greedy:   greedy_utilitarian_welfare(sat_class=Cost_Sat)
- mes:      method_of_equal_shares(sat_class=Cost_Sat)
- mes-add1: completion_by_rule_combination([method_of_equal_shares, greedy_utilitarian_welfare],
            [{sat_class: Cost_Sat, voter_budget_increment: 1}, {sat_class: Cost_Sat}])
"""

from __future__ import annotations

import argparse
import datetime
import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "pabulib"
OUT = ROOT / "tests" / "budgeting" / "expected" / "pabutools-outcomes.json"
RULES = ("greedy", "mes", "mes-add1")
RULE_CALLS = {
    "greedy": "greedy_utilitarian_welfare(sat_class=Cost_Sat)",
    "mes": "method_of_equal_shares(sat_class=Cost_Sat)",
    "mes-add1": "completion_by_rule_combination([method_of_equal_shares, greedy_utilitarian_welfare], "
    "[{'sat_class': Cost_Sat, 'voter_budget_increment': 1}, {'sat_class': Cost_Sat}])",
}


def worker(path: str) -> None:
    """Prints one JSON line per finished step, so a timeout keeps what was done."""
    from pabutools.election import Cost_Sat, parse_pabulib
    from pabutools.rules import (
        completion_by_rule_combination,
        greedy_utilitarian_welfare,
        method_of_equal_shares,
    )

    def emit(step: str, seconds: float, selected: list[str] | None = None) -> None:
        line: dict[str, Any] = {"step": step, "seconds": round(seconds, 3)}
        if selected is not None:
            line["selected"] = sorted(selected)
        print(json.dumps(line), flush=True)

    t = time.perf_counter()
    instance, profile = parse_pabulib(path)
    emit("parse", time.perf_counter() - t)

    t = time.perf_counter()
    out = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
    emit("greedy", time.perf_counter() - t, [p.name for p in out])

    t = time.perf_counter()
    out = method_of_equal_shares(instance, profile, sat_class=Cost_Sat)
    emit("mes", time.perf_counter() - t, [p.name for p in out])

    t = time.perf_counter()
    out = completion_by_rule_combination(
        instance,
        profile,
        [method_of_equal_shares, greedy_utilitarian_welfare],
        [{"sat_class": Cost_Sat, "voter_budget_increment": 1}, {"sat_class": Cost_Sat}],
    )
    emit("mes-add1", time.perf_counter() - t, [p.name for p in out])


def run_one(path: Path, timeout: float) -> dict[str, Any]:
    proc = subprocess.Popen(  # noqa: S603  (our own interpreter and script)
        [sys.executable, __file__, "--worker", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    started = time.perf_counter()
    timed_out = False
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        stdout, stderr = proc.communicate()
        timed_out = True
    result: dict[str, Any] = {}
    for line in stdout.splitlines():
        item = json.loads(line)
        step = item.pop("step")
        result[step] = item
    for rule in RULES:
        if rule not in result:
            if timed_out:
                result[rule] = {"timeout": True, "seconds": round(time.perf_counter() - started, 1)}
            else:
                result[rule] = {"error": stderr.strip().splitlines()[-1:] or ["no output"]}
    return result


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--timeout", type=float, default=3600.0, help="seconds per file, all rules together")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--only", nargs="*", help="file names to (re)compute; default: all")
    args = ap.parse_args(argv)
    if args.worker:
        worker(args.worker)
        return 0

    from importlib.metadata import version

    import pabutools  # noqa: F401  (fail early when it is missing)

    files = sorted(args.data.glob("*.pb"), key=lambda p: p.stat().st_size)
    if args.only:
        files = [f for f in files if f.name in set(args.only)]
    doc: dict[str, Any] = {"instances": {}}
    if args.out.exists():
        doc = json.loads(args.out.read_text())
    doc.update(
        {
            "pabutools_version": version("pabutools"),
            "python": sys.version.split()[0],
            "generated": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "timeout_seconds_per_file": args.timeout,
            "rules": RULE_CALLS,
            "note": "selected: sorted project ids; seconds: pabutools time for that rule alone "
            "(the parse step is timed separately)",
        }
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)

    def save() -> None:
        instances = dict(sorted(doc.pop("instances").items()))
        doc["instances"] = instances  # last, after the header fields
        args.out.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")

    def task(path: Path) -> tuple[str, dict[str, Any]]:
        return path.name, run_one(path, args.timeout)

    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for i, (name, result) in enumerate(pool.map(task, files), 1):
            doc["instances"][name] = result
            save()
            status = ", ".join(f"{r}: {result[r].get('seconds', 'error')}" for r in RULES)
            print(f"[{i}/{len(files)}] {name}: {status}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
