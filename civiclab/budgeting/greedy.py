"""Greedy counting by votes, the rule most cities use, with the explanation of every step.

Projects are taken by decreasing number of votes (a ballot that lists a project counts as one vote for it,
whatever the ballot type); ties go to the smaller project id as a string ("10" < "9"), which is pabutools'
`lexico_tie_breaking`. This is pabutools' `greedy_utilitarian_welfare` with `Cost_Sat`: its score is
votes x cost / cost = votes, except that a free project scores 0 there (it has no cost to satisfy), so
free projects are taken last; they always fit.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from .pabulib import Election


class Why(enum.StrEnum):
    FUNDED = "funded"
    DOES_NOT_FIT = "does_not_fit"  # costs more than the budget left at its turn
    BELOW_THRESHOLD = "below_threshold"  # fewer votes than the minimum
    NOT_REACHED = "not_reached"  # no-skip variant: counting stopped at an earlier project
    ALREADY_FUNDED = "already_funded"  # completion: funded by the rule before


@dataclass(frozen=True)
class GreedyStep:
    project: str
    votes: int
    cost: Fraction
    why: Why
    budget_left: Fraction  # after this step


@dataclass(frozen=True)
class GreedyResult:
    rule: str
    selected: tuple[str, ...]  # in the order funded
    cost: Fraction  # of `selected` (projects funded before are not counted again)
    budget: Fraction
    steps: tuple[GreedyStep, ...]  # every project not funded before, in the order considered
    threshold: int = 0


def greedy_order(election: Election) -> list[int]:
    """Project positions in counting order: most votes first, ties by id; free projects last."""
    votes = election.vote_counts.tolist()
    projects = election.projects

    def score(j: int) -> int:
        return votes[j] if projects[j].cost > 0 else 0

    return sorted(range(len(projects)), key=lambda j: (-score(j), projects[j].id))


def greedy(
    election: Election,
    *,
    skip: bool = True,
    threshold: int = 0,
    funded: Sequence[str] = (),
    rule: str = "",
) -> GreedyResult:
    """Funds projects in counting order while they fit.

    skip=False is the no-skip variant: counting stops at the first project that does not fit. `threshold`
    excludes projects with fewer votes. `funded` are projects already funded (greedy completion of MES):
    they are not considered again, and their cost is taken from the budget first.
    """
    projects = election.projects
    votes = election.vote_counts.tolist()
    already = set(funded)
    left = election.budget - sum((p.cost for p in projects if p.id in already), Fraction(0))
    selected: list[str] = []
    steps: list[GreedyStep] = []
    spent = Fraction(0)
    stopped = False
    for j in greedy_order(election):
        p = projects[j]
        if p.id in already:
            continue
        if stopped:
            why = Why.NOT_REACHED
        elif votes[j] < threshold:
            why = Why.BELOW_THRESHOLD
        elif p.cost <= left:
            why = Why.FUNDED
            left -= p.cost
            spent += p.cost
            selected.append(p.id)
        else:
            why = Why.DOES_NOT_FIT
            stopped = not skip
        steps.append(GreedyStep(p.id, votes[j], p.cost, why, left))
    if not rule:
        rule = "greedy-noskip" if not skip else "greedy-threshold" if threshold else "greedy"
    return GreedyResult(
        rule=rule,
        selected=tuple(selected),
        cost=spent,
        budget=election.budget,
        steps=tuple(steps),
        threshold=threshold,
    )
