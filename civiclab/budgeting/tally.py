"""Counting a participatory budget: one entry point for every rule, pure and typed (no Django).

Rules, each with an explanation of its outcome (see greedy.py and mes.py):
- greedy: by votes, skipping projects that no longer fit (pabutools greedy_utilitarian_welfare, Cost_Sat);
- greedy-noskip: by votes, stopping at the first project that does not fit;
- greedy-threshold: greedy among projects with at least `threshold` votes (default: the file's
  min_project_score_threshold);
- mes: the Method of Equal Shares with cost utilities (pabutools method_of_equal_shares, Cost_Sat);
- mes-add1: MES with the Add1 completion; the defaults are pabutools' (exact start, stop at the first
  exhaustive outcome or before the first overspending one, then greedy completion).

Ties are always broken by project id compared as text ("10" before "9"), as pabutools'
`lexico_tie_breaking`. Ordinal, cumulative and scoring ballots count a listed project as approved.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from .greedy import GreedyResult, GreedyStep, Why, greedy
from .mes import (
    AddStart,
    AddStop,
    Completion,
    MesRejected,
    MesResult,
    MesStep,
    Rejection,
    equal_shares,
    equal_shares_add1,
)
from .pabulib import Election, parse_number

__all__ = [
    "RULES",
    "AddStart",
    "AddStop",
    "Completion",
    "GreedyResult",
    "GreedyStep",
    "MesRejected",
    "MesResult",
    "MesStep",
    "Rejection",
    "Result",
    "Why",
    "as_json",
    "equal_shares",
    "equal_shares_add1",
    "greedy",
    "tally",
]

RULES = ("greedy", "greedy-noskip", "greedy-threshold", "mes", "mes-add1")

Result = GreedyResult | MesResult


def tally(
    election: Election,
    rule: str,
    *,
    threshold: int | None = None,
    add1_start: AddStart | str = AddStart.EXACT,
    add1_stop: AddStop | str = AddStop.EXHAUSTIVE,
    completion: Completion | str = Completion.GREEDY,
) -> Result:
    """Counts `election` with `rule` (one of RULES); raises ValueError for an unknown rule or option."""
    if rule == "greedy":
        return greedy(election)
    if rule == "greedy-noskip":
        return greedy(election, skip=False)
    if rule == "greedy-threshold":
        if threshold is None:
            threshold = _meta_threshold(election)
        return greedy(election, threshold=threshold, rule="greedy-threshold")
    if rule == "mes":
        return equal_shares(election)
    if rule == "mes-add1":
        return equal_shares_add1(election, start=add1_start, stop=add1_stop, completion=completion)
    raise ValueError(f"unknown rule {rule!r} (expected one of {', '.join(RULES)})")


def _meta_threshold(election: Election) -> int:
    text = election.meta.get("min_project_score_threshold")
    if text is None:
        raise ValueError("greedy-threshold needs a threshold: the file has no min_project_score_threshold")
    try:
        return math.ceil(parse_number(text))  # votes are whole: at least 99.5 votes means at least 100
    except ValueError:
        raise ValueError(f"min_project_score_threshold is not a number: {text!r}") from None


def number(x: Fraction) -> int | float:
    """A cost for JSON: whole numbers stay exact."""
    return x.numerator if x.denominator == 1 else float(x)


def as_json(result: Result) -> dict[str, Any]:
    """The summary `civiclab tally --json` prints: selected ids (in the order funded), cost and rule."""
    return {"selected": list(result.selected), "cost": number(result.cost), "rule": result.rule}
