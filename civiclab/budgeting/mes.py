"""The Method of Equal Shares (MES) with cost utilities, and its "Add1" completion.

The budget is split equally among all voters (empty ballots included). In each round, for every project,
its supporters would share its cost equally, each paying at most what they have left; `rho` is the share
per unit of cost. The project with the smallest rho is funded; ties go to the smaller project id as a string
(pabutools' `lexico_tie_breaking`). MES stops when no project can be paid by its supporters. A free project
gives no cost satisfaction, so MES leaves it to the completion (pabutools does the same).

Exactness and speed. pabutools computes with exact fractions, one object per voter: Łódź 2022 takes it
~30 s. Here voters who have paid for the same projects share one *budget class*, and each round only looks
at class counts among a project's supporters (numpy). Arithmetic is float64 with a running error bound; when
two projects are too close to call (or a project's supporters have almost exactly its cost), the exact
values are recomputed with `fractions.Fraction` from the class history. So outcomes equal pabutools' exact
ones, ties included, at float speed.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from .greedy import GreedyStep, greedy
from .pabulib import Election, Int32Array, IntArray

EPS = 2.0**-52
SAFETY = 64.0  # error bounds are estimates; widen them so near-ties always take the exact path
ZERO = 1  # the lineage node of voters who have nothing left (node 0 is "paid nothing yet")


@dataclass(frozen=True)
class MesStep:
    """One funded project: how its cost was shared."""

    project: str
    cost: Fraction
    supporters: int
    rho: float  # the share per unit of cost; the rule funds the smallest first
    share: float  # rho x cost: what each supporter paid, unless they had less left
    full_payers: int  # supporters who paid the whole share
    partial_payers: int  # supporters who had less than the share and paid all they had left
    partial_paid: float  # what the partial payers paid together
    tied_with: tuple[str, ...] = ()  # projects with exactly the same rho, which lost the tie by id


class Rejection(enum.StrEnum):
    NO_SUPPORTERS = "no_supporters"
    UNAFFORDABLE = "unaffordable"  # its supporters had less money left than its cost
    FREE = "free"  # costs nothing, so gives no cost satisfaction: left to the completion, as in pabutools


@dataclass(frozen=True)
class MesRejected:
    project: str
    cost: Fraction
    supporters: int
    money_left: float  # what its supporters had left at the end, all together
    why: Rejection


@dataclass(frozen=True)
class MesResult:
    rule: str
    selected: tuple[str, ...]  # MES rounds, then completion, in order
    cost: Fraction
    budget: Fraction
    budget_per_voter: Fraction  # of the run that gave the outcome
    steps: tuple[MesStep, ...]
    rejected: tuple[MesRejected, ...]  # by MES (completion may still fund some)
    completion: tuple[GreedyStep, ...] = ()
    increments: int = 0  # Add1: how many times the budget per voter was raised
    stopped_because: str = ""  # Add1: exhaustive, overspend, or all_funded


class AddStart(enum.StrEnum):
    EXACT = "exact"  # budget/voters, then +1, +2, ... (pabutools)
    INTEGRAL = "integral"  # budget/voters first, then floor(budget/voters) + 1, + 2, ... (equalshares.net)


class AddStop(enum.StrEnum):
    EXHAUSTIVE = "exhaustive"  # first outcome with no room for another project, or before the first overspend
    OVERSPEND = "overspend"  # keep raising until an outcome overspends; keep the one before


class Completion(enum.StrEnum):
    GREEDY = "greedy"
    NONE = "none"


@dataclass
class _Round:
    rho: float
    err: float  # bound on |rho - exact rho|, SAFETY included
    classes: IntArray
    counts: IntArray
    rounding: float  # float rounding in this project's share, per voter (for the error bookkeeping)


class _Model:
    """What every run needs, computed once per election."""

    def __init__(self, election: Election) -> None:
        self.election = election
        self.ids = [p.id for p in election.projects]
        self.costs = [p.cost for p in election.projects]
        self.cost_f = np.array([float(c) for c in self.costs])
        self.supporters = election.supporters
        self.n = election.num_voters
        size = [len(s) for s in self.supporters]
        self.eligible = [j for j, c in enumerate(self.costs) if c > 0 and size[j] > 0]


class _Run:
    """One MES run at a fixed budget per voter."""

    def __init__(self, model: _Model, per_voter: Fraction) -> None:
        self.m = model
        self.per_voter = per_voter
        # A budget class is a *node* in a history tree (its parent and the funding step that split it off);
        # nodes are kept for exact recomputation. Voters point to *slots*, the classes still in use, which
        # are renumbered now and then so that a histogram costs the classes alive, not all ever made.
        self.cls: Int32Array = np.zeros(model.n, dtype=np.int32)  # slot of each voter
        self.bud = np.zeros(256)  # float budget of each slot
        self.bud[0] = float(per_voter)
        self.node_of = np.arange(256, dtype=np.int64)  # node of each slot
        self.ncls = 2
        self.zero_slot = ZERO
        self.compact_at = 512
        self.parent = np.zeros(256, dtype=np.int64)  # of each node
        self.step_of = np.full(256, -1, dtype=np.int64)
        self.nnodes = 2
        # Error bookkeeping: `spread` bounds the sum over all voters of |float budget - exact budget|.
        # Funding a project conserves money (what the rich pay less, the poor paid more), so the errors of
        # the shares do not compound: only the rounding of each step adds to it.
        self.spread = 2 * EPS * float(per_voter) * model.n
        self.exact: dict[int, Fraction] = {0: per_voter, ZERO: Fraction(0)}
        self.history: list[tuple[IntArray, IntArray]] = []  # nodes and counts of each funded project
        self.exact_q: list[Fraction] = []
        self.order: list[int] = []
        self.steps: list[MesStep] = []

    # --- classes -----------------------------------------------------------------------------------------
    def histogram(self, j: int) -> tuple[IntArray, IntArray]:
        h = np.bincount(self.cls[self.m.supporters[j]], minlength=self.ncls)
        nz = np.flatnonzero(h)
        return nz, h[nz]

    def exact_budget(self, k: int) -> Fraction:
        chain = []
        while k not in self.exact:
            chain.append(k)
            k = int(self.parent[k])
        for kk in reversed(chain):
            value = self.exact[int(self.parent[kk])] - self.price(int(self.step_of[kk]))
            self.exact[kk] = value if value > 0 else Fraction(0)
        return self.exact[chain[0]] if chain else self.exact[k]

    def price(self, t: int) -> Fraction:
        """The exact share paid for the t-th funded project (computed in order, on demand)."""
        while len(self.exact_q) <= t:
            s = len(self.exact_q)
            nodes, counts = self.history[s]
            self.exact_q.append(_exact_share(self.m.costs[self.order[s]], self.node_budgets(nodes, counts)))
        return self.exact_q[t]

    def node_budgets(self, nodes: IntArray, counts: IntArray) -> list[tuple[Fraction, int]]:
        return [(self.exact_budget(int(k)), int(c)) for k, c in zip(nodes, counts, strict=True)]

    def exact_budgets(self, slots: IntArray, counts: IntArray) -> list[tuple[Fraction, int]]:
        return self.node_budgets(self.node_of[slots], counts)

    # --- one project ---------------------------------------------------------------------------------------
    def evaluate(self, j: int) -> _Round | None:
        """Float rho of project j with its error bound, or None when its supporters cannot pay for it."""
        classes, counts = self.histogram(j)
        v = self.bud[classes]
        c = float(self.m.cost_f[j])
        total = float(np.dot(counts, v))
        members = int(counts.sum())
        err_total = self.spread + (len(v) + 2) * EPS * total
        if total + SAFETY * err_total < c * (1 - 4 * EPS):
            return None
        if total - SAFETY * err_total <= c * (1 + 4 * EPS):
            exact_total = sum((b * n for b, n in self.exact_budgets(classes, counts)), Fraction(0))
            if exact_total < self.m.costs[j]:
                return None
        order = np.argsort(v, kind="stable")
        v, m = v[order], counts[order]
        paid_before = np.concatenate(([0.0], np.cumsum(m * v)[:-1]))
        rich = members - np.concatenate(([0], np.cumsum(m)[:-1]))
        fits = (c - paid_before) <= v * rich
        k = int(np.argmax(fits)) if fits.any() else len(v) - 1
        poor_paid, n_rich = float(paid_before[k]), int(rich[k])
        rho = (c - poor_paid) / (c * n_rich)
        rounding = ((k + 2) * poor_paid + 4 * c) * EPS / n_rich + 4 * EPS * rho * c
        err = SAFETY * ((self.spread / n_rich + rounding) / c + 4 * EPS * rho)
        return _Round(rho, err, classes, counts, rounding)

    def exact_rho(self, j: int, r: _Round) -> Fraction:
        return _exact_share(self.m.costs[j], self.exact_budgets(r.classes, r.counts)) / self.m.costs[j]

    # --- funding -------------------------------------------------------------------------------------------
    def fund(self, j: int, r: _Round, q: float, err_q: float, tied: tuple[str, ...]) -> None:
        classes, counts = r.classes, r.counts
        v = self.bud[classes]
        broke = v + self.spread * SAFETY < q - err_q  # surely paid all they had: exactly 0 left
        keep = ~broke
        fresh = int(keep.sum())
        self._grow(self.ncls + fresh, self.nnodes + fresh)
        new = np.arange(self.ncls, self.ncls + fresh, dtype=np.int64)
        nodes = np.arange(self.nnodes, self.nnodes + fresh, dtype=np.int64)
        lookup = np.zeros(self.ncls, dtype=np.int32)
        lookup[classes[broke]] = self.zero_slot
        lookup[classes[keep]] = new
        supporters = self.m.supporters[j]
        self.cls[supporters] = lookup[self.cls[supporters]]
        self.history.append((self.node_of[classes], counts))
        self.bud[new] = np.maximum(v[keep] - q, 0.0)
        self.parent[nodes] = self.node_of[classes[keep]]
        self.step_of[nodes] = len(self.history) - 1
        self.node_of[new] = nodes
        self.ncls += fresh
        self.nnodes += fresh
        if self.ncls > self.compact_at:
            self._compact()
        self.order.append(j)
        partial = v < q
        rich_money = float(np.dot(counts[~partial], v[~partial]))
        self.spread += int(counts.sum()) * r.rounding + 2 * EPS * rich_money
        self.steps.append(
            MesStep(
                project=self.m.ids[j],
                cost=self.m.costs[j],
                supporters=int(counts.sum()),
                rho=r.rho,
                share=q,
                full_payers=int(counts[~partial].sum()),
                partial_payers=int(counts[partial].sum()),
                partial_paid=float(np.dot(counts[partial], v[partial])),
                tied_with=tied,
            )
        )

    def _grow(self, slots: int, nodes: int) -> None:
        if slots > len(self.bud):
            cap = max(slots, 2 * len(self.bud))
            self.bud = np.resize(self.bud, cap)
            self.node_of = np.resize(self.node_of, cap)
        if nodes > len(self.parent):
            cap = max(nodes, 2 * len(self.parent))
            self.parent = np.resize(self.parent, cap)
            self.step_of = np.resize(self.step_of, cap)

    def _compact(self) -> None:
        """Renumbers the slots still in use (funding leaves the old slots of its supporters behind)."""
        used = np.bincount(self.cls, minlength=self.ncls) > 0
        used[self.zero_slot] = True
        slots = np.flatnonzero(used)
        renumber = np.zeros(self.ncls, dtype=np.int32)
        renumber[slots] = np.arange(len(slots), dtype=np.int32)
        self.cls = renumber[self.cls]
        self.zero_slot = int(renumber[self.zero_slot])
        size = len(self.bud)
        self.bud = np.resize(self.bud[slots], size)
        self.node_of = np.resize(self.node_of[slots], size)
        self.ncls = len(slots)
        self.compact_at = max(512, 2 * self.ncls)

    def run(self) -> list[int]:
        m = self.m
        alive = np.zeros(len(m.ids), dtype=bool)
        alive[m.eligible] = True
        # rho never falls as budgets are spent, so a stale rho is a lower bound: only projects whose bound
        # beats the best so far are evaluated again (as pabutools does).
        bound = np.full(len(m.ids), np.inf)
        for j in m.eligible:
            bound[j] = (1 - 8 * EPS) / len(m.supporters[j])
        while True:
            live = np.flatnonzero(alive)
            if not len(live):
                break
            best, best_err = math.inf, 0.0
            seen: dict[int, _Round] = {}
            for j in live[np.argsort(bound[live], kind="stable")].tolist():
                if bound[j] > best + best_err:
                    break
                r = self.evaluate(j)
                if r is None:
                    alive[j] = False
                    continue
                bound[j] = r.rho - r.err
                seen[j] = r
                if r.rho < best:
                    best, best_err = r.rho, r.err
            if not seen:
                break
            win = min(seen, key=lambda j: seen[j].rho)
            near = [j for j, r in seen.items() if r.rho - r.err <= best + best_err]
            tied: tuple[str, ...] = ()
            if len(near) == 1:
                q, err_q = best * float(m.cost_f[win]), best_err * float(m.cost_f[win])
            else:
                exact = {j: self.exact_rho(j, seen[j]) for j in near}
                low = min(exact.values())
                tie = sorted((j for j in near if exact[j] == low), key=m.ids.__getitem__)
                win, tied = tie[0], tuple(m.ids[j] for j in tie[1:])
                q_exact = low * m.costs[win]
                q, err_q = float(q_exact), SAFETY * EPS * float(q_exact)
                seen[win].rho = float(low)
                seen[win].rounding = EPS * q
            alive[win] = False
            self.fund(win, seen[win], q, err_q, tied)
        return self.order

    def rejected(self) -> list[MesRejected]:
        m = self.m
        funded = set(self.order)
        out = []
        for j in range(len(m.ids)):
            if j in funded:
                continue
            n = len(m.supporters[j])
            classes, counts = self.histogram(j)
            left = float(np.dot(counts, self.bud[classes]))
            why = Rejection.UNAFFORDABLE
            if n == 0:
                why = Rejection.NO_SUPPORTERS
            elif m.costs[j] == 0:
                why = Rejection.FREE
            out.append(MesRejected(m.ids[j], m.costs[j], n, left, why))
        return out


def _exact_share(cost: Fraction, budgets: Sequence[tuple[Fraction, int]]) -> Fraction:
    """The equal share q with sum(min(b, q)) = cost over the supporters (who can pay: checked before)."""
    paid, rich = Fraction(0), sum(n for _, n in budgets)
    for b, n in sorted(budgets):
        q = (cost - paid) / rich
        if q <= b:
            return q
        paid += b * n
        rich -= n
    # Only reachable if a float error bound was wrong: refuse to guess rather than miscount.
    raise ArithmeticError(f"supporters cannot pay {cost}: float error bound exceeded")


def _result(run: _Run, rule: str, increments: int = 0, stopped_because: str = "") -> MesResult:
    election = run.m.election
    selected = tuple(run.m.ids[j] for j in run.order)
    return MesResult(
        rule=rule,
        selected=selected,
        cost=sum((run.m.costs[j] for j in run.order), Fraction(0)),
        budget=election.budget,
        budget_per_voter=run.per_voter,
        steps=tuple(run.steps),
        rejected=tuple(run.rejected()),
        increments=increments,
        stopped_because=stopped_because,
    )


def equal_shares(election: Election, *, per_voter: Fraction | None = None) -> MesResult:
    """Plain MES: pabutools' `method_of_equal_shares(instance, profile, sat_class=Cost_Sat)`."""
    if per_voter is None:
        per_voter = election.budget / election.num_voters if election.num_voters else Fraction(0)
    run = _Run(_Model(election), per_voter)
    run.run()
    return _result(run, "mes")


def _budgets(election: Election, start: AddStart) -> Iterator[Fraction]:
    first = election.budget / election.num_voters
    yield first
    base = Fraction(math.floor(first)) if start == AddStart.INTEGRAL else first
    k = 1
    while True:
        yield base + k
        k += 1


def equal_shares_add1(
    election: Election,
    *,
    start: AddStart | str = AddStart.EXACT,
    stop: AddStop | str = AddStop.EXHAUSTIVE,
    completion: Completion | str = Completion.GREEDY,
    max_runs: int | None = None,
) -> MesResult:
    """MES, rerun with 1 more unit of budget per voter until the stop rule says, then completed.

    The defaults are pabutools': `completion_by_rule_combination(instance, profile, [method_of_equal_shares,
    greedy_utilitarian_welfare], [{sat_class: Cost_Sat, voter_budget_increment: 1}, {sat_class: Cost_Sat}])`.
    An outcome is exhaustive when no project MES could fund (with supporters and a cost) still fits in the
    budget. `max_runs` bounds the number of MES runs (None: no bound).
    """
    start, stop, completion = AddStart(start), AddStop(stop), Completion(completion)
    rule = "mes-add1"
    model = _Model(election)
    limit = election.budget
    if election.num_voters == 0:
        run = _Run(model, Fraction(0))
        return _complete(election, run, rule, completion, increments=0, stopped_because="no_voters")

    def cost_of(order: Sequence[int]) -> Fraction:
        return sum((model.costs[j] for j in order), Fraction(0))

    def exhaustive(order: Sequence[int], spent: Fraction) -> bool:
        taken = set(order)
        return all(j in taken or spent + model.costs[j] > limit for j in model.eligible)

    kept: _Run | None = None
    kept_runs = 0
    why = ""
    for runs, per_voter in enumerate(_budgets(election, start), 1):
        run = _Run(model, per_voter)
        order = run.run()
        spent = cost_of(order)
        if spent > limit:
            why = "overspend"
            break
        kept, kept_runs = run, runs
        if len(order) == len(model.eligible):
            why = "all_funded"  # more money per voter cannot change the outcome any more
            break
        if stop == AddStop.EXHAUSTIVE and exhaustive(order, spent):
            why = "exhaustive"
            break
        if max_runs is not None and runs >= max_runs:
            why = "max_runs"
            break
    if kept is None:  # impossible: MES never spends more than the voters' budgets
        raise ArithmeticError("the first MES run overspent")
    return _complete(election, kept, rule, completion, increments=kept_runs - 1, stopped_because=why)


def _complete(
    election: Election, run: _Run, rule: str, completion: Completion, *, increments: int, stopped_because: str
) -> MesResult:
    base = _result(run, rule, increments=increments, stopped_because=stopped_because)
    if completion == Completion.NONE:
        return base
    extra = greedy(election, funded=base.selected, rule="completion")
    return MesResult(
        rule=rule,
        selected=base.selected + extra.selected,
        cost=base.cost + extra.cost,
        budget=base.budget,
        budget_per_voter=base.budget_per_voter,
        steps=base.steps,
        rejected=base.rejected,
        completion=extra.steps,
        increments=increments,
        stopped_because=stopped_because,
    )
