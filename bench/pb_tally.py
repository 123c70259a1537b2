"""Counting speed on the largest real election: ours against pabutools, in one run.

    .venv/bin/python bench/pb_tally.py [--file X.pb] [--repeat 3] [--no-pabutools] [--no-save]

Times reading the file, MES, and MES with Add1 completion (pabutools' defaults) on Łódź 2022 (90,494 voters,
160 projects), with our code (best of --repeat runs) and with pabutools (one run: it takes about a minute),
checks that both select the same projects, and writes bench/results/pb-tally.json. The issue's targets:
reading + MES under 2 s, mes-add1 under 10 s.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from civiclab.budgeting import pabulib  # noqa: E402  (after the path is set)
from civiclab.budgeting.tally import equal_shares, equal_shares_add1  # noqa: E402

DEFAULT_FILE = ROOT.parent / "shared" / "data" / "pabulib" / "Poland_Lodz_2022.pb"
OUT = ROOT / "bench" / "results" / "pb-tally.json"
TARGETS = {"read_plus_mes_s": 2.0, "mes_add1_s": 10.0}
RULES = ("mes", "mes-add1")


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def best_of(repeat: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    runs = [timed(fn) for _ in range(repeat)]
    return min(t for t, _ in runs), runs[-1][1]


def ours(path: Path, repeat: int) -> dict[str, Any]:
    read_s, election = best_of(repeat, lambda: pabulib.read(path))
    mes_s, mes = best_of(repeat, lambda: equal_shares(pabulib.read(path)))
    add1_s, add1 = best_of(repeat, lambda: equal_shares_add1(pabulib.read(path)))
    count_mes_s, _ = best_of(repeat, lambda: equal_shares(election))
    count_add1_s, _ = best_of(repeat, lambda: equal_shares_add1(election))
    return {
        "voters": election.num_voters,
        "projects": len(election.projects),
        "read_s": round(read_s, 3),
        "mes_s": round(count_mes_s, 3),
        "mes_add1_s": round(count_add1_s, 3),
        "read_plus_mes_s": round(mes_s, 3),
        "read_plus_mes_add1_s": round(add1_s, 3),
        "add1_increments": add1.increments,
        "selected": {"mes": sorted(mes.selected), "mes-add1": sorted(add1.selected)},
    }


def pabutools(path: Path) -> dict[str, Any]:
    from pabutools.election import Cost_Sat, parse_pabulib
    from pabutools.rules import (
        completion_by_rule_combination,
        greedy_utilitarian_welfare,
        method_of_equal_shares,
    )

    read_s, (instance, profile) = timed(lambda: parse_pabulib(str(path)))
    mes_s, mes = timed(lambda: method_of_equal_shares(instance, profile, sat_class=Cost_Sat))
    add1_s, add1 = timed(
        lambda: completion_by_rule_combination(
            instance,
            profile,
            [method_of_equal_shares, greedy_utilitarian_welfare],
            [{"sat_class": Cost_Sat, "voter_budget_increment": 1}, {"sat_class": Cost_Sat}],
        )
    )
    return {
        "version": version("pabutools"),
        "read_s": round(read_s, 3),
        "mes_s": round(mes_s, 3),
        "mes_add1_s": round(add1_s, 3),
        "read_plus_mes_s": round(read_s + mes_s, 3),
        "read_plus_mes_add1_s": round(read_s + add1_s, 3),
        "selected": {"mes": sorted(p.name for p in mes), "mes-add1": sorted(p.name for p in add1)},
    }


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        numpy_version = version("numpy")
    except PackageNotFoundError:
        numpy_version = ""
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "numpy": numpy_version,
        "loadavg_before": round(os.getloadavg()[0], 2),
    }


def git(*args: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
        return done.stdout.strip()
    except OSError:
        return ""


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--file", type=Path, default=DEFAULT_FILE)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-pabutools", action="store_true")
    ap.add_argument("--no-save", action="store_true")
    args = ap.parse_args(argv)
    if not args.file.exists():
        print(f"no such file: {args.file}", file=sys.stderr)
        return 2

    result: dict[str, Any] = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "git_commit": git("rev-parse", "--short", "HEAD"),
        "git_dirty": bool(git("status", "--porcelain", "--", "civiclab/budgeting")),
        "machine": machine(),
        "file": args.file.name,
        "targets": TARGETS,
    }
    mine = ours(args.file, args.repeat)
    result["ours"] = mine
    if not args.no_pabutools:
        ref = pabutools(args.file)
        result["pabutools"] = ref
        result["same_outcome"] = {rule: mine["selected"][rule] == ref["selected"][rule] for rule in RULES}
        result["speedup"] = {
            key: round(ref[key] / mine[key], 1) if mine[key] else None
            for key in ("read_s", "mes_s", "mes_add1_s", "read_plus_mes_s", "read_plus_mes_add1_s")
        }
    result["targets_met"] = {
        "read_plus_mes_s": mine["read_plus_mes_s"] < TARGETS["read_plus_mes_s"],
        "mes_add1_s": mine["read_plus_mes_add1_s"] < TARGETS["mes_add1_s"],
    }
    result["machine"]["loadavg_after"] = round(os.getloadavg()[0], 2)

    print(f"{args.file.name}: {mine['voters']} voters, {mine['projects']} projects")
    print(f"{'seconds':<22}{'ours':>10}{'pabutools':>12}")
    for key in ("read_s", "mes_s", "mes_add1_s", "read_plus_mes_s", "read_plus_mes_add1_s"):
        theirs = f"{result['pabutools'][key]:>12.3f}" if "pabutools" in result else f"{'-':>12}"
        print(f"{key:<22}{mine[key]:>10.3f}{theirs}")
    if "same_outcome" in result:
        print("same outcome as pabutools:", result["same_outcome"])
    print("targets met:", result["targets_met"])
    if not args.no_save:
        OUT.parent.mkdir(parents=True, exist_ok=True)
        OUT.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
        print(f"wrote {OUT.relative_to(ROOT)}")
    ok = all(result["targets_met"].values()) and all(result.get("same_outcome", {}).values())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
