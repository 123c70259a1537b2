"""The Pol.is opinion map as one pure function: votes in, groups, map and statement selections out.

Pipeline (each step in its own module):
1. matrix.py: the sparse participant x statement vote matrix (+1 agree, -1 disagree, 0 pass).
2. who counts: participants with at least min(7, statements) votes, topped up to 15 with the most active
   voters in a tiny conversation, as Pol.is does.
3. pca.py: two principal components with mean imputation, and the Pol.is sparsity-scaled projection.
4. clustering.py: k-means for k = 2..5 on the clustered participants' 2-D points, k chosen by silhouette.
5. repness.py: representative statements per group, consensus, and group-aware consensus.

red-dwarf (the community's Python reimplementation of Pol.is) is the reference; tests/deliberation checks
this against its outcomes on every Pol.is open-data conversation, and against Pol.is server output.
No Django here: the app calls `compute_opinion_map` from a background task and stores the result.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
from threadpoolctl import ThreadpoolController  # type: ignore[import-untyped]

from .clustering import SILHOUETTE_EXACT_MAX, cluster_participants
from .matrix import BoolArray, FloatArray, IntArray, VoteMatrix, Votes, build_vote_matrix
from .pca import polis_pca
from .repness import (
    Consensus,
    RepStatement,
    count_votes,
    group_aware_consensus,
    group_stats,
    select_consensus,
    select_representative,
)


@dataclass(frozen=True)
class Settings:
    """Defaults are Pol.is's. `force_k`, `init_centers` and `keep_participant_ids` exist to replay a
    Pol.is server state (its k-smoothing and participant history), as red-dwarf's own tests do."""

    min_votes: int = 7
    greedy_min_participants: int = 15
    k_range: tuple[int, int] = (2, 5)
    force_k: int | None = None
    init_centers: tuple[tuple[float, float], ...] = ()
    keep_participant_ids: tuple[int, ...] = ()
    pick_max: int = 5
    confidence: float = 0.9
    silhouette_limit: int = SILHOUETTE_EXACT_MAX


@dataclass(frozen=True)
class OpinionMap:
    """Arrays over statements use `statement_ids` (statements with votes that are neither moderated out
    nor meta); arrays over participants use `participant_ids` (everyone who voted)."""

    participant_ids: IntArray
    statement_ids: IntArray
    components: FloatArray
    mean: FloatArray
    projections: FloatArray
    statement_projections: FloatArray
    clustered: BoolArray
    labels: IntArray
    k: int
    centers: FloatArray
    silhouettes: dict[int, float]
    repness: dict[int, list[RepStatement]]
    consensus: Consensus
    group_consensus_agree: FloatArray
    group_consensus_disagree: FloatArray
    group_sizes: list[int] = field(default_factory=list)

    def groups(self) -> dict[int, int]:
        """Group of each clustered participant, by participant id."""
        rows = np.flatnonzero(self.clustered)
        return dict(zip(self.participant_ids[rows].tolist(), self.labels[rows].tolist(), strict=True))

    def to_json(self, seconds: float | None = None) -> dict[str, Any]:
        return {
            "k": self.k,
            "groups": {str(pid): group for pid, group in self.groups().items()},
            "components": self.components.tolist(),
            "statement_ids": self.statement_ids.tolist(),
            "consensus": {
                "agree": [s.as_polis() for s in self.consensus.agree],
                "disagree": [s.as_polis() for s in self.consensus.disagree],
            },
            "repness": {str(g): [s.as_polis() for s in picked] for g, picked in self.repness.items()},
            "seconds": seconds,
        }


def clustered_rows(matrix: VoteMatrix, settings: Settings) -> BoolArray:
    """Who is placed in a group (Pol.is in-conv): enough votes, forced ids, then the greedy top-up."""
    counts = matrix.row_counts()  # every answer counts here, moderated-out statements included
    threshold = min(settings.min_votes, matrix.shape[1])
    keep = counts >= threshold
    if settings.keep_participant_ids:
        keep |= np.isin(matrix.participant_ids, np.asarray(settings.keep_participant_ids, dtype=np.int64))
    missing = settings.greedy_min_participants - int(keep.sum())
    if missing > 0:
        rest = np.flatnonzero(~keep)
        # Most votes first; equal counts by participant id, so the choice is reproducible.
        order = rest[np.lexsort((matrix.participant_ids[rest], -counts[rest]))]
        keep[order[:missing]] = True
    return keep


@cache
def _threadpools() -> Any:
    return ThreadpoolController()  # scans the loaded BLAS libraries once


def compute_opinion_map(
    votes: Votes,
    moderated_out: Iterable[int] = (),
    meta: Iterable[int] = (),
    settings: Settings | None = None,
) -> OpinionMap:
    """The full recompute. Deterministic: the same votes and settings give the same result."""
    # Our BLAS calls are small (Lanczos bookkeeping, silhouette sums). Multi-threaded BLAS gains nothing on
    # them and its spinning threads stall when the worker shares its cores: on a busy 2-core machine the
    # bowling-green recompute took 140 ms with OpenBLAS threads and 44 ms with one.
    with _threadpools().limit(limits=1, user_api="blas"):
        return _compute(votes, moderated_out, meta, settings or Settings())


def _compute(
    votes: Votes, moderated_out: Iterable[int], meta: Iterable[int], settings: Settings
) -> OpinionMap:
    matrix = build_vote_matrix(votes)
    n_rows, _ = matrix.shape
    excluded = np.asarray(sorted(set(moderated_out) | set(meta)), dtype=np.int64)
    active = ~np.isin(matrix.statement_ids, excluded)

    pca = polis_pca(matrix, active)

    clustered = clustered_rows(matrix, settings)
    k_range = (settings.force_k, settings.force_k) if settings.force_k else settings.k_range
    init = (
        np.asarray(settings.init_centers, dtype=np.float64).reshape(-1, 2) if settings.init_centers else None
    )
    clustering = cluster_participants(pca.projections[clustered], k_range, init, settings.silhouette_limit)
    labels = np.full(n_rows, -1, dtype=np.int64)
    labels[clustered] = clustering.labels

    # Participants outside the groups are counted as one more group: consensus is over everyone.
    counts = count_votes(matrix, np.where(clustered, labels, clustering.k), clustering.k + 1)
    stats = group_stats(counts.first(max(clustering.k, 1)))
    repness = (
        select_representative(stats, matrix.statement_ids, active, settings.pick_max, settings.confidence)
        if clustering.k > 0
        else {}
    )
    consensus = select_consensus(
        counts.total(), matrix.statement_ids, active, settings.pick_max, settings.confidence
    )
    gac_agree, gac_disagree = group_aware_consensus(stats)
    if clustering.k == 0:  # nobody in a group: group-aware consensus is undefined
        gac_agree, gac_disagree = np.full_like(gac_agree, np.nan), np.full_like(gac_disagree, np.nan)
    return OpinionMap(
        participant_ids=matrix.participant_ids,
        statement_ids=matrix.statement_ids[active],
        components=pca.components[:, active],
        mean=pca.mean[active],
        projections=pca.projections,
        statement_projections=pca.statement_projections[active],
        clustered=clustered,
        labels=labels,
        k=clustering.k,
        centers=clustering.centers,
        silhouettes=clustering.silhouettes,
        repness=repness,
        consensus=consensus,
        group_consensus_agree=gac_agree[active],
        group_consensus_disagree=gac_disagree[active],
        group_sizes=np.bincount(clustering.labels, minlength=clustering.k).tolist(),
    )
