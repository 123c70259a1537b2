"""Statement statistics: representativeness per group, consensus, and group-aware consensus.

The formulas are Pol.is's (math/src/polismath/math/repness.clj and stats.clj), written as array
operations over all groups and statements at once instead of one statement at a time:

- pa = (1 + agrees) / (2 + seen), a Laplace-smoothed probability of agreeing (pd likewise);
- pat = one-proportion z-test that the group agrees more often than not (pdt likewise);
- ra = pa(group) / pa(everyone else), the representativeness, and rat its two-proportion z-test.

A statement represents a group when both its probability and representativeness tests are significant at the
chosen confidence (90%, one-sided, by default). Statement selection follows Pol.is's select-rep-comments
(including its stable sort orders); where red-dwarf deviates (it returns nothing when a group has
significant statements but no "best agree" statement) we keep Pol.is's behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.special import ndtri  # type: ignore[import-untyped]

from .matrix import AGREE, DISAGREE, BoolArray, FloatArray, IntArray, VoteMatrix

Direction = Literal["agree", "disagree"]
PolisJSON = dict[str, int | float | str | bool]


@dataclass(frozen=True)
class VoteCounts:
    """Counts per (group, statement) column: agrees, disagrees, and seen (any answer, pass included)."""

    agree: IntArray
    disagree: IntArray
    seen: IntArray

    def first(self, n_groups: int) -> VoteCounts:
        return VoteCounts(self.agree[:n_groups], self.disagree[:n_groups], self.seen[:n_groups])

    def total(self) -> VoteCounts:
        """All groups together, as a single group."""
        return VoteCounts(
            self.agree.sum(axis=0, keepdims=True),
            self.disagree.sum(axis=0, keepdims=True),
            self.seen.sum(axis=0, keepdims=True),
        )


@dataclass(frozen=True)
class RepStatement:
    tid: int
    n_success: int
    n_trials: int
    p_success: float
    p_test: float
    repness: float
    repness_test: float
    repful_for: Direction
    best_agree: bool = False
    n_agree: int = (
        0  # the group's agrees, reported with the best-agree statement even when it reads "disagree"
    )

    def as_polis(self) -> PolisJSON:
        """The dict shape of the Pol.is math API (`repness` entries in /api/v3/math/pca2)."""
        out: PolisJSON = {
            "tid": self.tid,
            "n-success": self.n_success,
            "n-trials": self.n_trials,
            "p-success": self.p_success,
            "p-test": self.p_test,
            "repness": self.repness,
            "repness-test": self.repness_test,
            "repful-for": self.repful_for,
        }
        if self.best_agree:
            out["n-agree"] = self.n_agree
            out["best-agree"] = True
        return out


@dataclass(frozen=True)
class ConsensusStatement:
    tid: int
    n_success: int
    n_trials: int
    p_success: float
    p_test: float

    def as_polis(self) -> PolisJSON:
        return {
            "tid": self.tid,
            "n-success": self.n_success,
            "n-trials": self.n_trials,
            "p-success": self.p_success,
            "p-test": self.p_test,
        }


@dataclass(frozen=True)
class Consensus:
    agree: list[ConsensusStatement]
    disagree: list[ConsensusStatement]


def count_votes(matrix: VoteMatrix, row_groups: IntArray, n_groups: int) -> VoteCounts:
    """Counts per group; `row_groups` gives each matrix row's group, or -1 to leave the row out.

    One bincount over (group, statement, answer) keys does all three tallies in a single pass over the votes.
    """
    n_cols = matrix.shape[1]
    group_of_vote = row_groups[matrix.row_of_each_vote]
    key = (group_of_vote * n_cols + matrix.indices) * 3 + (matrix.values + 1)
    if (group_of_vote < 0).any():
        key = key[group_of_vote >= 0]
    tally = np.bincount(key, minlength=3 * n_groups * n_cols).reshape(n_groups, n_cols, 3).astype(np.int64)
    return VoteCounts(
        agree=tally[:, :, 1 + AGREE],
        disagree=tally[:, :, 1 + DISAGREE],
        seen=tally.sum(axis=2),
    )


def probability(count: IntArray, total: IntArray) -> FloatArray:
    return (1 + count) / (2 + total)


def one_prop_test(success: IntArray, trials: IntArray) -> FloatArray:
    success = success + 1
    trials = trials + 1
    return 2 * np.sqrt(trials) * ((success / trials) - 0.5)


def two_prop_test(succ_in: IntArray, succ_out: IntArray, n_in: IntArray, n_out: IntArray) -> FloatArray:
    succ_in = succ_in + 1
    succ_out = succ_out + 1
    n_in = n_in + 1
    n_out = n_out + 1
    pi1 = succ_in / n_in
    pi2 = succ_out / n_out
    pi_hat = (succ_in + succ_out) / (n_in + n_out)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (pi1 - pi2) / np.sqrt(pi_hat * (1 - pi_hat) * (1 / n_in + 1 / n_out))
    # Everyone everywhere agreed: no difference to test (the limit of the statistic is 0).
    return np.where(pi_hat == 1, 0.0, z)


def critical_z(confidence: float) -> float:
    """One-sided critical value, e.g. 1.2816 for 90%."""
    return float(ndtri(confidence))


@dataclass(frozen=True)
class GroupStats:
    """All per-(group, statement) statistics; arrays are (n_groups, n_statements)."""

    na: IntArray
    nd: IntArray
    ns: IntArray
    pa: FloatArray
    pd: FloatArray
    pat: FloatArray
    pdt: FloatArray
    ra: FloatArray
    rd: FloatArray
    rat: FloatArray
    rdt: FloatArray


def group_stats(counts: VoteCounts) -> GroupStats:
    na, nd, ns = counts.agree, counts.disagree, counts.seen
    na_out = na.sum(axis=0)[None, :] - na
    nd_out = nd.sum(axis=0)[None, :] - nd
    ns_out = ns.sum(axis=0)[None, :] - ns
    pa = probability(na, ns)
    pd = probability(nd, ns)
    return GroupStats(
        na=na,
        nd=nd,
        ns=ns,
        pa=pa,
        pd=pd,
        pat=one_prop_test(na, ns),
        pdt=one_prop_test(nd, ns),
        ra=pa / probability(na_out, ns_out),
        rd=pd / probability(nd_out, ns_out),
        rat=two_prop_test(na, na_out, ns, ns_out),
        rdt=two_prop_test(nd, nd_out, ns, ns_out),
    )


def group_aware_consensus(stats: GroupStats) -> tuple[FloatArray, FloatArray]:
    """Per statement, the product over groups of P(agree) (and of P(disagree)).

    High only when every group tends to agree, so one large group cannot carry a statement alone.
    """
    return stats.pa.prod(axis=0), stats.pd.prod(axis=0)


def _finalize(stats: GroupStats, g: int, j: int, tid: int, best_agree: bool = False) -> RepStatement:
    agree = bool(stats.rat[g, j] > stats.rdt[g, j])
    if agree:
        n, p, pt, r, rt = stats.na, stats.pa, stats.pat, stats.ra, stats.rat
    else:
        n, p, pt, r, rt = stats.nd, stats.pd, stats.pdt, stats.rd, stats.rdt
    return RepStatement(
        tid=tid,
        n_success=int(n[g, j]),
        n_trials=int(stats.ns[g, j]),
        p_success=float(p[g, j]),
        p_test=float(pt[g, j]),
        repness=float(r[g, j]),
        repness_test=float(rt[g, j]),
        repful_for="agree" if agree else "disagree",
        best_agree=best_agree,
        n_agree=int(stats.na[g, j]),
    )


def _best_agree(stats: GroupStats, g: int, columns: IntArray, z: float) -> int | None:
    """Pol.is beats-best-agr?: a sequential scan, since the comparison changes with the current best."""
    na, nd = stats.na[g].tolist(), stats.nd[g].tolist()
    ra, rat, pa, pat = (
        stats.ra[g].tolist(),
        stats.rat[g].tolist(),
        stats.pa[g].tolist(),
        stats.pat[g].tolist(),
    )
    best: int | None = None
    for j in columns.tolist():
        if na[j] == 0 and nd[j] == 0:
            continue
        if best is None:
            beats = pat[j] > z or (ra[j] > 1.0 and pa[j] > 0.5)
        elif ra[best] > 1.0:
            beats = ra[j] * rat[j] * pa[j] * pat[j] > ra[best] * rat[best] * pa[best] * pat[best]
        else:
            beats = pa[j] * pat[j] > pa[best] * pat[best]
        if beats:
            best = j
    return best


def select_representative(
    stats: GroupStats,
    statement_ids: IntArray,
    eligible: BoolArray,
    pick_max: int = 5,
    confidence: float = 0.9,
) -> dict[int, list[RepStatement]]:
    """Up to `pick_max` statements per group that set it apart, agrees first (Pol.is select-rep-comments)."""
    z = critical_z(confidence)
    columns = np.flatnonzero(eligible).astype(np.int64)
    result: dict[int, list[RepStatement]] = {}
    for g in range(stats.na.shape[0]):
        significant = ((stats.pat[g] > z) & (stats.rat[g] > z)) | ((stats.pdt[g] > z) & (stats.rdt[g] > z))
        sufficient_cols = columns[significant[columns]]
        best_agree_col = _best_agree(stats, g, columns, z)
        best_agree = (
            None
            if best_agree_col is None
            else _finalize(stats, g, best_agree_col, int(statement_ids[best_agree_col]), best_agree=True)
        )
        if len(sufficient_cols) == 0:
            if best_agree is not None:
                result[g] = [best_agree]
            elif len(columns):
                # Strictly greater keeps the first of equal maxima, as Pol.is's scan does.
                tests = np.maximum(stats.rat[g, columns], stats.rdt[g, columns])
                best = int(columns[int(np.argmax(tests))])
                result[g] = [_finalize(stats, g, best, int(statement_ids[best]))]
            else:
                result[g] = []
            continue
        sufficient = [
            _finalize(stats, g, j, int(statement_ids[j]))
            for j in sufficient_cols.tolist()
            if best_agree is None or j != best_agree_col
        ]
        metric = np.array([s.repness * s.repness_test * s.p_success * s.p_test for s in sufficient])
        ordered = [sufficient[i] for i in np.argsort(-metric, kind="stable").tolist()]
        picked = ([best_agree] if best_agree is not None else []) + ordered
        picked = picked[:pick_max]
        result[g] = [s for s in picked if s.repful_for == "agree"] + [
            s for s in picked if s.repful_for == "disagree"
        ]
    return result


def select_consensus(
    counts: VoteCounts,
    statement_ids: IntArray,
    eligible: BoolArray,
    pick_max: int = 5,
    confidence: float = 0.9,
    prob_threshold: float = 0.5,
) -> Consensus:
    """Statements most of everyone agrees (or disagrees) with: probability above the threshold, a
    significant one-proportion test, ranked by probability x test statistic (Pol.is
    select-consensus-comments). `counts` has a single group: all participants, not only the clustered."""
    na, nd, ns = counts.agree[0], counts.disagree[0], counts.seen[0]
    z = critical_z(confidence)

    def top(success: IntArray) -> list[ConsensusStatement]:
        p = probability(success, ns)
        pt = one_prop_test(success, ns)
        candidates = np.flatnonzero(eligible & (p > prob_threshold) & (pt > z))
        order = candidates[np.argsort(-(p * pt)[candidates], kind="stable")][:pick_max]
        return [
            ConsensusStatement(
                tid=int(statement_ids[j]),
                n_success=int(success[j]),
                n_trials=int(ns[j]),
                p_success=float(p[j]),
                p_test=float(pt[j]),
            )
            for j in order.tolist()
        ]

    return Consensus(agree=top(na), disagree=top(nd))
