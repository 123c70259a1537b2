"""A count's outcome as plain data for the results page, the API and the audit: why each project was or
was not funded. Pure and typed; the page turns these rows into sentences in the reader's language."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from .greedy import GreedyResult
from .mes import MesResult
from .pabulib import Election
from .tally import Result


def _num(x: Fraction | float) -> int | float:
    if isinstance(x, Fraction):
        return x.numerator if x.denominator == 1 else round(float(x), 2)
    return int(x) if float(x).is_integer() else round(x, 2)


def explain(election: Election, result: Result) -> dict[str, Any]:
    """{rule, budget, cost, voters, per_voter?, rows: [{project, votes, cost, funded, why, order, ...}]}.

    Rows follow the counting: funded projects in the order funded, then the others by votes."""
    votes = dict(zip((p.id for p in election.projects), election.vote_counts.tolist(), strict=True))
    costs = {p.id: p.cost for p in election.projects}
    rows: dict[str, dict[str, Any]] = {}
    out: dict[str, Any] = {
        "rule": result.rule,
        "budget": _num(result.budget),
        "cost": _num(result.cost),
        "left": _num(result.budget - result.cost),
        "voters": election.num_voters,
    }
    if isinstance(result, GreedyResult):
        out["threshold"] = result.threshold
        for step in result.steps:
            rows[step.project] = {"why": str(step.why), "budget_left": _num(step.budget_left)}
    elif isinstance(result, MesResult):
        out["per_voter"] = _num(result.budget_per_voter)
        out["increments"] = result.increments
        for mes_step in result.steps:
            rows[mes_step.project] = {
                "why": "funded",
                "stage": "equal_shares",
                "supporters": mes_step.supporters,
                "share": _num(mes_step.share),
                "full_payers": mes_step.full_payers,
                "partial_payers": mes_step.partial_payers,
                "partial_paid": _num(mes_step.partial_paid),
            }
        for rejected in result.rejected:
            rows.setdefault(
                rejected.project, {"why": str(rejected.why), "money_left": _num(rejected.money_left)}
            )
        for step in result.completion:
            if str(step.why) == "funded":
                rows[step.project] = {
                    "why": "funded",
                    "stage": "completion",
                    "budget_left": _num(step.budget_left),
                }
            elif step.project in rows and rows[step.project]["why"] != "funded":
                rows[step.project]["completion"] = str(step.why)
    order = {pid: i for i, pid in enumerate(result.selected)}
    listed = sorted(votes, key=lambda pid: (pid not in order, order.get(pid, 0), -votes[pid], pid))
    out["rows"] = [
        {
            "project": pid,
            "votes": votes[pid],
            "cost": _num(costs[pid]),
            "funded": pid in order,
            "order": order[pid] + 1 if pid in order else None,
            **rows.get(pid, {"why": "funded" if pid in order else "not_considered"}),
        }
        for pid in listed
    ]
    return out
