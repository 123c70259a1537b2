"""The participant x statement vote matrix, kept sparse.

A city-scale conversation is mostly empty: each person answers a few dozen of the hundreds or thousands of
statements. A dense 100,000 x 2,000 matrix would need 1.6 GB of floats to say "missing" 95% of the time, so
the matrix is compressed sparse rows (CSR) over the votes that exist, and every later step works on those.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import cast

import numpy as np
from numpy.typing import NDArray
from scipy import sparse  # type: ignore[import-untyped]

AGREE = 1
PASS = 0
DISAGREE = -1

IntArray = NDArray[np.int64]
Int32Array = NDArray[np.int32]
VoteArray = NDArray[np.int8]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

# Stored codes are vote + 2, so a pass is 2, not 0: a sparse matrix would silently drop explicit zeros,
# and a pass is a real answer that counts as seen.
_CODE_OFFSET = 2


@dataclass(frozen=True)
class Votes:
    """One row per (participant, statement): the latest answer, +1 agree, -1 disagree, 0 pass."""

    participant_ids: IntArray
    statement_ids: IntArray
    values: VoteArray

    def __post_init__(self) -> None:
        n = len(self.values)
        if len(self.participant_ids) != n or len(self.statement_ids) != n:
            raise ValueError("participant_ids, statement_ids and values must have the same length")

    @classmethod
    def from_lists(cls, participant_ids: list[int], statement_ids: list[int], values: list[int]) -> Votes:
        return cls(
            np.asarray(participant_ids, dtype=np.int64),
            np.asarray(statement_ids, dtype=np.int64),
            np.asarray(values, dtype=np.int8),
        )


@dataclass(frozen=True)
class VoteMatrix:
    """Rows are participants and columns statements (with at least one vote), both in ascending id order.

    `indptr`, `indices` and `values` are the CSR arrays; `values` holds -1, 0, +1.
    """

    participant_ids: IntArray
    statement_ids: IntArray
    indptr: IntArray
    indices: Int32Array
    values: VoteArray

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.participant_ids), len(self.statement_ids)

    @property
    def nnz(self) -> int:
        return len(self.values)

    def row_counts(self) -> IntArray:
        """Votes (agree, disagree or pass) per participant."""
        return np.diff(self.indptr)

    @cached_property
    def row_of_each_vote(self) -> IntArray:
        """The row (participant) of each stored vote: the COO twin of `indptr`, reused by several steps."""
        return np.repeat(np.arange(self.shape[0], dtype=np.int64), self.row_counts())

    def csr(self, data: FloatArray) -> sparse.csr_array:
        """A float CSR matrix with this matrix's pattern and the given per-vote data."""
        return sparse.csr_array((data, self.indices, self.indptr), shape=self.shape)


def _labels_and_inverse(ids: IntArray) -> tuple[IntArray, IntArray]:
    """Sorted distinct ids, and the position of each id among them.

    Database ids are dense enough that a bincount-style lookup table (linear time) beats sorting 10 million
    ids; sparse ids (a table larger than a few times the input) fall back to np.unique.
    """
    if len(ids) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    lo = int(ids.min())
    span = int(ids.max()) - lo + 1
    if span <= 4 * len(ids) + 1024:
        shifted = ids - lo
        present = np.zeros(span, dtype=np.bool_)
        present[shifted] = True
        labels = np.flatnonzero(present).astype(np.int64) + lo
        rank = np.cumsum(present, dtype=np.int64) - 1
        return labels, rank[shifted]
    labels, inverse = np.unique(ids, return_inverse=True)
    return labels.astype(np.int64), inverse.astype(np.int64).reshape(-1)


def build_vote_matrix(votes: Votes) -> VoteMatrix:
    """Builds the sparse matrix; raises ValueError on a repeated (participant, statement) pair.

    Callers pass one answer per pair (the database keeps one row per pair and the file readers keep the
    latest), so a repeat is a bug upstream that must not be silently summed.
    """
    values = votes.values.astype(np.int8, copy=False)
    if len(values) and (values.min() < DISAGREE or values.max() > AGREE):
        raise ValueError("votes must be -1, 0 or +1")
    row_ids, rows = _labels_and_inverse(votes.participant_ids.astype(np.int64, copy=False))
    col_ids, cols = _labels_and_inverse(votes.statement_ids.astype(np.int64, copy=False))
    shape = (len(row_ids), len(col_ids))
    codes = (values + _CODE_OFFSET).astype(np.int8)
    # scipy's COO -> CSR conversion is a linear counting sort; it also sums duplicates, which is how a
    # repeated pair shows up (fewer stored entries than votes).
    mat = sparse.csr_array((codes, (rows, cols)), shape=shape)
    mat.sum_duplicates()
    if mat.nnz != len(values):
        raise ValueError("a participant has more than one vote on the same statement")
    return VoteMatrix(
        participant_ids=row_ids,
        statement_ids=col_ids,
        indptr=np.asarray(mat.indptr, dtype=np.int64),
        indices=cast(Int32Array, np.asarray(mat.indices, dtype=np.int32)),
        values=(np.asarray(mat.data, dtype=np.int8) - _CODE_OFFSET).astype(np.int8),
    )
