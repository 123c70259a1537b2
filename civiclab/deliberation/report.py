"""The stored report of a conversation: the opinion map turned into a JSON document for pages and the API.

Pure (no Django): the background task passes the conversation's votes in and stores what comes out.
Besides what `opinion_map` computes, it adds each group's vote counts per statement and a selection of
divisive statements: those on which the groups' agreement differs most.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import numpy as np

from .matrix import Votes
from .opinion_map import Settings, compute_opinion_map

DIVISIVE_MAX = 5
DIVISIVE_MIN_SPREAD = 0.3  # difference in smoothed agreement between the most and least agreeing groups
DIVISIVE_MIN_SEEN = 3  # votes a group must have cast on a statement to count in the spread
GROUP_CONSENSUS_MAX = 5


def empty_report() -> dict[str, Any]:
    return {
        "k": 0,
        "group_sizes": [],
        "participants": {},
        "statement_ids": [],
        "repness": {},
        "consensus": {"agree": [], "disagree": []},
        "group_consensus": [],
        "divisive": [],
        "group_votes": {},
        "centers": [],
        "seconds": 0.0,
    }


def build_report(
    votes: Votes,
    moderated_out: Iterable[int] = (),
    meta: Iterable[int] = (),
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Computes the map; a conversation too small to map (under two voters) gives an empty report."""
    started = time.perf_counter()
    excluded = set(moderated_out) | set(meta)
    counted = ~np.isin(votes.statement_ids, np.asarray(sorted(excluded), dtype=np.int64))
    if len(np.unique(votes.participant_ids)) < 2 or not counted.any():
        return empty_report()
    om = compute_opinion_map(votes, moderated_out, meta, settings)
    labels = np.where(om.clustered, om.labels, -1)
    participants = {
        str(pid): [int(group), round(float(x), 4), round(float(y), 4)]
        for pid, group, (x, y) in zip(om.participant_ids.tolist(), labels, om.projections, strict=True)
    }

    # Per group and active statement: agrees, disagrees, votes seen.
    k = om.k
    tids = om.statement_ids
    # Both id arrays are sorted, so a binary search maps each vote to its row and column in one pass.
    group_of_vote = labels[np.searchsorted(om.participant_ids, votes.participant_ids)]
    pos = np.minimum(np.searchsorted(tids, votes.statement_ids), max(len(tids) - 1, 0))
    col_of_vote = np.where(tids[pos] == votes.statement_ids, pos, -1) if len(tids) else pos - 1
    keep = (group_of_vote >= 0) & (col_of_vote >= 0)
    g, c, v = group_of_vote[keep], col_of_vote[keep], votes.values[keep].astype(np.int64)
    shape = (max(k, 1), len(tids))
    na = np.zeros(shape, dtype=np.int64)
    nd = np.zeros(shape, dtype=np.int64)
    ns = np.zeros(shape, dtype=np.int64)
    np.add.at(na, (g, c), v == 1)
    np.add.at(nd, (g, c), v == -1)
    np.add.at(ns, (g, c), 1)
    group_votes = {
        str(tid): [[int(na[gi, j]), int(nd[gi, j]), int(ns[gi, j])] for gi in range(k)]
        for j, tid in enumerate(tids.tolist())
    }

    divisive: list[dict[str, Any]] = []
    if k >= 2:
        p_agree = (na + 1) / (ns + 2)
        enough = ns >= DIVISIVE_MIN_SEEN
        for j, tid in enumerate(tids.tolist()):
            seen = p_agree[enough[:, j], j]
            if len(seen) >= 2:
                spread = float(seen.max() - seen.min())
                if spread >= DIVISIVE_MIN_SPREAD:
                    divisive.append(
                        {
                            "tid": tid,
                            "spread": round(spread, 4),
                            "agree": [round(float(p), 4) for p in p_agree[:, j]],
                        }
                    )
        divisive.sort(key=lambda d: (-d["spread"], d["tid"]))
        divisive = divisive[:DIVISIVE_MAX]

    group_consensus: list[dict[str, Any]] = []
    if k >= 2:
        order = np.lexsort((tids, -om.group_consensus_agree))
        group_consensus = [
            {
                "tid": int(tids[j]),
                "agree": round(float(om.group_consensus_agree[j]), 4),
                "disagree": round(float(om.group_consensus_disagree[j]), 4),
            }
            for j in order[:GROUP_CONSENSUS_MAX]
        ]

    return {
        "k": k,
        "group_sizes": [int(n) for n in om.group_sizes],
        "participants": participants,
        "statement_ids": tids.tolist(),
        "repness": {str(gi): [s.as_polis() for s in picked] for gi, picked in om.repness.items()},
        "consensus": {
            "agree": [s.as_polis() for s in om.consensus.agree],
            "disagree": [s.as_polis() for s in om.consensus.disagree],
        },
        "group_consensus": group_consensus,
        "divisive": divisive,
        "group_votes": group_votes,
        "centers": [
            [round(float(x), 4), round(float(y), 4)] for x, y in np.asarray(om.centers).reshape(-1, 2)
        ],
        "seconds": round(time.perf_counter() - started, 4),
    }
